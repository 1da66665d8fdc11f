import CEditLine
import Foundation
import VMLanguage

/// The interactive front end. On a terminal it reads lines through libedit
/// and keeps the session alive across errors; otherwise it reads standard
/// input as one script (so `vmlab < lesson.vml` works like `vmlab run`).
public final class Shell {
    private let session: Session
    private let output: StandardStreams
    private var editLine: OpaquePointer?
    private var history: OpaquePointer?
    private var pending = ""
    private var lineNumber = 0
    /// C strings the prompt callback hands to libedit; they must outlive each call.
    private let primaryPrompt = strdup("vmlab> ")!
    private let continuationPrompt = strdup("...> ")!

    public init(limits: Limits = Limits(), quiet: Bool = false) {
        output = StandardStreams()
        session = Session(output: output, limits: limits)
        session.interpreter.alwaysQuiet = quiet
    }

    deinit {
        if let editLine { el_end(editLine) }
        if let history { history_end(history) }
        free(primaryPrompt)
        free(continuationPrompt)
    }

    /// Runs until end of input; returns the process exit status.
    public func run() -> Int32 {
        vmlab_stdin_is_terminal() != 0 ? runInteractive() : runPiped()
    }

    private func runPiped() -> Int32 {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        guard let text = String(data: data, encoding: .utf8) else {
            output.writeDiagnostic("vmlab: standard input is not UTF-8 text\n")
            return RunStatus.error.rawValue
        }
        let status = session.finalStatus(after: session.run(SourceFile(name: "<stdin>", text: text)))
        if let summary = session.expectationSummary() { output.writeDiagnostic(summary) }
        output.flush()
        return status.rawValue
    }

    var prompt: UnsafeMutablePointer<CChar> { pending.isEmpty ? primaryPrompt : continuationPrompt }

    private func runInteractive() -> Int32 {
        vmlab_install_interrupt_handler()
        session.interpreter.interruptRequested = { vmlab_take_interrupt() != 0 }
        guard let editor = vmlab_el_init("vmlab") else {
            output.writeDiagnostic("vmlab: could not start the line editor\n")
            return RunStatus.error.rawValue
        }
        editLine = editor
        let history = vmlab_history_init(1000)
        self.history = history
        vmlab_el_set_emacs(editor)
        vmlab_el_set_signal(editor, 1)
        vmlab_el_set_history(editor, history)
        vmlab_el_set_clientdata(editor, Unmanaged.passUnretained(self).toOpaque())
        vmlab_el_set_prompt(editor, shellPrompt)
        vmlab_el_source_default(editor)
        output.write(banner())
        output.flush()
        while true {
            var count: Int32 = 0
            guard let raw = el_gets(editor, &count) else {
                if count == -1 || vmlab_take_interrupt() != 0 {
                    // Ctrl-C at the prompt: drop the unfinished input, keep the shell.
                    pending = ""
                    output.write("\n")
                    output.flush()
                    continue
                }
                break  // Ctrl-D
            }
            var line = String(cString: raw)
            while line.hasSuffix("\n") || line.hasSuffix("\r") { line.removeLast() }
            handle(line)
        }
        output.write("\n")
        output.flush()
        return 0
    }

    private func handle(_ line: String) {
        if pending.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty { return }
        if !pending.isEmpty && line.trimmingCharacters(in: .whitespaces).isEmpty {
            pending = ""  // an empty line abandons an unfinished statement
            return
        }
        if let history, !line.trimmingCharacters(in: .whitespaces).isEmpty {
            vmlab_history_enter(history, line)
        }
        pending += pending.isEmpty ? line : "\n" + line
        lineNumber += 1
        let file = SourceFile(name: "<stdin>", text: pending)
        let (program, diagnostics) = Parser.parse(file, registry: session.interpreter.registry)
        if diagnostics.contains(where: \.atEndOfInput) { return }  // ask for more, like lua.c
        pending = ""
        guard diagnostics.isEmpty else {
            session.report(diagnostics)
            return
        }
        _ = vmlab_take_interrupt()
        session.execute(program)
        output.flush()
    }

    private func banner() -> String {
        let machine = session.interpreter.machine
        let tlb = machine.cores[0].tlb
        return "vmlab \(VMLabVersion.current): \(machine.configuration.architecture) machine, "
            + "\(machine.cores.count) core, \(machine.configuration.ramBytes >> 20) MiB RAM, "
            + "TLB \(tlb.entryCount) entries. Type 'help' for commands, Ctrl-D to quit.\n"
    }
}

/// libedit's prompt callback: finds the shell through EL_CLIENTDATA.
private func shellPrompt(_ editor: OpaquePointer?) -> UnsafeMutablePointer<CChar>? {
    guard let editor, let data = vmlab_el_get_clientdata(editor) else { return nil }
    return Unmanaged<Shell>.fromOpaque(data).takeUnretainedValue().prompt
}
