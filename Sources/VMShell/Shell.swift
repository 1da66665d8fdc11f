import CEditLine
import Foundation
import VMLanguage

/// How the shell was asked to behave.
public struct ShellOptions {
    public var limits = Limits()
    public var quiet = false
    /// `--no-history` turns this off.
    public var history = true
    /// `--no-color` turns this off; colour also needs a terminal and no NO_COLOR.
    public var color = true
    public var environment = ProcessInfo.processInfo.environment

    public init() {}
}

/// The interactive front end. On a terminal it reads lines through libedit
/// (emacs keys, history, Ctrl-R search, Tab completion) and keeps the session
/// alive across errors and Ctrl-C; otherwise it reads standard input as one
/// script, with no prompt, editor or colour (so `vmlab < lesson.vml` works
/// like `vmlab run`).
public final class Shell {
    private let options: ShellOptions
    private let streams = StandardStreams()
    private var session: Session!
    private let recorder = TranscriptRecorder()
    private var editLine: OpaquePointer?
    private var history: OpaquePointer?
    private var historyFile: PersistentHistory?
    private var pending = ""
    /// C strings the prompt callback hands to libedit; they must outlive each call.
    private var primaryPrompt: UnsafeMutablePointer<CChar>
    private var continuationPrompt: UnsafeMutablePointer<CChar>
    static let primaryText = "vmlab> "
    static let continuationText = "...> "

    public init(options: ShellOptions) {
        self.options = options
        primaryPrompt = strdup(Self.primaryText)!
        continuationPrompt = strdup(Self.continuationText)!
    }

    deinit {
        if let editLine { el_end(editLine) }
        if let history { history_end(history) }
        free(primaryPrompt)
        free(continuationPrompt)
    }

    /// Runs until end of input or `quit`; returns the process exit status.
    public func run() -> Int32 {
        vmlab_stdin_is_terminal() != 0 ? runInteractive() : runPiped()
    }

    private func makeSession(_ output: OutputSink) {
        session = Session(output: output, limits: options.limits)
        session.interpreter.alwaysQuiet = options.quiet
        session.interpreter.unicodeOutput = Interpreter.localeIsUTF8(options.environment)
    }

    // MARK: Standard input that is not a terminal

    private func runPiped() -> Int32 {
        makeSession(streams)
        let text: String
        do {
            text = try ScriptLoader.readStandardInput()
        } catch {
            streams.writeDiagnostic("vmlab: \((error as? ScriptLoader.Failure)?.message ?? "\(error)")\n")
            return RunStatus.error.rawValue
        }
        let status = session.finalStatus(after: session.run(SourceFile(name: "<stdin>", text: text)))
        if let summary = session.expectationSummary() { streams.writeDiagnostic(summary) }
        streams.flush()
        return status.rawValue
    }

    // MARK: The terminal

    /// Colour only on a terminal, never with NO_COLOR set or `--no-color`.
    var usesColor: Bool {
        options.color && vmlab_stdout_is_terminal() != 0 && (options.environment["NO_COLOR"] ?? "").isEmpty
    }

    var prompt: UnsafeMutablePointer<CChar> { pending.isEmpty ? primaryPrompt : continuationPrompt }

    private func runInteractive() -> Int32 {
        let color = usesColor
        // The page `save html` writes keeps the plain output and the figures (no colour codes).
        let report = HTMLReportSink(forwardingTo: RecordingSink(color ? HighlightingSink(streams) : streams, recorder: recorder))
        makeSession(report)
        session.interpreter.transcript = recorder
        session.interpreter.sessionReport = report
        // Lines come one at a time: a function may use a name a later line defines.
        session.interpreter.unknownNames = .allowedInFunctions
        vmlab_install_interrupt_handler()
        session.interpreter.interruptRequested = { vmlab_take_interrupt() != 0 }
        guard let editor = vmlab_el_init("vmlab") else {
            streams.writeDiagnostic("vmlab: could not start the line editor\n")
            return RunStatus.error.rawValue
        }
        editLine = editor
        guard let history = vmlab_history_init(PersistentHistory.capacity) else {
            streams.writeDiagnostic("vmlab: could not start the history list\n")
            return RunStatus.error.rawValue
        }
        self.history = history
        vmlab_el_set_emacs(editor)
        vmlab_el_set_signal(editor, 1)
        vmlab_el_set_history(editor, history)
        vmlab_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        if color {
            free(primaryPrompt)
            free(continuationPrompt)
            // \u{1} brackets the escapes so libedit does not count them as columns.
            primaryPrompt = strdup("\u{1}\u{1B}[1;34m\u{1}vmlab>\u{1}\u{1B}[0m\u{1} ")!
            continuationPrompt = strdup("\u{1}\u{1B}[34m\u{1}...>\u{1}\u{1B}[0m\u{1} ")!
            vmlab_el_set_prompt_escaped(editor, shellPrompt, 1)
        } else {
            vmlab_el_set_prompt(editor, shellPrompt)
        }
        vmlab_el_bind_function(editor, "vmlab-complete", "complete a command, name or path", shellComplete, "^I")
        vmlab_el_bind(editor, "^R", "em-inc-search-prev")
        vmlab_el_source_default(editor)
        if options.history, let path = PersistentHistory.defaultPath(environment: options.environment) {
            let file = PersistentHistory(path: path)
            file.load(into: history)
            if let problem = file.problem { streams.writeDiagnostic("vmlab: \(problem)\n") }
            historyFile = file
        }
        streams.write(banner())
        streams.flush()
        while true {
            var count: Int32 = 0
            guard let raw = el_gets(editor, &count), count > 0 else {
                if count == -1 || vmlab_take_interrupt() != 0 {
                    // Ctrl-C at the prompt: drop the unfinished input, keep the shell.
                    pending = ""
                    streams.write("\n")
                    streams.flush()
                    continue
                }
                break  // Ctrl-D
            }
            if !handle(String(cString: raw)) { break }
        }
        streams.write("\n")
        streams.flush()
        return 0
    }

