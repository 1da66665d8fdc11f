/// The memory system calls: `map` (mmap with MAP_POPULATE), `mmap` (a region
/// only; pages arrive on first touch), `unmap`/`munmap` and `mprotect`.
/// Each checks everything before it changes anything.
extension Machine {
    public struct MapOutcome: Sendable {
        /// Physical addresses of the new pages, in virtual-address order (empty for a lazy mmap).
        public let frames: [UInt64]
        /// Physical addresses of the page tables this mapping had to create.
        public let newTables: [UInt64]
        public let pageSize: UInt64
    }

    public struct UnmapOutcome: Sendable {
        /// Pages whose last mapping went, so their frames were freed.
        public let freedFrames: [UInt64]
        /// Pages that were mapped at all (present entries cleared).
        public let unmappedPages: Int
        public let shootdown: ShootdownOutcome
        /// 2 MiB pages split first (transparent huge pages), by virtual address.
        public let splitPages: [UInt64]
    }

    public struct ProtectOutcome: Sendable {
        public let changedEntries: Int
        /// Present only when rights were taken away: only then must TLBs forget them.
        public let shootdown: ShootdownOutcome?
        /// 2 MiB pages split first (transparent huge pages), by virtual address.
        public let splitPages: [UInt64]
    }

    /// Validates a user range for pages of `pageSize`; returns the number of pages.
    func checkUserRange(_ virtualAddress: UInt64, size: UInt64, pageSize: UInt64 = AddressLayout.pageSize)
        throws(MachineError) -> UInt64
    {
        guard architecture.leafLevel(forPageSize: pageSize) != nil else {
            throw .unsupportedPageSize(pageSize, architecture: architecture.name, sizes: architecture.pageSizes)
        }
        guard virtualAddress % pageSize == 0 else { throw .misaligned(address: virtualAddress, alignment: pageSize) }
        guard size > 0 else { throw .emptyRange }
        guard virtualAddress < userSpaceEnd else {
            throw .notUserAddress(address: virtualAddress, userEnd: userSpaceEnd)
        }
        // The end is checked before anything adds to it: user values never reach a trapping `+`.
        let (end, overflow) = virtualAddress.addingReportingOverflow(size)
        guard !overflow, end <= userSpaceEnd else {
            throw .notUserAddress(address: overflow ? UInt64.max : end - 1, userEnd: userSpaceEnd)
        }
        guard size % pageSize == 0 else {
            throw pageSize == AddressLayout.pageSize
                ? .sizeNotPageMultiple(size: size) : .partialLargePage(address: end, pageSize: pageSize)
        }
        return size / pageSize
    }

    /// The most pages one `map` populates: past it a region is only recorded
    /// (the language layer maps such a region on first touch), so no single
    /// command costs more than about a second of a release build.
    public static let maximumPopulatedPages: UInt64 = 1 << 18

