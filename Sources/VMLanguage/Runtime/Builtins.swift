import VMMachine

/// Names scripts get for free: machine objects (`tlb`, `cpu`, `last`,
/// `frames`), their members, and built-in functions. Member tables are data
/// so that completion can list them.
enum Builtins {
    static let objectNames = ["cpu", "cycles", "faults", "frames", "ipis", "last", "tlb"]
    static let functionNames = functionTable.map(\.0)
    static let reservedNames = objectNames + functionNames

    static func object(named name: String) -> MachineObject? {
        switch name {
        case "tlb": return .tlb(core: -1, generation: 0)
        case "cpu": return .cpus
        case "last": return .last
        case "frames": return .frames
        case "faults": return .faults
        default: return nil
        }
    }

    /// Names that read as plain integers: machine-wide totals.
    static func scalar(named name: String, _ interpreter: Interpreter) -> Value? {
        let machine = interpreter.machine
        switch name {
        case "faults": return .integer(machine.faultCounts.total)
        case "ipis": return .integer(machine.interProcessorInterrupts)
        case "cycles": return .integer(machine.cycles)
        default: return nil
        }
    }

    typealias Getter = @Sendable (Interpreter, Value) throws -> Value

    static let processMembers: [(String, Getter)] = [
        ("main", { interpreter, value in
            let process = try record(interpreter, value)
            return interpreter.threadValue(process.threads[0])
        }),
        ("name", { _, value in .string(process(value).name) }),
        ("pid", { _, value in .integer(UInt64(process(value).pid.rawValue)) }),
        ("regions", { interpreter, value in .integer(UInt64(try record(interpreter, value).regions.count)) }),
        ("resident", { interpreter, value in .integer(try record(interpreter, value).residentPages) }),
        ("root", { interpreter, value in
            // Under the separate design the process's one table is its user copy.
            let process = try record(interpreter, value)
            return .integer(interpreter.machine.configuration.separateKernelTable ? process.userRoot ?? process.root : process.root)
        }),
        ("tables", { interpreter, value in .integer(UInt64(try record(interpreter, value).tableFrames.count)) }),
        ("threads", { interpreter, value in .integer(UInt64(try record(interpreter, value).threads.count)) }),
        ("user_root", { interpreter, value in
            guard let userRoot = try record(interpreter, value).userRoot else {
                throw BuiltinFailure("\(process(value).name) has one PML4: user_root exists only with kpti=on")
            }
            return .integer(userRoot)
        }),
    ]

    static let threadMembers: [(String, Getter)] = [
        ("kernel", { interpreter, value in .boolean(try threadRecord(interpreter, value).isKernelThread) }),
        ("name", { _, value in .string(thread(value).name) }),
        ("process", { interpreter, value in
            guard let pid = try threadRecord(interpreter, value).process, let process = interpreter.machine.process(pid)
            else { return .nothing }
            return .process(ProcessReference(pid: pid, name: process.name, generation: interpreter.machineGeneration))
        }),
        ("tid", { _, value in .integer(UInt64(thread(value).tid.rawValue)) }),
    ]

    static let faultMembers: [(String, Getter)] = [
        ("cow", { interpreter, _ in .integer(interpreter.machine.faultCounts.copyOnWrite) }),
        ("demand", { interpreter, _ in .integer(interpreter.machine.faultCounts.demand) }),
        ("protection", { interpreter, _ in .integer(interpreter.machine.faultCounts.protection) }),
        ("efault", { interpreter, _ in .integer(interpreter.machine.faultCounts.exceptionFixups) }),
        ("major", { interpreter, _ in .integer(interpreter.machine.faultCounts.major) }),
        ("segv", { interpreter, _ in .integer(interpreter.machine.faultCounts.segmentation) }),
        ("spurious", { interpreter, _ in .integer(interpreter.machine.faultCounts.spurious) }),
        ("total", { interpreter, _ in .integer(interpreter.machine.faultCounts.total) }),
        ("unresolved", { interpreter, _ in .integer(interpreter.machine.faultCounts.unresolved) }),
    ]

