/// One cached translation. Non-present entries are never cached (SDM §4.10.2.3).
public struct TLBEntry: Sendable, Equatable {
    public var valid = false
    /// The virtual address shifted right by `pageShift`.
    public var virtualPage: UInt64 = 0
    /// 12 for a 4 KiB page, 21 for 2 MiB, 30 for 1 GiB.
    public var pageShift: UInt8 = 12
    /// Physical address of the first byte of the page.
    public var frameBase: UInt64 = 0
    /// Rights are the AND (NX: the OR) over every level of the walk that filled it.
    public var writable = false
    public var user = false
    public var noExecute = false
    public var global = false
    /// Whether the leaf's D bit was already set when this entry was filled or last written through.
    public var dirty = false
    /// The PCID (x86) the entry was filled under; global entries match every PCID.
    public var tag: UInt16 = 0
    /// MIPS's V bit: an entry may match and still not map (a TLB Invalid
    /// exception). Always true elsewhere: hardware walkers cache no invalid entry.
    public var present = true
    /// RISC-V's R bit: an execute-only page (X without R) refuses loads
    /// (sstatus.MXR clear). Always true elsewhere.
    public var readable = true
    var lastUse: UInt64 = 0

    public init(pageShift: UInt8 = 12) { self.pageShift = pageShift }

    /// Whether the slot ever held an entry (filled or typed in): `show tlb`
    /// prints an invalid slot's old tag, as a book's TLB table does.
    public var wasFilled: Bool { lastUse != 0 }
    public var virtualAddress: UInt64 { virtualPage << UInt64(pageShift) }
    public var pageSize: UInt64 { 1 << UInt64(pageShift) }
}

/// A set-associative TLB with least-recently-used replacement.
///
/// Pages of every size share the one array, tagged with their size (as in the
/// shared STLB of Skylake); a lookup probes each size that is present.
public struct TLB: Sendable {
    public let entryCount: Int
    public let ways: Int
    public let sets: Int
    public private(set) var entries: [TLBEntry]
    private var clock: UInt64 = 0
    /// Lookups that found their translation here.
    public private(set) var hits: UInt64 = 0
    /// Bit n set: some valid entry may have page shift `baseShift` +
    /// n × `shiftStep`. Lets small-page-only workloads skip the large-page probes.
    private var shiftsPresent: UInt8 = 0
    /// The smallest page's shift (12 on x86-64, 6 on CS:APP's machine) and how
    /// much each larger page size adds (a level's index bits: 9 on x86-64, 10 on i386).
    public let baseShift: UInt8
    public let shiftStep: UInt8

    public enum ConfigurationError: Error, Equatable {
        case notDivisible(entries: Int, ways: Int)
        case setsNotPowerOfTwo(sets: Int)
        case outOfRange(entries: Int)
    }

    public static let maximumEntries = 65_536

    /// MIPS: slots 2k and 2k + 1 are the even and odd pages of one TLB
    /// entry (one EntryHi, EntryLo0 and EntryLo1): invalidating either
    /// drops the pair, as the hardware holds them in one entry.
    public var paired = false

    public init(entries: Int, ways: Int, baseShift: UInt8 = 12, shiftStep: UInt8 = 9) throws(ConfigurationError) {
        guard entries >= 1, entries <= Self.maximumEntries, ways >= 1, ways <= entries else {
            throw .outOfRange(entries: entries)
        }
        guard entries % ways == 0 else { throw .notDivisible(entries: entries, ways: ways) }
        let sets = entries / ways
        guard sets & (sets - 1) == 0 else { throw .setsNotPowerOfTwo(sets: sets) }
        self.entryCount = entries
        self.ways = ways
        self.sets = sets
        self.baseShift = baseShift
        self.shiftStep = shiftStep
        self.entries = Array(repeating: TLBEntry(pageShift: baseShift), count: entries)
    }

    @inline(__always)
    private func firstSlot(ofVirtualPage virtualPage: UInt64) -> Int {
        Int(virtualPage & UInt64(sets - 1)) * ways
    }

    /// The slot holding a translation for `virtualAddress` usable under
    /// `tag` (its own or a global one), marking it most recently used and
    /// counting a hit.
    @inline(__always)
    public mutating func lookup(_ virtualAddress: UInt64, tag: UInt16 = 0) -> Int? {
        clock &+= 1
        guard let slot = slot(for: virtualAddress, tag: tag) else { return nil }
        entries[slot].lastUse = clock
        hits &+= 1
        return slot
    }

    /// The slot holding a translation for `virtualAddress` under `tag`,
    /// touching nothing: an invalidation looks entries up this way, so it
    /// counts no hit and changes no entry's age.
    @inline(__always)
    private func slot(for virtualAddress: UInt64, tag: UInt16) -> Int? {
        var shiftBit: UInt8 = 1
        var shift = UInt64(baseShift)
        let step = UInt64(shiftStep)
        let ways = ways
        let sets = sets
        let present = shiftsPresent
        // One pass over the set through a buffer pointer: the entries are compared where they lie.
        return entries.withUnsafeBufferPointer { entries -> Int? in
            while shiftBit <= present {
                if present & shiftBit != 0 {
                    let virtualPage = virtualAddress >> shift
                    let first = Int(virtualPage & UInt64(sets - 1)) * ways
                    for slot in first..<(first + ways) {
                        let entry = entries.baseAddress! + slot
                        if entry.pointee.valid && entry.pointee.virtualPage == virtualPage
                            && UInt64(entry.pointee.pageShift) == shift
                            && (entry.pointee.tag == tag || entry.pointee.global)
                        {
                            return slot
                        }
                    }
                }
                shiftBit <<= 1
                shift += step
            }
            return nil
        }
    }

