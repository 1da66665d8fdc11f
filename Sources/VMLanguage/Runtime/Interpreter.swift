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

/// Resolves and compiles each program it is given (Resolver.swift,
/// Compiler.swift) and runs the result against a machine. One interpreter is
/// one session: the REPL keeps it between lines, `vmlab run` between files.
public final class Interpreter {
    public let registry: CommandRegistry
    /// Where text goes. Swapped for a moment by `expect_transcript` to capture a block.
    public internal(set) var output: OutputSink
    public var limits: Limits {
        didSet {
            state.pointee.maximumSteps = limits.maximumSteps
            state.pointee.maximumDepth = limits.maximumDepth
            state.pointee.maximumCallDepth = limits.maximumCallDepth
        }
    }
    /// Set by `--quiet`: access lines are not printed (state and `expect` still work).
    public var alwaysQuiet: Bool {
        get { state.pointee.alwaysQuiet }
        set { state.pointee.alwaysQuiet = newValue }
    }
    /// How bare values and an expect's got/expected show integers (`numbers hex|decimal|auto`).
    public var hexDisplay = HexDisplay.auto
    /// Set by the shell so that `save html` can write the session as a page.
    public var sessionReport: HTMLReportSink?
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

    /// The machine scripts run on; `machine` and `reset` replace it.
    public var machine: Machine {
        _read { yield state.pointee.machine }
    }
    /// Bumped by `machine`, so that process values from an older machine are refused.
    public internal(set) var machineGeneration = 0
    public internal(set) var expectationsPassed = 0
    public internal(set) var expectationsFailed = 0
    public internal(set) var lastAccess: AccessOutcome? {
        get { lastAccessStorage.pointee }
        set { lastAccessStorage.pointee = newValue }
    }
    /// Where `read` and `write` have the machine write their outcome (440
    /// bytes), in place, with no exclusivity check.
    let lastAccessStorage: UnsafeMutablePointer<AccessOutcome?>
    /// The core that `read`, `write` and `switch` act on.
    public internal(set) var currentCore: Int {
        get { state.pointee.currentCore }
        set { state.pointee.currentCore = newValue }
    }

    /// Every top-level name of the session, by cell (the tests file's, while grading).
    let globals = GlobalTable()
    /// Checkpoints before each top-level statement, and named snapshots (History.swift).
    let history = History()
    /// Set by `vmlab run --events`: what each top-level statement changed (EventStream.swift).
    public var events: EventStreamWriter?
    var eventSteps = 0
    /// Set by the grader: the submission's names kept apart from the tests file's.
    public var namespaces: SealedNamespaces?
    /// How many of the running calls (and `submission` statements) are the
    /// submission's: an expect that runs under one earns nothing, even when
    /// the tests file wrote it (a submission calling the tests' helper).
    public internal(set) var submissionDepth = 0
    /// Steps, depth and the running command's scope: see `RunState`.
    let state: UnsafeMutablePointer<RunState>
    /// When a name that nothing declares is an error: before running, except
    /// that the shell lets a function use a name a later line defines.
    public var unknownNames = UnknownNames.rejected
    /// How `question` shows its answer (Quiz.swift): `vmlab run` shows the
    /// worked answers, `vmlab quiz` the blanks or, to check, nothing.
    public var quizMode = QuizMode.answers
    /// The questions asked so far, in order.
    public internal(set) var questions: [QuizQuestion] = []
    var quietDepth: Int {
        get { state.pointee.quietDepth }
        set { state.pointee.quietDepth = newValue }
    }
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
        let machine = try! Machine(Self.applyingRunSettings(MachineConfiguration(), limits, frameOrderSeed))
        state = .allocate(capacity: 1)
        state.initialize(
            to: RunState(
                maximumSteps: limits.maximumSteps, maximumDepth: limits.maximumDepth,
                maximumCallDepth: limits.maximumCallDepth, machine: machine))
        lastAccessStorage = .allocate(capacity: 1)
        lastAccessStorage.initialize(to: nil)
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

    /// Blocks running now that will act on the machine when they end (a
    /// system call returns to user mode, uaccess clears EFLAGS.AC): innermost last.
    private var pinningBlocks: [String] = []

    /// Runs a block whose end acts on the current machine: no `machine` or
    /// `reset` inside may replace it.
    func pinningMachine<Result>(_ block: String, _ body: () throws -> Result) rethrows -> Result {
        pinningBlocks.append(block)
        defer { pinningBlocks.removeLast() }
        return try body()
    }

