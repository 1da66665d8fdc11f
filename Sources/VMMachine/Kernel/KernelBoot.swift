/// The kernel half every address space shares, built once at boot in the
/// master PML4. Flag choices follow Linux x86-64 (pgtable_types.h):
/// intermediate tables get `_KERNPG_TABLE`; the direct map and kernel text use
/// 2 MiB pages; kernel leaves are global unless KPTI is on, since KPTI must
/// not let kernel translations survive in the user address space (pti.rst:
/// "global pages disabled for kernel structures not in both copies"). The
/// entry trampoline is in both copies, so it stays global.
extension Machine {
    static let kernelTableFlags =
        PageTableEntry.present | PageTableEntry.writable | PageTableEntry.accessed | PageTableEntry.dirty
    static let userTableFlags = kernelTableFlags | PageTableEntry.user

    /// Maps all RAM at the direct map, the kernel image at the kernel text
    /// address, and the entry trampoline in the cpu_entry_area.
    func buildKernelHalf() throws(MachineError) {
        let global = configuration.kpti ? 0 : PageTableEntry.global
        // __PAGE_KERNEL | _PAGE_PSE: read/write, no execute.
        let directMap = Self.kernelTableFlags | PageTableEntry.noExecute | PageTableEntry.pageSize | global
        // PAGE_KERNEL_ROX | _PAGE_PSE: read-only, executable.
        let text = PageTableEntry.present | PageTableEntry.accessed | PageTableEntry.pageSize | global
        var physicalAddress: UInt64 = 0
        // Where the kernel image is the direct map's start (i386), its first page
        // must run: Linux maps kernel text with PAGE_KERNEL_LARGE_EXEC there.
        let textInDirectMap = architecture.kernelTextBase == architecture.directMapBase
        while physicalAddress < configuration.ramBytes {
            let flags = textInDirectMap && physicalAddress == 0 ? directMap & ~PageTableEntry.noExecute : directMap
            try installKernelLeaf(architecture.directMapBase + physicalAddress, physicalAddress, level: 2, flags)
            physicalAddress += architecture.span(ofLevel: 2)
        }
        // i386's kernel image is the start of the direct map (lowmem); x86-64 maps it apart.
        if architecture.kernelTextBase != architecture.directMapBase {
            try installKernelLeaf(architecture.kernelTextBase, 0, level: 2, text)
        }
        if let entryArea = architecture.entryAreaBase {
            let trampoline = PageTableEntry.present | PageTableEntry.accessed | PageTableEntry.global
            try installKernelLeaf(entryArea, AddressLayout.entryCodePhysical, level: 1, trampoline)
        }
    }

    private func installKernelLeaf(_ virtualAddress: UInt64, _ physicalAddress: UInt64, level: Int, _ flags: UInt64)
        throws(MachineError)
    {
        var created: [UInt64] = []
        let table = try ensureTables(
            root: kernelRoot, mirror: nil, virtualAddress, downTo: level, tableFlags: Self.kernelTableFlags,
            created: &created)
        kernelTableFrames += created
        let entryAddress = table + UInt64(architecture.index(of: virtualAddress, level: level)) * architecture.entryBytes
        setTableEntry(
            at: entryAddress,
            PageTableEntry(physicalAddress: physicalAddress, flags: architecture.leafFlags(flags, level: level)).raw)
    }

    /// The PML4 indices of the kernel half that a process's table gets: all of
    /// them, or under KPTI (user copy) only the entry trampoline's.
    func kernelEntries(forUserCopy: Bool) -> [Int] {
        // ARM: the kernel's table is TTBR1's; a process's table holds none of it.
        guard !architecture.splitBaseRegisters else { return [] }
        let trampoline = architecture.entryAreaBase.map { architecture.index(of: $0, level: architecture.levels) }
        return (architecture.firstKernelIndex..<Int(architecture.entriesPerTable)).filter { index in
            tableEntry(at: kernelRoot + UInt64(index) * architecture.entryBytes) & PageTableEntry.present != 0
                && (!forUserCopy || index == trampoline)
        }
    }
}