    static let tlbMembers: [(String, Getter)] = [
        ("entries", { interpreter, value in .integer(UInt64(try core(interpreter, value).tlb.validCount)) }),
        ("flushes", { interpreter, value in .integer(try core(interpreter, value).tlbFlushes) }),
        /// Valid entries with the global bit (G, or x86's G with CR4.PGE, or ARM's nG clear): a switch keeps them.
        ("globals", { interpreter, value in
            .integer(UInt64(try core(interpreter, value).tlb.entries.reduce(0) { $0 + ($1.valid && $1.global ? 1 : 0) }))
        }),
        ("hits", { interpreter, value in .integer(try core(interpreter, value).tlbHits) }),
        ("misses", { interpreter, value in .integer(try core(interpreter, value).tlbMisses) }),
        ("sets", { interpreter, value in .integer(UInt64(try core(interpreter, value).tlb.sets)) }),
        ("size", { interpreter, value in .integer(UInt64(try core(interpreter, value).tlb.entryCount)) }),
        ("stlb_hits", { interpreter, value in .integer(try core(interpreter, value).secondLevelHits) }),
        ("ways", { interpreter, value in .integer(UInt64(try core(interpreter, value).tlb.ways)) }),
    ]

    static let cpuMembers: [(String, Getter)] = [
        ("asid", { interpreter, value in .integer(UInt64(try register(interpreter, value, "asid").tag)) }),
        ("badvaddr", { interpreter, value in .integer(try register(interpreter, value, "badvaddr").faultAddress) }),
        /// Writes of the page-table base register, whatever the architecture calls it (CR3, satp, TTBR0, pgd_current).
        ("base_writes", { interpreter, value in .integer(try core(interpreter, value).baseWrites) }),
        /// MIPS's Context: BadVPN2 of the last TLB exception in bits 22:4.
        ("context", { interpreter, value in .integer(try register(interpreter, value, "context").context) }),
        ("cr2", { interpreter, value in .integer(try register(interpreter, value, "cr2").faultAddress) }),
        ("cr3", { interpreter, value in .integer(try register(interpreter, value, "cr3").base) }),
        ("cr3_writes", { interpreter, value in .integer(try register(interpreter, value, "cr3_writes").baseWrites) }),
        ("cycles", { interpreter, value in .integer(try core(interpreter, value).cycles.total) }),
        /// MIPS's EntryHi as the last TLB exception loaded it (VPN2 and ASID), and Cause.ExcCode.
        ("entryhi", { interpreter, value in .integer(try register(interpreter, value, "entryhi").entryHi) }),
        ("exccode", { interpreter, value in .integer(try register(interpreter, value, "exccode").exceptionCode) }),
        ("far", { interpreter, value in .integer(try register(interpreter, value, "far").faultAddress) }),
        ("faults", { interpreter, value in .integer(try core(interpreter, value).faults) }),
        ("id", { interpreter, value in .integer(UInt64(try core(interpreter, value).index)) }),
        ("ipis", { interpreter, value in .integer(try core(interpreter, value).interruptsReceived) }),
        ("kernel_entries", { interpreter, value in .integer(try core(interpreter, value).kernelEntries) }),
        ("lazy", { interpreter, value in .boolean(try kernelRecord(interpreter, value).isLazy) }),
        ("mode", { interpreter, value in .string(try core(interpreter, value).mode.rawValue) }),
        ("pcid", { interpreter, value in .integer(UInt64(try register(interpreter, value, "pcid").tag)) }),
        /// MIPS: the PGD the refill handler reads (a kernel variable: MIPS has no base register).
        ("pgd_current", { interpreter, value in
            .integer(
                interpreter.machine.architecture.rootAddress(
                    fromRegister: try register(interpreter, value, "pgd_current").base))
        }),
        /// The raw base register (CR3, PTBR, PDBR), whatever the architecture calls it.
        ("refills", { interpreter, value in .integer(try register(interpreter, value, "refills").refills) }),
        ("ptbr", { interpreter, value in .integer(try core(interpreter, value).base) }),
        ("process", { interpreter, value in
            guard let pid = try kernelRecord(interpreter, value).currentProcess,
                let process = interpreter.machine.process(pid)
            else { return .nothing }
            return .process(ProcessReference(pid: pid, name: process.name, generation: interpreter.machineGeneration))
        }),
        /// The physical address of the root table the base register points at.
        ("root", { interpreter, value in
            .integer(interpreter.machine.architecture.rootAddress(fromRegister: try core(interpreter, value).base))
        }),
        /// RISC-V's names for the base register and the fault address (the same registers as cr3 and cr2).
        ("satp", { interpreter, value in .integer(try register(interpreter, value, "satp").base) }),
        ("satp_writes", { interpreter, value in .integer(try register(interpreter, value, "satp_writes").baseWrites) }),
        ("stval", { interpreter, value in .integer(try register(interpreter, value, "stval").faultAddress) }),
        ("switches", { interpreter, value in .integer(try kernelRecord(interpreter, value).contextSwitches) }),
        ("thread", { interpreter, value in
            guard let tid = try kernelRecord(interpreter, value).currentThread else { return .nothing }
            return interpreter.threadValue(tid)
        }),
        ("tlb", { interpreter, value in
            .object(
                .tlb(
                    core: Int32(try core(interpreter, value).index),
                    generation: Int32(truncatingIfNeeded: interpreter.machineGeneration)))
        }),
        /// ARM's two base registers: TTBR0_EL1 (user half, with the ASID) and TTBR1_EL1 (the kernel's).
        ("ttbr0", { interpreter, value in .integer(try register(interpreter, value, "ttbr0").base) }),
        ("ttbr0_writes", { interpreter, value in .integer(try register(interpreter, value, "ttbr0_writes").baseWrites) }),
        ("ttbr1", { interpreter, value in .integer(try register(interpreter, value, "ttbr1").ttbr1) }),
        ("walks", { interpreter, value in .integer(try core(interpreter, value).walks) }),
    ]

