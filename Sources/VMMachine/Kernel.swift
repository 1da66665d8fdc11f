/// The kernel model: what the OS does to page tables. Everything here writes
/// encoded entries into physical memory; the MMU only ever reads them back.
///
/// Flag choices follow Linux x86-64 (pgtable_types.h): intermediate tables get
/// `_PAGE_TABLE` (P|RW|US|A|D) for user space and `_KERNPG_TABLE` (P|RW|A|D)
/// for the kernel; kernel leaves are global; the direct map and kernel text
/// use 2 MiB pages, as Linux does where it can.
extension Machine {
    static let userTableFlags =
        PageTableEntry.present | PageTableEntry.writable | PageTableEntry.user
        | PageTableEntry.accessed | PageTableEntry.dirty
    static let kernelTableFlags =
        PageTableEntry.present | PageTableEntry.writable | PageTableEntry.accessed | PageTableEntry.dirty
    /// `__PAGE_KERNEL | _PAGE_PSE`: read/write, no execute, global, 2 MiB.
    static let directMapFlags =
        kernelTableFlags | PageTableEntry.global | PageTableEntry.noExecute | PageTableEntry.pageSize
    /// `PAGE_KERNEL_ROX | _PAGE_PSE`: read-only, executable, global, 2 MiB.
    static let kernelTextFlags =
        PageTableEntry.present | PageTableEntry.accessed | PageTableEntry.global | PageTableEntry.pageSize

    /// Maps all of physical memory at the direct map and the kernel image at
    /// the kernel text address, in the master PML4.
    func buildKernelHalf() throws(MachineError) {
        var physicalAddress: UInt64 = 0
        while physicalAddress < configuration.ramBytes {
            try installKernelLargePage(
                AddressLayout.directMapBase + physicalAddress, physicalAddress: physicalAddress,
                flags: Self.directMapFlags)
            physicalAddress += AddressLayout.largePageSize
        }
        try installKernelLargePage(AddressLayout.kernelTextBase, physicalAddress: 0, flags: Self.kernelTextFlags)
    }

    private func installKernelLargePage(
        _ virtualAddress: UInt64, physicalAddress: UInt64, flags: UInt64
    ) throws(MachineError) {
        var created: [UInt64] = []
        let directory = try ensureTables(
            root: kernelRoot, virtualAddress, downTo: 2, tableFlags: Self.kernelTableFlags, created: &created)
        kernelTableFrames += created
        let entryAddress = directory + UInt64(AddressLayout.index(of: virtualAddress, level: 2)) * 8
        memory.writeWord(entryAddress, PageTableEntry(physicalAddress: physicalAddress, flags: flags).raw)
    }

    /// Walks from `root` to the table at `level` for `virtualAddress`,
    /// allocating and linking any missing table above it, and returns that
    /// table's physical address.
    private func ensureTables(
        root: UInt64, _ virtualAddress: UInt64, downTo level: Int, tableFlags: UInt64, created: inout [UInt64]
    ) throws(MachineError) -> UInt64 {
        var table = root
        var current = AddressLayout.levels
        while current > level {
            let entryAddress = table + UInt64(AddressLayout.index(of: virtualAddress, level: current)) * 8
            var entry = PageTableEntry(raw: memory.readWord(entryAddress))
            if !entry.isPresent {
                guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
                created.append(frame)
                entry = PageTableEntry(physicalAddress: frame * AddressLayout.pageSize, flags: tableFlags)
                memory.writeWord(entryAddress, entry.raw)
            }
            table = entry.physicalAddress
            current -= 1
        }
        return table
    }

    /// The physical address of the present table at `level` (3 … 1) on the
    /// way to `virtualAddress`, or nil if the walk stops above it.
    func existingTable(root: UInt64, _ virtualAddress: UInt64, level: Int) -> UInt64? {
        var table = root
        var current = AddressLayout.levels
        while current > level {
            let entryAddress = table + UInt64(AddressLayout.index(of: virtualAddress, level: current)) * 8
            let entry = PageTableEntry(raw: memory.readWord(entryAddress))
            guard entry.isPresent, !entry.isLargePage else { return nil }
            table = entry.physicalAddress
            current -= 1
        }
        return table
    }

    /// Refuses work that would make more than `maximumTouchedFrames` frames hold data.
    func checkHostMemory(adding frames: Int) throws(MachineError) {
        guard memory.touchedFrames + frames <= configuration.maximumTouchedFrames else {
            throw .hostMemoryLimit(frames: configuration.maximumTouchedFrames)
        }
    }

    // MARK: Processes

