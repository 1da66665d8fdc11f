/// Which TLB arrays a core has.
public enum TLBModel: String, Sendable, CaseIterable {
    /// One set-associative array for instructions and data and every page
    /// size (`tlb=` entries, `tlb_ways=` ways): the teaching default.
    case unified
    /// Intel Skylake's geometry (Optimization Manual table 2-15, via
    /// shared/MMU-FACTS.md §7): L1 ITLB 4 KiB 128 × 8-way and 2 MiB 8 entries;
    /// L1 DTLB 4 KiB 64 × 4-way, 2 MiB 32 × 4-way, 1 GiB 4 entries; a shared
    /// STLB of 1,536 entries, 12-way, for 4 KiB and 2 MiB pages, and 16
    /// entries 4-way for 1 GiB pages.
    case skylake
    /// Skylake's shape at a size where evictions show: L1 ITLB 8 × 2-way and
    /// 2 entries for 2 MiB, L1 DTLB 8 × 2-way, 4 for 2 MiB and 2 for 1 GiB,
    /// an STLB of 32 × 4-way (4 KiB and 2 MiB) and 4 entries for 1 GiB.
    case split
}

/// What one array of a TLB hierarchy caches.
public struct TLBArrayRole: Sendable, Equatable {
    /// "L1 DTLB 4K", "STLB", or "TLB" for the unified one.
    public let name: String
    /// 1 is probed first; 2 (the STLB) on an L1 miss, before a walk.
    public let level: Int
    public let instructions: Bool
    public let data: Bool
    /// Page shifts it holds: 12 (4 KiB), 21 (2 MiB), 30 (1 GiB).
    public let pageShifts: [UInt8]

    func holds(_ kind: AccessKind, shift: UInt8) -> Bool {
        pageShifts.contains(shift) && (kind == .execute ? instructions : data)
    }
}

/// A core's TLBs: first-level arrays by access kind and page size, and
/// optionally a second level (the STLB) that refills them. Maintenance
/// (INVLPG, flushes) reaches every array, as on real hardware.
public struct TLBHierarchy: Sendable {
    public private(set) var arrays: [TLB]
    public let roles: [TLBArrayRole]
    /// Hits in each array (each counts its own, so a hit updates one struct, not two arrays).
    public var hits: [UInt64] { arrays.map(\.hits) }

    /// Where a lookup found a translation; `level` 2 means the STLB supplied it
    /// (and it was copied into the first level where an array holds its size).
    public struct Hit: Sendable {
        public let array: Int
        public let slot: Int
        public let level: Int
    }

    /// `paired`: MIPS's TLB, whose entries map even/odd pairs of pages (see `TLB.paired`).
    public init(
        model: TLBModel, unifiedEntries: Int, unifiedWays: Int, pageShift: UInt8 = 12, shiftStep: UInt8 = 9,
        paired: Bool = false
    ) throws(TLB.ConfigurationError) {
        typealias Spec = (String, Int, Bool, Bool, [UInt8], Int, Int)
        let specs: [Spec]
        switch model {
        case .unified:
            specs = [("TLB", 1, true, true, [pageShift, pageShift + shiftStep, pageShift + 2 * shiftStep], unifiedEntries, unifiedWays)]
        case .skylake:
            specs = [
                ("L1 ITLB 4K", 1, true, false, [12], 128, 8), ("L1 ITLB 2M", 1, true, false, [21], 8, 8),
                ("L1 DTLB 4K", 1, false, true, [12], 64, 4), ("L1 DTLB 2M", 1, false, true, [21], 32, 4),
                ("L1 DTLB 1G", 1, false, true, [30], 4, 4),
                ("STLB", 2, true, true, [12, 21], 1536, 12), ("STLB 1G", 2, true, true, [30], 16, 4),
            ]
        case .split:
            specs = [
                ("L1 ITLB 4K", 1, true, false, [12], 8, 2), ("L1 ITLB 2M", 1, true, false, [21], 2, 2),
                ("L1 DTLB 4K", 1, false, true, [12], 8, 2), ("L1 DTLB 2M", 1, false, true, [21], 4, 4),
                ("L1 DTLB 1G", 1, false, true, [30], 2, 2),
                ("STLB", 2, true, true, [12, 21], 32, 4), ("STLB 1G", 2, true, true, [30], 4, 4),
            ]
        }
        var arrays: [TLB] = []
        for spec in specs {
            var array = try TLB(entries: spec.5, ways: spec.6, baseShift: pageShift, shiftStep: shiftStep)
            array.paired = paired
            arrays.append(array)
        }
        self.arrays = arrays
        roles = specs.map {
            TLBArrayRole(name: $0.0, level: $0.1, instructions: $0.2, data: $0.3, pageShifts: $0.4)
        }
    }

