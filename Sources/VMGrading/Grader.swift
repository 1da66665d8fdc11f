import Foundation
import VMLanguage

/// Limits and settings for grading: each a clear failure of one test,
/// never a hang or a crash of the grader.
public struct GradingOptions: Sendable {
    /// Steps per test unless the test says `steps=` (the shell allows 100,000,000).
    public var maximumSteps: UInt64 = 1_000_000
    public var maximumCallDepth = 200
    /// Frames that may hold data (4 KiB each): 64 MiB of host memory per test.
    public var maximumFrames = 16_384
    /// Bytes of output kept per test; the rest is dropped with a note.
    public var maximumOutput = 1 << 20
    /// Wall-clock backstop per test, in seconds.
    public var timeout: Double = 10
    public var seed: UInt64 = 0
    public var scrambleFrames: UInt64?

    public init() {}

    public init(
        maximumSteps: UInt64, maximumFrames: Int, maximumOutput: Int, timeout: Double, seed: UInt64,
        scrambleFrames: UInt64?
    ) {
        self.maximumSteps = maximumSteps
        self.maximumFrames = maximumFrames
        self.maximumOutput = maximumOutput
        self.timeout = timeout
        self.seed = seed
        self.scrambleFrames = scrambleFrames
    }
}

/// Grades submissions against a suite: every test in a fresh session on a
/// fresh machine, the submission sandboxed.
public struct Grader: Sendable {
    public let suite: TestSuite
    public let options: GradingOptions

    public init(suite: TestSuite, options: GradingOptions) {
        self.suite = suite
        self.options = options
    }

    public func grade(submission path: String, name: String, folder: String? = nil) -> SubmissionResult {
        grade(submission: HostPath(path), name: name, folder: folder.map(HostPath.init))
    }

    /// Grades one submission. `folder` is the submission's own folder (a
    /// student's folder in a folder of submissions), whose files it may
    /// include; without one it reaches no file but itself.
    /// `beforeRunning` is called once the submission has been read, before
    /// any of its code runs (a worker gives up its file access there).
    public func grade(
        submission hostPath: HostPath, name: String, folder: HostPath? = nil, beforeRunning: () -> Void = {}
    ) -> SubmissionResult {
        let submission: LoadedSubmission
        do {
            submission = try LoadedSubmission(path: hostPath, folder: folder, protected: suite.protectedFiles)
        } catch {
            return unreadable(name: name, path: hostPath.display, problem: error.message)
        }
        beforeRunning()
        var results: [TestResult] = []
        for test in suite.tests {
            if let needed = test.needs, let earlier = results.first(where: { $0.test.name == needed }),
                earlier.status != .passed
            {
                results.append(skipped(test, because: needed))
                continue
            }
            results.append(run(test, submission))
        }
        return SubmissionResult(name: name, path: hostPath.display, tests: results, seed: options.seed, problem: nil)
    }

    /// A submission that could not be graded at all: every test failed, scored
    /// 0 of its real maximum, with the reason.
    public func unreadable(name: String, path: String, problem: String) -> SubmissionResult {
        let tests = suite.tests.map { test in
            TestResult(
                test: test, status: .error, score: Points(hundredths: 0), scoreNote: nil, output: "", steps: 0,
                failures: [], error: "cannot grade: \(problem)\n", skipReason: nil, seconds: 0, graderFault: false)
        }
        return SubmissionResult(name: name, path: path, tests: tests, seed: options.seed, problem: problem)
    }

    private func skipped(_ test: TestCase, because needed: String) -> TestResult {
        TestResult(
            test: test, status: .skipped, score: Points(hundredths: 0), scoreNote: nil, output: "", steps: 0,
            failures: [], error: nil,
            skipReason: "needs \"\(needed)\"", seconds: 0, graderFault: false)
    }

