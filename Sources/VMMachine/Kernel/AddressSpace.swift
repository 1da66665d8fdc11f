/// Page-table primitives the kernel model uses to build and change address
/// spaces. Everything here writes encoded entries into physical memory; the
/// MMU only ever reads them back.
extension Machine {
    /// Walks from `root` to the table at `level` for `virtualAddress`,
    /// allocating and linking any missing table above it, and returns that
    /// table's physical address. A new top-level entry is also written into
    /// `mirror` (KPTI's user PML4: Linux's `set_pgd` mirrors user entries, so
    /// both copies share every lower level). In the kernel copy such entries
    /// get NX, as Linux does, so a missed CR3 switch cannot run user code.
    func ensureTables(
        root: UInt64, mirror: UInt64?, _ virtualAddress: UInt64, downTo level: Int, tableFlags: UInt64,
        created: inout [UInt64]
    ) throws(MachineError) -> UInt64 {
        var table = root
        var current = architecture.levels
        while current > level {
            let entryAddress = table + UInt64(architecture.index(of: virtualAddress, level: current)) * architecture.entryBytes
            var entry = PageTableEntry(raw: tableEntry(at: entryAddress))
            if !entry.isPresent {
                try checkHostMemory(adding: 1)
                guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
                created.append(frame)
                noteTable(frame: frame, level: current - 1)
                let flags = current == architecture.levels ? tableFlags & architecture.rootTableFlagMask : tableFlags
                entry = PageTableEntry(physicalAddress: frame * AddressLayout.pageSize, flags: flags)
                if current == architecture.levels && architecture.rootInRegisters {
                    // PAE: a PDPTE reaches the CPU only with a CR3 load (Intel's note 317080 §8.1).
                    setTableEntry(at: entryAddress, entry.raw)
                    reloadRootEntries(ofRoot: root)
                } else if current == architecture.levels, let mirror {
                    setTableEntry(at: mirror + (entryAddress - root), entry.raw)
                    setTableEntry(at: entryAddress, entry.raw | PageTableEntry.noExecute)
                } else {
                    setTableEntry(at: entryAddress, entry.raw)
                }
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
        var current = architecture.levels
        while current > level {
            let entryAddress = table + UInt64(architecture.index(of: virtualAddress, level: current)) * architecture.entryBytes
            let entry = PageTableEntry(raw: tableEntry(at: entryAddress))
            guard entry.isPresent, !entry.isLargePage else { return nil }
            table = entry.physicalAddress
            current -= 1
        }
        return table
    }

    /// Physical address and level of the present leaf entry for
    /// `virtualAddress`, found by a software walk that changes nothing.
    func leaf(_ virtualAddress: UInt64, root: UInt64) -> (address: UInt64, level: Int)? {
        var tableAddress = root & PageTableEntry.addressMask
        var level = architecture.levels
        while true {
            let entryAddress = tableAddress + UInt64(architecture.index(of: virtualAddress, level: level)) * architecture.entryBytes
            let entry = PageTableEntry(raw: tableEntry(at: entryAddress))
            guard entry.isPresent else { return nil }
            if level == 1 || ((level == 2 || level == 3) && entry.isLargePage) { return (entryAddress, level) }
            tableAddress = entry.physicalAddress
            level -= 1
        }
    }

    /// The present leaves of `region` under `root`: each page's virtual
    /// address and the physical address of its entry, in address order. The
    /// walk visits only present tables, so its cost follows what is mapped,
    /// not the region's size (a 4 TiB region with one page costs one walk).
    func presentLeaves(of region: MemoryRegion, root: UInt64) -> [(page: UInt64, entryAddress: UInt64)] {
        var leaves: [(page: UInt64, entryAddress: UInt64)] = []
        collectLeaves(
            table: root & PageTableEntry.addressMask, level: architecture.levels, base: 0, start: region.start,
            end: region.end, swapped: false, into: &leaves)
        return leaves
    }

    /// The same walk, collecting instead the 4 KiB entries that hold a page
    /// swapped out (frames=N; there are none otherwise).
    func swappedLeaves(of region: MemoryRegion, root: UInt64) -> [(page: UInt64, entryAddress: UInt64)] {
        guard limitsUserFrames, region.pageSize == AddressLayout.pageSize else { return [] }
        var leaves: [(page: UInt64, entryAddress: UInt64)] = []
        collectLeaves(
            table: root & PageTableEntry.addressMask, level: architecture.levels, base: 0, start: region.start,
            end: region.end, swapped: true, into: &leaves)
        return leaves
    }

    private func collectLeaves(
        table: UInt64, level: Int, base: UInt64, start: UInt64, end: UInt64, swapped: Bool,
        into leaves: inout [(page: UInt64, entryAddress: UInt64)]
    ) {
        let span = architecture.span(ofLevel: level)
        let first = start > base ? (start - base) / span : 0
        let last = min(architecture.entriesPerTable - 1, (end - 1 - base) / span)
        guard first <= last else { return }
        for index in first...last {
            let entryAddress = table + index * architecture.entryBytes
            let entry = PageTableEntry(raw: tableEntry(at: entryAddress))
            let address = base + index * span
            if swapped && level == 1 {
                if entry.isSwapped { leaves.append((address, entryAddress)) }
                continue
            }
            guard entry.isPresent else { continue }
            if level == 1 || ((level == 2 || level == 3) && entry.isLargePage) {
                if !swapped { leaves.append((address, entryAddress)) }
            } else {
                collectLeaves(
                    table: entry.physicalAddress, level: level - 1, base: address, start: max(start, address),
                    end: min(end, address + span), swapped: swapped, into: &leaves)
            }
        }
    }

    /// Charges `cycles` to one of a core's accounts, saturating.
    func charge(_ account: WritableKeyPath<CycleAccount, UInt64>, _ cycles: UInt64, core index: Int) {
        cores[index].cycles[keyPath: account] = saturatingAdd(cores[index].cycles[keyPath: account], cycles)
    }

    /// Charges the kernel's page work on a core: frames zeroed or copied,
    /// page-table entries written or cleared.
    func chargeKernelWork(
        core index: Int, zeroed: UInt64 = 0, copied: UInt64 = 0, entries: UInt64 = 0, swapped: UInt64 = 0
    ) {
        let costs = configuration.costs
        let cycles = [
            saturatingMultiply(zeroed, costs.zeroPage), saturatingMultiply(copied, costs.copyPage),
            saturatingMultiply(entries, costs.entryWrite), saturatingMultiply(swapped, costs.swapPage),
        ].reduce(0, saturatingAdd)
        charge(\.kernelWork, cycles, core: index)
    }

    /// Counts a TLB flush on a core and charges it.
    func chargeFlush(core index: Int) {
        cores[index].tlbFlushes += 1
        charge(\.flushes, configuration.costs.tlbFlush, core: index)
    }

    /// Tables that mapping `[start, end)` with leaves at `leafLevel` would have to create.
    func missingTables(root: UInt64, start: UInt64, end: UInt64, leafLevel: Int) -> UInt64 {
        var missing: UInt64 = 0
        for level in leafLevel..<max(leafLevel, architecture.levels) {
            // One table at `level` covers the span of one entry at `level + 1`.
            let span = architecture.span(ofLevel: level + 1)
            var region = start & ~(span - 1)
            while region < end {
                if existingTable(root: root, region, level: level) == nil { missing += 1 }
                region += span
            }
        }
        return missing
    }

    /// Refuses work that would make more than `maximumTouchedFrames` frames
    /// hold data. The boot's own tables are exempt (their number follows
    /// `ram=`, at most about a thousand): a bound below them fails the first
    /// thing a script does, not the machine's construction.
    func checkHostMemory(adding frames: Int) throws(MachineError) {
        guard booting || memory.touchedFrames + frames <= configuration.maximumTouchedFrames else {
            throw .hostMemoryLimit(frames: configuration.maximumTouchedFrames)
        }
    }

    /// A zeroed page of `pageSize` bytes: its first frame's physical address.
    func allocatePage(_ pageSize: UInt64) throws(MachineError) -> UInt64 {
        let frames = pageSize / AddressLayout.pageSize
        let first = frames == 1 ? allocator.allocate() : allocator.allocateContiguous(frames)
        guard let first else { throw .outOfMemory(totalFrames: framesTotal) }
        return first * AddressLayout.pageSize
    }

    /// Drops one mapping of the page at `physicalAddress`; frees it when none is left.
    func releasePage(_ physicalAddress: UInt64, pageSize: UInt64) {
        if let count = sharedFrames[physicalAddress] {
            sharedFrames[physicalAddress] = count > 2 ? count - 1 : nil
            return
        }
        let first = physicalAddress / AddressLayout.pageSize
        let count = pageSize / AddressLayout.pageSize
        if count > 1 {
            // A huge page (never under frames=N) goes back whole.
            memory.discard(frames: first..<(first + count))
            allocator.free(first, count: count)
            return
        }
        if limitsUserFrames {
            if let slot = resident.cleanCopy[first] { releaseSwapSlot(slot) }
            resident.remove(first)
        }
        memory.discard(frame: first)
        allocator.free(first)
    }

    /// How many leaf entries map the page at `physicalAddress`.
    public func mappingCount(_ physicalAddress: UInt64) -> Int { sharedFrames[physicalAddress] ?? 1 }

    // MARK: Inspection

    /// The raw entry, in the architecture's own layout, that a walk of
    /// `virtualAddress` from `root` reads at `level` (4 = PML4 … 1 = PT), or
    /// 0 if the walk stops before that level.
    public func entry(root: UInt64, _ virtualAddress: UInt64, level: Int) throws(MachineError) -> UInt64 {
        guard (1...architecture.levels).contains(level) else { throw .noSuchLevel(level) }
        guard let table = existingTable(root: root, virtualAddress, level: level) else { return 0 }
        return rawTableEntry(at: table + UInt64(architecture.index(of: virtualAddress, level: level)) * architecture.entryBytes)
    }

    /// The present entries of the table at `tableAddress`, by index.
    public func presentEntries(ofTable tableAddress: UInt64) -> [(index: Int, entry: PageTableEntry)] {
        (0..<Int(architecture.entriesPerTable)).compactMap { index in
            let entry = PageTableEntry(raw: tableEntry(at: tableAddress + UInt64(index) * architecture.entryBytes))
            return entry.isPresent ? (index, entry) : nil
        }
    }

    /// The entries of a table that are present or hold a page swapped out, in index order.
    public func presentOrSwappedEntries(ofTable tableAddress: UInt64) -> [(index: Int, entry: PageTableEntry)] {
        (0..<Int(architecture.entriesPerTable)).compactMap { index in
            let entry = PageTableEntry(raw: tableEntry(at: tableAddress + UInt64(index) * architecture.entryBytes))
            return entry.isPresent || entry.isSwapped ? (index, entry) : nil
        }
    }
}
