/// How a walk of the page tables ended.
enum WalkEnd {
    /// A leaf at `level` maps the page; the rights are the AND (NX: the OR) over every level.
    case leaf(raw: UInt64, level: Int, writable: Bool, user: Bool, noExecute: Bool)
    /// The entry at `level` is not present, or has a reserved bit set.
    case fault(FaultKind, level: Int)
}

extension Machine {
    /// The one page walker. It reads the tables from `root` for
    /// `virtualAddress` as the machine's architecture describes them (levels,
    /// index bits, entry size, where each bit lives) and records each entry
    /// in `trace`. It changes nothing: an access (MMU.swift) then checks the
    /// rights, sets accessed and dirty bits and counts; `explain` only reads.
    @inline(__always)
    func walkTables(_ virtualAddress: UInt64, root: UInt64, trace: inout WalkTrace) -> WalkEnd {
        let format = architecture.format
        var table = root
        var level = architecture.levels
        var writable = true
        var user = true
        var noExecute = false
        while true {
            let index = architecture.index(of: virtualAddress, level: level)
            let entryAddress = table &+ UInt64(truncatingIfNeeded: index) &* architecture.entryBytes
            let raw = readEntry(at: entryAddress, bytes: architecture.entryBytes)
            trace.append(WalkStep(level: level, index: index, entryAddress: entryAddress, entry: raw))
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

extension Machine {
    /// A page-table entry of this machine's size at `address` (the kernel
    /// model's reads and writes of its tables: 8 bytes on x86-64, 4 on i386).
    @inline(__always)
    func tableEntry(at address: UInt64) -> UInt64 { readEntry(at: address, bytes: architecture.entryBytes) }

    @inline(__always)
    func setTableEntry(at address: UInt64, _ value: UInt64) {
        writeEntry(at: address, bytes: architecture.entryBytes, value)
    }
}