    /// Refuses to replace the machine while a block that will act on it runs.
    func checkMachineReplaceable(_ command: String, at range: SourceRange) throws {
        guard let block = pinningBlocks.last else { return }
        throw Diagnostic(
            "'\(command)' cannot replace the machine inside \(block) { … }: the block's end acts on this machine",
            at: range, notes: ["end the \(block) block first, then start the new machine"])
    }

    func replaceMachine(_ configuration: MachineConfiguration) throws(MachineError) {
        state.pointee.machine = try Machine(Self.applyingRunSettings(configuration, limits, frameOrderSeed))
        machineGeneration += 1
        lastAccess = nil
        currentCore = 0
    }

    /// Names visible at top level, sorted: for completion and "did you mean".
    public var globalNames: [String] { globals.boundNames }

    /// The value bound to `name` at top level, if any.
    public func globalValue(_ name: String) -> Value? { globals.value(name) }

    // MARK: Running

    /// Resolves and compiles statements against this session's globals.
    /// Names that can never be defined are reported together, before anything runs.
    func compile(_ statements: [Statement], unknownNames: UnknownNames) throws -> CompiledProgram {
        let (resolution, namespace) = resolve(statements, unknownNames: unknownNames)
        guard resolution.diagnostics.isEmpty else { throw ProgramErrors(diagnostics: resolution.diagnostics) }
        return Compiler.compile(statements, resolution, globals: namespace)
    }

    /// Resolves statements, and says where their top-level names live: a
    /// submission's in its own table, apart from the tests file's.
    func resolve(_ statements: [Statement], unknownNames: UnknownNames) -> (Resolution, GlobalNamespace) {
        let isSubmission = statements.first.map { isUntrusted($0.range) } ?? false
        let namespaces = namespaces
        let own = namespaces.map { isSubmission ? $0.submission : globals } ?? globals
        let resolution = Resolver.resolve(
            statements, registry: registry, unknownNames: unknownNames, isKnownGlobal: own.isKnown,
            isSealed: { name in
                guard isSubmission, let namespaces else { return false }
                return namespaces.sealed.contains(name) && !namespaces.submission.isKnown(name)
            })
        let namespace = GlobalNamespace(
            session: globals, namespaces: namespaces, isSubmission: isSubmission, declared: resolution.declaredGlobals)
        return (resolution, namespace)
    }

    /// Whether code at `range` is the graded submission's (or a file it included).
    func isUntrusted(_ range: SourceRange) -> Bool { sandbox?.isUntrusted(range.file.name) ?? false }

    /// Whether a command at `range` runs for the submission: written in it,
    /// or called (a tests-file helper) while the submission's code runs.
    func runsForSubmission(_ range: SourceRange) -> Bool { isUntrusted(range) || submissionDepth > 0 }

    /// The table that `name`, bound at run time by code at `range` (`spawn A`), goes into:
    /// the submission's own names go into its table.
    func globalTable(for name: String, boundAt range: SourceRange) -> GlobalTable {
        guard let namespaces else { return globals }
        let isSubmission = isUntrusted(range)
        return GlobalNamespace(
            session: globals, namespaces: namespaces, isSubmission: isSubmission, declared: isSubmission ? [name] : []
        ).table(for: name)
    }

    /// Runs a parsed program at top level. Throws the first runtime error as a
    /// diagnostic, or `ProgramErrors` for names that can never be defined.
    public func run(_ program: Program) throws {
        let compiled = try compile(program.statements, unknownNames: unknownNames)
        resetRunState()
        try runTopLevel(compiled)
    }

    /// Parses and runs `text`. Returns the syntax errors, if any, without running.
    public func run(source file: SourceFile) throws -> [Diagnostic] {
        let (program, diagnostics) = Parser.parse(file, registry: registry)
        guard diagnostics.isEmpty else { return diagnostics }
        do {
            try run(program)
        } catch let errors as ProgramErrors {
            return errors.diagnostics
        }
        return []
    }

    /// A fresh start for a run from the top: nothing nested, no command running.
    func resetRunState() {
        state.pointee.depth = 0
        state.pointee.callDepth = 0
        state.pointee.scope = nil
        quietDepth = 0
    }

    /// Runs compiled top-level statements in a scope of their own until one returns.
    func runTopLevel(_ program: CompiledProgram) throws {
        let top = Scope(parent: nil, count: program.topLevelSlots)
        let saved = state.pointee.scope
        defer {
            top.clear()
            state.pointee.scope = saved
        }
        for (index, statement) in program.statements.enumerated() {
            if history.isRecording && program.recorded[index] { history.record(checkpoint(program.labels[index])) }
            guard let events else {
                if case .returned = try statement(self, top) { break }
                continue
            }
            // --events: what the statement changed, from the machine's states before and after it.
            let before = machine
            let state = before.saveState()
            eventSteps += 1
            let step = eventSteps
            defer { events.statement(step, program.labels[index], at: program.ranges[index], before: before, state, after: machine) }
            if case .returned = try statement(self, top) { break }
        }
    }

