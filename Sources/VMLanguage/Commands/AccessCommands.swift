import VMMachine

/// Memory references made by the running code on the current core.
enum AccessCommands {
    static let all: [CommandSpec] = [read, write, exec]

    static let read = CommandSpec(
        name: "read",
        summary: "load a word (8 bytes on x86-64) from a virtual address and show the translation",
        details: """
            The MMU looks the address up in the TLB; on a miss it walks the page
            table from CR3 (PML4 -> PDPT -> PD -> PT), checks permissions, sets the
            accessed bit and fills the TLB. The result is kept in 'last'. A word is
            8 bytes on x86-64, 4 on i386 and the machine's word= on a textbook
            machine (1 byte on csapp and ostep).
            """,
        parameters: [ParameterSpec("ADDR")]
    ) { interpreter, call in
        try perform(.read, interpreter, call)
    }

    static let write = CommandSpec(
        name: "write",
        summary: "store a word (8 bytes on x86-64) at a virtual address and show the translation",
        details: "Like read, but also needs a writable page and sets the dirty bit.",
        parameters: [ParameterSpec("ADDR"), ParameterSpec("VALUE")]
    ) { interpreter, call in
        try perform(.write, interpreter, call)
    }

    static let exec = CommandSpec(
        name: "exec",
        summary: "fetch a word of instructions from a virtual address (NX applies)",
        details: "An instruction fetch: faults if any level of the walk has the NX bit set.",
        parameters: [ParameterSpec("ADDR")]
    ) { interpreter, call in
        try perform(.execute, interpreter, call)
    }

    private static func perform(_ kind: AccessKind, _ interpreter: Interpreter, _ call: BoundCommand) throws {
        let address = try interpreter.integer(call.arguments[0], "the address")
        let value = kind == .write ? try interpreter.integer(call.arguments[1], "the value") : 0
        let core = interpreter.currentCore
        // The walk's steps are recorded only for the line that shows them.
        let printed = !interpreter.isQuiet
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.access(
                address, kind: kind, storing: value, core: core, into: &interpreter.lastAccessStorage.pointee,
                keepingWalk: printed)
        }
        if printed, let outcome = interpreter.lastAccessStorage.pointee {
            let showCore = interpreter.machine.cores.count > 1
            let machine = interpreter.machine
            interpreter.output.write(
                AccessRenderer.line(
                    outcome, architecture: machine.architecture, showCore: showCore,
                    separateKernel: machine.configuration.separateKernelTable) + "\n")
        }
    }
}
