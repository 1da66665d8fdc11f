/// The codec between the kernel's entries (PageEntry) and the words memory
/// holds. Each architecture's file has its half (`decodePresent`,
/// `encodePresent`); what every layout shares is here: a not-present entry
/// is the architecture's own business only in its present bit, and a swap
/// entry is stored the same way everywhere (bit 9 marks it, bits 12 and up
/// hold the slot, as Linux keeps a swap entry in a not-present PTE).
extension Architecture {
    /// The kernel's view of `raw`, the word a table at `level` holds (1 = the
    /// last table). The level matters: x86's PS bit means a huge page only in
    /// a PD or PDPT entry, ARM's bits 1:0 = 0b11 are a table at L2 and a page at L3.
    @inline(__always)
    public func decodeEntry(_ raw: UInt64, level: Int) -> PageEntry {
        let present: PageEntry?
        switch encoding {
        case .x86: present = X86.decodePresent(raw, level: level, self)
        case .riscv: present = RISCV.decodePresent(raw)
        case .arm: present = ARM.decodePresent(raw, level: level)
        case .mips: present = MIPS.decodePresent(raw, level: level)
        }
        if let present { return present }
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
        switch encoding {
        case .x86: return X86.encodePresent(entry, level: level, self)
        case .riscv: return RISCV.encodePresent(entry)
        case .arm: return ARM.encodePresent(entry, level: level)
        case .mips: return MIPS.encodePresent(entry, level: level)
        }
    }

    /// Bit 9 of a not-present entry: free for software on every layout
    /// modelled (the hardware reads nothing else once its valid bit is clear).
    static let swapMarker: UInt64 = 1 << 9

    /// One step of the hardware walk under RISC-V's, ARM's or MIPS's rules,
    /// where a leaf's rights are its own (x86's are ANDed by the walker).
    @inline(__always)
    func leafOnlyStep(_ raw: UInt64, level: Int, virtualAddress: UInt64, limits: inout ARM.TableLimits) -> WalkStepResult {
        switch encoding {
        case .arm: return ARM.step(raw, level: level, levels: levels, virtualAddress: virtualAddress, limits: &limits)
        case .mips: return MIPS.step(raw, level: level)
        default: return RISCV.step(raw, level: level)
        }
    }
}

/// x86's layout, for every x86 paging mode (4- and 5-level, i386, PAE),
/// read through the architecture's format: 4-byte i386 entries have no NX
/// bit, so an entry that forbids execution is stored without it, as the CPU
/// could not enforce it either; a PAE PDPTE keeps only P and the address.
enum X86 {
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry? {
        let format = architecture.format
        guard raw & format.valid != 0 else { return nil }
        var entry = PageEntry()
        entry.present = true
        entry.leaf = architecture.isLeaf(raw, level: level)
        entry.writable = format.isWritable(raw)
        entry.user = format.isUser(raw)
        entry.executable = !format.isNoExecute(raw)
        entry.accessed = raw & format.accessed != 0
        entry.dirty = raw & format.dirty != 0
        entry.global = raw & format.global != 0
        entry.address = format.physicalAddress(raw)
        entry.preserved = raw & ~(named(level: level, architecture) | format.frameMask)
        return entry
    }

    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64 {
        let format = architecture.format
        var raw = entry.address & format.frameMask | format.valid | entry.preserved
        if entry.writable { raw |= format.writable }
        if entry.user { raw |= format.user }
        if !entry.executable { raw |= format.noExecute }
        if entry.accessed { raw |= format.accessed }
        if entry.dirty { raw |= format.dirty }
        if entry.global { raw |= format.global }
        if entry.leaf && level > 1 { raw |= format.largePage }
        // PAE: a PDPTE has P and the address only (RW, US, A, D and NX are reserved there).
        if level == architecture.levels { raw &= format.frameMask | architecture.rootTableFlagMask }
        return raw
    }

    /// The bits `PageEntry` names at `level`: PS only where it marks a huge
    /// page (in a PT entry it is PAT, in a PML4 entry reserved: kept as they are).
    private static func named(level: Int, _ architecture: Architecture) -> UInt64 {
        let format = architecture.format
        let large = (architecture.largePageLevels >> UInt8(level)) & 1 != 0 ? format.largePage : 0
        return format.valid | format.writable | format.user | format.noExecute | format.accessed | format.dirty
            | format.global | large
    }
}
