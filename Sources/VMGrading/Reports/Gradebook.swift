import Foundation

/// Many submissions at once: one row each, sorted by name, as text for a
/// person or CSV for a spreadsheet. The instructor's view: real test names.
public enum Gradebook {
    public static func text(_ results: [SubmissionResult], suite: TestSuite) -> String {
        let rows = results.map { row($0) }
        let nameWidth = max("submission".count, rows.map(\.name.count).max() ?? 0)
        let scoreWidth = max("score".count, rows.map(\.score.count).max() ?? 0)
        let maxWidth = max("max".count, rows.map(\.maximum.count).max() ?? 0)
        func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return left ? padding + text : text + padding
        }
        var text = "\(pad("submission", nameWidth))  \(pad("score", scoreWidth, left: true))  \(pad("max", maxWidth, left: true))  failed\n"
        for row in rows {
            let line = "\(pad(row.name, nameWidth))  \(pad(row.score, scoreWidth, left: true))  \(pad(row.maximum, maxWidth, left: true))  \(row.failed)"
            text += String(line.reversed().drop { $0 == " " }.reversed()) + "\n"
        }
        let perfect = results.filter(\.allPassed).count
        text += "\(results.count) submission\(results.count == 1 ? "" : "s") graded against \(suite.file.name); \(perfect) with full marks\n"
        return text
    }

    public static func csv(_ results: [SubmissionResult]) -> String {
        var text = "submission,score,max_score,failed\n"
        for row in results.map({ row($0) }) {
            text += [row.name, row.score, row.maximum, row.failed].map(field).joined(separator: ",") + "\n"
        }
        return text
    }

    private struct Row {
        let name: String
        let score: String
        let maximum: String
        let failed: String
    }

    private static func row(_ result: SubmissionResult) -> Row {
        let failed: String
        if let problem = result.problem {
            failed = "cannot grade: " + problem
        } else {
            failed = result.tests.filter { $0.status != .passed }.map(\.test.name).joined(separator: "; ")
        }
        return Row(
            name: ReportText.printable(result.name), score: result.score.description,
            maximum: result.maximum.description, failed: ReportText.printable(failed))
    }

    /// RFC 4180: quoted when it holds a comma, quote or line break.
    private static func field(_ value: String) -> String {
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