    public var isUnified: Bool { arrays.count == 1 }

    /// The translation for `virtualAddress` usable under `tag`, from the
    /// first level, else the second (copying it up), else nil: a walk.
    @inline(__always)
    public mutating func lookup(_ virtualAddress: UInt64, tag: UInt16, kind: AccessKind) -> Hit? {
        if arrays.count == 1 {
            guard let slot = arrays[0].lookup(virtualAddress, tag: tag) else { return nil }
            return Hit(array: 0, slot: slot, level: 1)
        }
        for index in arrays.indices where roles[index].level == 1 && (kind == .execute ? roles[index].instructions : roles[index].data) {
            if let slot = arrays[index].lookup(virtualAddress, tag: tag) {
                return Hit(array: index, slot: slot, level: 1)
            }
        }
        for index in arrays.indices where roles[index].level == 2 {
            guard let slot = arrays[index].lookup(virtualAddress, tag: tag) else { continue }
            let entry = arrays[index].entries[slot]
            if let first = firstLevel(for: kind, shift: entry.pageShift) {
                return Hit(array: first, slot: arrays[first].insert(entry), level: 2)
            }
            return Hit(array: index, slot: slot, level: 2)
        }
        return nil
    }

    private func firstLevel(for kind: AccessKind, shift: UInt8) -> Int? {
        arrays.indices.first { roles[$0].level == 1 && roles[$0].holds(kind, shift: shift) }
    }

    public func entry(_ hit: Hit) -> TLBEntry { arrays[hit.array].entries[hit.slot] }

    /// Sets slot `slot` of array `array` by hand (see `TLB.place`).
    public mutating func place(_ entry: TLBEntry, array: Int, slot: Int) { arrays[array].place(entry, slot: slot) }

    /// The slot of the entry that `virtualAddress` and `tag` match, without
    /// counting a hit or touching replacement state (MIPS's TLBP).
    public func probe(_ virtualAddress: UInt64, tag: UInt16) -> Int? {
        arrays[0].entries.indices.first { slot in
            let entry = arrays[0].entries[slot]
            return entry.valid && entry.virtualPage == virtualAddress >> UInt64(entry.pageShift)
                && (entry.tag == tag || entry.global)
        }
    }

    public mutating func markDirty(_ hit: Hit) { arrays[hit.array].markDirty(slot: hit.slot) }

    /// Caches a walk's result in the first-level array for its kind and size
    /// and in the second level if one holds that size.
    public mutating func insert(_ entry: TLBEntry, kind: AccessKind) {
        if arrays.count == 1 {
            arrays[0].insert(entry)
            return
        }
        if let first = firstLevel(for: kind, shift: entry.pageShift) { arrays[first].insert(entry) }
        if let second = arrays.indices.first(where: { roles[$0].level == 2 && roles[$0].pageShifts.contains(entry.pageShift) }) {
            arrays[second].insert(entry)
        }
    }

    private mutating func everyArray(_ operation: (inout TLB) -> Int) -> Int {
        var dropped = 0
        for index in arrays.indices { dropped += operation(&arrays[index]) }
        return dropped
    }

    @discardableResult
    public mutating func flushNonGlobal() -> Int { everyArray { $0.flushNonGlobal() } }
    @discardableResult
    public mutating func flush(tag: UInt16) -> Int { everyArray { $0.flush(tag: tag) } }
    @discardableResult
    public mutating func flushAll() -> Int { everyArray { $0.flushAll() } }
    @discardableResult
    public mutating func invalidate(_ virtualAddress: UInt64, tag: UInt16 = 0) -> Int {
        everyArray { $0.invalidate(virtualAddress, tag: tag) }
    }
    @discardableResult
    public mutating func invalidateEveryTag(_ virtualAddress: UInt64) -> Int {
        everyArray { $0.invalidateEveryTag(virtualAddress) }
    }

    public mutating func invalidateNonGlobal(_ virtualAddress: UInt64, tag: UInt16) -> Int {
        everyArray { $0.invalidateNonGlobal(virtualAddress, tag: tag) }
    }

    public var validCount: Int { arrays.reduce(0) { $0 + $1.validCount } }
    public var entryCount: Int { arrays.reduce(0) { $0 + $1.entryCount } }
    /// Every array's entries, in order.
    public var entries: [TLBEntry] { arrays.flatMap(\.entries) }
    /// The first array's geometry (the whole TLB when unified).
    public var sets: Int { arrays[0].sets }
    public var ways: Int { arrays[0].ways }
    /// Hits the second level supplied.
    public var secondLevelHits: UInt64 {
        arrays.indices.filter { roles[$0].level == 2 }.reduce(0) { $0 + hits[$1] }
    }
}
