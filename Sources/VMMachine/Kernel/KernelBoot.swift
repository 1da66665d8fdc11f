/// The kernel half every address space shares, built once at boot in the
/// master PML4. Flag choices follow Linux x86-64 (pgtable_types.h):
/// intermediate tables get `_KERNPG_TABLE`; the direct map and kernel text use
/// 2 MiB pages; kernel leaves are global unless KPTI is on, since KPTI must
/// not let kernel translations survive in the user address space (pti.rst:
/// "global pages disabled for kernel structures not in both copies"). The
/// entry trampoline is in both copies, so it stays global.
extension Machine {
    /// Maps all RAM at the direct map, the kernel image at the kernel text
    /// address, and the entry trampoline in the cpu_entry_area.
    func buildKernelHalf() throws(MachineError) {
        let global = !configuration.kpti
        // __PAGE_KERNEL | _PAGE_PSE: read/write, no execute.
        let directMap = PageEntry.leaf(
            at: 0, writable: true, user: false, executable: false, accessed: true, dirty: true, global: global)
        // PAGE_KERNEL_ROX | _PAGE_PSE: read-only, executable.
        let text = PageEntry.leaf(at: 0, writable: false, user: false, executable: true, accessed: true, global: global)
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
            var leaf = directMap
            leaf.executable = textInDirectMap && physicalAddress == 0
            let level =
                hugeLeaves && physicalAddress >= gigabyte && physicalAddress % gigabyte == 0
                    && configuration.ramBytes - physicalAddress >= gigabyte ? 3 : 2
            try installKernelLeaf(architecture.directMapBase + physicalAddress, physicalAddress, level: level, leaf)
            physicalAddress += architecture.span(ofLevel: level)
        }
        // i386's kernel image is the start of the direct map (lowmem); x86-64 maps it apart.
        if architecture.kernelTextBase != architecture.directMapBase {
            try installKernelLeaf(architecture.kernelTextBase, 0, level: 2, text)
        }
        if let entryArea = architecture.entryAreaBase {
            let trampoline = PageEntry.leaf(at: 0, writable: false, user: false, executable: true, accessed: true, global: true)
            try installKernelLeaf(entryArea, AddressLayout.entryCodePhysical, level: 1, trampoline)
        }
    }

    /// Writes `leaf` (its rights; the address is `physicalAddress`) for `virtualAddress` in the master table.
    private func installKernelLeaf(_ virtualAddress: UInt64, _ physicalAddress: UInt64, level: Int, _ leaf: PageEntry)
        throws(MachineError)
    {
        var created: [UInt64] = []
        let table = try makeTables(root: kernelRoot, mirror: nil, virtualAddress, downTo: level, user: false, created: &created)
        kernelTableFrames += created
        var entry = leaf
        entry.address = physicalAddress
        setPageEntry(entry, at: entryAddress(in: table, virtualAddress, level: level), level: level)
    }

    /// The PML4 indices of the kernel half that a process's table gets: all of
    /// them, or under KPTI (user copy) only the entry trampoline's.
    func kernelEntries(forUserCopy: Bool) -> [Int] {
        // ARM: the kernel's table is TTBR1's; a process's table holds none of it.
        guard !architecture.splitBaseRegisters else { return [] }
        let trampoline = architecture.entryAreaBase.map { architecture.index(of: $0, level: architecture.levels) }
        return (architecture.firstKernelIndex..<Int(architecture.entriesPerTable)).filter { index in
            pageEntry(at: kernelRoot + UInt64(index) * architecture.entryBytes, level: architecture.levels).present
                && (!forUserCopy || index == trampoline)
        }
    }
}
