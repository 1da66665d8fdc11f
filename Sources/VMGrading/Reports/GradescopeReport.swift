/// Gradescope's `results.json`: a score per test with its maximum, status,
/// output and visibility. Gradescope itself keeps hidden tests from students,
/// so they are written in full with their visibility. Keys come in a fixed
/// order and no clock is read unless `timing` asks for the run's
/// `execution_time` (and each test's seconds, in its `extra_data`). Only the
/// fields Gradescope's autograder specification lists are written.
public enum GradescopeReport {
    public static func render(_ result: SubmissionResult, suite: TestSuite, timing: Bool = false) -> String {
        var json = JSONWriter()
        json.beginObject()
        json.field("score", raw: result.score.description)
        if timing { json.field("execution_time", raw: String(Int(result.seconds.rounded(.up)))) }
        var summary = "vmlab grade \(suite.file.name), seed \(result.seed): \(result.score)/\(result.maximum)"
        if let problem = result.problem { summary += "\ncannot grade: \(problem)" }
        json.field("output", string: summary)
        json.key("tests")
        json.beginArray()
        for test in result.tests {
            json.beginObject()
            json.field("name", string: test.test.name)
            json.field("number", string: String(test.test.number))
            json.field("score", raw: test.score.description)
            json.field("max_score", raw: test.maximum.description)
            json.field("status", string: test.status == .passed ? "passed" : "failed")
            json.field("visibility", string: test.test.visibility.rawValue)
            if !test.test.tags.isEmpty {
                json.key("tags")
                json.beginArray()
                for tag in test.test.tags { json.string(tag) }
                json.endArray()
            }
            json.field("output", string: output(of: test))
            // Gradescope's spec lists execution_time for the whole run only; a
            // test's own time goes in extra_data, the field it leaves to the grader.
            if timing {
                json.key("extra_data")
                json.beginObject()
                json.field("seconds", raw: String(format3(test.seconds)))
                json.endObject()
            }
            json.endObject()
        }
        json.endArray()
        json.endObject()
        return json.text + "\n"
    }

    static func output(of test: TestResult) -> String {
        var text = ""
        switch test.status {
        case .passed: text = "OK (\(ReportText.grouped(test.steps)) steps)\n"
        case .skipped: text = "skipped: \(test.skipReason ?? "")\n"
        case .failed, .error:
            text = "\(ReportText.headline(test))\n"
            if let note = test.scoreNote { text += "points: \(note)\n" }
        }
        if !test.output.isEmpty { text += "\n" + test.output }
        return ReportText.printable(text)
    }

    private static func format3(_ seconds: Double) -> String {
        let millis = Int((seconds * 1000).rounded())
        return "\(millis / 1000).\(String(repeating: "0", count: 3 - String(millis % 1000).count))\(millis % 1000)"
    }
}
