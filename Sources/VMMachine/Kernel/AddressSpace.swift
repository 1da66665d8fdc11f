/// The kernel's bookkeeping around its page tables: charging work, host
/// memory bounds, allocating and releasing pages, and the read-only views
/// the renderers use. Tables are read and written through the software
/// walker (SoftwareWalker.swift) only.
extension Machine {
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
        hardware.charge(\.kernelWork, cycles, core: index)
    }

    /// Counts a TLB flush on a core and charges it.
    func chargeFlush(core index: Int) {
        cores[index].tlbFlushes += 1
        hardware.charge(\.flushes, configuration.costs.tlbFlush, core: index)
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
        guard let table = table(root: root, virtualAddress, level: level) else { return 0 }
        return hardware.rawTableEntry(at: entryAddress(in: table, virtualAddress, level: level))
    }

    /// The present entries of the table at `tableAddress`, a table at `level`, by index.
    public func presentEntries(ofTable tableAddress: UInt64, level: Int) -> [TableSlot] {
        slots(ofTable: tableAddress, level: level) { $0.present }
    }

    /// The entries of a table that are present or hold a page swapped out, in index order.
    public func presentOrSwappedEntries(ofTable tableAddress: UInt64, level: Int) -> [TableSlot] {
        slots(ofTable: tableAddress, level: level) { $0.present || $0.swapSlot != nil }
    }

    private func slots(ofTable tableAddress: UInt64, level: Int, where keep: (PageEntry) -> Bool) -> [TableSlot] {
        (0..<Int(architecture.entriesPerTable)).compactMap { index in
            let raw = hardware.rawTableEntry(at: tableAddress + UInt64(index) * architecture.entryBytes)
            let entry = architecture.decodeEntry(raw, level: level)
            return keep(entry) ? TableSlot(index: index, entry: entry, raw: raw) : nil
        }
    }
}

/// One entry of a table, for the renderers: where it is, what it means, and
/// the word memory holds (printed as it is).
public struct TableSlot: Sendable {
    public let index: Int
    public let entry: PageEntry
    public let raw: UInt64
}
