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

/// A token with its byte range and what precedes it. Whether whitespace
/// surrounds an operator decides if it is infix or prefix, as in Swift.
public struct Token: Sendable {
    public var kind: TokenKind
    public var start: Int
    public var end: Int
    /// Whitespace, a comment or the start of a line comes right before it.
    public var spaceBefore: Bool
    /// For integers: the value.
    public var integerValue: UInt64 = 0
    /// For identifiers: the name; for strings: the decoded contents.
    public var text: String = ""
}
