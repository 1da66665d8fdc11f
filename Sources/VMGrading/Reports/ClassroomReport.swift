/// GitHub Classroom's autograding result: the JSON a grader step hands to
/// `classroom-resources/autograding-grading-reporter` (base64-encoded, in
/// `<RUNNER>_RESULTS`), which sums each test's `score` against `max_score`
/// and sends the points to the Classroom dashboard. A student sees all of
/// it (it runs in their own repository), so hidden tests show their number
/// only, as in text, TAP and JUnit.
public enum ClassroomReport {
    public static func render(_ result: SubmissionResult, suite: TestSuite, timing: Bool = false) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("version", raw: "1")
        json.field("status", string: status(result))
        json.field("max_score", raw: result.maximum.description)
        json.key("tests")
        json.beginArray()
        for test in result.tests {
            let shown = ReportText.isShown(test, showHidden: false)
            json.beginObject()
            json.field("name", string: ReportText.printable(ReportText.publicName(test, showHidden: false)))
            json.field("status", string: test.status == .passed ? "pass" : test.status == .error ? "error" : "fail")
            json.field("score", raw: test.score.description)
            json.field("max_score", raw: test.maximum.description)
            json.field("message", string: shown ? ReportText.printable(message(test)) : "hidden test: \(test.score)/\(test.maximum)")
            json.field("filename", string: suite.file.name)
            json.field("line_no", raw: String(test.test.body.range.position.line))
            if timing { json.field("execution_time", string: "\(Int((test.seconds * 1000).rounded())) ms") }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text + "\n"
    }

    /// The reporter's run status: pass, fail, or error when nothing could be graded.
    static func status(_ result: SubmissionResult) -> String {
        if result.problem != nil || (!result.tests.isEmpty && result.tests.allSatisfy { $0.status == .error }) { return "error" }
        return result.allPassed ? "pass" : "fail"
    }

    static func message(_ test: TestResult) -> String {
        switch test.status {
        case .passed: return "OK (\(ReportText.grouped(test.steps)) steps)"
        case .skipped: return "skipped: \(test.skipReason ?? "")"
        case .failed, .error:
            var text = ReportText.headline(test)
            if let note = test.scoreNote { text += "\npoints: \(note)" }
            return text
        }
    }
}