    private func run(_ test: TestCase, _ submission: LoadedSubmission) -> TestResult {
        let sink = CappedTranscript(limit: options.maximumOutput)
        var limits = Limits()
        limits.maximumSteps = test.steps ?? options.maximumSteps
        limits.maximumCallDepth = options.maximumCallDepth
        limits.maximumFrames = options.maximumFrames
        let session = Session(output: sink, limits: limits, randomSeed: options.seed, frameOrderSeed: options.scrambleFrames)
        let interpreter = session.interpreter
        let context = TestContext(suite: suite, submission: submission)
        interpreter.grading = context
        interpreter.sandbox = Sandbox(
            submission: submission.path, folder: submission.folder, protected: suite.protectedFiles)
        interpreter.namespaces = SealedNamespaces(sealed: suite.sealedNames)
        let started = DispatchTime.now().uptimeNanoseconds
        let deadline = started + UInt64(options.timeout * 1e9)
        interpreter.interruptRequested = { DispatchTime.now().uptimeNanoseconds > deadline }
        interpreter.interruptMessage = "time limit of \(Points(hundredths: UInt64(options.timeout * 100))) s reached (--timeout)"

        var error: String?
        var graderFault = false
        do {
            try interpreter.runTopLevel(suite.prelude)
            if let setup = suite.setup { try interpreter.runBlock(setup) }
            try interpreter.runBlock(test.body)
        } catch let diagnostic as Diagnostic {
            error = diagnostic.render()
        } catch let syntax as ProgramErrors {
            error = syntax.diagnostics.map { $0.render() }.joined()
        } catch is QuitRequest {
            // The test itself said quit: what ran so far decides.
        } catch let unexpected {
            // Not the submission's doing: the grader itself broke (exit status 3).
            graderFault = true
            error = "vmlab grade: internal error: \(unexpected)\n"
        }
        if let error { sink.writeDiagnostic(error) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let records = context.expectations
        let failures = records.filter { !$0.held }.map(FailedExpect.init)
        let status: TestResult.Status = error != nil ? .error : (failures.isEmpty ? .passed : .failed)
        let (score, scoreNote) = Self.score(test, status, records)
        return TestResult(
            test: test, status: status, score: score, scoreNote: scoreNote, output: sink.text,
            steps: interpreter.stepsTaken, failures: failures, error: error, skipReason: nil, seconds: seconds,
            graderFault: graderFault)
    }

    /// Full points for a pass. Otherwise: with `partial=on` the share of the
    /// test's expects that held (counted as written, or as run if more ran);
    /// with points on expects, the points of those that held; else nothing.
    /// A test that did not pass never earns its full points while an expect
    /// failed: at most its maximum less the points of the expects that failed.
    /// Only the tests file's expects are counted (a submission's earn nothing).
    /// Returns the score and, when points were lost, why.
    static func score(_ test: TestCase, _ status: TestResult.Status, _ records: [ExpectationRecord])
        -> (Points, String?)
    {
        let maximum = test.maximumPoints * 100
        if status == .passed { return (Points(hundredths: maximum), nil) }
        let held = records.filter(\.held)
        let failed = records.count - held.count
        let stopped = status == .error ? "; an error stopped the test" : ""
        if test.partial {
            let total = UInt64(max(test.expectCount, records.count))
            guard total > 0 else { return (Points(hundredths: 0), "no expect ran" + stopped) }
            var earned = maximum * UInt64(held.count) / total
            if failed > 0 { earned = min(earned, maximum - 1) }
            return (Points(hundredths: earned), "partial=on: \(held.count) of \(total) expects held" + stopped)
        }
        // Saturating sums: an expect in a loop may run many times.
        func sum(_ records: [ExpectationRecord]) -> UInt64 {
            records.reduce(0) { total, record in min(total + (record.points ?? 0) * 100, UInt64(1) << 60) }
        }
        let lost = sum(records.filter { !$0.held })
        var earned = min(sum(held), maximum)
        if failed > 0 { earned = min(earned, maximum - min(maximum, max(lost, 1))) }
        // All or nothing: a FAIL says it all.
        guard earned > 0 || test.expectPoints > 0 else { return (Points(hundredths: 0), nil) }
        return (
            Points(hundredths: earned),
            "expects that held carry \(Points(hundredths: sum(held))) points; \(failed) failed"
                + (lost > 0 ? ", losing \(Points(hundredths: lost))" : "") + stopped
        )
    }
}

/// A submission read and parsed once, then run by every test that asks.
struct LoadedSubmission: Sendable {
    let path: String
    let folder: HostPath?
    let program: Program?
    let syntaxErrors: [Diagnostic]

