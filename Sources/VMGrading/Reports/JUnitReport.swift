import Foundation

/// JUnit XML as CI systems read it, valid against Jenkins xunit's
/// junit-10.xsd: one `testsuite` per submission, a `testcase` per test with
/// `failure`, `error` or `skipped`, and the points in the suite's
/// `properties` (`test N score`). Hidden tests show their number and points only.
public enum JUnitReport {
    public static func render(
        _ result: SubmissionResult, suite: TestSuite, showHidden: Bool = false, timing: Bool = false
    ) -> String {
        let failures = result.tests.filter { $0.status == .failed }.count
        let errors = result.tests.filter { $0.status == .error }.count
        let skipped = result.tests.filter { $0.status == .skipped }.count
        // Jenkins xunit's junit-10.xsd: <testsuites> has no skipped count, <testsuite> may.
        let counts = "tests=\"\(result.tests.count)\" failures=\"\(failures)\" errors=\"\(errors)\""
        let time = timing ? " time=\"\(seconds(result.seconds))\"" : ""
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"vmlab grade\" \(counts)\(time)>\n"
        xml += "  <testsuite name=\(attribute(result.name)) \(counts) skipped=\"\(skipped)\"\(time)>\n"
        xml += "    <properties>\n"
        xml += property("tests_file", suite.file.name, indent: 6)
        xml += property("submission", result.path, indent: 6)
        xml += property("seed", String(result.seed), indent: 6)
        xml += property("score", result.score.description, indent: 6)
        xml += property("max_score", result.maximum.description, indent: 6)
        // A <testcase> holds no <properties> in junit-10.xsd: each test's points are the suite's, by number.
        for test in result.tests {
            let prefix = "test \(test.test.number) "
            xml += property(prefix + "score", test.score.description, indent: 6)
            xml += property(prefix + "max_score", test.maximum.description, indent: 6)
            xml += property(prefix + "visibility", test.test.visibility.rawValue, indent: 6)
        }
        xml += "    </properties>\n"
        for test in result.tests {
            let name = ReportText.publicName(test, showHidden: showHidden)
            let shown = ReportText.isShown(test, showHidden: showHidden)
            let caseTime = timing ? " time=\"\(seconds(test.seconds))\"" : ""
            xml += "    <testcase name=\(attribute(name)) classname=\(attribute(result.name))\(caseTime)>\n"
            switch test.status {
            case .passed: break
            case .skipped:
                xml += "      <skipped message=\(attribute(test.skipReason ?? ""))/>\n"
            case .failed, .error:
                let element = test.status == .error ? "error" : "failure"
                let headline = shown ? ReportText.headline(test) : "hidden test failed"
                xml += "      <\(element) message=\(attribute(headline)) type=\"\(test.status == .error ? "error" : "expect")\""
                if shown {
                    xml += ">" + text(TextReport.failureDetails(test)) + "</\(element)>\n"
                } else {
                    xml += "/>\n"
                }
            }
            if shown, !test.output.isEmpty { xml += "      <system-out>" + text(test.output) + "</system-out>\n" }
            xml += "    </testcase>\n"
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }

    private static func property(_ name: String, _ value: String, indent: Int) -> String {
        String(repeating: " ", count: indent) + "<property name=\(attribute(name)) value=\(attribute(value))/>\n"
    }

    private static func seconds(_ value: Double) -> String {
        let millis = Int((value * 1000).rounded())
        let fraction = String(millis % 1000)
        return "\(millis / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }

    /// An attribute value, quoted and escaped (newlines kept as character references).
    static func attribute(_ value: String) -> String {
        "\"" + escape(ReportText.printable(value))
            .replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "\n", with: "&#10;")
            .replacingOccurrences(of: "\t", with: "&#9;") + "\""
    }

    static func text(_ value: String) -> String { escape(ReportText.printable(value)) }

    private static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "&", with: "&amp;")
            .replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
