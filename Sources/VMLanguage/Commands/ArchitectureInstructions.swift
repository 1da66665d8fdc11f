import VMMachine

/// TLB maintenance that is one architecture's own instruction: RISC-V's
/// sfence.vma and ARM's TLBI (x86's invlpg, invpcid and flush are in
/// KernelCommands). Each is refused, naming the machine's own, elsewhere.
enum ArchitectureInstructions {
    static let all: [CommandSpec] = [sfenceVMA, tlbi]

    static let sfenceVMA = CommandSpec(
        name: "sfence_vma",
        summary: "RISC-V's sfence.vma: invalidate the core's TLB entries by address and ASID",
        details: """
            sfence_vma                 every entry, global ones too (rs1 = rs2 = x0)
            sfence_vma asid=N          the non-global entries of ASID N
            sfence_vma ADDR            the entries for ADDR in every ASID, global ones too
            sfence_vma ADDR asid=N     the non-global entry for ADDR in ASID N
            Only this hart: another one's entries go with an IPI and its own sfence.vma.
            Writing satp flushes nothing; the kernel fences after it. U-mode may not
            run it (an illegal-instruction exception: Linux sends SIGILL).
            """,
        parameters: [ParameterSpec("ADDR", optional: true)],
        options: [OptionSpec("asid", placeholder: "N", help: "the ASID (satp bits 59:44, at most 65535)")],
        needsKernel: true, instructionSet: .riscv
    ) { interpreter, call in
        let core = interpreter.currentCore
        let address = try call.arguments.first.map { try interpreter.integer($0, "the address") }
        let asid = try asidOption(call, interpreter)
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.fenceVirtualMemory(address: address, asid: asid, core: core)
        }
        var form = "sfence.vma " + (address.map(Format.hex) ?? "x0") + ", " + (asid.map { "ASID \($0)" } ?? "x0")
        switch (address, asid) {
        case (nil, nil): form += " (every entry, global ones too)"
        case (nil, _?): form += " (its non-global entries)"
        case (_?, nil): form += " (that page in every ASID, global entries too)"
        case (_?, _?): form += " (that page, non-global)"
        }
        switch outcome {
        case .done(let dropped):
            interpreter.report("\(form) on cpu \(core): \(Format.plural(dropped, "entry", "entries")) dropped")
        case .generalProtection:
            refusedInUserMode(interpreter, form, core: core, address: address, "illegal instruction (scause 2): sfence.vma needs S-mode")
        }
    }

    static let tlbiOperations = Machine.TLBIOperation.allCases.flatMap { [$0.rawValue, $0.rawValue + "is"] }

    static let tlbi = CommandSpec(
        name: "tlbi",
        summary: "ARM's TLBI: invalidate TLB entries by address and ASID, on this core or (…is) on every core",
        details: """
            tlbi vae1 ADDR [asid=N]    the entry for ADDR tagged N (default: the current ASID), and global ones for it
            tlbi vaae1 ADDR            the entries for ADDR in every ASID
            tlbi aside1 [asid=N]       every non-global entry tagged N
            tlbi vmalle1               every entry, global ones too
            Each with "is" (vae1is, …) reaches every core in the Inner Shareable domain by
            hardware, with no IPI: Linux uses only those. EL0 may not run TLBI (an exception:
            Linux sends SIGILL).
            """,
        parameters: [
            ParameterSpec("OP", .word(tlbiOperations), completion: .words), ParameterSpec("ADDR", optional: true),
        ],
        options: [OptionSpec("asid", placeholder: "N", help: "the ASID (TTBR0_EL1 bits 63:48, at most 65535)")],
        needsKernel: true, instructionSet: .arm
    ) { interpreter, call in
        let word = interpreter.word(call.arguments[0])
        let broadcast = word.hasSuffix("is")
        guard let operation = Machine.TLBIOperation(rawValue: broadcast ? String(word.dropLast(2)) : word) else { return }
        let core = interpreter.currentCore
        let byAddress = operation == .vae1 || operation == .vaae1
        let address = try call.argument(1).map { try interpreter.integer($0, "the address") }
        if byAddress && address == nil {
            throw Diagnostic("tlbi \(word) invalidates one address: give it (tlbi \(word) ADDR)", at: call.range)
        }
        if !byAddress, let extra = call.argument(1) {
            throw Diagnostic("tlbi \(word) takes no address", at: extra.range)
        }
        let asid = try asidOption(call, interpreter) ?? interpreter.machine.cores[core].tag
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.invalidateTLB(operation, broadcast: broadcast, address: address ?? 0, asid: asid, core: core)
        }
        var form = "tlbi \(word)"
        switch operation {
        case .vae1: form += " \(Format.hex(address ?? 0)), ASID \(asid)"
        case .vaae1: form += " \(Format.hex(address ?? 0)), every ASID"
        case .aside1: form += ", ASID \(asid)"
        case .vmalle1: break
        }
        let reach = broadcast ? "every core (broadcast, no IPI)" : "cpu \(core)"
        switch outcome {
        case .done(let dropped):
            interpreter.report("\(form) on \(reach): \(Format.plural(dropped, "entry", "entries")) dropped")
        case .generalProtection:
            refusedInUserMode(interpreter, form, core: core, address: address, "undefined instruction: TLBI needs EL1")
        }
    }

    /// `asid=N`, at most 16 bits (RISC-V's ASIDLEN and ARM's largest ASID).
    private static func asidOption(_ call: BoundCommand, _ interpreter: Interpreter) throws -> UInt16? {
        try call.option("asid").map { option -> UInt16 in
            let value = try interpreter.integer(option.value, "asid")
            guard value <= 0xFFFF else {
                throw Diagnostic("asid=\(value): an ASID has at most 16 bits (0 to 65535)", at: option.value.range)
            }
            return UInt16(value)
        }
    }

    /// TLB maintenance from user mode: the exception it raises, which `last` then describes.
    private static func refusedInUserMode(
        _ interpreter: Interpreter, _ form: String, core: Int, address: UInt64?, _ exception: String
    ) {
        interpreter.lastAccess = .privilegedInstructionFault(core: core, address: address ?? 0, kind: .invalidOpcode)
        interpreter.report("\(form) on cpu \(core): \(exception) and cpu \(core) runs user code; the kernel sends SIGILL")
    }
}
