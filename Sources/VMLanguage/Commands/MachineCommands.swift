import VMMachine

/// Commands that build the machine and change address spaces: the kernel's work.
enum MachineCommands {
    static let all: [CommandSpec] = [machine, spawn, map, unmap, switchProcess]

    static let machine = CommandSpec(
        name: "machine",
        summary: "replace the machine with a fresh one",
        details: """
            Builds a new machine: physical memory, one core with its CR3 and TLB, and
            a kernel whose master page table maps all RAM at 0xffff888000000000 and
            the kernel image at 0xffffffff80000000 with 2 MiB global pages.
            Processes of the old machine are gone.
            """,
        parameters: [ParameterSpec("ARCH", .word(MachineConfiguration.supportedArchitectures), completion: .words)],
        options: [
            OptionSpec("tlb", placeholder: "N", help: "TLB entries (default 64)"),
            OptionSpec("tlb_ways", placeholder: "N", help: "TLB associativity (default 4; entries/ways must be a power of two)"),
            OptionSpec("ram", placeholder: "SIZE", help: "physical memory, a multiple of 2M (default 64M)"),
        ]
    ) { interpreter, call in
        var configuration = MachineConfiguration()
        configuration.architecture = interpreter.word(call.arguments[0])
        func count(_ name: String) throws -> Int? {
            guard let option = call.option(name) else { return nil }
            let value = try interpreter.integer(option.value, name)
            guard value <= UInt64(TLB.maximumEntries) else {
                throw Diagnostic("\(name)=\(value) is too large (at most \(TLB.maximumEntries))", at: option.value.range)
            }
            return Int(value)
        }
        if let entries = try count("tlb") { configuration.tlbEntries = entries }
        if let ways = try count("tlb_ways") { configuration.tlbWays = ways }
        if let ram = call.option("ram") { configuration.ramBytes = try interpreter.integer(ram.value, "ram") }
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.replaceMachine(configuration)
        }
        let machine = interpreter.machine
        let tlb = machine.cores[0].tlb
        interpreter.report(
            "machine \(configuration.architecture): \(Format.plural(machine.cores.count, "core")), "
                + "\(Format.size(configuration.ramBytes)) RAM (\(machine.framesTotal) frames, "
                + "\(machine.reservedFrames) reserved for the kernel image), "
                + "TLB \(tlb.entryCount) entries (\(tlb.sets) sets x \(tlb.ways) ways)")
    }

    static let spawn = CommandSpec(
        name: "spawn",
        summary: "create a process and bind it to a name",
        details: """
            The kernel allocates a PML4 for the new process and copies the kernel
            half (entries 256-511) from its master PML4, so every process shares
            the same kernel page tables while its user half starts empty.
            """,
        parameters: [ParameterSpec("NAME", .identifier)]
    ) { interpreter, call in
        guard case .name(let name, let range) = call.arguments[0] else { return }
        try interpreter.checkBindable(name, at: range)
        let process = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.spawn(name: name)
        }
        interpreter.bindProcess(name, process)
        let shared = interpreter.machine.presentEntries(ofTable: process.root).map { String($0.index) }
        interpreter.report(
            "spawn \(name): pid \(process.pid), PML4 at \(Format.hex(process.root)); "
                + "kernel entries \(shared.joined(separator: ", ")) copied from the master PML4")
    }

    static let map = CommandSpec(
        name: "map",
        summary: "map user pages into a process now, writing its page-table entries",
        details: """
            Allocates zeroed frames and writes leaf entries (and any missing page
            tables) at once. ADDR must be 4 KiB aligned and in the user half.
            Protection r, rw, rx or rwx may be given bare or as prot=.
            """,
        parameters: [
            ParameterSpec("PROC", completion: .process),
            ParameterSpec("ADDR"),
            ParameterSpec("PROT", .word(Protection.spellings.map(\.name)), optional: true, completion: .words),
        ],
        options: [
            OptionSpec("size", placeholder: "SIZE", help: "bytes to map, a multiple of 4K (default 4K)"),
            OptionSpec("prot", .word(Protection.spellings.map(\.name)), placeholder: "PROT", help: "r, rw, rx or rwx (default rw)"),
        ]
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        let address = try interpreter.integer(call.arguments[1], "the address")
        let size = try call.option("size").map { try interpreter.integer($0.value, "size") } ?? AddressLayout.pageSize
        if call.argument(2) != nil, let option = call.option("prot") {
            throw Diagnostic("protection given twice: as a word and as prot=", at: option.nameRange)
        }
        let spelling = (call.argument(2) ?? call.option("prot")?.value).map(interpreter.word) ?? "rw"
        let protection = Protection(spelling: spelling) ?? .readWrite
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.map(reference.pid, at: address, size: size, protection: protection)
        }
        interpreter.report(
            "map \(reference.name) \(Format.hex(address)) (\(Format.plural(outcome.frames.count, "page")), "
                + "\(protection.spelling)): " + framesText(outcome.frames)
                + "; \(Format.plural(outcome.newTables.count, "new page table"))")
    }

    static let unmap = CommandSpec(
        name: "unmap",
        summary: "remove user pages from a process, free their frames and invalidate their TLB entries",
        parameters: [ParameterSpec("PROC", completion: .process), ParameterSpec("ADDR")],
        options: [OptionSpec("size", placeholder: "SIZE", help: "bytes to unmap, a multiple of 4K (default 4K)")]
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        let address = try interpreter.integer(call.arguments[1], "the address")
        let size = try call.option("size").map { try interpreter.integer($0.value, "size") } ?? AddressLayout.pageSize
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.unmap(reference.pid, at: address, size: size)
        }
        interpreter.report(
            "unmap \(reference.name) \(Format.hex(address)) (\(Format.plural(outcome.freedFrames.count, "page"))): freed "
                + framesText(outcome.freedFrames)
                + "; \(Format.plural(outcome.tlbEntriesInvalidated, "TLB entry", "TLB entries")) invalidated")
    }

    static let switchProcess = CommandSpec(
        name: "switch",
        summary: "context-switch the current core to a process (writes CR3, flushes the TLB)",
        details: """
            Loads the process's PML4 address into CR3. Without PCIDs a CR3 write
            drops every non-global TLB entry; global (kernel) entries survive.
            Switching to the process already running writes nothing.
            """,
        parameters: [ParameterSpec("PROC", completion: .process)]
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.switchTo(reference.pid, core: core)
        }
        if outcome.wroteCR3 {
            interpreter.report(
                "switch cpu \(core) to \(reference.name): CR3 \(Format.hex(outcome.oldCR3)) -> "
                    + "\(Format.hex(outcome.newCR3)), TLB flush dropped "
                    + "\(Format.plural(outcome.entriesFlushed, "entry", "entries")), kept "
                    + "\(outcome.globalEntriesKept) global")
        } else {
            interpreter.report(
                "switch cpu \(core) to \(reference.name): already loaded, CR3 unchanged, no flush")
        }
    }

    /// "frame 0x5000", "frames 0x5000 0x6000", or first … last for many.
    static func framesText(_ frames: [UInt64]) -> String {
        frames.isEmpty ? "no frames" : (frames.count == 1 ? "frame " : "frames ") + Format.addressList(frames)
    }
}

extension Interpreter {
    /// Rejects names that a new binding may not take.
    func checkBindable(_ name: String, at range: SourceRange) throws {
        if registry.command(named: name) != nil {
            throw Diagnostic("'\(name)' is a command and cannot name a process", at: range)
        }
        if Builtins.reservedNames.contains(name) {
            throw Diagnostic("'\(name)' is a built-in name and cannot name a process", at: range)
        }
        if let existing = globals.lookup(name) {
            if case .process(let reference) = existing, (try? liveProcess(reference)) == nil {
                return  // a process of a replaced machine: the name is free again
            }
            throw Diagnostic("'\(name)' is already \(existing.typeName) \(existing.displayText)", at: range)
        }
    }

    func bindProcess(_ name: String, _ process: Process) {
        globals.define(name, .process(ProcessReference(pid: process.pid, name: name, generation: machineGeneration)))
    }
}