    static let lastMembers: [(String, Getter)] = [
        ("error_code", { interpreter, _ in .integer(try cause(interpreter, "error_code").fault?.errorCode ?? 0) }),
        /// ARM's ESR_EL1 for the last access (0 when it did not trap).
        ("esr", { interpreter, _ in
            guard let fault = try cause(interpreter, "esr").fault else { return .integer(0) }
            // An undefined instruction in EL0 (a TLBI, an MSR): EC 0x00, IL set.
            if fault.kind == .invalidOpcode { return .integer(1 << 25) }
            return .integer(interpreter.machine.architecture.syndrome(fault))
        }),
        /// MIPS's Cause.ExcCode for the last access (0 when it did not trap).
        ("exccode", { interpreter, _ in
            let outcome = try cause(interpreter, "exccode")
            guard let fault = outcome.fault else {
                // A TLB Refill exception is a trap too: TLBL or TLBS, though the retry then hit.
                guard outcome.refill != nil else { return .integer(0) }
                return .integer(outcome.kind == .write ? MIPS.storeMissCode : MIPS.loadMissCode)
            }
            return .integer(Architecture.mipsCause(fault).0)
        }),
        ("fault", { interpreter, _ in .string(faultName(try last(interpreter))) }),
        ("hw_fault", { interpreter, _ in .string(try last(interpreter).fault?.kind.rawValue ?? "none") }),
        ("kind", { interpreter, _ in .string(try last(interpreter).kind.rawValue) }),
        ("pa", { interpreter, _ in
            guard let physicalAddress = try last(interpreter).physicalAddress else {
                throw BuiltinFailure("the last access faulted, so it has no physical address; check last.fault")
            }
            return .integer(physicalAddress)
        }),
        ("page_size", { interpreter, _ in .integer(try last(interpreter).pageSize) }),
        ("ppn", { interpreter, _ in
            .integer(try physical(interpreter, "ppn") >> interpreter.machine.architecture.pageShift)
        }),
        ("ppo", { interpreter, _ in
            .integer(try physical(interpreter, "ppo") & (interpreter.machine.architecture.pageSize - 1))
        }),
        /// RISC-V's exception code for the last access (0 when it did not trap).
        ("scause", { interpreter, _ in
            guard let fault = try cause(interpreter, "scause").fault else { return .integer(0) }
            return .integer(fault.kind == .invalidOpcode ? 2 : Architecture.scause(fault).0)
        }),
        /// MIPS: whether the access took a TLB Refill exception (then it did not hit).
        ("refilled", { interpreter, _ in
            let architecture = interpreter.machine.architecture
            guard architecture.refillsTLBInSoftware else {
                throw BuiltinFailure("\(architecture.name) refills its TLB in hardware: last.refilled is MIPS's; last.tlb_hit says whether the access hit")
            }
            return .boolean(try last(interpreter).refill != nil)
        }),
        ("tlb_hit", { interpreter, _ in .boolean(try last(interpreter).tlbHit) }),
        /// The TLB set the access probed (CS:APP's TLBI) and its tag (TLBT), for a smallest page.
        ("tlb_index", { interpreter, _ in
            let (set, _) = tlbFields(interpreter, try last(interpreter))
            return .integer(set)
        }),
        ("tlb_tag", { interpreter, _ in
            let (_, tag) = tlbFields(interpreter, try last(interpreter))
            return .integer(tag)
        }),
        ("va", { interpreter, _ in .integer(try last(interpreter).virtualAddress) }),
        ("value", { interpreter, _ in .integer(try last(interpreter).value) }),
        ("vpn", { interpreter, _ in
            .integer(try last(interpreter).virtualAddress >> interpreter.machine.architecture.pageShift)
        }),
        ("vpo", { interpreter, _ in
            .integer(try last(interpreter).virtualAddress & (interpreter.machine.architecture.pageSize - 1))
        }),
        ("walk_steps", { interpreter, _ in .integer(UInt64(try last(interpreter).walk.count)) }),
    ]

