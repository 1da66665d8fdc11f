/// The codec between the kernel's entries (PageEntry) and the words memory
/// holds. Each architecture's file has its half (`decodePresent`,
/// `encodePresent`, ArchitectureFamily.swift); what every layout shares is here: a not-present entry
/// is the architecture's own business only in its present bit, and a swap
/// entry is stored the same way everywhere (bit 9 marks it, bits 12 and up
/// hold the slot, as Linux keeps a swap entry in a not-present PTE).
extension Architecture {
    /// The kernel's view of `raw`, the word a table at `level` holds (1 = the
    /// last table). The level matters: x86's PS bit means a huge page only in
    /// a PD or PDPT entry, ARM's bits 1:0 = 0b11 are a table at L2 and a page at L3.
    @inline(__always)
    public func decodeEntry(_ raw: UInt64, level: Int) -> PageEntry {
        if let present = family.decodePresent(raw, level: level, self) { return present }
        var entry = PageEntry()
        if raw & Self.swapMarker != 0 {
            entry.swapSlot = raw >> 12
        } else {
            entry.preserved = raw
        }
        return entry
    }

    /// The word a table at `level` holds for `entry`.
    @inline(__always)
    public func encodeEntry(_ entry: PageEntry, level: Int) -> UInt64 {
        guard entry.present else {
            if let slot = entry.swapSlot { return slot << 12 | Self.swapMarker }
            return entry.preserved
        }
        return family.encodePresent(entry, level: level, self)
    }

    /// Bit 9 of a not-present entry: free for software on every layout
    /// modelled (the hardware reads nothing else once its valid bit is clear).
    static let swapMarker: UInt64 = 1 << 9

    /// One step of the hardware walk under RISC-V's, ARM's or MIPS's rules,
    /// where a leaf's rights are its own (x86's are ANDed by the walker).
    @inline(__always)
    func leafOnlyStep(_ raw: UInt64, level: Int, virtualAddress: UInt64, limits: inout TableLimits) -> WalkStepResult {
        family.step(raw, level: level, virtualAddress: virtualAddress, self, limits: &limits)
    }
}
