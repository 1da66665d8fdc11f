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
    /// Levels of the tree below and including this node. The parser bounds
    /// it, so evaluating an expression never nests deeper than that.
    public var depth: Int { Int(storedDepth) }
    private let storedDepth: Int32

    public init(kind: Kind, range: SourceRange) {
        self.kind = kind
        self.range = range
        let depth: Int
        switch kind {
        case .integer, .string, .boolean, .name: depth = 1
        case .unary(_, let operand), .member(let operand, _): depth = operand.depth + 1
        case .binary(_, let left, let right), .index(let left, let right): depth = max(left.depth, right.depth) + 1
        case .call(_, let arguments): depth = (arguments.map(\.depth).max() ?? 0) + 1
        }
        storedDepth = Int32(clamping: depth)
    }
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

/// A command statement, parsed once and bound to its command: a class, so
/// that running it copies one reference, not the arguments, options and block.
public final class CommandCall: Sendable {
    public let command: CommandSpec
    public let nameRange: SourceRange
    public let arguments: [Argument]
    public let options: [OptionArgument]
    public let block: Block?

    init(command: CommandSpec, nameRange: SourceRange, arguments: [Argument], options: [OptionArgument], block: Block?) {
        self.command = command
        self.nameRange = nameRange
        self.arguments = arguments
        self.options = options
        self.block = block
    }
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

    public init(statements: [Statement], range: SourceRange) {
        self.statements = statements
        self.range = range
    }
}

/// One `if` or `else if` of a chain: its condition and its block.
public struct ConditionalArm: Sendable {
    public let condition: Expression
    public let body: Block
}

public struct Statement: Sendable {
    public indirect enum Kind: Sendable {
        case letBinding(String, Expression)
        case assignment(String, Expression)
        /// if C1 { … } else if C2 { … } … else { … }: the arms in order, flat, so
        /// that a long chain nests neither the parser, the interpreter nor ARC.
        case ifElse([ConditionalArm], Block?)
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
