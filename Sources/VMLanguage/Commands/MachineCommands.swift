import VMMachine

/// `machine`: building the computer the other commands act on.
enum MachineCommands {
    static let all: [CommandSpec] = [machine]

    static let switches = ["on", "off"]

    /// Cost options: name, help, and where the value goes.
    /// Each with what it charges and where its default comes from (`show costs` prints this table).
    static let costOptions: [(name: String, help: String, source: String, path: WritableKeyPath<CostModel, UInt64> & Sendable)] = [
        ("cost_hit", "cycles per TLB hit", "H&P: a hit takes 0.5-1 cycle", \.tlbHit),
        ("cost_stlb", "cycles added when an L1 TLB miss hits in the STLB", "ChampSim's STLB latency 8; Haswell measured ~12", \.secondLevelHit),
        ("cost_walk", "cycles per page-walk memory reference", "assumption: between L2 (12) and L3 (44) on Skylake", \.walkReference),
        ("cost_dirty", "cycles for the dirty-bit assist (first write through a clean entry)", "assumption: one locked update, a walk reference", \.dirtyAssist),
        ("cost_fault", "cycles per page fault, kernel entry to exit", "assumption: a minor fault's kernel work, ~1 us", \.pageFault),
        ("cost_zero", "cycles per 4 KiB frame zeroed (a 2 MiB page is 512)", "assumption: clear_page at ~8 bytes a cycle", \.zeroPage),
        ("cost_copy", "cycles per 4 KiB frame copied (copy-on-write)", "assumption: a read and a write, twice zeroing", \.copyPage),
        ("cost_swap", "cycles per 4 KiB page written to swap or read back (frames=N)", "assumption: an NVMe 4 KiB I/O, ~20 us", \.swapPage),
        ("cost_pte", "cycles per page-table entry the kernel writes or clears", "assumption: a store and its bookkeeping", \.entryWrite),
        ("cost_invlpg", "cycles per INVLPG (or INVPCID of one address)", "tlb.c: \"Each single flush is about 100 ns\"", \.invlpg),
        ("cost_flush", "cycles per whole-TLB or whole-PCID flush", "assumption: the order of the CR3 write doing it", \.tlbFlush),
        ("cost_cr3", "cycles per CR3 write", "pti.rst: \"on the order of a hundred cycles\"", \.baseRegisterWrite),
        ("cost_entry", "cycles per kernel entry and exit, CR3 aside", "assumption: syscall + sysret ~100 cycles", \.kernelEntry),
        ("cost_ipi", "cycles per shootdown IPI, paid by the sender", "Amit, ATC'17: shootdowns take microseconds", \.interProcessorInterrupt),
        ("cost_ipi_receive", "cycles per shootdown IPI, paid by the receiver", "assumption: half the sender's wait", \.interruptReceived),
        ("cost_refill", "cycles per run of MIPS's TLB Refill handler (or its TLB Modified fast path)", "only MIPS refills its TLB in software: unused elsewhere", \.refillHandler),
    ]

    /// Options every machine takes.
    static let commonOptions = [
        OptionSpec("cores", placeholder: "N", help: "cores, each with its own base register and TLB (default 1)"),
        OptionSpec("tlb", placeholder: "N", help: "TLB entries per core (default 64; 16 on textbook machines)"),
        OptionSpec("tlb_ways", placeholder: "N", help: "TLB associativity (default 4; entries/ways must be a power of two)"),
    ]

