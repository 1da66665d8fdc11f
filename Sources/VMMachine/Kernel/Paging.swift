/// Running out of memory: with `frames=N` at most N user pages hold frames.
/// A page that needs one when none is left takes the frame of a victim the
/// policy picks (Replacement.swift): every entry that maps the victim is
/// cleared or made to hold its swap slot, every TLB forgets it (a
/// shootdown), a dirty page is written to swap first, and a clean one is
/// dropped. Touching an evicted page again is a major fault that reads it
/// back (FaultHandler.swift); a page that never held data comes back as a
/// fresh zeroed page (a minor fault).
extension Machine {
    var limitsUserFrames: Bool { configuration.userFrameLimit != nil }

    /// OPT needs to know the future: outside a replay, any access is refused
    /// at once rather than at the first eviction, so the reason is plain.
    func checkReplacementCanRun() throws(MachineError) {
        if configuration.replacementPolicy == .opt && limitsUserFrames && !resident.knowsFuture {
            throw .replacementNeedsFuture
        }
    }

    /// Makes sure a new user page can take a frame: evicts until the limit
    /// allows one more. `keeping` is a frame that must stay (the source of a copy).
    func makeRoomForUserPage(keeping: UInt64? = nil, core: Int) throws(MachineError) {
        guard let limit = configuration.userFrameLimit else { return }
        while resident.count >= limit {
            let victim = try chooseVictim(keeping: keeping, core: core)
            evict(victim, core: core)
        }
    }

    /// Records a user page that now holds `physicalAddress`, mapped at `virtualPage`.
    func registerUserPage(_ physicalAddress: UInt64, virtualPage: UInt64) {
        guard let limit = configuration.userFrameLimit else { return }
        let frame = physicalAddress / AddressLayout.pageSize
        resident.add(frame, limit: limit)
        resident.virtualPage[frame] = virtualPage
    }

    /// A use of the frame at `physicalAddress`, for LRU.
    @inline(__always)
    func noteUse(_ physicalAddress: UInt64) {
        if configuration.replacementPolicy == .lru && limitsUserFrames {
            resident.touch(physicalAddress / AddressLayout.pageSize)
        }
    }

    /// Every present entry that maps `frame`: it sits at the same virtual
    /// page in each process that maps it (fork keeps addresses).
    func mappers(of frame: UInt64) -> [(processIndex: Int, entryAddress: UInt64)] {
        guard let page = resident.virtualPage[frame] else { return [] }
        var found: [(processIndex: Int, entryAddress: UInt64)] = []
        for index in processes.indices {
            guard let slot = lastLevelSlot(root: processes[index].root, page) else { continue }
            if slot.entry.present && slot.entry.address == frame * AddressLayout.pageSize {
                found.append((index, slot.entryAddress))
            }
        }
        return found
    }

    func chooseVictim(keeping: UInt64?, core: Int) throws(MachineError) -> UInt64 {
        let candidates = resident.order.filter { $0 != keeping }
        guard let first = candidates.first else { throw .outOfMemory(totalFrames: framesTotal) }
        switch configuration.replacementPolicy {
        case .fifo:
            return first
        case .lru:
            var best = first
            for frame in candidates where resident.lastUse[frame, default: 0] < resident.lastUse[best, default: 0] {
                best = frame
            }
            return best
        case .rand:
            return candidates[Int(resident.random.next(below: UInt64(candidates.count)))]
        case .opt:
            guard resident.knowsFuture else { throw .replacementNeedsFuture }
            var best = first
            var farthest = -1
            for frame in candidates {
                let next = resident.virtualPage[frame].flatMap { resident.nextUse[$0] } ?? Int.max
                if next > farthest {
                    farthest = next
                    best = frame
                }
            }
            return best
        case .clock:
            return clockVictim(keeping: keeping, enhanced: false, core: core) ?? first
        case .eclock:
            return clockVictim(keeping: keeping, enhanced: true, core: core) ?? first
        }
    }

    /// The hand's sweep. CLOCK: the first page with its accessed bit clear,
    /// clearing the bit of each page passed. Enhanced CLOCK: up to four
    /// sweeps, looking for (accessed, dirty) = (0,0) without changing
    /// anything, then for (0,1) while clearing accessed bits.
    private func clockVictim(keeping: UInt64?, enhanced: Bool, core: Int) -> UInt64? {
        let size = resident.ring.count
        guard size > 0 else { return nil }
        for sweep in 0..<(enhanced ? 4 : 2) {
            for _ in 0..<size {
                let slot = resident.hand
                resident.hand = (resident.hand + 1) % size
                guard let frame = resident.ring[slot], frame != keeping else { continue }
                let entries = mappers(of: frame)
                let accessed = entries.contains { pageEntry(at: $0.entryAddress, level: 1).accessed }
                let dirty = entries.contains { pageEntry(at: $0.entryAddress, level: 1).dirty }
                let clearing = !enhanced || sweep % 2 == 1
                if !accessed && (!enhanced || dirty == (sweep % 2 == 1)) {
                    resident.pendingSlot = slot
                    return frame
                }
                if accessed && clearing { clearAccessed(frame, entries: entries, core: core) }
            }
        }
        return nil
    }

