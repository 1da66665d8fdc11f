/// How a run ended, as `vmlab run` reports it in its exit status.
public enum RunStatus: Int32, Sendable {
    case success = 0
    /// Everything ran, but at least one `expect` failed.
    case expectationFailed = 1
    /// A syntax error, a runtime error, or a file that could not be read.
    case error = 2
}

/// Runs scripts through one interpreter and reports problems on its output:
/// what `vmlab run`, piped input, the REPL and the golden tests share.
public final class Session {
    public let interpreter: Interpreter
    /// Set once a script or the shell ran `quit`.
    public private(set) var quitRequested = false

    public init(output: OutputSink, limits: Limits = Limits(), randomSeed: UInt64 = 0, frameOrderSeed: UInt64? = nil) {
        interpreter = Interpreter(output: output, limits: limits, randomSeed: randomSeed, frameOrderSeed: frameOrderSeed)
    }

    var output: OutputSink { interpreter.output }

    /// Runs one file. Syntax errors stop it before anything runs.
    @discardableResult
    public func runFile(_ path: String) -> RunStatus {
        let text: String
        do {
            text = try ScriptLoader.read(path)
        } catch let failure as ScriptLoader.Failure {
            output.writeDiagnostic("vmlab: \(failure.message)\n")
            return .error
        } catch {
            output.writeDiagnostic("vmlab: \(error)\n")
            return .error
        }
        return run(SourceFile(name: ScriptLoader.displayName(path), text: text))
    }

    /// Parses and runs `file`; reports every syntax error, or the first runtime error.
    @discardableResult
    public func run(_ file: SourceFile) -> RunStatus {
        let (program, diagnostics) = Parser.parse(file, registry: interpreter.registry)
        guard diagnostics.isEmpty else {
            report(diagnostics)
            return .error
        }
        return execute(program)
    }

    /// Runs an already parsed program.
    public func execute(_ program: Program) -> RunStatus {
        defer { output.flush() }
        do {
            try interpreter.run(program)
        } catch let diagnostic as Diagnostic {
            report([diagnostic])
            return .error
        } catch is QuitRequest {
            quitRequested = true
        } catch let included as ProgramErrors {
            report(included.diagnostics)
            return .error
        } catch {
            output.writeDiagnostic("vmlab: \(error)\n")
            return .error
        }
        return .success
    }

    /// The exit status for everything run so far, given how the last run ended.
    public func finalStatus(after status: RunStatus) -> RunStatus {
        if status == .error { return .error }
        return interpreter.expectationsFailed > 0 ? .expectationFailed : .success
    }

    /// A closing line for runs with expects, when any failed.
    public func expectationSummary() -> String? {
        let failed = interpreter.expectationsFailed
        guard failed > 0 else { return nil }
        let total = failed + interpreter.expectationsPassed
        return "vmlab: \(failed) of \(Format.plural(total, "expect")) failed\n"
    }

    public func report(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics { output.writeDiagnostic(diagnostic.render()) }
    }
}
