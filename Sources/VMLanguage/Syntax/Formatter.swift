/// `vmlab fmt`: the canonical layout of a script, changing only whitespace.
/// Each line is indented four spaces per open `{` (and once more inside an
/// open `(` or `[` that continues a line), trailing whitespace goes, runs of
/// blank lines become one, an infix operator written with no space around it
/// gets one on each side, and a comma is followed by one space. One
/// statement a line: a line that chains statements with `;` is split there,
/// and the blocks on it open onto lines of their own. Comments and
/// strings are kept byte for byte, and so is every token: formatting never
/// changes what a script means, and formatting twice changes nothing more.
public enum Formatter {
    /// The formatted text, or nil when the script has syntax errors (a
    /// formatter should not guess at broken code).
    public static func format(_ text: String, registry: CommandRegistry = .standard) -> String? {
        let file = SourceFile(name: "<fmt>", text: text)
        guard Parser.parse(file, registry: registry).diagnostics.isEmpty else { return nil }
        let tokens = Lexer.tokenize(file).stream.tokens
        if let split = oneStatementALine(file, tokens: tokens), split != text {
            return format(split, registry: registry)
        }
        return layout(file, tokens: tokens, registry: registry)
    }

    /// The text with each line that holds a `;` between statements broken
    /// into one line per statement: the `;` becomes a line end, a `{` with
    /// more after it ends its line, and a `}` with something before it starts
    /// one (`} else {` stays together). Newlines and `;` end statements alike,
    /// and blocks ignore where their lines break, so the meaning is the same;
    /// nil when no line needs it. Inside `( )` and `[ ]` nothing is split.
    static func oneStatementALine(_ file: SourceFile, tokens: [Token]) -> String? {
        let bytes = file.bytes
        var brackets = 0
        var lines: [[Token]] = [[]]
        for token in tokens {
            switch token.kind {
            case .newline, .endOfInput: lines.append([])
            default: lines[lines.count - 1].append(token)
            }
        }
        // Which lines chain statements, and the depth of ( and [ at each token.
        var cutLines: Set<Int> = []
        var depthAt: [Int: Int] = [:]
        for (number, line) in lines.enumerated() {
            for token in line {
                depthAt[token.start] = brackets
                switch token.kind {
                case .leftParen, .leftBracket: brackets += 1
                case .rightParen, .rightBracket: brackets = max(0, brackets - 1)
                case .semicolon where brackets == 0: cutLines.insert(number)
                default: break
                }
            }
        }
        guard !cutLines.isEmpty else { return nil }
        var output: [UInt8] = []
        var copied = 0
        func cut(at offset: Int, skipping end: Int) {
            output += bytes[copied..<offset]
            output.append(UInt8(ascii: "\n"))
            copied = end
        }
        for number in cutLines.sorted() {
            let line = lines[number]
            for (position, token) in line.enumerated() where depthAt[token.start] == 0 {
                let isLast = position == line.count - 1
                switch token.kind {
                case .semicolon:
                    cut(at: token.start, skipping: token.end)
                case .leftBrace where !isLast:
                    cut(at: token.end, skipping: token.end)
                case .rightBrace where position > 0 && line[position - 1].kind != .semicolon:
                    cut(at: token.start, skipping: token.start)
                default: break
                }
            }
        }
        output += bytes[copied...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Indentation and spacing, line by line.
    private static func layout(_ file: SourceFile, tokens: [Token], registry: CommandRegistry) -> String {
        let bytes = file.bytes
        var lineStarts = [0]
        for (offset, byte) in bytes.enumerated() where byte == UInt8(ascii: "\n") { lineStarts.append(offset + 1) }
        // Tokens in order, and none spans a line (strings are one line): a moving pointer groups them.
        var tokensByLine = Array(repeating: [Token](), count: lineStarts.count)
        var line = 0
        for token in tokens where token.kind != .newline && token.kind != .endOfInput {
            while line + 1 < lineStarts.count && lineStarts[line + 1] <= token.start { line += 1 }
            tokensByLine[line].append(token)
        }
        var output: [String] = []
        var depth = 0
        var bracketDepth = 0
        for (number, start) in lineStarts.enumerated() {
            let end = number + 1 < lineStarts.count ? lineStarts[number + 1] - 1 : bytes.count
            let lineTokens = tokensByLine[number]
            let raw = String(decoding: bytes[start..<max(start, end)], as: UTF8.self)
            let content = raw.trimmingWhitespace()
            if content.isEmpty {
                // Runs of blank lines become one; none at the start.
                if output.last.map({ !$0.isEmpty }) ?? false { output.append("") }
                continue
            }
            // A line that starts by closing a block is indented as the block's opener.
            let closesFirst = lineTokens.first?.kind == .rightBrace
            let level = max(0, depth - (closesFirst ? 1 : 0)) + (bracketDepth > 0 ? 1 : 0)
            let body = lineTokens.isEmpty ? content : spaced(lineTokens, bytes: bytes, registry: registry)
            output.append(String(repeating: "    ", count: level) + body)
            for token in lineTokens {
                switch token.kind {
                case .leftBrace: depth += 1
                case .rightBrace: depth = max(0, depth - 1)
                case .leftParen, .leftBracket: bracketDepth += 1
                case .rightParen, .rightBracket: bracketDepth = max(0, bracketDepth - 1)
                default: break
                }
            }
        }
        while output.last == "" { output.removeLast() }
        return output.isEmpty ? "" : output.joined(separator: "\n") + "\n"
    }

    /// The line's text from its first token, with the gaps between tokens
    /// normalized where that cannot change a token: around infix operators
    /// written with no space, and after commas. Everything after the last
    /// token (a comment) and every token's own text are kept.
    private static func spaced(_ tokens: [Token], bytes: [UInt8], registry: CommandRegistry) -> String {
        // The `=` of `let x = …` or `x = …` is spaced; a command's `size=8K` is not.
        let bindingEquals: Int? =
            tokens.count > 2 && tokens[0].kind == .let && tokens[2].kind == .assign
            ? 2
            : (tokens.count > 1 && tokens[0].kind == .identifier && tokens[1].kind == .assign
                && registry.command(named: String(decoding: bytes[tokens[0].start..<tokens[0].end], as: UTF8.self)) == nil ? 1 : nil)
        var text = ""
        for (position, token) in tokens.enumerated() {
            let tokenText = String(decoding: bytes[token.start..<token.end], as: UTF8.self)
            if position > 0 {
                let previous = tokens[position - 1]
                let gap = String(decoding: bytes[previous.end..<token.start], as: UTF8.self)
                if previous.kind == .comma || position == bindingEquals || position - 1 == bindingEquals {
                    text += " "
                } else if isInfix(token, after: previous) && gap.isEmpty {
                    text += " "
                } else if isInfix(previous, after: position >= 2 ? tokens[position - 2] : nil) && gap.isEmpty
                    && !token.spaceBefore
                {
                    text += " "
                } else {
                    text += gap
                }
            }
            text += tokenText
        }
        // What follows the last token on the line (a comment), as written.
        if let last = tokens.last {
            let lineEnd = bytes[last.end...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count
            var tail = String(decoding: bytes[last.end..<lineEnd], as: UTF8.self)
            while tail.last == " " || tail.last == "\t" || tail.last == "\r" { tail.removeLast() }
            text += tail
        }
        return text
    }

    /// An operator written between two operands with no space on either side
    /// (`a-b`): infix by the language's whitespace rule, so spacing it keeps its meaning.
    private static func isInfix(_ token: Token, after previous: Token?) -> Bool {
        guard let previous, !token.spaceBefore else { return false }
        switch token.kind {
        case .plus, .minus, .star, .slash, .percent, .ampersand, .pipe, .caret, .shiftLeft, .shiftRight,
            .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual:
            switch previous.kind {
            case .integer, .identifier, .rightParen, .rightBracket, .string, .true, .false: return true
            default: return false
            }
        default: return false
        }
    }
}

private extension String {
    /// Without leading and trailing spaces, tabs and a carriage return.
    func trimmingWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else { return "" }
        return String(self[first...last])
    }
}
