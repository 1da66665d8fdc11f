/// The statements of a tests file. `vmlab grade` reads `test` and `setup`
/// declarations from the file's top level itself (each test runs in a fresh
/// session); inside a test, `submission` runs the student's file and
/// `expect_transcript` compares what a block printed with an expected file.
enum GradingCommands {
    static let all: [CommandSpec] = [test, setup, grading, submission, expectTranscript]

    static let visibilities = ["visible", "hidden", "after_due_date", "after_published"]

    static let test = CommandSpec(
        name: "test",
        summary: "declare a graded test (tests files, run by 'vmlab grade')",
        details: """
            test "NAME" [VISIBILITY] [points=N] [steps=N] [needs="OTHER"] [partial=on] { … }
            Each test runs in a fresh session on a fresh machine: the file's other
            top-level lines, then 'setup', then the block. It passes when every expect
            in it holds and nothing fails. Visibility is Gradescope's: visible (default),
            hidden, after_due_date or after_published.
            """,
        parameters: [
            ParameterSpec("NAME"),
            ParameterSpec("VISIBILITY", .word(visibilities), optional: true, completion: .words),
        ],
        options: [
            OptionSpec("points", placeholder: "N", help: "what the test is worth (default 1, or its expects' points)"),
            OptionSpec("steps", placeholder: "N", help: "step limit for this test (default: the grader's --max-steps)"),
            OptionSpec("needs", placeholder: "NAME", help: "skip this test unless the named test passed"),
            OptionSpec("partial", .word(["on", "off"]), placeholder: "on|off", help: "score the fraction of expects that held"),
            OptionSpec("tags", placeholder: "\"A,B\"", help: "labels for Gradescope's tags"),
        ],
        block: .required
    ) { interpreter, call in
        throw declarationOutsideGrader("test", interpreter, call)
    }

    static let grading = CommandSpec(
        name: "grading",
        summary: "set a tests file's grading options, so every way of grading it gives the same grade",
        details: """
            grading [seed=N] [scramble_frames=on|off] [timeout=SECONDS] [steps=N] [frames=N]
            At the top level of a tests file. vmlab grade, Gradescope's run_autograder
            and the GitHub Classroom workflow all read it, so a course's grade does not
            depend on which of them ran. scramble_frames=on hands out frames in the
            order seed= picks, so hard-coded frame numbers fail everywhere. A command-line flag (--seed, --scramble-frames, --timeout,
            --max-steps, --max-frames) overrides the file and says so.
            """,
        options: [
            OptionSpec("seed", placeholder: "N", help: "seed for random(N) (default 0)"),
            OptionSpec(
                "scramble_frames", .word(["on", "off"]), placeholder: "on|off", help: "frames in the scrambled order seed= picks"),
            OptionSpec("timeout", placeholder: "SECONDS", help: "wall-clock seconds per test (default 10)"),
            OptionSpec("steps", placeholder: "N", help: "steps per test unless a test says steps= (default 1,000,000)"),
            OptionSpec("frames", placeholder: "N", help: "frames that may hold data per test (default 16,384)"),
        ]
    ) { interpreter, call in
        throw declarationOutsideGrader("grading", interpreter, call)
    }

    static let setup = CommandSpec(
        name: "setup",
        summary: "declare what runs before each test of a tests file",
        block: .required
    ) { interpreter, call in
        throw declarationOutsideGrader("setup", interpreter, call)
    }

    static let submission = CommandSpec(
        name: "submission",
        summary: "run the student's submission here (inside a test)",
        details: """
            Runs the submitted script at top level, so the variables, functions and
            processes it leaves are there for the expects that follow. A syntax or
            runtime error in it fails the test, with the error in the test's output.
            """
    ) { interpreter, call in
        guard let grading = interpreter.grading else {
            throw Diagnostic(
                "there is no submission outside a grader: vmlab grade TESTS.vml SUBMISSION.vml", at: call.range)
        }
        interpreter.submissionDepth += 1
        defer { interpreter.submissionDepth -= 1 }
        try grading.runSubmission(in: interpreter, at: call.nameRange)
    }