    /// Creates a process with an empty user half. Its PML4's kernel half is a
    /// copy of the master's top-level entries, so every process points at the
    /// same kernel page tables (Linux `pgd_ctor` → `clone_pgd_range`; Linux
    /// copies from index 273, we copy the whole upper half, whose other entries are empty).
    @discardableResult
    public func spawn(name: String) throws(MachineError) -> Process {
        try checkHostMemory(adding: 1)
        guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
        let root = frame * AddressLayout.pageSize
        for index in AddressLayout.firstKernelPML4Index..<Int(AddressLayout.entriesPerTable) {
            let offset = UInt64(index) * 8
            memory.writeWord(root + offset, memory.readWord(kernelRoot + offset))
        }
        let process = Process(pid: ProcessID(nextPID), name: name, root: root, tableFrames: [frame])
        nextPID += 1
        processes.append(process)
        return process
    }

    private func processIndex(_ pid: ProcessID) -> Int {
        guard let index = processes.firstIndex(where: { $0.pid == pid }) else {
            preconditionFailure("no process \(pid)")
        }
        return index
    }

    private func checkUserRange(_ virtualAddress: UInt64, size: UInt64) throws(MachineError) -> UInt64 {
        guard virtualAddress % AddressLayout.pageSize == 0 else {
            throw .misaligned(address: virtualAddress, alignment: AddressLayout.pageSize)
        }
        guard size > 0 else { throw .emptyRange }
        guard size % AddressLayout.pageSize == 0 else { throw .sizeNotPageMultiple(size: size) }
        guard AddressLayout.isUser(virtualAddress) else { throw .notUserAddress(address: virtualAddress) }
        let (end, overflow) = virtualAddress.addingReportingOverflow(size)
        guard !overflow, end <= AddressLayout.userEnd else {
            throw .notUserAddress(address: overflow ? UInt64.max : end - 1)
        }
        return size / AddressLayout.pageSize
    }

    /// Tables that mapping `pages` pages from `start` would have to create.
    private func missingTables(root: UInt64, start: UInt64, pages: UInt64) -> UInt64 {
        let end = start + pages * AddressLayout.pageSize
        var missing: UInt64 = 0
        for level in 1...3 {
            // One table at `level` covers the span of one entry at `level + 1`.
            let span = AddressLayout.span(ofLevel: level + 1)
            var region = start & ~(span - 1)
            while region < end {
                if existingTable(root: root, region, level: level) == nil { missing += 1 }
                region += span
            }
        }
        return missing
    }

    /// Maps `size` bytes of user memory at `virtualAddress` in `pid` to fresh
    /// zeroed frames, writing the entries now (like `mmap` with MAP_POPULATE).
    /// Nothing changes unless every page can be mapped.
    @discardableResult
    public func map(_ pid: ProcessID, at virtualAddress: UInt64, size: UInt64, protection: Protection)
        throws(MachineError) -> MapOutcome
    {
        let pages = try checkUserRange(virtualAddress, size: size)
        let index = processIndex(pid)
        let root = processes[index].root
        guard pages <= allocator.available else { throw .outOfMemory(totalFrames: framesTotal) }
        // Page tables are touched frames: bound them before checking page by page.
        try checkHostMemory(adding: Int(pages / AddressLayout.entriesPerTable))
        for page in 0..<pages {
            let address = virtualAddress + page * AddressLayout.pageSize
            if leafEntryAddress(address, root: root) != nil {
                throw .alreadyMapped(process: processes[index].name, address: address)
            }
        }
        let tables = missingTables(root: root, start: virtualAddress, pages: pages)
        guard pages + tables <= allocator.available else { throw .outOfMemory(totalFrames: framesTotal) }
        try checkHostMemory(adding: Int(tables))
        let flags = protection.userLeafFlags
        var created: [UInt64] = []
        var frames: [UInt64] = []
        for page in 0..<pages {
            let address = virtualAddress + page * AddressLayout.pageSize
            // Cannot fail: the frames were counted above.
            let table = try ensureTables(
                root: root, address, downTo: 1, tableFlags: Self.userTableFlags, created: &created)
            guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
            frames.append(frame * AddressLayout.pageSize)
            let entryAddress = table + UInt64(AddressLayout.index(of: address, level: 1)) * 8
            memory.writeWord(entryAddress, PageTableEntry(physicalAddress: frame * AddressLayout.pageSize, flags: flags).raw)
        }
        processes[index].tableFrames += created
        processes[index].residentPages += pages
        return MapOutcome(frames: frames, newTables: created.map { $0 * AddressLayout.pageSize })
    }

