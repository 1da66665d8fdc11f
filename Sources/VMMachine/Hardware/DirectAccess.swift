/// What a debugger, a kernel bug or a textbook exercise does to the hardware
/// directly, past the MMU and the kernel's records: physical memory, the
/// page-table base register, TLB slots.
extension Hardware {
    /// Writes the low `bytes` bytes of `value` at a physical address: no check
    /// of what is there, no TLB flush. A page-table entry written this way is
    /// what the next walk reads.
    public func poke(_ physicalAddress: UInt64, _ value: UInt64, bytes: UInt64 = 8) throws(MachineError) {
        try checkPhysical(physicalAddress, bytes: bytes)
        if !memory.isTouched(frame: physicalAddress >> 12) { try checkHostMemory(adding: 1) }
        if bytes == 8 { memory.store(physicalAddress, value) } else { writeEntry(at: physicalAddress, bytes: bytes, value) }
    }

    /// Reads `bytes` bytes (1 to 8) of physical memory, little-endian.
    public func peek(_ physicalAddress: UInt64, bytes: UInt64 = 8) throws(MachineError) -> UInt64 {
        try checkPhysical(physicalAddress, bytes: bytes)
        return bytes == 8 ? memory.load(physicalAddress) : readEntry(at: physicalAddress, bytes: bytes)
    }

    private func checkPhysical(_ physicalAddress: UInt64, bytes: UInt64) throws(MachineError) {
        // x86-64's 8-byte accesses stay inside one 4 KiB frame; a textbook machine's inside its memory.
        let inside =
            architecture.hasKernel
            ? physicalAddress < physicalBytes && physicalAddress & 0xFFF <= 0x1000 - bytes
            : physicalAddress < physicalBytes && physicalBytes - physicalAddress >= bytes
        guard inside else { throw .physicalAddressOutOfRange(address: physicalAddress, limit: physicalBytes) }
    }

    /// Loads core `index`'s page-table base register with `value` (a textbook
    /// machine's PTBR or PDBR: the root table's frame number). As a CR3 write
    /// without PCIDs does, it flushes the core's TLB; returns the entries dropped.
    @discardableResult
    public func setBaseRegister(_ value: UInt64, core index: Int) throws(MachineError) -> Int {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        guard !architecture.hasKernel else {
            throw .needsKernel(architecture: architecture.name, what: "setting CR3 by hand")
        }
        let limit = physicalBytes >> architecture.pageShift
        guard value < limit else {
            throw .physicalAddressOutOfRange(address: value << architecture.pageShift, limit: physicalBytes)
        }
        cores[index].base = value
        cores[index].baseWrites += 1
        let dropped = cores[index].tlb.flushAll()
        if dropped > 0 { cores[index].tlbFlushes += 1 }
        return dropped
    }

    /// Types one TLB slot in, as a book's TLB table gives it: the set, the way,
    /// the tag (the VPN without its set bits), the PPN and the valid bit, and
    /// the rights and dirty bits where the format has them (where it has none,
    /// the entry allows the access, as the table would).
    public func setTLBEntry(
        core index: Int, set: Int, way: Int, tag: UInt64, ppn: UInt64, valid: Bool, writable: Bool = true,
        user: Bool = true, dirty: Bool = true
    ) throws(MachineError) {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        let array = cores[index].tlb.arrays[0]
        guard (0..<array.sets).contains(set), (0..<array.ways).contains(way) else {
            throw .noSuchTLBSlot(set: set, way: way, sets: array.sets, ways: array.ways)
        }
        let setBits = UInt64(array.sets.trailingZeroBitCount)
        let vpnBits = UInt64(architecture.virtualBits) - architecture.pageShift
        guard tag < 1 << (vpnBits - setBits) else { throw .fieldTooWide(name: "tag", value: tag, bits: Int(vpnBits - setBits)) }
        let ppnBits = UInt64(architecture.physicalBits) - architecture.pageShift
        guard ppn < 1 << ppnBits else { throw .fieldTooWide(name: "ppn", value: ppn, bits: Int(ppnBits)) }
        var entry = TLBEntry(pageShift: UInt8(architecture.pageShift))
        entry.valid = valid
        entry.virtualPage = tag << setBits | UInt64(set)
        entry.frameBase = ppn << architecture.pageShift
        entry.writable = writable
        entry.user = user
        entry.dirty = dirty
        cores[index].tlb.place(entry, array: 0, slot: set * array.ways + way)
    }
}
