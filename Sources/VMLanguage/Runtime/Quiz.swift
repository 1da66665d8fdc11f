/// Quizzes are scripts: they build a machine with `random(N)` (seeded per
/// run), print a problem, and ask `question "ID" "PROMPT" ANSWER`. The same
/// script prints the problem, the worked answers, or checks a student's
/// answers sheet, by mode.
public enum QuizMode: Sendable {
    /// `ID: ____  # PROMPT`: a line for the student to fill in.
    case problem
    /// `ID: ANSWER  # PROMPT`: the solution (what `vmlab run` shows).
    case answers
    /// Print nothing; record the questions for a check.
    case collect
}

/// One question a quiz asked, with its answer as the script computed it.
public struct QuizQuestion: Sendable {
    public let id: String
    public let prompt: String
    /// The answer as shown: an integer in the quiz's chosen form ("0x354"), a word ("hit").
    public let answer: String
    public let range: SourceRange

    /// The line a problem or its solution shows, and an answers sheet repeats.
    public func line(showingAnswer: Bool) -> String {
        "\(id): \(showingAnswer ? answer : "____")  # \(prompt)"
    }
}

/// A student's answers sheet: `ID: ANSWER` lines (a `#` starts a comment).
/// Lines for IDs the quiz did not ask are ignored, so a filled-in copy of the
/// problem's whole printout is a valid sheet.
public struct AnswerSheet: Sendable {
    /// The first answer given for each ID.
    public private(set) var answers: [String: String] = [:]
    /// What the sheet got wrong as a sheet, by line: an ID answered twice
    /// (the first answer counts), an answer to a question the quiz does not have.
    public private(set) var warnings: [String] = []

    /// Reads `ID: answer` lines. Line ends may be `\n`, `\r\n` or `\r` (a
    /// sheet saved on Windows or an old Mac), and a byte-order mark at the
    /// start is ignored, so a grade never depends on the editor that saved it.
    public init(_ text: String, ids: Set<String>) {
        let body = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        var firstLine: [String: Int] = [:]
        // Character.isNewline: "\r\n" is one Character in Swift, so splitting on "\n" alone misses it.
        for (offset, line) in body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let number = offset + 1
            let content = line.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0]
            guard let colon = content.firstIndex(of: ":") else { continue }
            let id = content[..<colon].trimmingCharacters(in: .whitespaces)
            let answer = content[content.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            guard ids.contains(id) else {
                // Only what looks like an ID (1.vpn, q3): the printout's own lines have colons too.
                if !id.isEmpty, !id.contains(" "), id.contains(where: { $0 == "." || $0.isNumber }), !answer.isEmpty {
                    warnings.append("line \(number): '\(id)' is not a question of this quiz; its answer is ignored")
                }
                continue
            }
            if let first = firstLine[id] {
                if !answer.isEmpty, !answer.allSatisfy({ $0 == "_" }), answer != answers[id] {
                    warnings.append("line \(number): '\(id)' is answered again; the first answer (line \(first)) counts")
                }
                continue
            }
            firstLine[id] = number
            answers[id] = answer
        }
    }

    /// Whether `given` is `expected`: numerically when both read as integers
    /// (0x1f, 0b11111 and 31 are one answer), else as words, ignoring case.
    /// A blank (`____`) is never right.
    public static func matches(_ given: String, _ expected: String) -> Bool {
        let given = given.trimmingCharacters(in: .whitespaces)
        guard !given.isEmpty, !given.allSatisfy({ $0 == "_" }) else { return false }
        if let a = integer(given), let b = integer(expected) { return a == b }
        return given.lowercased() == expected.lowercased()
    }

    /// "0x1f", "0b11111", "31" (underscores allowed, as in scripts).
    static func integer(_ text: String) -> UInt64? {
        let cleaned = text.lowercased().replacingOccurrences(of: "_", with: "")
        if cleaned.hasPrefix("0x") { return UInt64(cleaned.dropFirst(2), radix: 16) }
        if cleaned.hasPrefix("0b") { return UInt64(cleaned.dropFirst(2), radix: 2) }
        return UInt64(cleaned, radix: 10)
    }
}