    /// Options of x86-64 and its kernel model.
    static let kernelOptions = [
        OptionSpec(
            "tlb_model", .word(TLBModel.allCases.map(\.rawValue)), placeholder: "unified|skylake|split",
            help: "one unified TLB (default), Skylake's split L1 ITLB/DTLB and STLB, or a small split one"),
        OptionSpec("ram", placeholder: "SIZE", help: "physical memory, a multiple of 2M (default 64M)"),
        OptionSpec("pae", .word(switches), placeholder: "on|off", help: "i386: PAE's three levels of 8-byte entries, NX and 2 MiB pages (default off)"),
        OptionSpec("mode", .word(["sv39", "sv48"]), placeholder: "sv39|sv48", help: "riscv64: satp's paging mode, three or four levels (default sv39)"),
        OptionSpec("pcid", .word(switches), placeholder: "on|off", help: "tag TLB entries with PCIDs (default off)"),
        OptionSpec("asid", .word(switches), placeholder: "on|off", help: "riscv64, aarch64, mips32: tag TLB entries with ASIDs (default off)"),
        OptionSpec("kpti", .word(switches), placeholder: "on|off", help: "page-table isolation: two PML4s per process (default off)"),
        OptionSpec(
            "kernel", .word(["shared", "separate", "kpti", "split"]), placeholder: "shared|separate|kpti|split",
            help: "how the kernel maps itself: its half in every process's table (default), xv6's separate kernel table switched to on every trap, KPTI, or ARM's TTBR1 (aarch64's only design)"),
        OptionSpec("shootdown", .word(switches), placeholder: "on|off", help: "TLB shootdown IPIs; off shows the stale-TLB bug (default on)"),
        OptionSpec("thp", .word(switches), placeholder: "on|off", help: "transparent huge pages: a partial munmap/mprotect splits a 2 MiB page (default on)"),
        OptionSpec("pge", .word(switches), placeholder: "on|off", help: "CR4.PGE: global entries survive CR3 writes (default on)"),
        OptionSpec("smep", .word(switches), placeholder: "on|off", help: "CR4.SMEP: the kernel may not execute user pages (default off)"),
        OptionSpec("smap", .word(switches), placeholder: "on|off", help: "CR4.SMAP: the kernel touches user pages only between stac and clac (default off)"),
        OptionSpec("frames", placeholder: "N", help: "at most N user pages (up to 65536) hold frames; past that, pages are replaced and swapped (default: no limit)"),
        OptionSpec(
            "policy", .word(ReplacementPolicy.allCases.map(\.rawValue)), placeholder: "fifo|lru|clock|eclock|rand|opt",
            help: "the page-replacement policy with frames=N (default fifo; opt in replay only)"),
    ] + costOptions.map {
        OptionSpec($0.name, placeholder: "N", help: "\($0.help) (default \(CostModel()[keyPath: $0.path]))")
    }

    /// The options `vmlab replay` passes on: a replay runs a process, so x86-64's.
    static var replayOptions: [OptionSpec] { commonOptions + kernelOptions }

