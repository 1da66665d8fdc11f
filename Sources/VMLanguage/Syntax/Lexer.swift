/// Turns source bytes into tokens in one pass: a single `switch` over the
/// current byte, numbers read greedily and checked afterwards (as Lua's llex
/// does). Problems become diagnostics and lexing goes on, so one run reports
/// every error.
///
/// Newlines end statements, except inside `( )` and `[ ]`, where they are
/// skipped so that long calls can wrap.
public struct Lexer {
    private let file: SourceFile
    private let bytes: [UInt8]
    private var offset = 0
    private var bracketDepth = 0
    private var spaceBefore = true
    private var stream: TokenStream
    private var diagnostics: [Diagnostic] = []

    public static func tokenize(_ file: SourceFile) -> (stream: TokenStream, diagnostics: [Diagnostic]) {
        var lexer = Lexer(file: file)
        lexer.run()
        return (lexer.stream, lexer.diagnostics)
    }

    /// Tokens keep 32-bit offsets. Scripts are capped at 16 MiB long before
    /// this (ScriptLoader); the check keeps any other caller honest.
    static let maximumSourceBytes = Int(UInt32.max)

    private init(file: SourceFile) {
        self.file = file
        self.bytes = file.bytes
        stream = TokenStream(file: file)
    }

    private func peek(_ ahead: Int = 0) -> UInt8 {
        offset + ahead < bytes.count ? bytes[offset + ahead] : 0
    }

    /// Errors kept before lexing stops: memory stays a small multiple of the
    /// input however many bad characters it has (a line of a million '@').
    static let maximumErrors = 100

    private mutating func error(_ message: String, from start: Int, to end: Int, atEndOfInput: Bool = false) {
        guard diagnostics.count < Self.maximumErrors else {
            diagnostics.append(
                Diagnostic(
                    "too many errors; stopped reading here", at: SourceRange(file: file, start: start, end: end)))
            offset = bytes.count
            return
        }
        diagnostics.append(
            Diagnostic(
                message, at: SourceRange(file: file, start: start, end: end), atEndOfInput: atEndOfInput))
    }

    private mutating func emit(_ kind: TokenKind, from start: Int, payload: UInt32 = 0) {
        stream.tokens.append(Token(kind: kind, start: start, end: offset, spaceBefore: spaceBefore, payload: payload))
        spaceBefore = false
    }

    private mutating func emit(integer value: UInt64, from start: Int) {
        stream.integers.append(value)
        emit(.integer, from: start, payload: UInt32(stream.integers.count - 1))
    }

    private mutating func emit(string: String, from start: Int) {
        stream.strings.append(string)
        emit(.string, from: start, payload: UInt32(stream.strings.count - 1))
    }

