import VMMachine

/// Entering the kernel, choosing a core, and explicit TLB maintenance.
enum KernelCommands {
    static let all: [CommandSpec] = [syscall, interrupt, on, invlpg, invpcid, flush, stac, clac, uaccess]

    static let syscall = CommandSpec(
        name: "syscall",
        summary: "make a system call: enter kernel mode, run the block there, return",
        details: """
            The core enters kernel mode and fetches the entry code. With kpti=on it
            first runs the trampoline (mapped in the user PML4), then writes CR3 to
            switch to the kernel PML4, and switches back on the way out; without
            PCIDs each of those writes flushes the TLB. Commands in the block run in
            kernel mode, so they may read kernel addresses.
            """,
        parameters: [ParameterSpec("NAME", .identifier, optional: true)],
        block: .optional, needsKernel: true
    ) { interpreter, call in
        try crossIntoKernel(interpreter, call, kind: "syscall")
    }

    static let interrupt = CommandSpec(
        name: "interrupt",
        summary: "take an interrupt: like a system call, but it may also arrive in kernel mode",
        details: "An interrupt that arrives while the core is already in the kernel switches no CR3.",
        parameters: [ParameterSpec("NAME", .identifier, optional: true)],
        block: .optional, needsKernel: true
    ) { interpreter, call in
        try crossIntoKernel(interpreter, call, kind: "interrupt")
    }

