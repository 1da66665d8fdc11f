/// A program's memory references, as a trace file lists them (see
/// VMLanguage's TraceFile): compact, one entry per reference.
public struct MemoryTrace: Sendable {
    public enum Kind: UInt8, Sendable {
        case load, store, instruction
        /// A read-modify-write (lackey's `M`): a load, then a store.
        case modify
    }

    /// One reference in 16 bytes.
    public struct Reference: Sendable {
        public let address: UInt64
        /// Bytes touched from the address on (at least 1).
        public let size: UInt16
        public let kind: Kind
    }

    /// Runs of references in order: a trace read in parts keeps its parts
    /// rather than copying them into one array. Reading appends to the last.
    private var sealed: [[Reference]] = []
    private var sealedCount = 0
    private var last: [Reference] = []

    public init() {}

    public var count: Int { sealedCount + last.count }

    /// Every reference, run by run.
    public var segments: [[Reference]] { sealed + [last] }

    public mutating func reserve(_ count: Int) { last.reserveCapacity(count) }

    public mutating func append(_ address: UInt64, _ kind: Kind, size: UInt16) {
        last.append(Reference(address: address, size: max(1, size), kind: kind))
    }

    /// Another trace's references after these, without copying them.
    public mutating func append(contentsOf other: MemoryTrace) {
        sealed.append(last)
        sealed += other.sealed
        sealedCount += last.count + other.sealedCount
        last = other.last
    }
}

/// What a replay did, as counter deltas over the run.
public struct ReplaySummary: Sendable, Equatable {
    public var references: UInt64 = 0
    /// Page accesses made: a reference that crosses a page boundary touches
    /// both pages, and a modify is a load and a store.
    public var accesses: UInt64 = 0
    public var tlbHits: UInt64 = 0
    public var tlbMisses: UInt64 = 0
    public var walks: UInt64 = 0
    /// Faults the kernel resolved without I/O: demand-zero pages and copy-on-write.
    public var minorFaults: UInt64 = 0
    /// Faults that had to read a page back from swap (with frames=N).
    public var majorFaults: UInt64 = 0
    public var evictions: UInt64 = 0
    public var writebacks: UInt64 = 0
    /// References the program was not allowed to make (SIGSEGV): outside every region, or against its rights.
    public var segmentationFaults: UInt64 = 0
    public var cycles: UInt64 = 0
}

extension Machine {
    /// Gives `pid` read-write regions over every gap of its user address
    /// space (from 0x1000; page 0 stays unmapped, as Linux's mmap_min_addr
    /// keeps it), so that a trace's pages are demand-mapped on first touch.
    /// Existing regions keep their rights. Returns the regions added.
    @discardableResult
    public func coverUserGaps(of pid: ProcessID) -> Int {
        let index = processIndex(pid)
        var gaps: [MemoryRegion] = []
        var cursor: UInt64 = AddressLayout.pageSize
        for region in processes[index].regions where region.end > cursor {
            if region.start > cursor {
                gaps.append(
                    MemoryRegion(
                        start: cursor, end: region.start, protection: Protection(write: true, execute: true),
                        pageSize: AddressLayout.pageSize))
            }
            cursor = max(cursor, region.end)
        }
        if cursor < userSpaceEnd {
            gaps.append(
                MemoryRegion(
                    start: cursor, end: userSpaceEnd, protection: Protection(write: true, execute: true),
                    pageSize: AddressLayout.pageSize))
        }
        for gap in gaps { insert(gap, into: index) }
        return gaps.count
    }

