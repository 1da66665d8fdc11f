import Foundation

/// TAP version 13: a plan, `ok`/`not ok` per test, and a YAML block under a
/// failure with `got:` and `expected:`. A skipped test is `ok … # SKIP`.
/// Hidden tests show their number and points only.
public enum TAPReport {
    public static func render(_ result: SubmissionResult, suite: TestSuite, showHidden: Bool = false) -> String {
        // A submission that cannot be graded fails every test (never a plan of 0, which passes).
        var text = "TAP version 13\n"
        text += "1..\(result.tests.count)\n"
        text += "# vmlab grade \(oneLine(result.path)) against \(oneLine(suite.file.name)), seed \(result.seed)\n"
        for test in result.tests {
            let name = oneLine(ReportText.publicName(test, showHidden: showHidden))
            let points = "(\(test.score)/\(test.maximum) points)"
            let number = test.test.number
            switch test.status {
            case .passed:
                text += "ok \(number) - \(name) \(points)\n"
            case .skipped:
                text += "ok \(number) - \(name) \(points) # SKIP \(oneLine(test.skipReason ?? ""))\n"
            case .failed, .error:
                text += "not ok \(number) - \(name) \(points)\n"
                if ReportText.isShown(test, showHidden: showHidden) { text += diagnostics(test) }
            }
        }
        text += "# Score: \(result.score)/\(result.maximum)\n"
        return text
    }

    private static func diagnostics(_ test: TestResult) -> String {
        var yaml = "  ---\n"
        yaml += "  message: \(quoted(ReportText.headline(test)))\n"
        yaml += "  severity: \(test.status == .error ? "error" : "fail")\n"
        if let note = test.scoreNote { yaml += "  points: \(quoted(note))\n" }
        if let failure = test.failures.first(where: { $0.got != nil }), let got = failure.got,
            let expected = failure.expected
        {
            yaml += "  got: \(quoted(got))\n"
            yaml += "  expected: \(quoted(expected))\n"
        }
        if !test.output.isEmpty {
            yaml += "  output: |\n"
            for line in ReportText.printable(test.output).split(separator: "\n", omittingEmptySubsequences: false)
                .dropLast(test.output.hasSuffix("\n") ? 1 : 0)
            {
                yaml += line.isEmpty ? "\n" : "    " + line + "\n"
            }
        }
        return yaml + "  ...\n"
    }

    /// A YAML double-quoted scalar.
    static func quoted(_ text: String) -> String { JSONWriter.quoted(ReportText.printable(text)) }

    /// A test line cannot hold a newline, and `#` would start a directive.
    static func oneLine(_ text: String) -> String {
        ReportText.printable(text).replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "#", with: "\\#")
    }
}
