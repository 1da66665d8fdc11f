/// The syntax tree. Value types throughout; `indirect` where recursive.

public enum UnaryOperator: String, Sendable {
    case negate = "-"
    case bitwiseNot = "~"
    case not = "not"
}

public enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case bitwiseAnd = "&", bitwiseOr = "|", bitwiseXor = "^", shiftLeft = "<<", shiftRight = ">>"
    case equal = "==", notEqual = "!=", less = "<", lessEqual = "<=", greater = ">", greaterEqual = ">="
    case and, or
    case halfOpenRange = "..<", closedRange = "..."

    var isComparison: Bool {
        switch self {
        case .equal, .notEqual, .less, .lessEqual, .greater, .greaterEqual: return true
        default: return false
        }
    }
}

public struct Expression: Sendable {
    public indirect enum Kind: Sendable {
        case integer(UInt64)
        case string(String)
        case boolean(Bool)
        case name(String)
        case unary(UnaryOperator, Expression)
        case binary(BinaryOperator, Expression, Expression)
        case member(Expression, String)
        case index(Expression, Expression)
        case call(String, [Expression])
    }

    public let kind: Kind
    public let range: SourceRange
}

/// One argument of a command, as its parameter's kind asked the parser to read it.
public enum Argument: Sendable {
    case expression(Expression)
    /// A bare word from a fixed set (a `show` topic, a protection).
    case word(String, SourceRange)
    /// A new name the command binds (`spawn A`).
    case name(String, SourceRange)

    public var range: SourceRange {
        switch self {
        case .expression(let expression): return expression.range
        case .word(_, let range), .name(_, let range): return range
        }
    }
}

public struct OptionArgument: Sendable {
    public let name: String
    public let nameRange: SourceRange
    public let value: Argument
}

public struct CommandCall: Sendable {
    public let command: CommandSpec
    public let nameRange: SourceRange
    public let arguments: [Argument]
    public let options: [OptionArgument]
    public let block: Block?
}

public final class FunctionDeclaration: Sendable {
    public let name: String
    public let parameters: [String]
    public let body: Block
    public let range: SourceRange

    init(name: String, parameters: [String], body: Block, range: SourceRange) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.range = range
    }
}

public struct Block: Sendable {
    public let statements: [Statement]
    public let range: SourceRange
}

public struct Statement: Sendable {
    public indirect enum Kind: Sendable {
        case letBinding(String, Expression)
        case assignment(String, Expression)
        case ifElse(Expression, Block, Statement?)
        case forIn(String, Expression, Block)
        case whileLoop(Expression, Block)
        case repeatLoop(Expression, Block)
        case functionDeclaration(FunctionDeclaration)
        case returnValue(Expression?)
        case block(Block)
        case command(CommandCall)
        case expression(Expression)
    }

    public let kind: Kind
    public let range: SourceRange
}

public struct Program: Sendable {
    public let file: SourceFile
    public let statements: [Statement]
}
