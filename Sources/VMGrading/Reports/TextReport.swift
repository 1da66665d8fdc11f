/// The human summary, in the spirit of xv6's `make grade`:
/// `NAME: OK (1,234 steps)`, `NAME: FAIL` with got vs expected, `Score: 7/10`.
/// No wall-clock times, so the same submission prints the same bytes.
public enum TextReport {
    public static func render(_ result: SubmissionResult, suite: TestSuite, showHidden: Bool = false) -> String {
        var text = "== vmlab grade \(result.path) against \(suite.file.name) (seed \(result.seed))\n"
        if let problem = result.problem { return text + "cannot grade: \(problem)\nScore: 0/\(suite.maximumPoints)\n" }
        for test in result.tests {
            let shown = ReportText.isShown(test, showHidden: showHidden)
            let name = ReportText.publicName(test, showHidden: showHidden)
            let points = "[\(test.score)/\(test.maximum)]"
            switch test.status {
            case .passed:
                text += "\(name): OK (\(ReportText.grouped(test.steps)) steps) \(points)\n"
            case .skipped:
                text += "\(name): SKIPPED (\(test.skipReason ?? "")) \(points)\n"
            case .failed, .error:
                text += "\(name): \(test.status == .error ? "ERROR" : "FAIL") \(points)\n"
                if shown {
                    if let note = test.scoreNote { text += "    points: \(note)\n" }
                    text += indent(failureDetails(test), by: "    ")
                }
            }
        }
        text += "Score: \(result.score)/\(result.maximum)\n"
        return text
    }

    /// Each failed expect with got vs expected (or its explanation), then the error that stopped the test.
    static func failureDetails(_ test: TestResult) -> String {
        var text = ""
        for failure in test.failures {
            text += "expect failed: \(ReportText.printable(failure.label))\n"
            if let got = failure.got, let expected = failure.expected {
                text += "  got:      \(ReportText.printable(got))\n"
                text += "  expected: \(ReportText.printable(expected))\n"
            } else if let detail = failure.detail {
                text += indent(ReportText.printable(detail), by: "  ")
            }
        }
        if let error = test.error { text += ReportText.printable(error) }
        return text
    }

    static func indent(_ text: String, by prefix: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false).dropLast(text.hasSuffix("\n") ? 1 : 0)
            .map { prefix + $0 + "\n" }.joined()
    }
}