    /// Caches a translation, evicting the least recently used entry of its set if full.
    @discardableResult
    public mutating func insert(_ newEntry: TLBEntry) -> Int {
        let first = firstSlot(ofVirtualPage: newEntry.virtualPage)
        clock &+= 1
        let now = clock
        let ways = ways
        // A free way if there is one, else the least recently used (the first of equals).
        let victim = entries.withUnsafeMutableBufferPointer { entries -> Int in
            let base = entries.baseAddress!
            var victim = first
            var oldest = UInt64.max
            for slot in first..<(first &+ ways) {
                let entry = base + slot
                if !entry.pointee.valid {
                    victim = slot
                    break
                }
                if entry.pointee.lastUse < oldest {
                    oldest = entry.pointee.lastUse
                    victim = slot
                }
            }
            base[victim] = newEntry
            base[victim].valid = true
            base[victim].lastUse = now
            return victim
        }
        shiftsPresent |= 1 &<< ((newEntry.pageShift &- baseShift) / shiftStep)
        return victim
    }

    /// Puts `entry` in `slot` as it is, valid or not: a TLB typed in from a
    /// book's table (an invalid entry keeps its tag and PPN for `show tlb`).
    public mutating func place(_ entry: TLBEntry, slot: Int) {
        clock &+= 1
        entries[slot] = entry
        entries[slot].lastUse = clock
        if entry.valid { shiftsPresent |= 1 &<< ((entry.pageShift &- baseShift) / shiftStep) }
    }

    public mutating func markDirty(slot: Int) { entries[slot].dirty = true }

    /// Drops every non-global entry: what a CR3 write does without PCIDs. Returns how many went.
    @discardableResult
    public mutating func flushNonGlobal() -> Int {
        var dropped = 0
        for slot in entries.indices where entries[slot].valid && !entries[slot].global {
            entries[slot].valid = false
            dropped += 1
        }
        return dropped
    }

    /// Drops the non-global entries tagged `tag` (a flushing CR3 write with
    /// PCIDE = 1, INVPCID type 1). Returns how many went.
    @discardableResult
    public mutating func flush(tag: UInt16) -> Int {
        var dropped = 0
        for slot in entries.indices
        where entries[slot].valid && !entries[slot].global && entries[slot].tag == tag {
            entries[slot].valid = false
            dropped += 1
        }
        return dropped
    }

    /// Drops every entry, global ones too (CR4.PGE toggle, INVPCID type 2).
    @discardableResult
    public mutating func flushAll() -> Int {
        var dropped = 0
        for slot in entries.indices where entries[slot].valid {
            entries[slot].valid = false
            dropped += 1
        }
        shiftsPresent = 0
        return dropped
    }

    /// Drops the entries that translate `virtualAddress` under `tag`, and
    /// global ones for it (INVLPG, SDM §4.10.4.1).
    @discardableResult
    public mutating func invalidate(_ virtualAddress: UInt64, tag: UInt16 = 0) -> Int {
        var dropped = 0
        while let slot = slot(for: virtualAddress, tag: tag) {
            entries[slot].valid = false
            if paired { entries[slot ^ 1].valid = false }
            dropped += 1
        }
        return dropped
    }

    /// Drops every entry for `virtualAddress`, whatever its tag, global ones
    /// too (RISC-V's sfence.vma with an address and rs2 = x0).
    @discardableResult
    public mutating func invalidateEveryTag(_ virtualAddress: UInt64) -> Int {
        var dropped = 0
        for slot in entries.indices where entries[slot].valid {
            if entries[slot].virtualPage == virtualAddress >> UInt64(entries[slot].pageShift) {
                entries[slot].valid = false
                if paired { entries[slot ^ 1].valid = false }
                dropped += 1
            }
        }
        return dropped
    }

    /// Drops the non-global entries for `virtualAddress` tagged `tag` (INVPCID type 0).
    @discardableResult
    public mutating func invalidateNonGlobal(_ virtualAddress: UInt64, tag: UInt16) -> Int {
        var dropped = 0
        for slot in entries.indices where entries[slot].valid && !entries[slot].global && entries[slot].tag == tag {
            let entry = entries[slot]
            if entry.virtualPage == virtualAddress >> UInt64(entry.pageShift) {
                entries[slot].valid = false
                if paired { entries[slot ^ 1].valid = false }
                dropped += 1
            }
        }
        return dropped
    }

    public var validCount: Int { entries.reduce(0) { $0 + ($1.valid ? 1 : 0) } }
}