    /// Runs one line of input; false when the session should end.
    private func handle(_ rawLine: String) -> Bool {
        var line = rawLine
        while line.last == "\n" || line.last == "\r" { line.removeLast() }
        let blank = line.allSatisfy { $0 == " " || $0 == "\t" }
        recorder.recordInput(pending.isEmpty ? Self.primaryText : Self.continuationText, line)
        if blank {
            // A blank line inside an open block is part of it (pasted lesson code has them);
            // at the prompt it does nothing. Ctrl-C abandons an unfinished block.
            if !pending.isEmpty { pending += "\n" }
            return true
        }
        remember(line)
        pending += pending.isEmpty ? line : "\n" + line
        let file = SourceFile(name: "<stdin>", text: pending)
        // Read on only while a `{`, `(`, `[` or string is open: a command missing its
        // argument is an error now, not a prompt that swallows the next line, and an
        // error inside a block waits for the block's end and is reported once.
        if Parser.isUnfinished(file) { return true }
        pending = ""
        let (program, diagnostics) = Parser.parse(file, registry: session.interpreter.registry)
        guard diagnostics.isEmpty else {
            session.report(Array(diagnostics.prefix(1)))
            if diagnostics.count > 1 {
                streams.writeDiagnostic("  note: \(diagnostics.count - 1) more error\(diagnostics.count == 2 ? "" : "s") after this one in that input; fix this one first\n")
            }
            streams.flush()
            return true
        }
        _ = vmlab_take_interrupt()
        _ = session.execute(program)
        streams.flush()
        return !session.quitRequested
    }

    private func remember(_ line: String) {
        var entry = line
        while entry.last == " " || entry.last == "\t" { entry.removeLast() }
        // Control bytes (a NUL, an escape) would corrupt the history file's lines: such a line is not kept.
        guard let history, !entry.isEmpty,
            !entry.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" || $0.value == 0x7F })
        else { return }
        vmlab_history_enter(history, entry)
        if let warning = historyFile?.append(entry) { streams.writeDiagnostic("vmlab: \(warning)\n") }
    }

    private func banner() -> String {
        let machine = session.interpreter.machine
        let tlb = machine.cores[0].tlb
        return "vmlab \(VMLabVersion.current): \(machine.configuration.architecture.name) machine, "
            + "\(machine.cores.count) core\(machine.cores.count == 1 ? "" : "s"), \(machine.configuration.ramBytes >> 20) MiB RAM, "
            + "TLB \(tlb.entryCount) entries. Type 'help' for commands, Ctrl-D to quit.\n"
    }

    // MARK: Completion

    /// Completes the word before the cursor: inserts the single match (or the
    /// matches' common prefix), or lists the matches under the line.
    fileprivate func complete(_ editor: OpaquePointer) -> UInt8 {
        guard let info = el_line(editor)?.pointee, let buffer = info.buffer, let cursor = info.cursor else {
            return UInt8(CC_ERROR)
        }
        let before = String(decoding: UnsafeRawBufferPointer(start: buffer, count: cursor - buffer), as: UTF8.self)
        let result = Completer.complete(before, interpreter: session.interpreter)
        guard let first = result.candidates.first else { return UInt8(CC_REFRESH_BEEP) }
        if result.candidates.count == 1 {
            var insertion = String(first.dropFirst(result.word.count))
            if result.isPath {
                if !first.hasSuffix("/") { insertion += "\"" }
            } else if !first.hasSuffix("=") {
                insertion += " "
            }
            el_insertstr(editor, insertion)
            return UInt8(CC_REFRESH)
        }
        let common = result.candidates.dropFirst().reduce(first) { prefix, candidate in
            String(zip(prefix, candidate).prefix { $0 == $1 }.map(\.0))
        }
        if common.count > result.word.count {
            el_insertstr(editor, String(common.dropFirst(result.word.count)))
            return UInt8(CC_REFRESH)
        }
        streams.write("\n" + result.candidates.joined(separator: "  ") + "\n")
        streams.flush()
        return UInt8(CC_REDISPLAY)
    }
}

/// libedit's prompt callback: finds the shell through EL_CLIENTDATA.
private func shellPrompt(_ editor: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    guard let editor, let data = vmlab_el_get_clientdata(editor) else { return nil }
    return Unmanaged<Shell>.fromOpaque(data).takeUnretainedValue().prompt
}

/// libedit's Tab handler.
private func shellComplete(_ editor: OpaquePointer?, _ key: Int32) -> UInt8 {
    guard let editor, let data = vmlab_el_get_clientdata(editor) else { return UInt8(CC_ERROR) }
    return Unmanaged<Shell>.fromOpaque(data).takeUnretainedValue().complete(editor)
}
