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

    /// Lines longer than this are shown as a window around the caret.
    static let windowWidth = 100

    /// The part of `line` to show, and how many characters were cut before it.
    static func window(_ line: String, around column: Int) -> (String, Int) {
        let characters = Array(line)
        guard characters.count > windowWidth else { return (line, 0) }
        let start = max(0, min(column - 1 - windowWidth / 2, characters.count - windowWidth))
        let end = min(characters.count, start + windowWidth)
        var shown = String(characters[start..<end])
        var shift = start
        if start > 0 {
            shown = "…" + shown
            shift -= 1
        }
        if end < characters.count { shown += "…" }
        return (shown, shift)
    }

    /// `file:line:col: error: message`, the source line, a caret under the
    /// offending text, then notes.
    public func render() -> String {
        let (line, column) = range.position
        var text = "\(range.file.name):\(line):\(column): \(severity.rawValue): \(message)\n"
        let fullLine = range.file.quotesSource ? range.file.lineText(line) : ""
        if range.file.quotesSource && (!fullLine.isEmpty || range.start < range.file.bytes.count) {
            let endColumn =
                range.file.position(of: range.end).line == line
                ? range.file.position(of: range.end).column : fullLine.count + 1
            // A long line is shown as a window around the caret, so that one
            // bad line of a huge file does not print the whole line back.
            let (sourceLine, shift) = Self.window(fullLine, around: column)
            let caretColumn = column - shift
            text += "  " + sourceLine + "\n"
            let lead = sourceLine.prefix(caretColumn - 1).map { $0 == "\t" ? "\t" : " " }.joined()
            let width = max(1, min(endColumn - column, sourceLine.count + 1 - caretColumn))
            text += "  " + lead + "^" + String(repeating: "~", count: width - 1) + "\n"
        }
        for note in notes { text += "  note: " + note + "\n" }
        return text
    }
}