    /// Runs every reference of `trace` on core `coreIndex` as the loaded
    /// process's code would: TLB, walks, faults. `check` is called every
    /// 65,536 references with the number done (progress, Ctrl-C, time
    /// limits); it throws to stop.
    public func replay<Failure: Error>(
        _ trace: MemoryTrace, core coreIndex: Int, check: (Int) throws(Failure) -> Void
    ) throws(Failure) -> ReplaySummary {
        let before = counters(core: coreIndex)
        let paging = pagingCounts
        let major = faultCounts.major
        // OPT needs to know when each page is used next: one pass from the end.
        let usesFuture = configuration.replacementPolicy == .opt && limitsUserFrames
        var nextUse: [Int] = []
        if usesFuture {
            nextUse = [Int](repeating: Int.max, count: trace.count)
            var seen: [UInt64: Int] = [:]
            var position = trace.count
            for segment in trace.segments.reversed() {
                for reference in segment.reversed() {
                    position -= 1
                    let page = reference.address >> 12
                    nextUse[position] = seen[page] ?? Int.max
                    seen[page] = position
                }
            }
            resident.knowsFuture = true
        }
        defer {
            resident.knowsFuture = false
            resident.nextUse = [:]
        }
        var accesses: UInt64 = 0
        // One record of a translation attempt, cleared for each use rather
        // than built afresh; nothing prints the walks, so only their count is kept.
        var attempt = Attempt()
        attempt.walk.keepsSteps = false
        var position = -1
        for segment in trace.segments {
            for reference in segment {
                position += 1
                if position & 0xFFFF == 0 { try check(position) }
                let address = reference.address
                if usesFuture { resident.nextUse[address & ~(AddressLayout.pageSize - 1)] = nextUse[position] }
                let last = address &+ UInt64(reference.size - 1)
                let kind = reference.kind
                // 8-byte aligned, so the access stays inside its page; the next page too if the reference crosses.
                accesses += touch(address & ~7, kind, core: coreIndex, &attempt)
                if last >> 12 != address >> 12, last > address {
                    accesses += touch(last & ~(AddressLayout.pageSize - 1), kind, core: coreIndex, &attempt)
                }
            }
        }
        try check(trace.count)
        let after = counters(core: coreIndex)
        var summary = ReplaySummary()
        summary.references = UInt64(trace.count)
        summary.accesses = accesses
        summary.tlbHits = after.hits - before.hits
        summary.tlbMisses = after.misses - before.misses
        summary.walks = after.walks - before.walks
        summary.minorFaults = after.minor - before.minor
        summary.segmentationFaults = after.segv - before.segv
        summary.majorFaults = faultCounts.major - major
        summary.evictions = pagingCounts.evictions - paging.evictions
        summary.writebacks = pagingCounts.swapWrites - paging.swapWrites
        summary.cycles = after.cycles &- before.cycles
        return summary
    }

    /// One page's accesses for a reference.
    private func touch(_ address: UInt64, _ kind: MemoryTrace.Kind, core: Int, _ attempt: inout Attempt) -> UInt64 {
        switch kind {
        case .load: reference(address, .read, core: core, &attempt)
        case .store: reference(address, .write, core: core, &attempt)
        case .instruction: reference(address, .execute, core: core, &attempt)
        case .modify:
            reference(address, .read, core: core, &attempt)
            reference(address, .write, core: core, &attempt)
            return 2
        }
        return 1
    }

    /// What `access` does for one reference, counters and all, without the
    /// outcome a script would see (the line it prints, the value): a replay
    /// neither prints nor needs data, so nothing is loaded or stored; the
    /// walker still sets accessed and dirty bits.
    private func reference(_ virtualAddress: UInt64, _ kind: AccessKind, core coreIndex: Int, _ attempt: inout Attempt) {
        guard architecture.isCanonical(virtualAddress) else {
            cores[coreIndex].faults += 1
            faultCounts.unresolved += 1
            return
        }
        attempt.clear()
        if let (physical, _) = hardware.translate(virtualAddress, kind: kind, core: coreIndex, into: &attempt) {
            noteUse(physical)
            return
        }
        guard let fault = attempt.fault else { return }
        if takePageFault(fault, kind: kind, core: coreIndex).resolution.isResolved {
            attempt.clear()
            if let (physical, _) = hardware.translate(virtualAddress, kind: kind, core: coreIndex, into: &attempt) {
                noteUse(physical)
            }
        }
    }

    private func counters(core index: Int) -> (
        hits: UInt64, misses: UInt64, walks: UInt64, minor: UInt64, segv: UInt64, cycles: UInt64
    ) {
        let core = cores[index]
        return (
            core.tlbHits, core.tlbMisses, core.walks, faultCounts.demand + faultCounts.copyOnWrite,
            faultCounts.segmentation + faultCounts.protection, core.cycles.total
        )
    }
}
