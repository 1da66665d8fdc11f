/// fork() with copy-on-write and exit(), after Linux's `dup_mmap()` /
/// `copy_present_pte()`: both processes map the same frames read-only ("If
/// it's a COW mapping, write protect it both in the parent and the child"),
/// the parent's writable TLB entries are flushed, and the first write to
/// either side faults and copies (FaultHandler.swift). xv6's fork
/// (kernel=separate) copies every page at once instead (uvmcopy in
/// kernel/vm.c): no sharing, no write-protection, no flush.
extension Machine {
    public struct ForkOutcome: Sendable {
        public let child: Process
        /// Pages now shared copy-on-write.
        public let sharedPages: Int
        /// xv6: pages copied into frames of the child's own.
        public var copiedPages = 0
        public let shootdown: ShootdownOutcome
    }

    public struct ExitOutcome: Sendable {
        /// Frames given back: pages no one else maps, and every page table.
        public let freedFrames: Int
        /// Cores that were running it and are idle now.
        public let idledCores: [Int]
    }

    @discardableResult
    public func fork(_ parent: ProcessID, childName: String, from initiator: Int = 0) throws(MachineError) -> ForkOutcome {
        let parentIndex = processIndex(parent)
        // Every table below the PML4(s) may need a copy: check before changing anything.
        let roots = processes[parentIndex].userRoot == nil ? 1 : 2
        let tablesNeeded = UInt64(processes[parentIndex].tableFrames.count)
        guard tablesNeeded <= allocator.available else { throw .outOfMemory(totalFrames: framesTotal) }
        try hardware.checkHostMemory(adding: Int(tablesNeeded) + roots)
        if configuration.separateKernelTable {
            // Every present page is copied: check that the frames are there first.
            let frames = processes[parentIndex].regions.reduce(UInt64(0)) { total, region in
                total + UInt64(presentLeaves(of: region, root: processes[parentIndex].root).count)
                    * (region.pageSize / AddressLayout.pageSize)
            }
            guard tablesNeeded + frames <= allocator.available else { throw .outOfMemory(totalFrames: framesTotal) }
            try hardware.checkHostMemory(adding: Int(tablesNeeded + frames) + roots)
        }
        let child = try spawn(name: childName)
        let childIndex = processIndex(child.pid)
        let parentRecord = processes[parentIndex]
        processes[childIndex].regions = parentRecord.regions
        var created: [UInt64] = []
        var shared = 0
        var copied = 0
        var pages: [(UInt64, UInt64)] = []
        for region in parentRecord.regions {
            // A page in swap is shared through its slot: the child's entry holds it too.
            for leaf in swappedLeaves(of: region, root: parentRecord.root) {
                try shareSwapped(leaf.entry, page: leaf.page, with: child, created: &created)
            }
            for leaf in presentLeaves(of: region, root: parentRecord.root) {
                if configuration.separateKernelTable {
                    // With frames=N an earlier copy may have pushed this page out to swap: read its entry again.
                    let current = pageEntry(at: leaf.entryAddress, level: leaf.level)
                    if current.present {
                        try copyPage(
                            LeafSlot(page: leaf.page, entryAddress: leaf.entryAddress, level: leaf.level, entry: current),
                            of: region, into: childIndex, created: &created, core: initiator)
                        copied += 1
                    } else if current.swapSlot != nil {
                        try shareSwapped(current, page: leaf.page, with: child, created: &created)
                    }
                    continue
                }
                var entry = leaf.entry
                if region.protection.write {
                    entry.writable = false
                    setPageEntry(entry, at: leaf.entryAddress, level: leaf.level)
                    pages.append((leaf.page, region.pageSize))
                }
                let table = try makeTables(
                    root: child.root, mirror: child.userRoot, leaf.page, downTo: leaf.level, user: true, created: &created)
                // The child's copy starts old (A clear), as pte_mkold does.
                var copy = entry
                copy.accessed = false
                setPageEntry(copy, at: entryAddress(in: table, leaf.page, level: leaf.level), level: leaf.level)
                let physical = entry.address & ~(region.pageSize - 1)
                sharedFrames[physical] = mappingCount(physical) + 1
                processes[childIndex].residentPages += region.pageSize / AddressLayout.pageSize
                shared += 1
            }
        }
        processes[childIndex].tableFrames += created
        // Each shared page's entry written in the child (and write-protected in
        // the parent), every new table zeroed and linked.
        chargeKernelWork(
            core: initiator, zeroed: UInt64(created.count), entries: UInt64(shared + pages.count + created.count))
        // flush_tlb_mm(oldmm): the parent's writable entries must go everywhere.
        let shootdown = shootdown(parent, pages: pages, from: initiator, everything: !pages.isEmpty)
        var outcome = ForkOutcome(child: processes[childIndex], sharedPages: shared, shootdown: shootdown)
        outcome.copiedPages = copied
        return outcome
    }