    static let machine = CommandSpec(
        name: "machine",
        summary: "replace the machine with a fresh one",
        details: """
            x86_64 builds physical memory, cores each with a CR3 and a TLB, and a kernel
            whose master page table maps all RAM at 0xffff888000000000 and the kernel
            image at 0xffffffff80000000 with 2 MiB pages (global unless kpti=on) and the
            entry trampoline at 0xfffffe0000000000 (levels=5: LA57's PML5).
            i386 is 32-bit x86: two levels of 4-byte entries, 4 MiB pages, no NX, the
            3G/1G split (pae=on: PAE's PDPT of four entries, 8-byte entries, NX).
            riscv64 is Sv39 (mode=sv48: four levels): satp with MODE, ASID and PPN,
            V R W X U G A D entries, leaves at any level, sfence_vma.
            aarch64 has two base registers: TTBR0_EL1 for each process's user half,
            TTBR1_EL1 for the kernel's table, never switched (its bits 63:48 hold the
            ASID, rewritten on every switch, as TCR_EL1.A1 = 1 asks); TLBI is broadcast.
            With asid=on, ASIDs (and x86's PCIDs) come from six slots per core, least
            recently used first: Linux's ASID allocators are global, with generations.
            mips32 has no hardware walker: a 48-entry TLB of page pairs that the
            kernel's refill handler fills, and the kernel in unmapped kseg0.
            csapp is CS:APP's small memory system (14-bit virtual, 12-bit physical
            addresses, 64-byte pages, one-level table, a 16-entry 4-way TLB) and ostep
            OSTEP's two-level homework machine (15-bit virtual addresses, 32-byte pages,
            5 + 5 index bits, PDBR). custom takes every number itself. Textbook
            machines have no kernel: set the base register with ptbr, write tables
            with poke or load a page dump, and type TLB entries in with tlbset; reads
            move one byte. The geometry options override a preset's numbers.
            Processes of the old machine are gone.
            What the model leaves out: fresh entries start old and clean (A = 0,
            D = 0; Linux makes them young), and a read fault maps a page of its own,
            not the shared zero page; KPTI runs on 4-level x86-64 only (not LA57,
            not i386); xv6's kernel table keeps vmlab's megapages and G bits, with
            one fence per satp write; each machine's cycle figures are listed, with
            their sources or marked as assumptions, by show costs.
            """,
        parameters: [ParameterSpec("ARCH", .word(MachinePreset.all.map(\.name) + GeometryOptions.machineNames), completion: .words)],
        options: commonOptions + GeometryOptions.all + kernelOptions
    ) { interpreter, call in
        var configuration = MachineConfiguration()
        let name = interpreter.word(call.arguments[0])
        let preset = MachinePreset.named(name)
        if let preset {
            if let option = GeometryOptions.all.lazy.filter({ !preset.geometryOptions.contains($0.name) })
                .compactMap({ call.option($0.name) }).first
            {
                throw Diagnostic(
                    "\(option.name)= shapes a textbook machine (csapp, ostep, custom); \(name)'s geometry is fixed",
                    at: option.nameRange)
            }
            try preset.configure(&configuration, call, interpreter)
            if let given = preset.refusedOptions.lazy.compactMap({ call.option($0) }).first {
                throw Diagnostic(preset.refusal(given.name), at: given.nameRange)
            }
        } else {
            if let option = kernelOptions.lazy.compactMap({ call.option($0.name) }).first {
                throw Diagnostic(
                    "\(option.name)= belongs to x86_64's kernel model; machine \(name) has no kernel", at: option.nameRange)
            }
            configuration.architecture = try GeometryOptions.architecture(name, call, interpreter)
            configuration.tlbEntries = 16
        }
        func count(_ name: String, limit: UInt64) throws -> Int? { try interpreter.option(name, of: call, atMost: limit) }
        if let option = call.option("tlb_model") {
            configuration.tlbModel = TLBModel(rawValue: interpreter.word(option.value)) ?? .unified
            if configuration.tlbModel != .unified && !configuration.architecture.signExtended {
                throw Diagnostic(
                    "tlb_model=\(configuration.tlbModel.rawValue) describes a 64-bit Intel core's TLBs; i386 has the unified one",
                    at: option.value.range)
            }
            if configuration.tlbModel != .unified, let sized = call.option("tlb") ?? call.option("tlb_ways") {
                throw Diagnostic(
                    "\(sized.name)= sizes the unified TLB; tlb_model=\(configuration.tlbModel.rawValue) has its own geometry",
                    at: sized.nameRange)
            }
        }
        if let entries = try count("tlb", limit: UInt64(TLB.maximumEntries)) { configuration.tlbEntries = entries }
        if let ways = try count("tlb_ways", limit: UInt64(TLB.maximumEntries)) { configuration.tlbWays = ways }
        if let cores = try count("cores", limit: UInt64(MachineConfiguration.maximumCores)) { configuration.cores = cores }
        if let ram = call.option("ram") { configuration.ramBytes = try interpreter.integer(ram.value, "ram") }
        try preset?.checkOwnOptions(call, configuration)
        if let option = call.option("asid") { configuration.addressSpaceIDs = interpreter.word(option.value) == "on" }
        if let option = call.option("pcid") {
            configuration.addressSpaceIDs = interpreter.word(option.value) == "on"
            if configuration.addressSpaceIDs && !configuration.architecture.supportsPCID {
                throw Diagnostic(
                    "pcid=on: \(name) has no PCIDs (CR4.PCIDE exists only in 64-bit mode)", at: option.nameRange)
            }
        }
        if let option = call.option("kernel"), configuration.architecture.splitBaseRegisters {
            guard interpreter.word(option.value) == "split" else {
                throw Diagnostic(
                    "kernel=\(interpreter.word(option.value)): aarch64 maps its kernel through TTBR1_EL1, which the "
                        + "upper half of every address uses; kernel=split is its design", at: option.value.range)
            }
        } else if let option = call.option("kernel") {
            switch interpreter.word(option.value) {
            case "split":
                throw Diagnostic(
                    "kernel=split is ARM's design (the kernel's table in TTBR1, never switched): \(name) has one "
                        + configuration.architecture.baseRegister, at: option.value.range)
            case "separate":
                guard configuration.architecture.supportsSeparateKernelTable else {
                    throw Diagnostic(
                        "kernel=separate (xv6's design) is modeled on x86_64 with 4 levels and riscv64 mode=sv39, "
                            + "not on \(configuration.architecture.name)", at: option.value.range)
                }
                configuration.kpti = true
                configuration.separateKernelTable = true
            case "kpti":
                guard configuration.architecture.supportsKPTI else {
                    throw Diagnostic(
                        "kernel=kpti: page-table isolation is modeled on x86_64 with 4 levels, not on \(configuration.architecture.name)",
                        at: option.value.range)
                }
                configuration.kpti = true
            default: break
            }
            if let kpti = call.option("kpti") {
                throw Diagnostic("kpti= and kernel= both choose the design: give one", at: kpti.nameRange)
            }
        }
        if let option = call.option("kpti") {
            configuration.kpti = interpreter.word(option.value) == "on"
            // With 5 levels the entry area shares its PML5 entry with the kernel
            // text, and Linux clones it one level down (pti_clone_p4d): not modeled.
            if configuration.kpti && !configuration.architecture.signExtended {
                throw Diagnostic("kpti=on: page-table isolation is not modeled on i386", at: option.nameRange)
            }
            if configuration.kpti && configuration.architecture.levels == 5 {
                throw Diagnostic(
                    "kpti=on with levels=5 is not modeled yet: under LA57 Linux shares the entry trampoline one level "
                        + "lower (a PML4 entry, pti_clone_p4d), not a PML5 entry", at: option.nameRange)
            }
        }
        if let option = call.option("shootdown") { configuration.shootdown = interpreter.word(option.value) == "on" }
        if let option = call.option("thp") { configuration.transparentHugePages = interpreter.word(option.value) == "on" }
        if let option = call.option("pge") { configuration.pge = interpreter.word(option.value) == "on" }
        if let option = call.option("smep") { configuration.smep = interpreter.word(option.value) == "on" }
        if let option = call.option("smap") { configuration.smap = interpreter.word(option.value) == "on" }
        // Policies scan the resident pages at each eviction: a bound keeps that cheap.
        if let frames = try count("frames", limit: 1 << 16) {
            guard frames >= 1 else { throw Diagnostic("frames=0 leaves no memory for user pages", at: call.option("frames")!.value.range) }
            configuration.userFrameLimit = frames
        }
        if let option = call.option("policy") {
            guard configuration.userFrameLimit != nil else {
                throw Diagnostic("policy= chooses which page to replace when memory runs out: give frames=N too", at: option.nameRange)
            }
            configuration.replacementPolicy = ReplacementPolicy(rawValue: interpreter.word(option.value)) ?? .fifo
        }
        configuration.replacementSeed = interpreter.randomSeed
        for cost in costOptions {
            if let option = call.option(cost.name) {
                let value = try interpreter.integer(option.value, cost.name)
                guard value <= CostModel.maximum else {
                    throw Diagnostic(
                        "\(cost.name)=\(value) is too large (at most \(CostModel.maximum) cycles)", at: option.value.range)
                }
                configuration.costs[keyPath: cost.path] = value
            }
        }
        try interpreter.checkMachineReplaceable("machine", at: call.nameRange)
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.replaceMachine(configuration)
        }
        interpreter.unbindProcesses()
        let machine = interpreter.machine
        let tlb = machine.cores[0].tlb
        guard let preset else {
            interpreter.report(
                "machine \(name): " + GeometryOptions.describe(machine.architecture) + ", "
                    + (machine.cores.count > 1 ? "\(machine.cores.count) cores, " : "")
                    + StateRenderer.tlbGeometry(tlb) + ", no kernel")
            return
        }
        var features = preset.features(machine.architecture)
        if configuration.addressSpaceIDs { features.append("\(machine.architecture.tagName) on") }
        if configuration.separateKernelTable {
            let architecture = machine.architecture
            features.append(
                "separate kernel table (xv6: \(architecture.baseRegister) to the master "
                    + "\(architecture.levelName(architecture.levels)) on every trap)")
        } else if configuration.kpti {
            features.append("KPTI on")
        }
        if !configuration.shootdown { features.append("TLB shootdowns OFF") }
        if !configuration.pge { features.append("PGE off") }
        if !configuration.transparentHugePages { features.append("THP off") }
        // (RISC-V's S-mode checks its own rules on U pages: not a feature to turn on.)
        if configuration.smep && machine.architecture.hasSMEPAndSMAPSwitches { features.append("SMEP on") }
        if configuration.smap && machine.architecture.hasSMEPAndSMAPSwitches { features.append("SMAP on") }
        if let frames = configuration.userFrameLimit {
            features.append("\(Format.plural(frames, "frame")) for user pages, \(configuration.replacementPolicy.rawValue) replacement")
        }
        interpreter.report(
            "machine \(name): \(Format.plural(machine.cores.count, "core")), "
                + "\(Format.size(configuration.ramBytes)) RAM (\(machine.framesTotal) frames, "
                + "\(machine.reservedFrames) reserved for the kernel image), "
                + StateRenderer.tlbGeometry(tlb)
                + (features.isEmpty ? "" : ", " + features.joined(separator: ", ")))
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
            throw Diagnostic("'\(name)' is a command and cannot name a process or thread", at: range)
        }
        if Builtins.reservedNames.contains(name) {
            throw Diagnostic("'\(name)' is a built-in name and cannot name a process or thread", at: range)
        }
        if let existing = globalTable(for: name, boundAt: range).value(name) {
            switch existing {
            case .process(let reference) where (try? liveProcess(reference)) == nil: return
            case .thread(let reference) where (try? liveThread(reference)) == nil: return
            default: break
            }
            throw Diagnostic("'\(name)' is already \(existing.typeName) \(existing.displayText)", at: range)
        }
    }

    func bindProcess(_ name: String, _ process: Process, at range: SourceRange) {
        globalTable(for: name, boundAt: range).define(
            name, .process(ProcessReference(pid: process.pid, name: name, generation: machineGeneration)))
    }

    /// The core an optional `cpu=N` option names, else the current one.
    func coreOption(_ call: BoundCommand) throws -> Int {
        guard let option = call.option("cpu") else { return currentCore }
        let number = try integer(option.value, "cpu")
        guard number < UInt64(machine.cores.count) else {
            throw Diagnostic(
                "no cpu \(number): this machine has \(Format.plural(machine.cores.count, "core"))",
                at: option.value.range)
        }
        return Int(number)
    }
}