    /// Maps `size` bytes at `virtualAddress` in `pid` with pages of
    /// `pageSize`. With `populate` the frames are allocated and the entries
    /// written now (at most `maximumPopulatedPages` pages); without, only the
    /// region is recorded (demand paging).
    @discardableResult
    public func map(
        _ pid: ProcessID, at virtualAddress: UInt64, size: UInt64, protection: Protection,
        pageSize: UInt64 = AddressLayout.pageSize, populate: Bool = true, core: Int = 0
    ) throws(MachineError) -> MapOutcome {
        let pages = try checkUserRange(virtualAddress, size: size, pageSize: pageSize)
        if limitsUserFrames && pageSize != AddressLayout.pageSize { throw .hugePageWithFrameLimit(pageSize: pageSize) }
        let index = processIndex(pid)
        let process = processes[index]
        let end = virtualAddress + size
        if let clash = process.regions.overlapping(virtualAddress, end).first {
            throw .alreadyMapped(process: process.name, address: max(process.regions[clash].start, virtualAddress))
        }
        let region = MemoryRegion(start: virtualAddress, end: end, protection: protection, pageSize: pageSize)
        guard populate else {
            insert(region, into: index)
            return MapOutcome(frames: [], newTables: [], pageSize: pageSize)
        }
        if pages > Self.maximumPopulatedPages { throw .populateLimit(pages: pages, limit: Self.maximumPopulatedPages) }
        let framesPerPage = pageSize / AddressLayout.pageSize
        try checkReplacementCanRun()
        // With frames=N, pages past the limit replace earlier ones (even of this map).
        let available = allocator.available + UInt64(resident.count)
        guard pages <= available / framesPerPage else { throw .outOfMemory(totalFrames: framesTotal) }
        let leafLevel = architecture.leafLevel(forPageSize: pageSize)!
        // A first bound before counting: one leaf table per span it covers (none for a root-level leaf).
        try hardware.checkHostMemory(adding: leafLevel < architecture.levels ? Int(size / architecture.span(ofLevel: leafLevel + 1)) : 0)
        let tables = missingTables(root: process.root, start: virtualAddress, end: end, leafLevel: leafLevel)
        guard pages * framesPerPage + tables <= available else { throw .outOfMemory(totalFrames: framesTotal) }
        if pageSize > AddressLayout.pageSize {
            // Huge pages come from never-used, aligned memory.
            var probe = allocator
            for _ in 0..<pages where probe.allocateContiguous(framesPerPage) == nil {
                throw .outOfMemory(totalFrames: framesTotal)
            }
        }
        try hardware.checkHostMemory(adding: Int(tables))
        insert(region, into: index)
        var created: [UInt64] = []
        var frames: [UInt64] = []
        for page in 0..<pages {
            let address = virtualAddress + page * pageSize
            try makeRoomForUserPage(core: core)
            let physical = try allocatePage(pageSize)
            frames.append(physical)
            try installLeaf(index, address, physical, region: region, writable: protection.write, created: &created)
            registerUserPage(physical, virtualPage: address)
            processes[index].residentPages += framesPerPage
        }
        processes[index].tableFrames += created
        // Every page zeroed (a 2 MiB page is 512 frames), every new table too, and each entry written.
        chargeKernelWork(
            core: core, zeroed: pages * framesPerPage + UInt64(created.count), entries: pages + UInt64(created.count))
        return MapOutcome(frames: frames, newTables: created.map { $0 * AddressLayout.pageSize }, pageSize: pageSize)
    }

    func insert(_ region: MemoryRegion, into index: Int) {
        processes[index].regions.insert(region)
    }

    /// Writes the leaf for the page at `virtualAddress` (creating tables; recorded in `created`).
    func installLeaf(
        _ index: Int, _ virtualAddress: UInt64, _ physicalAddress: UInt64, region: MemoryRegion, writable: Bool,
        created: inout [UInt64]
    ) throws(MachineError) {
        let level = architecture.leafLevel(forPageSize: region.pageSize)!
        let process = processes[index]
        let table = try makeTables(
            root: process.root, mirror: process.userRoot, virtualAddress, downTo: level, user: true, created: &created)
        setPageEntry(
            .userLeaf(at: physicalAddress, region.protection, writable: writable),
            at: entryAddress(in: table, virtualAddress, level: level), level: level)
    }