    /// The child's entry for a page in swap: the parent's, and one more reference to its slot.
    private func shareSwapped(_ entry: PageEntry, page: UInt64, with child: Process, created: inout [UInt64])
        throws(MachineError)
    {
        let table = try makeTables(root: child.root, mirror: child.userRoot, page, downTo: 1, user: true, created: &created)
        setPageEntry(entry, at: entryAddress(in: table, page, level: 1), level: 1)
        swapReferences[entry.swapSlot!, default: 0] += 1
    }

    /// xv6's uvmcopy for one page: a new frame, the bytes copied, and the
    /// child's entry with the parent's flags as they are (A and D included).
    /// With frames=N making room may evict a page, but never the one being copied.
    private func copyPage(
        _ leaf: LeafSlot, of region: MemoryRegion, into childIndex: Int, created: inout [UInt64], core: Int
    ) throws(MachineError) {
        let child = processes[childIndex]
        let frames = region.pageSize / AddressLayout.pageSize
        let old = leaf.entry.address & ~(region.pageSize - 1)
        try makeRoomForUserPage(keeping: old / AddressLayout.pageSize, core: core)
        let copy = try allocatePage(region.pageSize)
        for offset in 0..<frames {
            memory.copyFrame(old / AddressLayout.pageSize + offset, to: copy / AddressLayout.pageSize + offset)
        }
        let table = try makeTables(
            root: child.root, mirror: child.userRoot, leaf.page, downTo: leaf.level, user: true, created: &created)
        var entry = leaf.entry
        entry.address = copy
        setPageEntry(entry, at: entryAddress(in: table, leaf.page, level: leaf.level), level: leaf.level)
        registerUserPage(copy, virtualPage: leaf.page)
        processes[childIndex].residentPages += frames
        chargeKernelWork(core: core, copied: frames, entries: 1)
    }

    /// Ends a process: cores running it go idle on the kernel's page table,
    /// its PCID slots are flushed, and every frame it owned is freed (pages
    /// still shared with another process just lose one mapping).
    @discardableResult
    public func exit(_ pid: ProcessID, core initiator: Int = 0) -> ExitOutcome {
        let index = processIndex(pid)
        let record = processes[index]
        var idled: [Int] = []
        for core in cores.indices {
            for slot in perCPU[core].slots.indices where perCPU[core].slots[slot].process == pid {
                if configuration.addressSpaceIDs {
                    cores[core].tlb.flush(tag: UInt16(kernelPCID(slot: slot)))
                    cores[core].tlb.flush(tag: UInt16(userPCID(slot: slot)))
                }
                perCPU[core].slots[slot] = AddressSpaceSlot()
                perCPU[core].userFlushPending[slot] = false
            }
            guard perCPU[core].loadedProcess == pid else { continue }
            if let thread = perCPU[core].currentThread, record.threads.contains(thread) {
                perCPU[core].currentThread = nil
                idled.append(core)
            }
            perCPU[core].loadedProcess = nil
            perCPU[core].isLazy = false
            cores[core].mode = .kernel
            perCPU[core].currentSlot = 0
            writeBaseRegister(idleBaseRegister, core: core, flush: true, reason: .contextSwitch)
        }
        let usedBefore = allocator.used
        var cleared: UInt64 = 0
        for region in record.regions {
            for leaf in swappedLeaves(of: region, root: record.root) {
                releaseSwapSlot(leaf.entry.swapSlot!)
            }
            for leaf in presentLeaves(of: region, root: record.root) {
                let physical = leaf.entry.address & ~(region.pageSize - 1)
                releasePage(physical, pageSize: region.pageSize)
                cleared += 1
            }
        }
        chargeKernelWork(core: initiator, entries: cleared)  // zap_pte_range: each entry cleared
        for frame in record.tableFrames {
            memory.discard(frame: frame)
            allocator.free(frame)
        }
        threads.removeAll { $0.process == pid }
        processes.remove(at: index)
        return ExitOutcome(freedFrames: Int(usedBefore - allocator.used), idledCores: idled)
    }
}
