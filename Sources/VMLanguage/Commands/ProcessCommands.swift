import VMMachine

/// Processes and threads: creating them, running them, forking, exiting.
enum ProcessCommands {
    static let all: [CommandSpec] = [spawn, thread, kthread, switchThread, fork, exit]

    static let spawn = CommandSpec(
        name: "spawn",
        summary: "create a process and bind it to a name",
        details: """
            The kernel allocates a PML4 for the new process and copies the kernel
            half from its master PML4, so every process shares the same kernel page
            tables while its user half starts empty. With kpti=on it also gets a
            user PML4 holding only the entry trampoline of the kernel. The process
            starts with one thread, NAME.main.
            """,
        parameters: [ParameterSpec("NAME", .identifier, binds: true)], needsKernel: true
    ) { interpreter, call in
        guard case .name(let name, let range) = call.arguments[0] else { return }
        try interpreter.checkBindable(name, at: range)
        let process = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.spawn(name: name)
        }
        interpreter.bindProcess(name, process, at: range)
        interpreter.report(EventRenderer.spawned(process, machine: interpreter.machine))
    }

    static let thread = CommandSpec(
        name: "thread",
        summary: "create another thread in a process (PROC.NAME); it shares the page tables",
        parameters: [ParameterSpec("PROC", completion: .process), ParameterSpec("NAME", .identifier)], needsKernel: true
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        guard case .name(let name, let range) = call.arguments[1] else { return }
        if Builtins.processMembers.contains(where: { $0.0 == name }) {
            throw Diagnostic("'\(name)' is a member of every process; choose another thread name", at: range)
        }
        let thread = try interpreter.machineOperation(at: range) { () throws(MachineError) in
            try interpreter.machine.createThread(in: reference.pid, name: name)
        }
        interpreter.report(
            "thread \(reference.name).\(name): tid \(thread.tid), shares \(reference.name)'s page tables")
    }

    static let kthread = CommandSpec(
        name: "kthread",
        summary: "create a kernel thread: no user address space of its own",
        parameters: [ParameterSpec("NAME", .identifier, binds: true)], needsKernel: true
    ) { interpreter, call in
        guard case .name(let name, let range) = call.arguments[0] else { return }
        try interpreter.checkBindable(name, at: range)
        let thread = interpreter.machine.createKernelThread(name: name)
        interpreter.globalTable(for: name, boundAt: range).define(name, interpreter.threadValue(thread.tid))
        interpreter.report("kthread \(name): tid \(thread.tid), kernel thread (borrows whatever page tables are loaded)")
    }

    static let switchThread = CommandSpec(
        name: "switch",
        summary: "context-switch a core to a process or thread",
        details: """
            A process means its main thread. Another process's thread loads its PML4
            into CR3: without PCIDs that drops every non-global TLB entry; with PCIDs
            the address space gets a PCID slot and other slots' entries survive.
            Another thread of the loaded process writes no CR3 and flushes nothing.
            A kernel thread borrows the loaded tables (lazy TLB).
            """,
        parameters: [ParameterSpec("TARGET", completion: .process)],
        options: [OptionSpec("cpu", placeholder: "N", help: "the core to switch (default: the current one)")], needsKernel: true
    ) { interpreter, call in
        let tid = try interpreter.threadTarget(call.arguments[0])
        let core = try interpreter.coreOption(call)
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.switchTo(tid, core: core)
        }
        interpreter.report(EventRenderer.switched(outcome, interpreter: interpreter))
    }

    static let fork = CommandSpec(
        name: "fork",
        summary: "fork a process: the child shares every page copy-on-write",
        details: """
            The child gets its own page tables mapping the parent's frames; writable
            pages become read-only in both, and the parent's TLB entries are flushed.
            The first write on either side faults, and the kernel copies the page.
            With kernel=separate (xv6) fork copies every page at once instead, as
            xv6's uvmcopy does: nothing is shared and nothing flushed.
            """,
        parameters: [
            ParameterSpec("PROC", completion: .process), ParameterSpec("as", .word(["as"]), completion: .words),
            ParameterSpec("NAME", .identifier, binds: true),
        ], needsKernel: true
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        guard case .name(let name, let range) = call.arguments[2] else { return }
        try interpreter.checkBindable(name, at: range)
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.fork(reference.pid, childName: name, from: core)
        }
        interpreter.bindProcess(name, outcome.child, at: range)
        interpreter.report(
            "fork \(reference.name) as \(name): pid \(outcome.child.pid), "
                + "\(interpreter.machine.architecture.levelName(interpreter.machine.architecture.levels)) at \(Format.hex(outcome.child.root)); "
                + (interpreter.machine.configuration.separateKernelTable
                    ? "\(Format.plural(outcome.copiedPages, "page")) copied (xv6's uvmcopy: no copy-on-write)"
                    : "\(Format.plural(outcome.sharedPages, "page")) shared copy-on-write")
                + (interpreter.machine.configuration.separateKernelTable ? "" : EventRenderer.shootdownText(outcome.shootdown, what: "\(reference.name)'s TLB entries")))
    }

    static let exit = CommandSpec(
        name: "exit",
        summary: "end a process: free every frame it owned",
        parameters: [ParameterSpec("PROC", completion: .process)], needsKernel: true
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        let outcome = interpreter.machine.exit(reference.pid, core: interpreter.currentCore)
        var text = "exit \(reference.name): freed \(Format.plural(outcome.freedFrames, "frame"))"
        if !outcome.idledCores.isEmpty {
            text += "; " + outcome.idledCores.map { "cpu \($0)" }.joined(separator: ", ") + " now idle"
        }
        interpreter.report(text)
    }
}

extension Interpreter {
    /// The thread a `switch` target means: a thread, or a process's main thread.
    func threadTarget(_ argument: Operand) throws -> ThreadID {
        let value = try value(argument)
        switch value {
        case .thread(let reference):
            return try liveThread(reference, at: argument.range).tid
        case .process(let reference):
            let process = try liveProcess(reference, at: argument.range)
            return process.threads[0]
        default:
            throw Diagnostic(
                "expected a process or thread, got \(value.typeName) \(value.debugText)", at: argument.range)
        }
    }

    func liveThread(_ reference: ThreadReference, at range: SourceRange) throws -> VMMachine.Thread {
        do {
            return try liveThread(reference)
        } catch let stale as GoneReference {
            throw Diagnostic(stale.message, at: range)
        }
    }
}