    /// The last access's physical address, or why it has none.
    private static func physical(_ interpreter: Interpreter, _ member: String) throws -> UInt64 {
        guard let physicalAddress = try last(interpreter).physicalAddress else {
            throw BuiltinFailure("the last access faulted, so it has no \(member); check last.fault")
        }
        return physicalAddress
    }

    /// The set and tag of the first TLB array for the last access's smallest page.
    private static func tlbFields(_ interpreter: Interpreter, _ outcome: AccessOutcome) -> (UInt64, UInt64) {
        let sets = UInt64(interpreter.machine.cores[outcome.core].tlb.sets)
        let page = outcome.virtualAddress >> interpreter.machine.architecture.pageShift
        return (page & (sets - 1), page >> UInt64(sets.trailingZeroBitCount))
    }

    static let frameMembers: [(String, Getter)] = [
        ("evictions", { interpreter, _ in .integer(interpreter.machine.pagingCounts.evictions) }),
        ("free", { interpreter, _ in .integer(interpreter.machine.framesFree) }),
        ("reserved", { interpreter, _ in .integer(interpreter.machine.reservedFrames) }),
        /// User pages holding frames: what frames=N limits.
        ("resident", { interpreter, _ in .integer(UInt64(interpreter.machine.residentUserPages)) }),
        ("swap_reads", { interpreter, _ in .integer(interpreter.machine.pagingCounts.swapReads) }),
        ("swap_writes", { interpreter, _ in .integer(interpreter.machine.pagingCounts.swapWrites) }),
        /// Swap slots some entry or clean frame still holds.
        ("swapped", { interpreter, _ in .integer(UInt64(interpreter.machine.swapSlotsInUse)) }),
        ("total", { interpreter, _ in .integer(interpreter.machine.framesTotal) }),
        /// Frames holding data, the only ones that cost host memory.
        ("touched", { interpreter, _ in .integer(UInt64(interpreter.machine.memory.touchedFrames)) }),
        ("used", { interpreter, _ in .integer(interpreter.machine.framesUsed) }),
    ]

    /// The members `value` has, sorted by name.
    static func members(of value: Value) -> [(String, Getter)] {
        switch value {
        case .process: return processMembers
        case .object(.tlb): return tlbMembers
        case .object(.cpu), .object(.cpus): return cpuMembers
        case .object(.last): return lastMembers
        case .object(.frames): return frameMembers
        case .object(.faults): return faultMembers
        case .thread: return threadMembers
        default: return []
        }
    }

