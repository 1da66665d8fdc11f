/// One step of a walk under RISC-V's, ARM's or MIPS's rules (RISCV.step,
/// ARM.step, MIPS.step: the walker reads x86's masks itself).
enum WalkStepResult {
    /// A table: go on at the next level, from this physical address.
    case descend(UInt64)
    /// A leaf, with its rights. (`readable` is false only for RISC-V's
    /// execute-only pages: R clear, X set, and sstatus.MXR clear.)
    case leaf(writable: Bool, user: Bool, noExecute: Bool, readable: Bool = true)
    case fault(FaultKind)
}

/// How a walk of the page tables ended.
enum WalkEnd {
    /// A leaf at `level` maps the page; the rights are the AND (NX: the OR) over every level.
    case leaf(raw: UInt64, level: Int, writable: Bool, user: Bool, noExecute: Bool, readable: Bool = true)
    /// The entry at `level` is not present, or has a reserved bit set.
    case fault(FaultKind, level: Int)
}

extension Hardware {
    /// The one page walker. It reads the tables from `root` for
    /// `virtualAddress` as the machine's architecture describes them (levels,
    /// index bits, entry size, where each bit lives) and records each entry
    /// in `trace`. It changes nothing: an access (MMU.swift) then checks the
    /// rights, sets accessed and dirty bits and counts; `explain` only reads.
    @inline(__always)
    func walkTables(_ virtualAddress: UInt64, root: UInt64, trace: inout WalkTrace) -> WalkEnd {
        walkLevels(virtualAddress, table: root, level: architecture.levels, trace: &trace)
    }

    /// The same walk on a PAE machine, whose first step is the PDPTE from its
    /// register (no memory read), which never maps a page and carries no
    /// rights (R/W, U/S and NX count from the PD down). Kept out of line: the
    /// other machines' walk is inlined where it runs.
    @inline(never)
    func walkTables(
        _ virtualAddress: UInt64, root: UInt64, rootEntries registers: (UInt64, UInt64, UInt64, UInt64),
        trace: inout WalkTrace
    ) -> WalkEnd {
        let level = architecture.levels
        let index = architecture.index(of: virtualAddress, level: level)
        let raw: UInt64
        switch index & 3 {
        case 0: raw = registers.0
        case 1: raw = registers.1
        case 2: raw = registers.2
        default: raw = registers.3
        }
        trace.append(
            WalkStep(
                level: level, index: index, entryAddress: root &+ UInt64(truncatingIfNeeded: index) &* architecture.entryBytes,
                entry: raw))
        guard architecture.format.isValid(raw) else { return .fault(.notPresent, level: level) }
        if raw & architecture.reservedBits(level: level, largePage: false) != 0 {
            return .fault(.reservedBit, level: level)
        }
        return walkLevels(virtualAddress, table: architecture.format.physicalAddress(raw), level: level - 1, trace: &trace)
    }

    /// Either walk, for a core: from PAE's PDPTE registers where the machine has them.
    func walkTables(_ virtualAddress: UInt64, core index: Int, trace: inout WalkTrace) -> WalkEnd {
        let root = architecture.rootAddress(fromRegister: baseRegister(cores[index], for: virtualAddress))
        if architecture.rootInRegisters {
            return walkTables(virtualAddress, root: root, rootEntries: cores[index].rootEntries, trace: &trace)
        }
        return walkTables(virtualAddress, root: root, trace: &trace)
    }