    public struct MapOutcome: Sendable {
        /// Physical addresses of the new user pages, in virtual-address order.
        public let frames: [UInt64]
        /// Physical addresses of the page tables this mapping had to create.
        public let newTables: [UInt64]
    }

    public struct UnmapOutcome: Sendable {
        public let freedFrames: [UInt64]
        public let tlbEntriesInvalidated: Int
    }

    /// Removes the mappings of `size` bytes at `virtualAddress` in `pid`, frees
    /// their frames and invalidates (INVLPG) the TLB entries of every core
    /// whose CR3 holds this address space. Page-table frames stay (Linux frees
    /// them only when whole tables empty out).
    @discardableResult
    public func unmap(_ pid: ProcessID, at virtualAddress: UInt64, size: UInt64) throws(MachineError)
        -> UnmapOutcome
    {
        let pages = try checkUserRange(virtualAddress, size: size)
        let index = processIndex(pid)
        let root = processes[index].root
        for page in 0..<pages {
            let address = virtualAddress + page * AddressLayout.pageSize
            if leafEntryAddress(address, root: root) == nil {
                throw .notMapped(process: processes[index].name, address: address)
            }
        }
        var invalidated = 0
        var freed: [UInt64] = []
        for page in 0..<pages {
            let address = virtualAddress + page * AddressLayout.pageSize
            guard let entryAddress = leafEntryAddress(address, root: root) else { continue }
            let entry = PageTableEntry(raw: memory.readWord(entryAddress))
            memory.writeWord(entryAddress, 0)
            let frame = entry.physicalAddress / AddressLayout.pageSize
            freed.append(entry.physicalAddress)
            memory.discard(frame: frame)
            allocator.free(frame)
            for coreIndex in cores.indices where cores[coreIndex].cr3 & PageTableEntry.addressMask == root {
                invalidated += cores[coreIndex].tlb.invalidate(address)
            }
        }
        processes[index].residentPages -= pages
        return UnmapOutcome(freedFrames: freed, tlbEntriesInvalidated: invalidated)
    }

    /// Runs `pid` on `coreIndex`: writes CR3, which (without PCIDs) drops every
    /// non-global TLB entry, and drops the core to user mode. If the core
    /// already runs that address space nothing is written (Linux's
    /// `switch_mm_irqs_off` `prev == next` path).
    @discardableResult
    public func switchTo(_ pid: ProcessID, core coreIndex: Int = 0) throws(MachineError) -> SwitchOutcome {
        guard cores.indices.contains(coreIndex) else { throw .noSuchCore(index: coreIndex, count: cores.count) }
        let root = processes[processIndex(pid)].root
        let previous = cores[coreIndex].currentProcess
        let oldCR3 = cores[coreIndex].cr3
        cores[coreIndex].currentProcess = pid
        cores[coreIndex].mode = .user
        guard oldCR3 != root else {
            return SwitchOutcome(
                core: coreIndex, previous: previous, next: pid, oldCR3: oldCR3, newCR3: root,
                wroteCR3: false, entriesFlushed: 0, globalEntriesKept: cores[coreIndex].tlb.validCount)
        }
        cores[coreIndex].cr3 = root
        cores[coreIndex].contextSwitches += 1
        let flushed = cores[coreIndex].tlb.flushNonGlobal()
        cores[coreIndex].tlbFlushes += 1
        return SwitchOutcome(
            core: coreIndex, previous: previous, next: pid, oldCR3: oldCR3, newCR3: root,
            wroteCR3: true, entriesFlushed: flushed, globalEntriesKept: cores[coreIndex].tlb.validCount)
    }

    // MARK: Inspection

    /// The raw entry that a walk of `virtualAddress` from `root` reads at
    /// `level` (4 = PML4 … 1 = PT), or 0 if the walk stops before that level.
    public func entry(root: UInt64, _ virtualAddress: UInt64, level: Int) throws(MachineError) -> UInt64 {
        guard (1...AddressLayout.levels).contains(level) else { throw .noSuchLevel(level) }
        guard let table = existingTable(root: root, virtualAddress, level: level) else { return 0 }
        return memory.readWord(table + UInt64(AddressLayout.index(of: virtualAddress, level: level)) * 8)
    }

    /// The present entries of the table at `tableAddress`, by index.
    public func presentEntries(ofTable tableAddress: UInt64) -> [(index: Int, entry: PageTableEntry)] {
        (0..<Int(AddressLayout.entriesPerTable)).compactMap { index in
            let entry = PageTableEntry(raw: memory.readWord(tableAddress + UInt64(index) * 8))
            return entry.isPresent ? (index, entry) : nil
        }
    }
}