    /// The regions `start ..< end` touches, cut at `start` and `end`: their
    /// positions, the pieces inside, and the parts of the first and last
    /// outside the range. Throws if part of the range is in no region.
    private func carve(_ index: Int, _ start: UInt64, _ end: UInt64) throws(MachineError) -> (
        positions: Range<Int>, inside: [MemoryRegion], before: MemoryRegion?, after: MemoryRegion?
    ) {
        let regions = processes[index].regions
        let positions = regions.overlapping(start, end)
        var inside: [MemoryRegion] = []
        var before: MemoryRegion?
        var after: MemoryRegion?
        var covered = start
        for position in positions {
            let region = regions[position]
            let low = max(region.start, start)
            let high = min(region.end, end)
            if low % region.pageSize != 0 { throw .partialLargePage(address: low, pageSize: region.pageSize) }
            if high % region.pageSize != 0 { throw .partialLargePage(address: high, pageSize: region.pageSize) }
            if region.start < low { before = MemoryRegion(start: region.start, end: low, protection: region.protection, pageSize: region.pageSize) }
            inside.append(MemoryRegion(start: low, end: high, protection: region.protection, pageSize: region.pageSize))
            if high < region.end { after = MemoryRegion(start: high, end: region.end, protection: region.protection, pageSize: region.pageSize) }
            if low == covered { covered = high }
        }
        guard covered >= end else { throw .notMapped(process: processes[index].name, address: covered) }
        return (positions, inside, before, after)
    }

    /// Removes `size` bytes at `virtualAddress` from `pid`: the region, the
    /// entries, the frames no one else maps, and every TLB's copy of them
    /// (shootdown from core `initiator`). Page-table frames stay until exit.
    @discardableResult
    public func unmap(_ pid: ProcessID, at virtualAddress: UInt64, size: UInt64, from initiator: Int = 0)
        throws(MachineError) -> UnmapOutcome
    {
        _ = try checkUserRange(virtualAddress, size: size)
        let index = processIndex(pid)
        let split = try splitHugePages(index, at: [virtualAddress, virtualAddress + size], core: initiator)
        let (positions, inside, before, after) = try carve(index, virtualAddress, virtualAddress + size)
        processes[index].regions.replace(positions, with: [before, after].compactMap { $0 })
        var freed: [UInt64] = []
        var pages: [(UInt64, UInt64)] = []
        let root = processes[index].root
        for region in inside {
            for leaf in swappedLeaves(of: region, root: root) {
                releaseSwapSlot(leaf.entry.swapSlot!)
                setPageEntry(.empty, at: leaf.entryAddress, level: leaf.level)
            }
            for leaf in presentLeaves(of: region, root: root) {
                setPageEntry(.empty, at: leaf.entryAddress, level: leaf.level)
                let physical = leaf.entry.address & ~(region.pageSize - 1)
                if mappingCount(physical) == 1 { freed.append(physical) }
                releasePage(physical, pageSize: region.pageSize)
                processes[index].residentPages -= region.pageSize / AddressLayout.pageSize
                pages.append((leaf.page, region.pageSize))
            }
        }
        chargeKernelWork(core: initiator, entries: UInt64(pages.count))
        let shootdown = shootdown(pid, pages: pages, from: initiator)
        return UnmapOutcome(freedFrames: freed, unmappedPages: pages.count, shootdown: shootdown, splitPages: split)
    }

    /// Changes the protection of `size` bytes at `virtualAddress` in `pid`.
    /// Every present entry whose rights change is flushed, granted rights
    /// too, as Linux's change_pte_range does when `pte_needs_flush` says so:
    /// on x86 a change of RW, U/S or NX (`flush_on_change` in
    /// arch/x86/include/asm/tlbflush.h), on arm64 any hardware bit, and
    /// everywhere else always (include/asm-generic/tlb.h). Without the flush
    /// a stale entry with fewer rights would fault once, spuriously.
    /// Copy-on-write pages stay read-only until their fault copies them.
    @discardableResult
    public func protect(
        _ pid: ProcessID, at virtualAddress: UInt64, size: UInt64, protection: Protection, from initiator: Int = 0
    ) throws(MachineError) -> ProtectOutcome {
        _ = try checkUserRange(virtualAddress, size: size)
        let index = processIndex(pid)
        let split = try splitHugePages(index, at: [virtualAddress, virtualAddress + size], core: initiator)
        let (positions, inside, before, after) = try carve(index, virtualAddress, virtualAddress + size)
        let changed = inside.map {
            MemoryRegion(start: $0.start, end: $0.end, protection: protection, pageSize: $0.pageSize)
        }
        processes[index].regions.replace(positions, with: [before].compactMap { $0 } + changed + [after].compactMap { $0 })
        var changedPages: [(UInt64, UInt64)] = []
        var count = 0
        for region in changed {
            for leaf in presentLeaves(of: region, root: processes[index].root) {
                let old = leaf.entry
                var new = old
                new.writable = protection.write && mappingCount(old.address) == 1
                new.executable = protection.execute
                // What memory holds decides: i386's entries have no NX bit, so rx and r are one entry there.
                let raw = architecture.encodeEntry(new, level: leaf.level)
                guard raw != architecture.encodeEntry(old, level: leaf.level) else { continue }
                setPageEntry(new, at: leaf.entryAddress, level: leaf.level)
                count += 1
                changedPages.append((leaf.page, region.pageSize))
            }
        }
        chargeKernelWork(core: initiator, entries: UInt64(count))
        let shootdown = changedPages.isEmpty ? nil : shootdown(pid, pages: changedPages, from: initiator)
        return ProtectOutcome(changedEntries: count, shootdown: shootdown, splitPages: split)
    }
}

