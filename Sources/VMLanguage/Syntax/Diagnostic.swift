/// A problem found in a script, with where it is. Rendering is separate
/// (`render`), so front ends decide colour and layout.
public struct Diagnostic: Error, Sendable {
    public enum Severity: String, Sendable {
        case error
        /// A failed `expect`: reported like an error, but the script goes on.
        case expectationFailed = "expect failed"
        case note
    }

    public let severity: Severity
    public let message: String
    public let range: SourceRange
    /// Further lines shown under the caret (for example "did you mean …?").
    public let notes: [String]
    /// True when the problem is that the input stopped too early (an open
    /// block or bracket): the REPL then asks for another line instead.
    public let atEndOfInput: Bool

    public init(
        _ message: String, at range: SourceRange, severity: Severity = .error, notes: [String] = [],
        atEndOfInput: Bool = false
    ) {
        self.severity = severity
        self.message = message
        self.range = range
        self.notes = notes
        self.atEndOfInput = atEndOfInput
    }

    /// `file:line:col: error: message`, the source line, a caret under the
    /// offending text, then notes.
    public func render() -> String {
        let (line, column) = range.position
        var text = "\(range.file.name):\(line):\(column): \(severity.rawValue): \(message)\n"
        let sourceLine = range.file.lineText(line)
        if !sourceLine.isEmpty || range.start < range.file.bytes.count {
            text += "  " + sourceLine + "\n"
            let lead = sourceLine.prefix(column - 1).map { $0 == "\t" ? "\t" : " " }.joined()
            let endColumn =
                range.file.position(of: range.end).line == line
                ? range.file.position(of: range.end).column : sourceLine.count + 1
            let width = max(1, endColumn - column)
            text += "  " + lead + "^" + String(repeating: "~", count: width - 1) + "\n"
        }
        for note in notes { text += "  note: " + note + "\n" }
        return text
    }
}