    struct Unreadable: Error {
        let message: String
    }

    init(path hostPath: HostPath, folder: HostPath?, protected: Set<FileIdentity>) throws(Unreadable) {
        path = hostPath.display
        self.folder = folder
        // Only scripts: a parse error quotes its line, and must never quote some other file.
        guard hostPath.hasSuffix(".vml") else { throw Unreadable(message: "'\(path)' is not a .vml script") }
        let text: String
        do {
            text = try Sandbox.readSubmission(hostPath, protected: protected)
        } catch {
            throw Unreadable(message: error.message)
        }
        let (program, diagnostics) = Parser.parse(SourceFile(name: path, text: text), registry: .standard)
        self.program = diagnostics.isEmpty ? program : nil
        syntaxErrors = diagnostics
    }
}

/// What `submission`, `expect` and `expect_transcript` do inside one test.
final class TestContext: GradingContext {
    let suite: TestSuite
    let submission: LoadedSubmission
    private(set) var expectations: [ExpectationRecord] = []

    init(suite: TestSuite, submission: LoadedSubmission) {
        self.suite = suite
        self.submission = submission
    }

    func runSubmission(in interpreter: Interpreter, at range: SourceRange) throws {
        guard let program = submission.program else {
            throw ProgramErrors(diagnostics: submission.syntaxErrors)
        }
        // The submission's undo and restore reach its own statements only:
        // not the tests file's lines or snapshots, and not an earlier run of it.
        do {
            try interpreter.withOwnHistory { try interpreter.runTopLevel(program.statements) }
        } catch is QuitRequest {
            // `quit` ends the submission, not the test.
        }
    }

    func record(_ expectation: ExpectationRecord) {
        expectations.append(expectation)
    }

    func transcriptMismatch(expectedFile path: String, actual: String, at range: SourceRange) throws -> String? {
        let expected: String
        if let loaded = suite.transcripts[path] {
            expected = loaded
        } else {
            do {
                expected = try ScriptLoader.read(TestSuite.resolve(path, besides: suite.file.name))
            } catch {
                throw Diagnostic((error as? ScriptLoader.Failure)?.message ?? "cannot read '\(path)'", at: range)
            }
        }
        return TranscriptPattern(expected).mismatch(actual: actual, expectedName: path)
    }
}

/// A test's output, in order, up to a limit; past it a note says what was dropped.
final class CappedTranscript: OutputSink {
    private(set) var text = ""
    private var bytes = 0
    private let limit: Int
    private var truncated = false

    init(limit: Int) { self.limit = limit }

    func write(_ text: String) {
        guard !truncated else { return }
        let size = text.utf8.count
        if bytes + size <= limit {
            self.text += text
            bytes += size
            return
        }
        var kept = Substring(text).utf8.prefix(limit - bytes)
        // Cut on a character boundary.
        while let last = kept.last, last & 0xC0 == 0x80 { kept = kept.dropLast() }
        if let last = kept.last, last >= 0xC0 { kept = kept.dropLast() }
        self.text += String(decoding: kept, as: UTF8.self)
        self.text += "\n[output truncated after \(limit) bytes]\n"
        truncated = true
    }

    func writeDiagnostic(_ text: String) { write(text) }
    func flush() {}
}
