/// Going back: `undo`, `redo`, `snapshot`, `restore` and `history`, on the
/// checkpoints the interpreter saves before each top-level statement
/// (Runtime/History.swift).
enum HistoryCommands {
    static let all: [CommandSpec] = [undo, redo, snapshot, restore, history]

    static let undo = CommandSpec(
        name: "undo",
        summary: "put the session back as it was before the last N statements (default 1)",
        details: """
            The machine (memory, page tables, TLBs, processes, counters), variables,
            last, the current core and recorded series go back; what was printed
            stays printed, and expects already passed or failed still count. redo
            goes forward again until another statement runs. The last 1,000
            statements can be undone. Only a top-level statement can undo, outside
            syscall { … } and uaccess { … } blocks.
            """,
        parameters: [ParameterSpec("N", optional: true)]
    ) { interpreter, call in
        let count = try call.argument(0).map { try interpreter.integer($0, "undo's count") } ?? 1
        try interpreter.checkRewindable("undo", at: call.nameRange)
        let now = interpreter.checkpoint("")
        guard count >= 1, count <= UInt64(interpreter.history.past.count),
            let target = interpreter.history.undo(Int(count), now: now)
        else {
            let available = interpreter.history.past.count
            throw Diagnostic(
                available == 0
                    ? "nothing to undo" + (interpreter.history.isRecording ? "" : " (history off)")
                    : "undo \(count): only \(Format.plural(UInt64(available), "statement")) can be undone",
                at: call.range)
        }
        interpreter.rewind(to: target)
        interpreter.report("undo \(count): back to before '\(target.label)'")
    }

    static let redo = CommandSpec(
        name: "redo",
        summary: "go forward again over the statement undo took back last"
    ) { interpreter, call in
        try interpreter.checkRewindable("redo", at: call.nameRange)
        guard let next = interpreter.history.redo(now: interpreter.checkpoint(interpreter.history.currentLabel)) else {
            throw Diagnostic("nothing to redo: no undo since the last statement", at: call.range)
        }
        interpreter.rewind(to: next)
        interpreter.report("redo: '\(interpreter.history.past.last?.label ?? "")' done again")
    }

    static let snapshot = CommandSpec(
        name: "snapshot",
        summary: "save the session's state under a name, for restore",
        details: "A snapshot costs only what changes after it: memory is shared until written.",
        parameters: [ParameterSpec("NAME")]
    ) { interpreter, call in
        let name = try interpreter.string(call.arguments[0], "the snapshot's name")
        interpreter.history.keep(name, interpreter.checkpoint("snapshot \"\(name)\""))
        interpreter.report("snapshot \"\(name)\": \(Format.plural(UInt64(interpreter.machine.processes.count), "process", "processes")), \(Format.plural(interpreter.machine.framesUsed, "frame")) in use")
    }

    static let restore = CommandSpec(
        name: "restore",
        summary: "put the session back as snapshot NAME saved it (undo takes a restore back)",
        parameters: [ParameterSpec("NAME")]
    ) { interpreter, call in
        let name = try interpreter.string(call.arguments[0], "the snapshot's name")
        try interpreter.checkRewindable("restore", at: call.nameRange)
        guard let saved = interpreter.history.snapshot(named: name) else {
            let names = interpreter.history.snapshots.map { "\"\($0.name)\"" }
            throw Diagnostic(
                "no snapshot \"\(name)\"" + (names.isEmpty ? ": snapshot NAME saves one" : "; there are \(names.joined(separator: ", "))"),
                at: call.arguments[0].range)
        }
        interpreter.rewind(to: saved)
        interpreter.report("restore \"\(name)\"")
    }

    static let history = CommandSpec(
        name: "history",
        summary: "list the statements undo can take back, and the snapshots; history off|on stops or starts recording",
        parameters: [ParameterSpec("SWITCH", .word(["on", "off"]), optional: true, completion: .words)]
    ) { interpreter, call in
        let history = interpreter.history
        if let word = call.argument(0).map(interpreter.word) {
            history.isRecording = word == "on"
            if word == "off" { history.forget() }
            interpreter.report("history \(word)" + (word == "off" ? ": nothing is recorded, and undo has nothing to go back to" : ""))
            return
        }
        let past = history.past
        var text = past.isEmpty ? "no statements to undo\n" : ""
        let first = history.statementsRun - past.count
        for (offset, checkpoint) in past.enumerated() {
            text += "  " + Format.padLeft(String(first + offset + 1), 5) + "  " + checkpoint.label + "\n"
        }
        if !history.future.isEmpty {
            text += "  (\(Format.plural(UInt64(history.future.count), "statement")) to redo)\n"
        }
        for (name, _) in history.snapshots { text += "  snapshot \"\(name)\"\n" }
        interpreter.output.write(text)
    }
}

extension Interpreter {
    /// Refuses to rewind where a running block will act on the machine when it ends.
    func checkRewindable(_ command: String, at range: SourceRange) throws {
        try checkMachineReplaceable(command, at: range)
    }
}