    /// An error a getter raises; the caller attaches the source range.
    struct BuiltinFailure: Error {
        let message: String
        init(_ message: String) { self.message = message }
    }

    private static func process(_ value: Value) -> ProcessReference {
        guard case .process(let reference) = value else { preconditionFailure("not a process") }
        return reference
    }

    private static func record(_ interpreter: Interpreter, _ value: Value) throws -> Process {
        try interpreter.liveProcess(process(value))
    }

    private static func thread(_ value: Value) -> ThreadReference {
        guard case .thread(let reference) = value else { preconditionFailure("not a thread") }
        return reference
    }

    private static func threadRecord(_ interpreter: Interpreter, _ value: Value) throws -> VMMachine.Thread {
        try interpreter.liveThread(thread(value))
    }

    /// `last.fault`: what the kernel made of the fault ("demand", "cow",
    /// "segv", "protection"), or the raw fault when no kernel handled it.
    static func faultName(_ outcome: AccessOutcome) -> String {
        switch outcome.resolution {
        case .demandZero?: return "demand"
        case .swappedIn?: return "major"
        case .copiedOnWrite?, .madeWritable?: return "cow"
        case .segmentationFault?: return "segv"
        case .protectionFault?: return "protection"
        case .spurious?: return "spurious"
        case .exceptionFixup?: return "efault"
        case .kernelOops?: return "oops"
        case .markedDirty?: return "dirty"
        case .addressError?: return "sigbus"
        case nil: return outcome.fault?.kind.rawValue ?? "none"
        }
    }

    /// The core, for a member that names one architecture's register: cr3,
    /// cr2 and pcid are x86's (and the textbook machines'), satp and stval
    /// RISC-V's, ttbr0, ttbr1 and far ARM's, pgd_current, badvaddr and
    /// refills MIPS's, asid all three's; another architecture's names are
    /// refused with its own.
    private static func register(
        _ interpreter: Interpreter, _ value: Value, _ member: String
    ) throws -> Core {
        let architecture = interpreter.machine.architecture
        guard architecture.hasCPUMember(member) else {
            throw BuiltinFailure(
                "\(architecture.name) has no cpu.\(member): its registers are \(architecture.registerMembers) "
                    + "(cpu.root for the root table, cpu.base_writes for the base register's writes)")
        }
        return try core(interpreter, value)
    }

    /// The fault code of the last access, where `member` is the machine's name for it.
    private static func cause(_ interpreter: Interpreter, _ member: String) throws -> AccessOutcome {
        let architecture = interpreter.machine.architecture
        guard architecture.faultCodeMember == "last.\(member)" else {
            throw BuiltinFailure("\(architecture.name) has no last.\(member): its fault code is \(architecture.faultCodeMember)")
        }
        return try last(interpreter)
    }

    /// The core a `tlb` or `cpu` object refers to; bare names mean the current core.
    /// What the kernel keeps about the core `value` names (the thread on it, its slots).
    private static func kernelRecord(_ interpreter: Interpreter, _ value: Value) throws -> CPUState {
        interpreter.machine.perCPU[try core(interpreter, value).index]
    }

    private static func core(_ interpreter: Interpreter, _ value: Value) throws -> Core {
        switch value {
        case .object(.tlb(let index, let generation)) where index >= 0, .object(.cpu(let index, let generation)):
            guard generation == Int32(truncatingIfNeeded: interpreter.machineGeneration),
                Int(index) < interpreter.machine.cores.count
            else {
                throw BuiltinFailure(
                    "cpu \(index) belonged to an earlier machine (machine or reset replaced it); read cpu[\(index)] again")
            }
            return interpreter.machine.cores[Int(index)]
        default:
            return interpreter.machine.cores[interpreter.currentCore]
        }
    }

    private static func last(_ interpreter: Interpreter) throws -> AccessOutcome {
        guard let outcome = interpreter.lastAccess else {
            throw BuiltinFailure("no memory access yet: 'last' describes the latest read or write")
        }
        return outcome
    }

    // MARK: Functions

