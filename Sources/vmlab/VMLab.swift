import ArgumentParser
import Foundation
import VMGrading
import VMLanguage
import VMShell

/// `vmlab`: with no subcommand, the interactive shell (or a script on
/// standard input); `vmlab run`, `vmlab check` for files.
@main
struct VMLab: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "vmlab",
        abstract: "A teaching REPL and scripting language that models a kernel and an MMU.",
        discussion: """
            With no subcommand vmlab starts an interactive shell; when standard input
            is not a terminal it runs standard input as a script instead.
            Exit status: 0 success, 1 an expect failed, 2 a script or usage error
            (vmlab grade adds 3: the grader itself failed).
            """,
        version: VMLabVersion.current,
        subcommands: [Run.self, Check.self, Grade.self, QuizCommand.self, Replay.self, Fmt.self, LSP.self, Serve.self, Jupyter.self, GradeWorker.self]
    )

    @OptionGroup var execution: ExecutionOptions

    @Flag(help: "Do not read or write the shell's history file ($XDG_STATE_HOME/vmlab/history).")
    var noHistory = false

    @Flag(help: "No colour, even on a terminal (NO_COLOR=1 does the same).")
    var noColor = false

    func run() throws {
        var options = ShellOptions()
        options.limits = execution.limits
        options.quiet = execution.quiet
        options.history = !noHistory
        options.color = !noColor
        let shellOptions = options
        throw ExitCode(NativeStack.run { Shell(options: shellOptions).run() })
    }

    /// Usage errors exit with 2, as the product promises, not ArgumentParser's 64.
    static func main() {
        // A closed pipe is an EPIPE error on write (handled: exit 2), not a silent death by SIGPIPE.
        signal(SIGPIPE, SIG_IGN)
        if let status = Run.runWithoutParsing(CommandLine.arguments) { Foundation.exit(status) }
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .success || error is ExitCode {
                exit(withError: error)
            }
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(RunStatus.error.rawValue)
        }
    }
}

/// Options shared by every way of running scripts.
struct ExecutionOptions: ParsableArguments {
    @Option(help: "Stop a run after this many statements and loop iterations.")
    var maxSteps: UInt64 = Limits().maximumSteps

    @Flag(help: "Do not print a line for each access and kernel action (print, show and expect still print).")
    var quiet = false

    var limits: Limits {
        var limits = Limits()
        limits.maximumSteps = maxSteps
        return limits
    }
}

struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run script files in order, in one session.",
        discussion: "Exit status: 0 success, 1 an expect failed, 2 a script error."
    )

    @ArgumentParser.Argument(help: "Scripts to run; later files see what earlier ones built.")
    var files: [String]

    @OptionGroup var execution: ExecutionOptions

    @Option(
        name: .customLong("expect-transcript"),
        help: "Compare the run's output with this file instead of printing it; report the first differing line.")
    var expectedTranscript: String?

    @Option(
        name: .customLong("html"),
        help: "Also write the run as one self-contained HTML page: page tables and plots drawn as SVG, TLBs as grids.")
    var htmlReport: String?

    @Option(
        name: .customLong("events"),
        help: "Also write what each top-level statement changed (entries, base registers, TLB fills and drops, faults, frames) as JSON lines.")
    var events: String?

    func validate() throws {
        guard !files.isEmpty else { throw ValidationError("give at least one script file") }
    }

    func run() throws {
        let (files, limits, quiet, expectedTranscript, htmlReport, events) =
            (files, execution.limits, execution.quiet, expectedTranscript, htmlReport, events)
        throw ExitCode(
            NativeStack.run {
                Self.runScripts(
                    files, limits: limits, quiet: quiet, expectedTranscript: expectedTranscript, htmlReport: htmlReport,
                    events: events)
            })
    }

    /// `vmlab run FILE…` with no option, the commonest command line, skips
    /// ArgumentParser: building its command tree by reflection was half the
    /// instructions of a small script's whole run. Anything else (an option,
    /// no file) goes through the parser as before.
    static func runWithoutParsing(_ arguments: [String]) -> Int32? {
        guard arguments.count >= 3, arguments[1] == "run",
            arguments.dropFirst(2).allSatisfy({ !$0.hasPrefix("-") || $0 == "-" })
        else { return nil }
        let files = Array(arguments.dropFirst(2))
        return NativeStack.run {
            runScripts(files, limits: Limits(), quiet: false, expectedTranscript: nil, htmlReport: nil, events: nil)
        }
    }

    static func runScripts(
        _ files: [String], limits: Limits, quiet: Bool, expectedTranscript: String?, htmlReport: String?,
        events: String?
    ) -> Int32 {
        let transcript = expectedTranscript == nil ? nil : TranscriptSink()
        let terminal: OutputSink = transcript ?? StandardStreams()
        let report = htmlReport == nil ? nil : HTMLReportSink(forwardingTo: terminal)
        let output: OutputSink = report ?? terminal
        let session = Session(output: output, limits: limits)
        session.interpreter.alwaysQuiet = quiet
        if events != nil { session.interpreter.events = EventStreamWriter() }
        session.interpreter.unicodeOutput = Interpreter.localeIsUTF8(ProcessInfo.processInfo.environment)
        var status = RunStatus.success
        for file in files {
            status = session.runFile(file)
            if status == .error || session.quitRequested { break }
        }
        status = session.finalStatus(after: status)
        if let summary = session.expectationSummary() { output.writeDiagnostic(summary) }
        output.flush()
        if let report, let htmlReport {
            let title = files.map(ScriptLoader.displayName).joined(separator: " ")
            let page = report.document(title: title, machine: session.interpreter.machine)
            if let failure = HostPath(htmlReport).writeAtomically(Array(page.utf8), mayCreate: true) {
                terminal.writeDiagnostic("vmlab: cannot write the report '\(ScriptLoader.displayName(htmlReport))': \(failure)\n")
                return RunStatus.error.rawValue
            }
        }
        if let writer = session.interpreter.events, let events,
            let failure = HostPath(events).writeAtomically(Array(writer.text.utf8), mayCreate: true)
        {
            terminal.writeDiagnostic("vmlab: cannot write the events '\(ScriptLoader.displayName(events))': \(failure)\n")
            return RunStatus.error.rawValue
        }
        if let transcript, let expectedTranscript {
            return compare(transcript.text, with: expectedTranscript, status: status)
        }
        return status.rawValue
    }

    private static func compare(_ actual: String, with path: String, status: RunStatus) -> Int32 {
        let expected: String
        do {
            expected = try ScriptLoader.read(path)
        } catch {
            let message = (error as? ScriptLoader.Failure)?.message ?? "\(error)"
            FileHandle.standardError.write(Data("vmlab: \(message)\n".utf8))
            return RunStatus.error.rawValue
        }
        let comparison = TranscriptComparison(expected: expected, actual: actual)
        let report = comparison.report(expectedName: ScriptLoader.displayName(path))
        FileHandle.standardOutput.write(Data(report.utf8))
        return comparison.matches ? 0 : 1
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check scripts for syntax errors and undefined names without running them.",
        discussion: """
            Prints every syntax error, and every name that nothing in the script defines; \
            exit status 0 if there are none, 2 otherwise.
            """
    )

    @ArgumentParser.Argument(help: "Scripts to check.")
    var files: [String]

    @Option(
        help: """
            Check the scripts as submissions graded against this tests file: its names             may be read, and assigning one is an error, as under vmlab grade.
            """)
    var tests: String?

    func run() throws {
        let output = StandardStreams()
        var failed = false
        var sealed: Set<String> = []
        if let tests {
            do {
                sealed = try TestSuite.load(path: tests).sealedNames
            } catch {
                output.writeDiagnostic(error.report)
                output.flush()
                throw ExitCode(RunStatus.error.rawValue)
            }
        }
        for path in files {
            do {
                let file = SourceFile(name: ScriptLoader.displayName(path), text: try ScriptLoader.read(path))
                let (program, syntaxErrors) = Parser.parse(file, registry: .standard)
                // Names are resolved only in a program that parsed.
                let diagnostics = syntaxErrors.isEmpty
                    ? Resolver.resolve(
                        program.statements, registry: .standard, isKnownGlobal: sealed.contains,
                        isSealed: sealed.contains
                    ).diagnostics : syntaxErrors
                for diagnostic in diagnostics { output.writeDiagnostic(diagnostic.render()) }
                if diagnostics.isEmpty {
                    output.write("\(file.name): ok\n")
                } else {
                    failed = true
                }
            } catch {
                output.writeDiagnostic("vmlab: \((error as? ScriptLoader.Failure)?.message ?? "\(error)")\n")
                failed = true
            }
        }
        output.flush()
        throw ExitCode(failed ? RunStatus.error.rawValue : 0)
    }
}
