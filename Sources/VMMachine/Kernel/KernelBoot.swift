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
        // The first gigabyte in 2 MiB pages and every whole gigabyte after it
        // in 1 GiB pages where the architecture has them, as Linux maps it
        // with X86_FEATURE_GBPAGES (/sys/kernel/debug/page_tables/kernel shows
        // "pmd" lines up to 1 GiB, then "pud"): building a machine costs
        // nothing proportional to its RAM beyond one entry a gigabyte.
        let gigabyte = architecture.levels >= 3 ? architecture.span(ofLevel: 3) : 0
        let hugeLeaves = gigabyte != 0 && architecture.leafLevel(forPageSize: gigabyte) == 3
        while physicalAddress < configuration.ramBytes {
            let flags = textInDirectMap && physicalAddress == 0 ? directMap & ~PageTableEntry.noExecute : directMap
            let level =
                hugeLeaves && physicalAddress >= gigabyte && physicalAddress % gigabyte == 0
                    && configuration.ramBytes - physicalAddress >= gigabyte ? 3 : 2
            try installKernelLeaf(architecture.directMapBase + physicalAddress, physicalAddress, level: level, flags)
            physicalAddress += architecture.span(ofLevel: level)
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