    /// `table_entry(PPN, "vw")`: a table entry in the machine's format, the frame
    /// field holding PPN and the named bits set (v valid, w writable, u user,
    /// a accessed, d dirty); without a string, valid plus writable and user
    /// where the format has them.
    static func tableEntry(_ ppn: UInt64, _ flags: Value?, _ architecture: Architecture, at range: SourceRange) throws -> UInt64 {
        let format = architecture.format
        let low = UInt64(format.frameMask.trailingZeroBitCount)
        let width = UInt64(format.frameMask.nonzeroBitCount)
        guard width >= 64 || ppn >> width == 0 else {
            throw Diagnostic("PPN \(Format.hex(ppn)) does not fit in the \(width)-bit frame field of a \(architecture.name) entry", at: range)
        }
        var raw = ppn << low
        guard let flags else { return raw | format.valid | format.writable | format.user }
        guard case .string(let letters) = flags else {
            throw Diagnostic("the flags of 'table_entry' are a string of letters (v w u a d), got \(flags.typeName)", at: range)
        }
        for letter in letters {
            let (name, mask): (String, UInt64)
            switch letter {
            case "v": (name, mask) = ("valid", format.valid)
            case "w": (name, mask) = ("writable", format.writable)
            case "u": (name, mask) = ("user", format.user)
            case "a": (name, mask) = ("accessed", format.accessed)
            case "d": (name, mask) = ("dirty", format.dirty)
            default: throw Diagnostic("'\(letter)' is not a flag of 'table_entry': v valid, w writable, u user, a accessed, d dirty", at: range)
            }
            guard mask != 0 else {
                throw Diagnostic("a \(architecture.name) entry has no \(name) bit", at: range)
            }
            raw |= mask
        }
        return raw
    }

    /// A built-in function as compiled code calls it: no name is looked up while it runs.
    typealias Function = @Sendable (BuiltinCall) throws -> Value

    /// The built-in functions, found by name once, when a call is compiled.
    static let functions: [String: Function] = Dictionary(uniqueKeysWithValues: functionTable)

    /// In `functionNames` order: suggestions and completion list them so.
    private static let functionTable: [(String, Function)] = [
        ("bin", digits), ("hex", digits), ("index", index), ("pad", pad), ("phys", phys), ("pte", pte),
        ("ppn", explained), ("random", random), ("str", str), ("table_entry", tableEntryFunction),
        ("tlb_hit", explained), ("tlb_set", explained), ("tlb_tag", explained), ("translates", explained),
        ("vpn", explained),
    ]