    static let expectTranscript = CommandSpec(
        name: "expect_transcript",
        summary: "check that a block prints what an expected transcript file says",
        details: """
            expect_transcript "FILE.out" { … } runs the block and compares its output with
            the file, line by line. In the file {hex} stands for a hex number, {int}
            for a decimal one, a field that is just * for any one word, and a line
            starting with 're:' is a regular expression for the whole line.
            """,
        parameters: [ParameterSpec("FILE", completion: .path)],
        options: [OptionSpec("points", placeholder: "N", help: "points this check is worth in a graded test")],
        block: .required
    ) { interpreter, call in
        if interpreter.runsForSubmission(call.range) {
            // It reads a file the tests name; from a submission it would read the course's files.
            throw Diagnostic(
                "expect_transcript belongs in a tests file: a graded submission cannot compare with files",
                at: call.nameRange)
        }
        let path = try interpreter.string(call.arguments[0], "the transcript file")
        let points = try interpreter.expectPoints(call)
        guard let grading = interpreter.grading, let block = call.block else {
            throw Diagnostic("expect_transcript runs inside a test, under vmlab grade", at: call.nameRange)
        }
        let captured = try interpreter.capturingOutput { _ = try interpreter.execute(block) }
        let mismatch = try grading.transcriptMismatch(expectedFile: path, actual: captured, at: call.arguments[0].range)
        interpreter.recordExpectation(
            label: "output matches \(path)", held: mismatch == nil, points: points, got: nil, expected: nil,
            detail: mismatch, at: call.range)
    }

    private static func declarationOutsideGrader(_ name: String, _ interpreter: Interpreter, _ call: BoundCommand)
        -> Diagnostic
    {
        if interpreter.grading != nil {
            return Diagnostic("'\(name)' belongs at the top level of a tests file", at: call.nameRange)
        }
        return Diagnostic(
            "'\(name)' declares part of a tests file; grade with: vmlab grade \(call.nameRange.file.name) SUBMISSION",
            at: call.nameRange)
    }
}

/// The most points one test or one expect can carry, so that no sum of
/// them can overflow (a tests file's `points=` beyond it is an error).
public let maximumPointsPerTest: UInt64 = 100_000

extension Interpreter {
    /// An expect's `points=N`: the tests file's alone, and bounded.
    func expectPoints(_ call: BoundCommand) throws -> UInt64? {
        guard let option = call.option("points") else { return nil }
        if isUntrusted(call.range) {
            throw Diagnostic(
                "only the tests file's expects earn points: points= cannot be used in a submission",
                at: option.value.range)
        }
        let points = try integer(option.value, "points")
        guard points <= maximumPointsPerTest else {
            throw Diagnostic("points must be at most \(maximumPointsPerTest), not \(points)", at: option.value.range)
        }
        return points
    }

    /// Runs `body` with output collected instead of written; the collected
    /// text is then written on (also when `body` fails) and returned.
    func capturingOutput(_ body: () throws -> Void) throws -> String {
        let capture = TranscriptSink()
        let saved = output
        output = capture
        defer {
            output = saved
            saved.write(capture.text)
        }
        try body()
        return capture.text
    }

    // MARK: For the grader (VMGrading)

    /// Evaluates a command's argument or option value (a test's `points=`, say).
    public func evaluate(argument: Argument) throws -> Value {
        let expression: Expression
        switch argument {
        case .word(let word, _), .name(let word, _): return .string(word)
        case .expression(let argumentExpression): expression = argumentExpression
        }
        let statement = Statement(kind: .expression(expression), range: expression.range)
        let (resolution, namespace) = resolve([statement], unknownNames: .allowed)
        let compiled = Compiler(resolution: resolution, globals: namespace).root(expression)
        return try compiled(self, Scope(parent: nil, count: resolution.topLevelSlots))
    }

    /// Runs statements at top level, as a script's own lines run. A tests
    /// file's pieces and a submission use each other's names, so a name is
    /// checked when it is used, not before.
    public func runTopLevel(_ statements: [Statement]) throws {
        try runTopLevel(try compile(statements, unknownNames: .allowed))
    }

    /// Runs a block (a test's body, `setup`) in a scope of its own below the top level.
    public func runBlock(_ block: Block) throws {
        let statement = Statement(kind: .block(block), range: block.range)
        let (resolution, namespace) = resolve([statement], unknownNames: .allowed)
        guard resolution.diagnostics.isEmpty else { throw ProgramErrors(diagnostics: resolution.diagnostics) }
        let body = Compiler(resolution: resolution, globals: namespace).compile(block)
        let top = Scope(parent: nil, count: resolution.topLevelSlots)
        let saved = state.pointee.scope
        defer {
            top.clear()
            state.pointee.scope = saved
        }
        _ = try body(self, top)
    }

    /// Statements and loop iterations executed so far.
    public var stepsTaken: UInt64 { state.pointee.steps }
}