    private static func crossIntoKernel(_ interpreter: Interpreter, _ call: BoundCommand, kind: String) throws {
        let core = interpreter.currentCore
        let name = call.argument(0).map(interpreter.word).map { " " + $0 } ?? ""
        let machine = interpreter.machine
        if kind == "syscall" && machine.cores[core].mode == .kernel {
            throw Diagnostic(
                "cpu \(core) is in kernel mode; a system call comes from user code (switch to a process first)",
                at: call.range)
        }
        let entry = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try machine.enterKernel(core: core)
        }
        if !entry.crossed {
            interpreter.report("\(kind)\(name) on cpu \(core): already in kernel mode, no CR3 switch")
        } else {
            interpreter.report("\(kind)\(name) on cpu \(core): enter kernel mode")
            interpreter.reportCrossing(entry)
        }
        if let block = call.block {
            do {
                _ = try interpreter.pinningMachine(kind) { try interpreter.execute(block) }
            } catch {
                // An error or Ctrl-C in the block: the core still returns to user mode.
                if entry.crossed { _ = try? machine.exitKernel(core: core) }
                throw error
            }
        }
        guard entry.crossed else { return }
        let exit = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try machine.exitKernel(core: core)
        }
        guard exit.crossed else {
            let state = machine.cores[core].mode == .user ? "already back in user mode" : "no user thread to return to"
            interpreter.report("\(kind)\(name) on cpu \(core): \(state)")
            return
        }
        interpreter.report("\(kind)\(name) on cpu \(core): return to user mode")
        interpreter.reportCrossing(exit)
    }

    static let on = CommandSpec(
        name: "on",
        summary: "run the block on another core (on cpu 1 { … })",
        parameters: [ParameterSpec("cpu", .word(["cpu"]), completion: .words), ParameterSpec("N")],
        block: .required
    ) { interpreter, call in
        let number = try interpreter.integer(call.arguments[1], "the cpu number")
        guard number < UInt64(interpreter.machine.cores.count) else {
            throw Diagnostic(
                "no cpu \(number): this machine has \(Format.plural(interpreter.machine.cores.count, "core"))",
                at: call.arguments[1].range)
        }
        guard let block = call.block else { return }
        let saved = interpreter.currentCore
        let generation = interpreter.machineGeneration
        interpreter.currentCore = Int(number)
        // A `machine` or `reset` inside replaced the cores: the saved one may not exist any more.
        defer { interpreter.currentCore = interpreter.machineGeneration == generation ? saved : 0 }
        _ = try interpreter.execute(block)
    }

    static let invlpg = CommandSpec(
        name: "invlpg",
        summary: "invalidate the current core's TLB entry for one page (global ones too)",
        details: "Privileged: in user mode the CPU raises #GP instead (and Linux sends SIGSEGV).",
        parameters: [ParameterSpec("ADDR")], instructionSet: .x86
    ) { interpreter, call in
        let address = try interpreter.integer(call.arguments[0], "the address")
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.invalidatePage(address, core: core)
        }
        interpreter.report(
            "invlpg \(Format.hex(address)) on cpu \(core): " + privileged(outcome, "INVLPG", core: core, in: interpreter, address: address) { dropped in
                "\(Format.plural(dropped, "entry", "entries")) dropped"
            })
    }

    static let invpcid = CommandSpec(
        name: "invpcid",
        summary: "invalidate TLB entries by PCID: type 0 one address, 1 one PCID, 2 all, 3 all but global",
        details: """
            invpcid 0 pcid=N addr=ADDR   the non-global entry for ADDR tagged N
            invpcid 1 pcid=N             every non-global entry tagged N
            invpcid 2                    every entry, global ones too
            invpcid 3                    every entry but global ones
            Privileged: #GP in user mode, and for a type above 3 or a PCID above 4095.
            """,
        parameters: [ParameterSpec("TYPE")],
        options: [
            OptionSpec("pcid", placeholder: "N", help: "the PCID (types 0 and 1; default the current one)"),
            OptionSpec("addr", placeholder: "ADDR", help: "the address (type 0)"),
        ], needsKernel: true, instructionSet: .x86
    ) { interpreter, call in
        let type = try interpreter.integer(call.arguments[0], "the INVPCID type")
        let core = interpreter.currentCore
        let pcid = try call.option("pcid").map { try interpreter.integer($0.value, "pcid") }
            ?? UInt64(interpreter.machine.cores[core].tag)
        let address = try call.option("addr").map { try interpreter.integer($0.value, "addr") } ?? 0
        if type == 0 && call.option("addr") == nil {
            throw Diagnostic("invpcid 0 invalidates one address: give it with addr=ADDR", at: call.range)
        }
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.invalidatePCID(type: type, pcid: pcid, address: address, core: core)
        }
        let scope: String
        switch type {
        case 0: scope = "type 0, PCID \(pcid), \(Format.hex(address))"
        case 1: scope = "type 1, PCID \(pcid)"
        case 2: scope = "type 2, all PCIDs, global entries too"
        default: scope = "type \(type), all PCIDs but global entries"
        }
        if outcome == .generalProtection && interpreter.machine.cores[core].mode == .kernel {
            interpreter.report(
                "invpcid \(scope) on cpu \(core): general protection fault (#GP): the type must be 0 to 3, "
                    + "the PCID at most 4095 and the address canonical; the kernel oopses")
            return
        }
        interpreter.report(
            "invpcid \(scope) on cpu \(core): " + privileged(outcome, "INVPCID", core: core, in: interpreter) {
                dropped in "\(Format.plural(dropped, "entry", "entries")) dropped"
            })
    }

    static let flush = CommandSpec(
        name: "flush",
        summary: "flush the current core's whole TLB, global entries too (flush tlb)",
        details: """
            Toggles CR4.PGE off and on, as Linux's __flush_tlb_all does: the only way
            besides INVLPG to drop global entries. Privileged: #GP in user mode.
            """,
        parameters: [ParameterSpec("WHAT", .word(["tlb"]), completion: .words)], instructionSet: .x86
    ) { interpreter, call in
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.flushTLB(core: core)
        }
        interpreter.report(
            "flush tlb on cpu \(core): " + privileged(outcome, "a CR4 write", core: core, in: interpreter) { dropped in
                "CR4.PGE toggled, \(Format.plural(dropped, "entry", "entries")) dropped"
            })
    }

    static let stac = CommandSpec(
        name: "stac",
        summary: "set EFLAGS.AC: with smap=on the kernel may touch user pages until clac",
        details: "Kernel-only (#UD in user mode). uaccess { … } sets and clears it around a block.", needsKernel: true,
        instructionSet: .x86
    ) { interpreter, call in
        try setAccessFlag(interpreter, call, true)
    }

    static let clac = CommandSpec(
        name: "clac",
        summary: "clear EFLAGS.AC: with smap=on kernel accesses to user pages fault again",
        details: "Kernel-only (#UD in user mode).", needsKernel: true, instructionSet: .x86
    ) { interpreter, call in
        try setAccessFlag(interpreter, call, false)
    }

    private static func setAccessFlag(_ interpreter: Interpreter, _ call: BoundCommand, _ on: Bool) throws {
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.setUserAccess(on, core: core, exceptionTable: false)
        }
        let name = on ? "stac" : "clac"
        interpreter.report(
            "\(name) on cpu \(core): " + privileged(outcome, name.uppercased(), core: core, in: interpreter, undefined: true) { _ in
                "EFLAGS.AC " + (on ? "set" : "clear")
            })
    }

    static let uaccess = CommandSpec(
        name: "uaccess",
        summary: "run a block as a uaccess routine (copy_from_user): stac, the block, clac",
        details: """
            Inside a system call: the block's accesses to user memory are what
            copy_from_user and copy_to_user do. EFLAGS.AC is set (so SMAP allows
            them), and a fault on a bad user address is fixed up by the exception
            table: the access fails with -EFAULT (last.fault == "efault") instead
            of an oops. Outside it, the same fault in kernel mode is an oops.
            With kernel=separate (xv6) the kernel table maps no user page: the
            block's loads and stores of user addresses are copyin and copyout,
            which walk the process's table in software (walkaddr: V and U, and W
            for a store) and move the bytes through the direct map; a bad
            address returns -1 (last.fault == "efault"), with no page fault.
            """,
        block: .required, needsKernel: true
    ) { interpreter, call in
        let core = interpreter.currentCore
        let machine = interpreter.machine
        guard machine.cores[core].mode == .kernel else {
            throw Diagnostic(
                "uaccess is kernel code: put it inside a system call (syscall { uaccess { … } })", at: call.nameRange)
        }
        guard let block = call.block else { return }
        let saved = (machine.cores[core].alignmentCheck, machine.perCPU[core].inUserAccess)
        // xv6 (kernel=separate): copyin and copyout walk the user table themselves; no SUM.
        let separate = machine.configuration.separateKernelTable
        _ = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try machine.setUserAccess(true, core: core, exceptionTable: true, liftingSMAP: !separate)
        }
        let instructions = machine.architecture.userAccessInstructions
        let (begin, end) = separate
            ? ("uaccess on cpu \(core): copyin and copyout (xv6's vm.c), which walk the process's table in software "
                + "because the kernel table maps no user page", "uaccess on cpu \(core): done")
            : ("\(instructions.open.text) on cpu \(core): \(instructions.open.effect)",
                "\(instructions.close.text) on cpu \(core): \(instructions.close.effect)")
        interpreter.report(begin + ", a uaccess routine begins")
        defer {
            // On every path, errors and Ctrl-C included: the flag must not stay set.
            _ = try? machine.setUserAccess(saved.0, core: core, exceptionTable: saved.1)
            if !saved.1 { interpreter.report(end + ", the uaccess routine ends") }
        }
        _ = try interpreter.pinningMachine("uaccess") { try interpreter.execute(block) }
    }

    /// What a privileged instruction did, or the fault it raised in user mode
    /// (which `last` then describes, as it describes any fault).
    private static func privileged(
        _ outcome: PrivilegedOutcome, _ instruction: String, core: Int, in interpreter: Interpreter,
        address: UInt64 = 0, undefined: Bool = false, done: (Int) -> String
    ) -> String {
        switch outcome {
        case .done(let dropped): return done(dropped)
        case .generalProtection:
            interpreter.lastAccess = .privilegedInstructionFault(
                core: core, address: address, kind: undefined ? .invalidOpcode : .generalProtection)
            let exception = undefined ? "invalid opcode (#UD)" : "general protection fault (#GP)"
            return "\(exception): \(instruction) needs kernel mode"
                + (interpreter.machine.cores[core].mode == .user
                    ? " and cpu \(core) runs user code; the kernel sends SIGSEGV" : "; the kernel oopses")
        }
    }
}

extension Interpreter {
    /// The entry-code fetches and any CR3 switch of a kernel entry or exit.
    func reportCrossing(_ crossing: KernelCrossing) {
        guard !isQuiet else { return }
        var fetches = crossing.fetches
        if let write = crossing.write, !fetches.isEmpty {
            // Under KPTI: the trampoline first, then the CR3 switch.
            output.write("  " + AccessRenderer.line(fetches.removeFirst(), architecture: machine.architecture) + "\n")
            let deferred = write.reason == .returnToUser && machine.configuration.addressSpaceIDs && write.flushed
            let architecture = machine.architecture
            output.write(
                "  \(machine.configuration.separateKernelTable ? "kernel table" : "KPTI"): \(architecture.baseRegister) "
                    + "\(Format.hex(write.previous)) -> \(Format.hex(write.written)), "
                    + (write.flushed
                        ? EventRenderer.flushText(write, architecture)
                        : architecture.baseRegisterHasNoFlushBit ? "no flush (PCID, bit 63)" : "no flush (\(architecture.tagName))")
                    + (deferred ? " (the user PCID's deferred flush)" : "") + "\n")
        }
        for fetch in fetches { output.write("  " + AccessRenderer.line(fetch, architecture: machine.architecture) + "\n") }
    }
}