    /// `vpn`, `tlb_set`, `tlb_tag`, `ppn`, `tlb_hit`, `translates`: what explain says of ADDR.
    private static func explained(_ call: BuiltinCall) throws -> Value {
        try call.arity(1, "\(call.name)(ADDR)")
        let address = try call.integer(0, "the address")
        let interpreter = call.interpreter
        let explanation = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.hardware.explain(address, core: interpreter.currentCore)
        }
        switch call.name {
        case "vpn": return .integer(explanation.virtualPageNumber)
        case "tlb_set": return .integer(UInt64(explanation.tlbSet))
        case "tlb_tag": return .integer(explanation.tlbTag)
        // What a read would find, without making it (explain's answer).
        case "tlb_hit": return .boolean(explanation.tlbHit)
        case "translates": return .boolean(explanation.physicalAddress != nil)
        default:
            guard let physical = explanation.physicalAddress else {
                throw Diagnostic(
                    "\(Format.hex(explanation.virtualAddress)) does not translate now (a read would fault); explain shows why",
                    at: call.range)
            }
            return .integer(physical >> call.architecture.pageShift)
        }
    }

    private static func random(_ call: BuiltinCall) throws -> Value {
        // Seeded per run (vmlab grade --seed N), so a quiz or test draws the same numbers every time.
        try call.arity(1, "random(N), a number from 0 to N-1")
        let bound = try call.integer(0, "the bound")
        guard bound > 0 else { throw Diagnostic("random(N) needs N of at least 1", at: call.arguments[0].range) }
        return .integer(call.interpreter.random.next(below: bound))
    }

    /// `hex` and `bin`.
    private static func digits(_ call: BuiltinCall) throws -> Value {
        let name = call.name
        guard call.values.count == 1 || call.values.count == 2 else {
            throw Diagnostic("'\(name)' takes 1 or 2 arguments: \(name)(VALUE) or \(name)(VALUE, DIGITS)", at: call.range)
        }
        let value = try call.integer(0, "the value")
        let digits = call.values.count == 2 ? try call.integer(1, "the number of digits") : 1
        guard digits <= 64 else { throw Diagnostic("at most 64 digits, got \(digits)", at: call.arguments[1].range) }
        return .string((name == "hex" ? "0x" : "0b") + Format.digits(value, radix: name == "hex" ? 16 : 2, count: Int(digits)))
    }

    private static func pad(_ call: BuiltinCall) throws -> Value {
        // For tables: numbers right-aligned, anything else left-aligned, in WIDTH columns.
        try call.arity(2, "pad(VALUE, WIDTH), the value as print shows it, filled to WIDTH columns")
        let width = try call.integer(1, "the width")
        guard width <= 1_000 else { throw Diagnostic("a width of at most 1000, got \(width)", at: call.arguments[1].range) }
        let text = call.values[0].displayText
        let fill = String(repeating: " ", count: max(0, Int(width) - text.count))
        if case .integer = call.values[0] { return .string(fill + text) }
        return .string(text + fill)
    }

    private static func str(_ call: BuiltinCall) throws -> Value {
        try call.arity(1, "str(VALUE), the value as print shows it")
        return .string(call.values[0].displayText)
    }

    private static func tableEntryFunction(_ call: BuiltinCall) throws -> Value {
        let values = call.values
        guard values.count == 1 || values.count == 2 else {
            throw Diagnostic(
                "'table_entry' takes 1 or 2 arguments: table_entry(PPN) or table_entry(PPN, \"vw\")", at: call.range)
        }
        return .integer(
            try tableEntry(
                try call.integer(0, "the PPN"), values.count == 2 ? values[1] : nil, call.architecture,
                at: values.count == 2 ? call.arguments[1].range : call.range))
    }

    private static func index(_ call: BuiltinCall) throws -> Value {
        try call.arity(2, "index(ADDR, LEVEL)")
        return .integer(UInt64(call.architecture.index(of: try call.integer(0, "the address"), level: try call.level(1))))
    }

    private static func phys(_ call: BuiltinCall) throws -> Value {
        try call.arity(1, "phys(ADDR)")
        let address = try call.integer(0, "the physical address")
        let interpreter = call.interpreter
        let architecture = call.architecture
        if !architecture.hasKernel {
            return .integer(
                try interpreter.machineOperation(at: call.arguments[0].range) { () throws(MachineError) in
                    try interpreter.machine.hardware.peek(address, bytes: architecture.accessBytes)
                })
        }
        guard address < interpreter.machine.framesTotal * AddressLayout.pageSize, address & 0xFFF <= 0xFF8 else {
            throw Diagnostic(
                "phys reads 8 bytes inside one frame of RAM (below \(Format.hex(interpreter.machine.framesTotal * AddressLayout.pageSize)))",
                at: call.arguments[0].range)
        }
        return .integer(interpreter.machine.memory.load(address))
    }

    private static func pte(_ call: BuiltinCall) throws -> Value {
        try call.arity(3, "pte(PROC, ADDR, LEVEL)")
        guard case .process(let reference) = call.values[0] else {
            throw Diagnostic(
                "the first argument of 'pte' must be a process, got \(call.values[0].typeName)", at: call.arguments[0].range)
        }
        let process = try call.interpreter.liveProcess(reference, at: call.arguments[0].range)
        return .integer(
            try call.interpreter.machine.entry(
                root: process.root, try call.integer(1, "the address"), level: try call.level(2)))
    }

    /// A call of a function that is neither defined nor built in.
    static func unknownFunction(_ name: String, interpreter: Interpreter, at range: SourceRange) -> Diagnostic {
        var notes: [String] = []
        if let suggestion = closestMatch(to: name, in: functionNames + interpreter.globalNames) {
            notes.append("did you mean '\(suggestion)'?")
        }
        return Diagnostic("no function named '\(name)'", at: range, notes: notes)
    }
}

