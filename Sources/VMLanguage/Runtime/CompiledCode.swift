/// What the compiler makes of the syntax tree: closures that run directly,
/// each holding exactly what it needs (a slot number, a global's cell, a
/// constant, its operands' closures), so nothing is looked up or copied by
/// name while a script runs.

/// Evaluates an expression in a scope.
typealias Evaluator = (Interpreter, Scope) throws -> Value
/// Runs a statement in a scope.
typealias Executor = (Interpreter, Scope) throws -> Interpreter.Flow

/// An expression a command reads as an argument.
public final class CompiledExpression {
    let evaluate: Evaluator
    /// The tree it came from: its range for messages, its shape for `expect`.
    public let syntax: Expression
    /// A comparison's two sides, compiled on their own, so that `expect` can
    /// evaluate each once and show both values.
    let sides: (left: CompiledExpression, right: CompiledExpression)?

    init(evaluate: @escaping Evaluator, syntax: Expression, sides: (CompiledExpression, CompiledExpression)?) {
        self.evaluate = evaluate
        self.syntax = syntax
        self.sides = sides
    }

    public var range: SourceRange { syntax.range }
}

/// One argument of a bound command.
public enum Operand {
    case expression(CompiledExpression)
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

public struct BoundOption {
    public let name: String
    public let nameRange: SourceRange
    public let value: Operand
}

/// A block a command runs (`quiet { … }`, a test's body).
public final class CompiledBlock {
    let run: Executor
    public let range: SourceRange

    init(run: @escaping Executor, range: SourceRange) {
        self.run = run
        self.range = range
    }
}

/// A command statement bound at compile time: its handler, its compiled
/// arguments and options and its block, shared by every run of the statement.
public final class BoundCommand {
    public let command: CommandSpec
    public let nameRange: SourceRange
    public let arguments: [Operand]
    public let options: [BoundOption]
    public let block: CompiledBlock?
    /// From the command's name to its last argument or option.
    public let range: SourceRange

    init(command: CommandSpec, nameRange: SourceRange, arguments: [Operand], options: [BoundOption],
         block: CompiledBlock?) {
        self.command = command
        self.nameRange = nameRange
        self.arguments = arguments
        self.options = options
        self.block = block
        var range = nameRange
        for argument in arguments { range = range.to(argument.range) }
        for option in options { range = range.to(option.value.range) }
        self.range = range
    }

    /// The option's argument, if given.
    func option(_ name: String) -> BoundOption? {
        options.first { $0.name == name }
    }

    func argument(_ position: Int) -> Operand? {
        position < arguments.count ? arguments[position] : nil
    }
}

/// A function's body, compiled once for every call.
final class CompiledFunction {
    /// Slots of a call's frame, its parameters first.
    let frameSize: Int
    let body: Executor
    let bodyRange: SourceRange
    /// Written in a graded submission: while it runs, expects earn nothing.
    let isSubmission: Bool

    init(frameSize: Int, body: @escaping Executor, bodyRange: SourceRange, isSubmission: Bool) {
        self.frameSize = frameSize
        self.body = body
        self.bodyRange = bodyRange
        self.isSubmission = isSubmission
    }
}

/// A program ready to run: its top-level statements, and the slots its
/// top-level blocks share.
public final class CompiledProgram {
    let statements: [Executor]
    let topLevelSlots: Int
    /// Each statement's first line as written, for `history`.
    let labels: [String]
    /// Whether the session's state is saved before each statement (for
    /// `undo`): not before undo, redo, history or snapshot, which change nothing to undo.
    let recorded: [Bool]
    /// Where each statement is, for the event stream.
    let ranges: [SourceRange]

    init(statements: [Executor], topLevelSlots: Int, labels: [String], recorded: [Bool], ranges: [SourceRange]) {
        self.statements = statements
        self.topLevelSlots = topLevelSlots
        self.labels = labels
        self.recorded = recorded
        self.ranges = ranges
    }
}