    private mutating func run() {
        if bytes.count > Self.maximumSourceBytes {
            error("a script may be at most 4 GiB long", from: 0, to: 0)
            offset = bytes.count
        }
        while offset < bytes.count {
            let start = offset
            let byte = bytes[offset]
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                offset += 1
                spaceBefore = true
            case UInt8(ascii: "#"):
                while offset < bytes.count && bytes[offset] != UInt8(ascii: "\n") { offset += 1 }
                spaceBefore = true
            case UInt8(ascii: "\n"):
                offset += 1
                // Blank lines add nothing: one newline token stands for a run of them.
                if bracketDepth == 0 && stream.tokens.last?.kind != .newline { emit(.newline, from: start) }
                spaceBefore = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lexNumber()
            case UInt8(ascii: "\""):
                lexString()
            case _ where isIdentifierStart(byte):
                while offset < bytes.count && isIdentifierContinue(bytes[offset]) { offset += 1 }
                emit(keyword(from: start) ?? .identifier, from: start)
            default:
                lexPunctuation(byte, start: start)
            }
        }
        let end = min(bytes.count, Self.maximumSourceBytes)
        stream.tokens.append(Token(kind: .endOfInput, start: end, end: end, spaceBefore: true))
    }

    /// The keyword spelled by bytes[start..<offset], if any. Keywords are
    /// short, so longer names never build a string.
    private func keyword(from start: Int) -> TokenKind? {
        guard offset - start <= 6 else { return nil }
        return TokenKind.keywords[String(decoding: bytes[start..<offset], as: UTF8.self)]
    }

    private func isIdentifierStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z"))
            || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z")) || byte == UInt8(ascii: "_")
    }

    private func isIdentifierContinue(_ byte: UInt8) -> Bool {
        isIdentifierStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9"))
    }

    /// Reads `[0-9A-Za-z_]+` and then decides what it means: decimal, `0x`
    /// hex or `0b` binary digits with `_` separators, and an optional size
    /// suffix K, M or G (powers of 1,024).
    private mutating func lexNumber() {
        let start = offset
        while offset < bytes.count && isIdentifierContinue(bytes[offset]) { offset += 1 }
        var text = Array(bytes[start..<offset])
        var radix: UInt64 = 10
        var digitsStart = 0
        if text.count > 1 && text[0] == UInt8(ascii: "0") {
            switch text[1] {
            case UInt8(ascii: "x"), UInt8(ascii: "X"):
                radix = 16
                digitsStart = 2
            case UInt8(ascii: "b"), UInt8(ascii: "B"):
                // "0b" followed by a binary digit; otherwise fall through to the error below.
                radix = 2
                digitsStart = 2
            default: break
            }
        }
        var multiplier: UInt64 = 1
        if let last = text.last, text.count > digitsStart + 1 {
            switch last {
            case UInt8(ascii: "K"): multiplier = 1 << 10
            case UInt8(ascii: "M"): multiplier = 1 << 20
            case UInt8(ascii: "G"): multiplier = 1 << 30
            default: break
            }
            if multiplier != 1 { text.removeLast() }
        }
        var value: UInt64 = 0
        var sawDigit = false
        var overflow = false
        for (position, byte) in text.enumerated().dropFirst(digitsStart) {
            if byte == UInt8(ascii: "_") { continue }
            guard let digit = digitValue(byte), digit < radix else {
                let kind = radix == 16 ? "hexadecimal" : radix == 2 ? "binary" : "decimal"
                let character = String(UnicodeScalar(byte))
                error(
                    "invalid digit '\(character)' in \(kind) integer literal",
                    from: start + position, to: start + position + 1)
                emit(integer: 0, from: start)
                return
            }
            sawDigit = true
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: radix)
            let (sum, overflowAdd) = shifted.addingReportingOverflow(digit)
            overflow = overflow || overflowMultiply || overflowAdd
            value = sum
        }
        guard sawDigit else {
            error("integer literal has no digits after its prefix", from: start, to: offset)
            emit(integer: 0, from: start)
            return
        }
        let (scaled, overflowScale) = value.multipliedReportingOverflow(by: multiplier)
        if overflow || overflowScale {
            error("integer literal does not fit in 64 bits", from: start, to: offset)
        }
        emit(integer: scaled, from: start)
    }

    private func digitValue(_ byte: UInt8) -> UInt64? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt64(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return UInt64(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return UInt64(byte - UInt8(ascii: "A") + 10)
        default: return nil
        }
    }

    /// A string on one line, with escapes \n \t \r \0 \\ \" and \u{hex}.
    private mutating func lexString() {
        let start = offset
        offset += 1
        var scalars = String.UnicodeScalarView()
        var utf8Run: [UInt8] = []
        func flush() {
            scalars.append(contentsOf: String(decoding: utf8Run, as: UTF8.self).unicodeScalars)
            utf8Run.removeAll()
        }
        while true {
            guard offset < bytes.count, bytes[offset] != UInt8(ascii: "\n") else {
                error(
                    "unterminated string: a string ends with '\"' on the line where it starts",
                    from: start, to: start + 1)
                flush()
                emit(string: String(scalars), from: start)
                return
            }
            let byte = bytes[offset]
            if byte == UInt8(ascii: "\"") {
                offset += 1
                break
            }
            guard byte == UInt8(ascii: "\\") else {
                utf8Run.append(byte)
                offset += 1
                continue
            }
            flush()
            let escapeStart = offset
            offset += 1
            let escaped = peek()
            offset += 1
            switch escaped {
            case UInt8(ascii: "n"): scalars.append("\n")
            case UInt8(ascii: "t"): scalars.append("\t")
            case UInt8(ascii: "r"): scalars.append("\r")
            case UInt8(ascii: "0"): scalars.append("\0")
            case UInt8(ascii: "\\"): scalars.append("\\")
            case UInt8(ascii: "\""): scalars.append("\"")
            case UInt8(ascii: "u"):
                if let scalar = lexUnicodeEscape() {
                    scalars.append(scalar)
                } else {
                    error("invalid unicode escape; write it as \\u{1F600}", from: escapeStart, to: offset)
                }
            default:
                if escaped == UInt8(ascii: "\n") || escaped == 0 { offset -= 1 }
                error("unknown escape sequence in string", from: escapeStart, to: offset)
            }
        }
        flush()
        emit(string: String(scalars), from: start)
    }

    private mutating func lexUnicodeEscape() -> UnicodeScalar? {
        guard peek() == UInt8(ascii: "{") else { return nil }
        offset += 1
        var value: UInt32 = 0
        var digits = 0
        while let digit = digitValue(peek()), digits < 8 {
            value = value * 16 + UInt32(digit)
            digits += 1
            offset += 1
        }
        guard digits > 0, peek() == UInt8(ascii: "}") else { return nil }
        offset += 1
        return UnicodeScalar(value)
    }

    private mutating func lexPunctuation(_ byte: UInt8, start: Int) {
        func take(_ count: Int, _ kind: TokenKind) {
            offset += count
            emit(kind, from: start)
        }
        let next = peek(1)
        switch byte {
        case UInt8(ascii: "{"): take(1, .leftBrace)
        case UInt8(ascii: "}"): take(1, .rightBrace)
        case UInt8(ascii: "("):
            bracketDepth += 1
            take(1, .leftParen)
        case UInt8(ascii: ")"):
            bracketDepth = max(0, bracketDepth - 1)
            take(1, .rightParen)
        case UInt8(ascii: "["):
            bracketDepth += 1
            take(1, .leftBracket)
        case UInt8(ascii: "]"):
            bracketDepth = max(0, bracketDepth - 1)
            take(1, .rightBracket)
        case UInt8(ascii: ","): take(1, .comma)
        case UInt8(ascii: ";"): take(1, .semicolon)
        case UInt8(ascii: "+"): take(1, .plus)
        case UInt8(ascii: "-"): take(1, .minus)
        case UInt8(ascii: "*"): take(1, .star)
        case UInt8(ascii: "/"): take(1, .slash)
        case UInt8(ascii: "%"): take(1, .percent)
        case UInt8(ascii: "^"): take(1, .caret)
        case UInt8(ascii: "~"): take(1, .tilde)
        case UInt8(ascii: "="): next == UInt8(ascii: "=") ? take(2, .equal) : take(1, .assign)
        case UInt8(ascii: "<"):
            if next == UInt8(ascii: "<") {
                take(2, .shiftLeft)
            } else if next == UInt8(ascii: "=") {
                take(2, .lessEqual)
            } else {
                take(1, .less)
            }
        case UInt8(ascii: ">"):
            if next == UInt8(ascii: ">") {
                take(2, .shiftRight)
            } else if next == UInt8(ascii: "=") {
                take(2, .greaterEqual)
            } else {
                take(1, .greater)
            }
        case UInt8(ascii: "."):
            if next == UInt8(ascii: "."), peek(2) == UInt8(ascii: "<") {
                take(3, .halfOpenRange)
            } else if next == UInt8(ascii: "."), peek(2) == UInt8(ascii: ".") {
                take(3, .closedRange)
            } else {
                take(1, .dot)
            }
        case UInt8(ascii: "!"):
            if next == UInt8(ascii: "=") {
                take(2, .notEqual)
            } else {
                offset += 1
                error("'!' is not an operator here; write 'not'", from: start, to: offset)
            }
        case UInt8(ascii: "&"):
            if next == UInt8(ascii: "&") {
                offset += 2
                error("'&&' is not an operator here; write 'and'", from: start, to: offset)
                emit(.and, from: start)
            } else {
                take(1, .ampersand)
            }
        case UInt8(ascii: "|"):
            if next == UInt8(ascii: "|") {
                offset += 2
                error("'||' is not an operator here; write 'or'", from: start, to: offset)
                emit(.or, from: start)
            } else {
                take(1, .pipe)
            }
        default:
            // Skip one whole UTF-8 character so the caret covers it.
            offset += 1
            while offset < bytes.count && bytes[offset] & 0xC0 == 0x80 { offset += 1 }
            let character = String(decoding: bytes[start..<offset], as: UTF8.self)
            let shown = byte < 0x20 || byte == 0x7F ? "byte 0x" + String(byte, radix: 16) : "'\(character)'"
            error("unexpected character \(shown)", from: start, to: offset)
            spaceBefore = true
        }
    }
}