/// One call of a built-in function: its arguments' values, and helpers that
/// check them with errors at the argument's place.
struct BuiltinCall {
    let name: String
    let values: [Value]
    let interpreter: Interpreter
    let range: SourceRange
    let arguments: [Expression]

    var architecture: Architecture { interpreter.machine.architecture }

    func integer(_ position: Int, _ what: String) throws -> UInt64 {
        guard case .integer(let value) = values[position] else {
            throw Diagnostic(
                "\(what) of '\(name)' must be an integer, got \(values[position].typeName)", at: arguments[position].range)
        }
        return value
    }

    func arity(_ count: Int, _ usage: String) throws {
        guard values.count == count else { throw Diagnostic("'\(name)' takes \(count) argument(s): \(usage)", at: range) }
    }

    func level(_ position: Int) throws -> Int {
        let level = try integer(position, "the level")
        guard (1...UInt64(architecture.levels)).contains(level) else {
            if !architecture.hasKernel {
                throw Diagnostic(
                    "level must be 1 to \(architecture.levels) on machine \(architecture.name) (1 = "
                        + "\(architecture.levelName(1)), the leaf table), got \(level)", at: arguments[position].range)
            }
            let names = (1...architecture.levels).reversed().map { "\($0) = \(architecture.levelName($0))" }
            throw Diagnostic(
                "level must be 1 to \(architecture.levels) (" + names.joined(separator: ", ") + "), got \(level)",
                at: arguments[position].range)
        }
        return Int(level)
    }
}

extension Interpreter {
    func member(_ name: String, of value: Value, at range: SourceRange) throws -> Value {
        let members = Builtins.members(of: value)
        if case .process(let reference) = value, !members.contains(where: { $0.0 == name }) {
            // A.worker: the process's thread of that name.
            let process = try liveProcess(reference, at: range)
            if let tid = process.threads.first(where: { machine.thread($0)?.name == name }) {
                return threadValue(tid)
            }
        }
        guard let getter = members.first(where: { $0.0 == name })?.1 else {
            let names = members.map(\.0)
            var notes: [String] = []
            if let suggestion = closestMatch(to: name, in: names) { notes.append("did you mean '\(suggestion)'?") }
            if !names.isEmpty { notes.append("members: " + names.joined(separator: ", ")) }
            throw Diagnostic("\(value.typeName) \(value.displayText) has no member '\(name)'", at: range, notes: notes)
        }
        do {
            return try getter(self, value)
        } catch let failure as Builtins.BuiltinFailure {
            throw Diagnostic(failure.message, at: range)
        } catch let stale as GoneReference {
            throw Diagnostic(stale.message, at: range)
        }
    }

    /// A script value for a live thread: "A.worker", or a kernel thread's own name.
    func threadValue(_ tid: ThreadID) -> Value {
        guard let thread = machine.thread(tid) else { return .nothing }
        let name = thread.process.flatMap(machine.process).map { "\($0.name).\(thread.name)" } ?? thread.name
        return .thread(ThreadReference(tid: tid, name: name, generation: machineGeneration))
    }

    func liveThread(_ reference: ThreadReference) throws -> VMMachine.Thread {
        guard reference.generation == machineGeneration, let thread = machine.thread(reference.tid) else {
            throw GoneReference(name: reference.name)
        }
        return thread
    }

    /// The kernel's record for a process value, or an error if the machine it
    /// came from was replaced.
    func liveProcess(_ reference: ProcessReference) throws -> Process {
        guard reference.generation == machineGeneration, let process = machine.process(reference.pid) else {
            throw GoneReference(name: reference.name)
        }
        return process
    }

    func liveProcess(_ reference: ProcessReference, at range: SourceRange) throws -> Process {
        do {
            return try liveProcess(reference)
        } catch let stale as GoneReference {
            throw Diagnostic(stale.message, at: range)
        }
    }
}

/// A process or thread value whose process exited or whose machine was replaced.
struct GoneReference: Error {
    let name: String
    var message: String {
        "\(name) is gone: it exited, or a later 'machine' or 'reset' replaced its machine"
    }
}