    /// The walk from the table at `level` down.
    @inline(__always)
    private func walkLevels(_ virtualAddress: UInt64, table root: UInt64, level top: Int, trace: inout WalkTrace) -> WalkEnd {
        let format = architecture.format
        var table = root
        var level = top
        var writable = true
        var user = true
        var noExecute = false
        var armLimits = TableLimits()
        while true {
            let index = architecture.index(of: virtualAddress, level: level)
            let entryAddress = table &+ UInt64(truncatingIfNeeded: index) &* architecture.entryBytes
            let raw = readEntry(at: entryAddress, bytes: architecture.entryBytes)
            trace.append(WalkStep(level: level, index: index, entryAddress: entryAddress, entry: raw))
            if _slowPath(format.rightsInLeafOnly) {
                // RISC-V's, ARM's and MIPS's rules: a leaf's rights are its own.
                let step = architecture.leafOnlyStep(raw, level: level, virtualAddress: virtualAddress, limits: &armLimits)
                switch step {
                case .descend(let next):
                    table = next
                    level &-= 1
                    continue
                case .leaf(let writable, let user, let noExecute, let readable):
                    return .leaf(
                        raw: raw, level: level, writable: writable, user: user, noExecute: noExecute, readable: readable)
                case .fault(let kind):
                    return .fault(kind, level: level)
                }
            }
            guard format.isValid(raw) else { return .fault(.notPresent, level: level) }
            let isLeaf = architecture.isLeaf(raw, level: level)
            if raw & architecture.reservedBits(level: level, largePage: isLeaf && level > 1) != 0 {
                return .fault(.reservedBit, level: level)
            }
            writable = writable && format.isWritable(raw)
            user = user && format.isUser(raw)
            noExecute = noExecute || format.isNoExecute(raw)
            guard isLeaf else {
                table = format.physicalAddress(raw)
                level &-= 1
                continue
            }
            return .leaf(raw: raw, level: level, writable: writable, user: user, noExecute: noExecute)
        }
    }

    /// An entry (or a textbook machine's datum) of `bytes` bytes (1, 2, 4 or 8), little-endian.
    @inline(__always)
    func readEntry(at address: UInt64, bytes: UInt64) -> UInt64 {
        if bytes == 8 && address & 7 == 0 { return memory.readWord(address) }
        return memory.load(address) & (bytes >= 8 ? ~0 : (1 << (8 * bytes)) - 1)
    }

    /// Writes the low `bytes` bytes of `value` at `address`, leaving the bytes around them.
    func writeEntry(at address: UInt64, bytes: UInt64, _ value: UInt64) {
        if bytes == 8 && address & 7 == 0 { return memory.writeWord(address, value) }
        let mask: UInt64 = bytes >= 8 ? ~0 : (1 << (8 * bytes)) - 1
        memory.store(address, (memory.load(address) & ~mask) | (value & mask))
    }
}

extension Hardware {
    /// The base register that translates `virtualAddress` on a core: CR3 or
    /// satp, or on ARM TTBR1 for the upper half and TTBR0 for the lower.
    @inline(__always)
    func baseRegister(_ core: Core, for virtualAddress: UInt64) -> UInt64 {
        architecture.splitBaseRegisters && virtualAddress >> 63 != 0 ? core.ttbr1 : core.base
    }

    /// PAE: a CR3 load copies the four PDPTEs of the root table into the core.
    func loadRootEntries(core index: Int) {
        guard architecture.rootInRegisters else { return }
        let root = architecture.rootAddress(fromRegister: cores[index].base)
        cores[index].rootEntries = (
            rawTableEntry(at: root), rawTableEntry(at: root + 8), rawTableEntry(at: root + 16),
            rawTableEntry(at: root + 24)
        )
    }

    /// PAE: the first of the four PDPTEs at `root` that a CR3 load refuses,
    /// one present with a reserved bit set (bits 2:1, 8:5, 63 and those above
    /// MAXPHYADDR), or nil. Other machines load no entries with the register.
    func badRootEntry(ofRoot root: UInt64) -> Int? {
        guard architecture.rootInRegisters else { return nil }
        let level = architecture.levels
        return (0..<4).first { slot in
            let raw = rawTableEntry(at: root + UInt64(slot) * architecture.entryBytes)
            return architecture.format.isValid(raw) && raw & architecture.reservedBits(level: level, largePage: false) != 0
        }
    }

    /// The entry as memory holds it, in the architecture's own layout.
    @inline(__always)
    public func rawTableEntry(at address: UInt64) -> UInt64 { readEntry(at: address, bytes: architecture.entryBytes) }
}