extension Machine {
    /// Transparent huge pages: for each boundary that falls inside a 2 MiB
    /// page of a region, that page becomes 512 4 KiB pages (Linux
    /// `split_huge_pmd`): a new page table whose entries point at the same
    /// frames with the same rights, the PD entry pointing at the table, the
    /// old 2 MiB TLB entries shot down, and the region cut so that the split
    /// page is a 4 KiB region of its own. Nothing changes when the boundary is
    /// aligned. 1 GiB pages (hugetlb-only in Linux) and `thp=off` refuse, as
    /// the carving does; a huge page shared copy-on-write is refused too.
    @discardableResult
    func splitHugePages(_ index: Int, at boundaries: [UInt64], core: Int) throws(MachineError) -> [UInt64] {
        guard configuration.transparentHugePages else { return [] }
        var split: [UInt64] = []
        for boundary in boundaries {
            let large = architecture.span(ofLevel: 2)
            guard boundary % large != 0, let position = processes[index].regions.position(containing: boundary),
                processes[index].regions[position].start < boundary, processes[index].regions[position].pageSize == large
            else { continue }
            let region = processes[index].regions[position]
            let start = boundary & ~(large - 1)
            if let leaf = lookup(root: processes[index].root, start), leaf.level == 2 {
                let entry = leaf.entry
                guard mappingCount(entry.address & ~(large - 1)) == 1 else {
                    throw .sharedHugePage(address: start)
                }
                try hardware.checkHostMemory(adding: 1)
                guard let frame = allocator.allocate() else { throw .outOfMemory(totalFrames: framesTotal) }
                let table = frame * AddressLayout.pageSize
                // Same rights and A/D bits in every 4 KiB entry (a large page's PAT bit 12 is not an address bit here).
                let base = entry.address & ~(large - 1)
                for page in 0..<architecture.entriesPerTable {
                    var small = entry
                    small.address = base + page * AddressLayout.pageSize
                    setPageEntry(small, at: table + page * architecture.entryBytes, level: 1)
                }
                setPageEntry(.table(at: table, user: true), at: leaf.entryAddress, level: 2)
                processes[index].tableFrames.append(frame)
                chargeKernelWork(core: core, zeroed: 1, entries: architecture.entriesPerTable + 1)
                _ = shootdown(processes[index].pid, pages: [(start, large)], from: core)
                split.append(start)
            }
            var pieces: [MemoryRegion] = []
            if region.start < start {
                pieces.append(MemoryRegion(start: region.start, end: start, protection: region.protection, pageSize: large))
            }
            pieces.append(
                MemoryRegion(start: start, end: start + large, protection: region.protection, pageSize: AddressLayout.pageSize))
            if start + large < region.end {
                pieces.append(
                    MemoryRegion(start: start + large, end: region.end, protection: region.protection, pageSize: large))
            }
            processes[index].regions.replace(position..<(position + 1), with: pieces)
        }
        return split
    }
}