    enum Flow {
        case normal
        case returned(Value)
    }

    /// Takes one step of the step limit; every statement and loop iteration does.
    @inline(__always)
    func step(_ range: SourceRange) throws {
        let steps = state.pointee.steps &+ 1
        state.pointee.steps = steps
        if steps > state.pointee.maximumSteps || steps & 0x3FF == 0 { try stepSlowly(steps, range) }
    }

    private func stepSlowly(_ steps: UInt64, _ range: SourceRange) throws {
        if steps > state.pointee.maximumSteps {
            throw Diagnostic(
                "step limit of \(state.pointee.maximumSteps) reached; is this an endless loop?", at: range,
                notes: ["raise the limit with --max-steps N"])
        }
        if interruptRequested() {
            throw Diagnostic(interruptMessage, at: range)
        }
    }

    /// The scope the running command was called in.
    var commandScope: Scope { state.pointee.scope!.takeUnretainedValue() }

    /// Runs a command's block in the scope the command runs in.
    func execute(_ block: CompiledBlock) throws -> Flow {
        let saved = state.pointee.scope
        defer { state.pointee.scope = saved }
        return try block.run(self, commandScope)
    }

    deinit {
        // Top-level functions hold code that holds the cells that hold them.
        globals.clear()
        namespaces?.submission.clear()
        state.deinitialize(count: 1)
        state.deallocate()
        lastAccessStorage.deinitialize(count: 1)
        lastAccessStorage.deallocate()
    }

    /// Takes one level of the depth budget; `leave()` gives it back.
    @inline(__always)
    func enter(_ range: SourceRange) throws {
        let depth = state.pointee.depth + 1
        if depth > state.pointee.maximumDepth { throw depthExceeded(at: range) }
        state.pointee.depth = depth
    }

    @inline(__always)
    func leave() { state.pointee.depth -= 1 }

    /// Fails as entering `level` more levels at `range` would.
    @inline(__always)
    func checkDepth(_ level: Int, _ range: SourceRange) throws {
        if state.pointee.depth + level > state.pointee.maximumDepth { throw depthExceeded(at: range) }
    }

    func depthExceeded(at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "nested deeper than \(limits.maximumDepth) levels (blocks, calls and expressions together)", at: range,
            notes: ["is a recursion missing its base case?"])
    }

    /// Calls a function value from a call `level` levels below its expression's root.
    func invoke(_ value: Value, _ name: String, _ arguments: [Value], level: Int, at range: SourceRange) throws
        -> Value
    {
        guard case .function(let function) = value else {
            throw Diagnostic("'\(name)' is \(value.typeName), not a function", at: range)
        }
        state.pointee.depth += level
        defer { state.pointee.depth -= level }
        return try call(function, arguments: arguments, at: range)
    }

    /// Runs a function body in a frame of its own.
    func call(_ function: FunctionValue, arguments: [Value], at range: SourceRange) throws -> Value {
        let declaration = function.declaration
        guard arguments.count == declaration.parameters.count else {
            throw Diagnostic(
                "'\(declaration.name)' takes \(declaration.parameters.count) argument(s), got \(arguments.count)",
                at: range)
        }
        guard state.pointee.callDepth < state.pointee.maximumCallDepth else {
            throw Diagnostic(
                "calls nested deeper than \(limits.maximumCallDepth); is the recursion missing a base case?",
                at: range)
        }
        let code = function.code
        let frame = Scope(parent: function.closure, count: code.frameSize)
        // A command that called this function goes on reading its arguments in its own scope.
        let caller = state.pointee.scope
        state.pointee.callDepth += 1
        defer {
            state.pointee.callDepth -= 1
            state.pointee.scope = caller
            frame.clear()
        }
        for (slot, value) in arguments.enumerated() { frame.slots[slot] = value }
        try enter(code.bodyRange)
        if code.isSubmission { submissionDepth += 1 }
        defer {
            leave()
            if code.isSubmission { submissionDepth -= 1 }
        }
        if case .returned(let value) = try code.body(self, frame) { return value }
        return .nothing
    }
}

/// Errors found before a program runs (names that can never be defined), or
/// syntax errors in an included file: reported together.
public struct ProgramErrors: Error {
    public let diagnostics: [Diagnostic]

    public init(diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
