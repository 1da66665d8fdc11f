import VMMachine

/// Limits that keep a runaway script from hanging or exhausting the host.
public struct Limits: Sendable {
    /// Statements and loop iterations one run may execute.
    public var maximumSteps: UInt64 = 100_000_000
    public var maximumCallDepth = 200
    public var maximumIncludeDepth = 16
    /// One budget for everything that nests on the native stack at run time:
    /// blocks, calls and compound expressions together. The interpreter runs
    /// on a thread whose stack holds this many levels with room to spare
    /// (`NativeStack`), so deep input is a located error, never a crash.
    public var maximumDepth = 5_000
    /// Frames that may hold data at once, on every machine the run builds
    /// (4 KiB of host memory each; the shell's default is 4 GiB).
    public var maximumFrames = MachineConfiguration().maximumTouchedFrames

    public init() {}
}

/// Walks the syntax tree and runs it against a machine. One interpreter is
/// one session: the REPL keeps it between lines, `vmlab run` between files.
public final class Interpreter {
    public let registry: CommandRegistry
    /// Where text goes. Swapped for a moment by `expect_transcript` to capture a block.
    public internal(set) var output: OutputSink
    public var limits: Limits
    /// Set by `--quiet`: access lines are not printed (state and `expect` still work).
    public var alwaysQuiet = false
    /// Set by the shell so that `save transcript` can write the session.
    public var transcript: TranscriptRecorder?
    /// Asked at every step; returning true stops the run with "interrupted" (Ctrl-C in the shell).
    public var interruptRequested: () -> Bool = { false }
    /// The error a stop by `interruptRequested` reports ("interrupted" for Ctrl-C; a grader's timeout says so).
    public var interruptMessage = "interrupted"
    /// Set by `vmlab grade`: runs `submission`, collects expects, compares transcripts.
    public weak var grading: GradingContext?
    /// Set while grading: what files the untrusted submission may reach.
    public var sandbox: Sandbox?
    /// Never-used frames come in this seed's order on every machine built (`--scramble-frames`).
    public let frameOrderSeed: UInt64?
    /// The source behind `random(N)`; seeded, so the same run gives the same numbers.
    var random: SplitMix64
    /// Series that `record` built, for `plot`; they outlive `machine` and `reset`.
    var series: [String: [(x: UInt64, y: UInt64)]] = [:]
    /// Whether charts may use Unicode blocks; front ends set it from the locale.
    public var unicodeOutput = true

    public private(set) var machine: Machine
    /// Bumped by `machine`, so that process values from an older machine are refused.
    public private(set) var machineGeneration = 0
    public internal(set) var expectationsPassed = 0
    public internal(set) var expectationsFailed = 0
    public internal(set) var lastAccess: AccessOutcome?
    /// The core that `read`, `write` and `switch` act on.
    public internal(set) var currentCore = 0

    let globals = Environment(parent: nil)
    var environment: Environment
    var steps: UInt64 = 0
    var callDepth = 0
    /// Levels of the budget in use (see `Limits.maximumDepth`).
    var depth = 0
    var quietDepth = 0
    var includeStack: [String] = []
    /// The run's seed (vmlab grade --seed): random(N) and policy=rand start from it.
    let randomSeed: UInt64

    public init(
        registry: CommandRegistry = .standard, output: OutputSink, limits: Limits = Limits(),
        randomSeed: UInt64 = 0, frameOrderSeed: UInt64? = nil
    ) {
        self.registry = registry
        self.output = output
        self.limits = limits
        self.frameOrderSeed = frameOrderSeed
        self.randomSeed = randomSeed
        random = SplitMix64(seed: randomSeed)
        // The default configuration is valid by construction.
        machine = try! Machine(Self.applyingRunSettings(MachineConfiguration(), limits, frameOrderSeed))
        environment = globals
    }

    /// What every machine of this run inherits, whatever the script's `machine` line says.
    private static func applyingRunSettings(
        _ configuration: MachineConfiguration, _ limits: Limits, _ frameOrderSeed: UInt64?
    ) -> MachineConfiguration {
        var configuration = configuration
        configuration.maximumTouchedFrames = limits.maximumFrames
        configuration.frameOrderSeed = frameOrderSeed
        return configuration
    }

    /// Whether access lines are printed right now.
    var isQuiet: Bool { alwaysQuiet || quietDepth > 0 }

    func replaceMachine(_ configuration: MachineConfiguration) throws(MachineError) {
        machine = try Machine(Self.applyingRunSettings(configuration, limits, frameOrderSeed))
        machineGeneration += 1
        lastAccess = nil
        currentCore = 0
    }

    /// Names visible at top level, sorted: for completion and "did you mean".
    public var globalNames: [String] { globals.visibleNames() }

    /// The value bound to `name` at top level, if any.
    public func globalValue(_ name: String) -> Value? { globals.lookup(name) }

    // MARK: Running

    /// Runs a parsed program at top level. Throws the first runtime error as a diagnostic.
    public func run(_ program: Program) throws {
        environment = globals
        callDepth = 0
        depth = 0
        quietDepth = 0
        for statement in program.statements {
            if case .returned = try execute(statement) { break }
        }
    }

    /// Parses and runs `text`. Returns the syntax errors, if any, without running.
    public func run(source file: SourceFile) throws -> [Diagnostic] {
        let (program, diagnostics) = Parser.parse(file, registry: registry)
        guard diagnostics.isEmpty else { return diagnostics }
        try run(program)
        return []
    }

