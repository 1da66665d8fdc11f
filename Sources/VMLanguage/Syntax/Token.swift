public enum TokenKind: Equatable, Sendable {
    case integer
    case string
    case identifier
    case newline
    case endOfInput
    // Keywords.
    case `let`, `if`, `else`, `for`, `in`, `while`, `repeat`, `def`, `return`, and, or, not, `true`, `false`
    // Punctuation.
    case leftBrace, rightBrace, leftParen, rightParen, leftBracket, rightBracket
    case comma, dot, semicolon, assign
    // Operators.
    case equal, notEqual, less, lessEqual, greater, greaterEqual
    case plus, minus, star, slash, percent, ampersand, pipe, caret, tilde, shiftLeft, shiftRight
    case halfOpenRange, closedRange

    static let keywords: [String: TokenKind] = [
        "let": .let, "if": .if, "else": .else, "for": .for, "in": .in, "while": .while,
        "repeat": .repeat, "def": .def, "return": .return, "and": .and, "or": .or, "not": .not,
        "true": .true, "false": .false,
    ]

    /// How the token reads in an "expected …" message.
    public var spelling: String {
        switch self {
        case .integer: return "integer"
        case .string: return "string"
        case .identifier: return "name"
        case .newline: return "end of line"
        case .endOfInput: return "end of input"
        case .leftBrace: return "'{'"
        case .rightBrace: return "'}'"
        case .leftParen: return "'('"
        case .rightParen: return "')'"
        case .leftBracket: return "'['"
        case .rightBracket: return "']'"
        case .comma: return "','"
        case .dot: return "'.'"
        case .semicolon: return "';'"
        case .assign: return "'='"
        case .equal: return "'=='"
        case .notEqual: return "'!='"
        case .less: return "'<'"
        case .lessEqual: return "'<='"
        case .greater: return "'>'"
        case .greaterEqual: return "'>='"
        case .plus: return "'+'"
        case .minus: return "'-'"
        case .star: return "'*'"
        case .slash: return "'/'"
        case .percent: return "'%'"
        case .ampersand: return "'&'"
        case .pipe: return "'|'"
        case .caret: return "'^'"
        case .tilde: return "'~'"
        case .shiftLeft: return "'<<'"
        case .shiftRight: return "'>>'"
        case .halfOpenRange: return "'..<'"
        case .closedRange: return "'...'"
        default:
            return "'" + (TokenKind.keywords.first { $0.value == self }?.key ?? "?") + "'"
        }
    }
}

/// A token: its kind, its byte range and what precedes it, in 16 bytes, so
/// that the token stream of a 16 MiB script stays a small multiple of the
/// script. An integer's value or a string's decoded text lives in the
/// stream's side tables (`payload` indexes them); a name is read back from
/// the source bytes. Whether whitespace surrounds an operator decides if it
/// is infix or prefix, as in Swift.
public struct Token: Sendable {
    public let kind: TokenKind
    /// Whitespace, a comment or the start of a line comes right before it.
    public let spaceBefore: Bool
    private let startOffset: UInt32
    private let endOffset: UInt32
    let payload: UInt32

    init(kind: TokenKind, start: Int, end: Int, spaceBefore: Bool, payload: UInt32 = 0) {
        self.kind = kind
        self.spaceBefore = spaceBefore
        startOffset = UInt32(start)
        endOffset = UInt32(end)
        self.payload = payload
    }

    public var start: Int { Int(startOffset) }
    public var end: Int { Int(endOffset) }
}

/// What the lexer produces: the tokens and the values they stand for.
public struct TokenStream: Sendable {
    public let file: SourceFile
    public internal(set) var tokens: [Token] = []
    var integers: [UInt64] = []
    var strings: [String] = []

    init(file: SourceFile) { self.file = file }

    /// A name's or keyword's spelling, or a string literal's decoded contents.
    public func text(of token: Token) -> String {
        if token.kind == .string { return strings[Int(token.payload)] }
        return String(decoding: file.bytes[token.start..<token.end], as: UTF8.self)
    }

    /// An integer literal's value (0 if the literal was malformed).
    public func integer(of token: Token) -> UInt64 {
        token.kind == .integer && Int(token.payload) < integers.count ? integers[Int(token.payload)] : 0
    }
}