    /// Takes the accessed bit away and drops the page's TLB entries (as
    /// ptep_clear_flush_young does where the TLB would not set it again).
    private func clearAccessed(_ frame: UInt64, entries: [(processIndex: Int, entryAddress: UInt64)], core: Int) {
        guard let page = resident.virtualPage[frame] else { return }
        for (index, entryAddress) in entries {
            var entry = pageEntry(at: entryAddress, level: 1)
            entry.accessed = false
            setPageEntry(entry, at: entryAddress, level: 1)
            _ = shootdown(processes[index].pid, pages: [(page, AddressLayout.pageSize)], from: core)
        }
    }

    /// Evicts the user page in `frame` (see the top of this file).
    func evict(_ frame: UInt64, core: Int) {
        let page = resident.virtualPage[frame] ?? 0
        let entries = mappers(of: frame)
        let dirty = entries.contains { pageEntry(at: $0.entryAddress, level: 1).dirty }
        let cleanCopy = resident.cleanCopy[frame]
        var slot = cleanCopy
        if dirty || (cleanCopy == nil && memory.isTouched(frame: frame)) {
            let fresh = newSwapSlot()
            var words: [UInt64] = []
            if memory.isTouched(frame: frame) {
                words = (0..<UInt64(512)).map { memory.readWord(frame * AddressLayout.pageSize + $0 * 8) }
            }
            swapSpace[fresh] = words.allSatisfy { $0 == 0 } ? nil : words
            pagingCounts.swapWrites += 1
            slot = fresh
        }
        for (index, entryAddress) in entries {
            if let slot {
                setPageEntry(.swapped(slot: slot), at: entryAddress, level: 1)
                swapReferences[slot, default: 0] += 1
            } else {
                setPageEntry(.empty, at: entryAddress, level: 1)
            }
            if processes[index].residentPages > 0 { processes[index].residentPages -= 1 }
            _ = shootdown(processes[index].pid, pages: [(page, AddressLayout.pageSize)], from: core)
        }
        if let fresh = slot, fresh != cleanCopy, swapReferences[fresh, default: 0] == 0 { releaseSwapSlot(fresh, holding: false) }
        if let cleanCopy { releaseSwapSlot(cleanCopy) }
        resident.cleanCopy[frame] = nil
        sharedFrames[frame * AddressLayout.pageSize] = nil
        resident.remove(frame)
        memory.discard(frame: frame)
        allocator.free(frame)
        pagingCounts.evictions += 1
        chargeKernelWork(core: core, entries: UInt64(entries.count), swapped: slot != cleanCopy ? 1 : 0)
    }

    /// Reads the page in swap `slot` back into a new frame for the entry at
    /// `entryAddress` (page `page` of process `index`): a major fault.
    func swapIn(
        _ index: Int, page: UInt64, entryAddress: UInt64, slot: UInt64, region: MemoryRegion, core: Int
    ) throws(MachineError) -> UInt64 {
        try makeRoomForUserPage(core: core)
        try hardware.checkHostMemory(adding: 1)
        let physical = try allocatePage(AddressLayout.pageSize)
        if let words = swapSpace[slot] {
            for (offset, word) in words.enumerated() where word != 0 {
                memory.writeWord(physical + UInt64(offset) * 8, word)
            }
        }
        setPageEntry(
            .userLeaf(at: physical, region.protection, writable: region.protection.write), at: entryAddress, level: 1)
        registerUserPage(physical, virtualPage: page)
        // The entry's hold on the slot becomes the frame's: the copy in swap is still good until a write.
        resident.cleanCopy[physical / AddressLayout.pageSize] = slot
        processes[index].residentPages += 1
        pagingCounts.swapReads += 1
        chargeKernelWork(core: core, entries: 1, swapped: 1)
        return physical
    }

    func newSwapSlot() -> UInt64 {
        if let slot = freeSwapSlots.popLast() { return slot }
        nextSwapSlot += 1
        return nextSwapSlot - 1
    }

    /// Drops one hold on `slot`; the last one frees it.
    func releaseSwapSlot(_ slot: UInt64, holding: Bool = true) {
        let remaining = swapReferences[slot, default: 0] - (holding ? 1 : 0)
        if remaining > 0 {
            swapReferences[slot] = remaining
            return
        }
        swapReferences[slot] = nil
        swapSpace[slot] = nil
        freeSwapSlots.append(slot)
    }

    /// Pages in swap that some entry or clean frame still holds.
    public var swapSlotsInUse: Int { swapReferences.count }

    /// User pages holding frames (what `frames=N` limits).
    public var residentUserPages: Int { resident.count }

    /// One resident user page as `show frames` lists it.
    public struct ResidentPage: Sendable {
        public let frame: UInt64
        public let virtualPage: UInt64
        public let accessed: Bool
        public let dirty: Bool
    }

    /// The resident user pages in load order (FIFO's queue), or in ring order
    /// for CLOCK (nil for an empty slot), with their bits as the policy sees them.
    public var residentPages: [ResidentPage?] {
        let frames: [UInt64?] =
            configuration.replacementPolicy == .clock || configuration.replacementPolicy == .eclock
            ? resident.ring : resident.order.map { $0 }
        return frames.map { frame in
            frame.map { frame in
                let entries = mappers(of: frame).map { pageEntry(at: $0.entryAddress, level: 1) }
                return ResidentPage(
                    frame: frame * AddressLayout.pageSize, virtualPage: resident.virtualPage[frame] ?? 0,
                    accessed: entries.contains(where: \.accessed), dirty: entries.contains(where: \.dirty))
            }
        }
    }

    /// CLOCK's hand: the ring slot it looks at next.
    public var clockHand: Int { resident.hand }
}