    enum Flow {
        case normal
        case returned(Value)
    }

    func step(_ range: SourceRange) throws {
        steps += 1
        if steps > limits.maximumSteps {
            throw Diagnostic(
                "step limit of \(limits.maximumSteps) reached; is this an endless loop?", at: range,
                notes: ["raise the limit with --max-steps N"])
        }
        if steps & 0x3FF == 0, interruptRequested() {
            throw Diagnostic(interruptMessage, at: range)
        }
    }

    func execute(_ statement: Statement) throws -> Flow {
        try step(statement.range)
        switch statement.kind {
        case .letBinding(let name, let expression):
            let value = try evaluate(expression)
            environment.define(name, value)
        case .assignment(let name, let expression):
            let value = try evaluate(expression)
            guard environment.assign(name, value) else {
                throw Diagnostic(
                    "'\(name)' is not defined", at: statement.range,
                    notes: ["declare it first: let \(name) = …"])
            }
        case .ifElse(let arms, let elseBlock):
            for arm in arms where try condition(arm.condition, "if") { return try execute(arm.body) }
            if let elseBlock { return try execute(elseBlock) }
        case .forIn(let name, let sequence, let body):
            return try executeFor(name, sequence, body)
        case .whileLoop(let condition, let body):
            let scope = Environment(parent: environment)
            defer { scope.breakCycles() }
            while try self.condition(condition, "while") {
                try step(condition.range)
                scope.reset()
                if case .returned(let value) = try execute(body, in: scope) { return .returned(value) }
            }
        case .repeatLoop(let countExpression, let body):
            let count = try integer(countExpression, "repeat count")
            let scope = Environment(parent: environment)
            defer { scope.breakCycles() }
            var done: UInt64 = 0
            while done < count {
                try step(countExpression.range)
                scope.reset()
                if case .returned(let value) = try execute(body, in: scope) { return .returned(value) }
                done += 1
            }
        case .functionDeclaration(let declaration):
            environment.define(declaration.name, .function(FunctionValue(declaration: declaration, closure: environment)))
        case .returnValue(let expression):
            return .returned(try expression.map(evaluate) ?? .nothing)
        case .block(let block):
            return try execute(block)
        case .command(let call):
            try call.command.handler(self, call)
        case .expression(let expression):
            let value = try evaluate(expression)
            // A bare value is shown, as in Python's REPL; a call that returns nothing shows nothing.
            if case .nothing = value { break }
            output.write(value.displayText + "\n")
        }
        return .normal
    }

    func execute(_ block: Block) throws -> Flow {
        let scope = Environment(parent: environment)
        defer { scope.breakCycles() }
        return try execute(block, in: scope)
    }

    deinit {
        // Top-level functions hold the global scope that holds them.
        globals.breakCycles()
    }

    /// Takes one level of the depth budget; `leave()` gives it back.
    @inline(__always)
    func enter(_ range: SourceRange) throws {
        depth += 1
        if depth > limits.maximumDepth {
            depth -= 1
            throw Diagnostic(
                "nested deeper than \(limits.maximumDepth) levels (blocks, calls and expressions together)", at: range,
                notes: ["is a recursion missing its base case?"])
        }
    }

    @inline(__always)
    func leave() { depth -= 1 }

    func execute(_ block: Block, in scope: Environment) throws -> Flow {
        try enter(block.range)
        defer { leave() }
        let saved = environment
        environment = scope
        defer { environment = saved }
        for statement in block.statements {
            if case .returned(let value) = try execute(statement) { return .returned(value) }
        }
        return .normal
    }

    private func executeFor(_ name: String, _ sequence: Expression, _ body: Block) throws -> Flow {
        let value = try evaluate(sequence)
        guard case .range(let lower, let upper, let closed) = value else {
            throw Diagnostic("'for' needs a range such as 0..<4, got \(value.typeName)", at: sequence.range)
        }
        let scope = Environment(parent: environment)
        defer { scope.breakCycles() }
        var index = lower
        while closed ? index <= upper : index < upper {
            try step(sequence.range)
            scope.reset()
            scope.define(name, .integer(index))
            if case .returned(let value) = try execute(body, in: scope) { return .returned(value) }
            if index == UInt64.max { break }
            index += 1
        }
        return .normal
    }

    func condition(_ expression: Expression, _ context: String) throws -> Bool {
        let value = try evaluate(expression)
        guard case .boolean(let truth) = value else {
            throw Diagnostic(
                "the condition of '\(context)' must be true or false, got \(value.typeName) \(value.debugText)",
                at: expression.range)
        }
        return truth
    }

    /// Runs a function body or an included file's statements with a call-depth check.
    func call(_ function: FunctionValue, arguments: [Value], at range: SourceRange) throws -> Value {
        let declaration = function.declaration
        guard arguments.count == declaration.parameters.count else {
            throw Diagnostic(
                "'\(declaration.name)' takes \(declaration.parameters.count) argument(s), got \(arguments.count)",
                at: range)
        }
        guard callDepth < limits.maximumCallDepth else {
            throw Diagnostic(
                "calls nested deeper than \(limits.maximumCallDepth); is the recursion missing a base case?",
                at: range)
        }
        callDepth += 1
        defer { callDepth -= 1 }
        let scope = Environment(parent: function.closure)
        defer { scope.breakCycles() }
        for (parameter, value) in zip(declaration.parameters, arguments) { scope.define(parameter, value) }
        if case .returned(let value) = try execute(declaration.body, in: scope) { return value }
        return .nothing
    }
}
