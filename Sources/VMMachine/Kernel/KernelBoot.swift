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
        if let entryArea {
            // xv6 sets no G bit anywhere.
            let trampoline = PageEntry.leaf(
                at: 0, writable: false, user: false, executable: true, accessed: true, global: !xv6Layout)
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
        // xv6: the trampoline is mapped in the process's own tables (mapXv6TrapPages), not shared by a root entry.
        if forUserCopy && xv6Layout { return [] }
        let trampoline = entryArea.map { architecture.index(of: $0, level: architecture.levels) }
        return (architecture.firstKernelIndex..<Int(architecture.entriesPerTable)).filter { index in
            pageEntry(at: kernelRoot + UInt64(index) * architecture.entryBytes, level: architecture.levels).present
                && (!forUserCopy || index == trampoline)
        }
    }
}

/// xv6's layout on RISC-V (kernel=separate): the trampoline page at
/// TRAMPOLINE (MAXVA - 4096) in every process's own table and in the
/// kernel's, a TRAPFRAME page of the process's own below it, and user memory
/// under both (xv6's proc_pagetable and kvmmake).
extension Machine {
    /// Where this machine's kernel entry code runs: xv6's TRAMPOLINE, or the architecture's entry area.
    var entryArea: UInt64? {
        xv6Layout ? RISCV.xv6Trampoline : architecture.entryAreaBase
    }

    /// The end of what user mappings may use: below xv6's TRAPFRAME, else the user half's end.
    public var userSpaceEnd: UInt64 {
        xv6Layout ? RISCV.xv6Trapframe : architecture.userEnd
    }

    var xv6Layout: Bool { configuration.separateKernelTable && architecture.hasXv6Layout }

    /// proc_pagetable: TRAMPOLINE (R X, shared code, not U, not global: xv6
    /// uses no G bit) and a zeroed TRAPFRAME page (R W, not U) in the
    /// process's tables, both copies sharing them, with A and D clear as
    /// mappages writes them (the MMU sets them on use). Returns the frames
    /// taken (the trapframe and any table), which the process owns.
    func mapXv6TrapPages(root: UInt64, userRoot: UInt64) throws(MachineError) -> [UInt64] {
        var created: [UInt64] = []
        let trampoline = PageEntry.leaf(
            at: AddressLayout.entryCodePhysical, writable: false, user: false, executable: true)
        var table = try makeTables(root: userRoot, mirror: root, RISCV.xv6Trampoline, downTo: 1, user: false, created: &created)
        setPageEntry(trampoline, at: entryAddress(in: table, RISCV.xv6Trampoline, level: 1), level: 1)
        guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
        memory.discard(frame: frame)  // a zeroed page
        let trapframe = PageEntry.leaf(at: frame * AddressLayout.pageSize, writable: true, user: false, executable: false)
        table = try makeTables(root: userRoot, mirror: root, RISCV.xv6Trapframe, downTo: 1, user: false, created: &created)
        setPageEntry(trapframe, at: entryAddress(in: table, RISCV.xv6Trapframe, level: 1), level: 1)
        return created + [frame]
    }
}
