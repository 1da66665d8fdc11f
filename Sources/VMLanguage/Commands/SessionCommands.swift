import Foundation
import VMMachine

/// Commands about the session rather than the machine: leaving, starting
/// over, keeping a record, finding a command.
enum SessionCommands {
    static let all: [CommandSpec] = [apropos, reset, save, numbers, quit]

    /// `numbers hex|decimal|auto` (not `hex on`: hex(x) is a function, and a
    /// command of the same name would shadow it).
    static let numbers = CommandSpec(
        name: "numbers",
        summary: "show integers in hex, in decimal, or auto: addresses and registers in hex",
        details: """
            What a bare value and an expect's got/expected show. auto (the default)
            shows addresses, register values and entries in hex (last.pa, A.root,
            cpu.cr3, pte(A, ADDR, 1), and sums of them) and counts in decimal; hex shows every
            integer in hex, decimal every one in decimal. print is not affected: it
            prints decimal, and hex(x) prints x in hex.
            """,
        parameters: [ParameterSpec("MODE", .word(["auto", "hex", "decimal"]), completion: .words)]
    ) { interpreter, call in
        let word = interpreter.word(call.arguments[0])
        interpreter.hexDisplay = word == "hex" ? .on : word == "decimal" ? .off : .auto
        let meaning = [
            HexDisplay.auto: "addresses and register values in hex, counts in decimal",
            .on: "every integer shown in hex", .off: "every integer shown in decimal",
        ][interpreter.hexDisplay]!
        interpreter.report("numbers \(word): \(meaning)")
    }

    static let apropos = CommandSpec(
        name: "apropos",
        summary: "list the commands whose name or help mentions a word",
        parameters: [ParameterSpec("WORD", .identifier)]
    ) { interpreter, call in
        let word = interpreter.word(call.arguments[0]).lowercased()
        let matches = interpreter.registry.commands.filter {
            ($0.name + " " + $0.summary + " " + $0.details + " " + $0.options.map { $0.name + " " + $0.help }.joined())
                .lowercased().contains(word)
        }
        guard !matches.isEmpty else {
            interpreter.output.write("nothing mentions '\(word)'; 'help' lists every command\n")
            return
        }
        let width = (matches.map(\.name.count).max() ?? 0) + 2
        for command in matches {
            interpreter.output.write("  " + Format.padRight(command.name, width) + command.summary + "\n")
        }
    }

    static let reset = CommandSpec(
        name: "reset",
        summary: "start over on a fresh machine like the current one; variables and functions stay",
        details: """
            Builds a new machine with the same configuration (as 'machine' would).
            Variables and functions you defined stay; names bound to processes are
            removed, since their processes belonged to the old machine.
            """
    ) { interpreter, call in
        let configuration = interpreter.machine.configuration
        try interpreter.checkMachineReplaceable("reset", at: call.nameRange)
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.replaceMachine(configuration)
        }
        interpreter.unbindProcesses()
        interpreter.report("reset: a fresh \(configuration.architecture.name) machine; processes are gone, variables kept")
    }

    static let save = CommandSpec(
        name: "save",
        summary: "save the shell session: its transcript, an HTML page with its pictures, or its page tables as DOT",
        details: """
            save transcript FILE writes everything typed and printed so far in this shell.
            save html FILE writes the session so far as one self-contained page (as
            vmlab run --html does): the output, each show pagetable, show tlb and plot
            drawn, and every core's TLB now. save dot FILE writes every process's page
            tables now as a Graphviz graph (dot -Tsvg FILE draws it).
            An existing file is replaced only with overwrite=true, and only if it is a
            regular file (never a link, a directory or a device).
            """,
        parameters: [
            ParameterSpec("WHAT", .word(["transcript", "html", "dot"]), completion: .words),
            ParameterSpec("FILE", completion: .path),
        ],
        options: [
            OptionSpec("overwrite", placeholder: "true|false", help: "replace an existing file")
        ]
    ) { interpreter, call in
        let what = interpreter.word(call.arguments[0])
        let path = try interpreter.string(call.arguments[1], "the file name")
        if interpreter.sandbox != nil {
            throw Diagnostic("a graded submission may not write files", at: call.range)
        }
        let text: String
        let described: String
        switch what {
        case "html":
            guard let report = interpreter.sessionReport else {
                throw Diagnostic("save html works in the interactive shell; a script gets its page from vmlab run --html FILE", at: call.range)
            }
            text = report.document(title: "shell session", machine: interpreter.machine, subtitle: "A vmlab shell session")
            described = "the session as a page"
        case "dot":
            let processes = interpreter.machine.processes
            guard interpreter.machine.architecture.hasKernel, !processes.isEmpty else {
                throw Diagnostic("save dot draws processes' page tables, and there is no process yet: spawn A", at: call.range)
            }
            text = DotRenderer.pageTables(processes, machine: interpreter.machine)
            described = "the page tables of \(Format.plural(processes.count, "process", "processes"))"
        default:
            guard let transcript = interpreter.transcript else {
                throw Diagnostic(
                    "save transcript works in the interactive shell; a script's output can be redirected instead",
                    at: call.range)
            }
            text = transcript.text
            described = "the transcript (\(Format.plural(transcript.text.split(separator: "\n").count, "line")))"
        }
        var info = stat()
        if lstat(path, &info) == 0 {
            guard info.st_mode & S_IFMT == S_IFREG else {
                throw Diagnostic(
                    "'\(path)' exists and is not a regular file (a link, directory or device); it is left alone",
                    at: call.arguments[1].range)
            }
            let overwrite = try call.option("overwrite").map { try interpreter.value($0.value) }
            guard case .boolean(true)? = overwrite else {
                throw Diagnostic(
                    "'\(path)' exists; add overwrite=true to replace it", at: call.arguments[1].range)
            }
        }
        do {
            // Written to a temporary file and renamed into place: a crash never leaves half a file.
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            throw Diagnostic("cannot write '\(path)': \(error.localizedDescription)", at: call.arguments[1].range)
        }
        interpreter.report("saved \(described) to \(path)")
    }

    static let quit = CommandSpec(
        name: "quit",
        summary: "leave the shell (Ctrl-D too); in a script, stop running it"
    ) { _, _ in
        throw QuitRequest()
    }
}

/// Thrown by `quit`; the session stops running and reports success so far.
public struct QuitRequest: Error {}

/// Everything typed and printed in a shell session, for `save transcript`.
public final class TranscriptRecorder {
    public private(set) var text = ""

    public init() {}

    public func recordInput(_ prompt: String, _ line: String) { text += prompt + line + "\n" }
    public func recordOutput(_ output: String) { text += output }
}

/// Passes output on and keeps a copy in a transcript.
public final class RecordingSink: OutputSink {
    private let next: OutputSink
    private let recorder: TranscriptRecorder

    public init(_ next: OutputSink, recorder: TranscriptRecorder) {
        self.next = next
        self.recorder = recorder
    }

    public func write(_ text: String) {
        recorder.recordOutput(text)
        next.write(text)
    }

    public func writeDiagnostic(_ text: String) {
        recorder.recordOutput(text)
        next.writeDiagnostic(text)
    }

    public func flush() { next.flush() }
}

extension Interpreter {
    /// Removes every top-level name bound to a process.
    func unbindProcesses() {
        for cell in globals.allCells + (namespaces?.submission.allCells ?? []) {
            if case .process? = cell.value.pointee { cell.value.pointee = nil }
        }
    }
}
