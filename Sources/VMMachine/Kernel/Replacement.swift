/// Page replacement when user memory is limited (`frames=N`): which page
/// goes when a new one needs a frame and none is free. Page-table pages do
/// not count and are never evicted.
public enum ReplacementPolicy: String, CaseIterable, Sendable {
    /// First in, first out: the page loaded longest ago.
    case fifo
    /// Least recently used, by every access (a TLB hit too): what the textbooks mean.
    case lru
    /// Second chance: a hand sweeps the frames; a page whose accessed bit is
    /// set loses the bit (and its TLB entries, so that its next use sets it
    /// again) and is passed over once.
    case clock
    /// Enhanced second chance: the first page of the lowest class of
    /// (accessed, dirty): (0,0), then (0,1) while clearing accessed bits, and again.
    case eclock
    /// A page chosen at random (seeded, so a run is repeatable).
    case rand
    /// Belady's optimal: the page used again furthest in the future. Only a
    /// replay knows the future, so it works there only.
    case opt
}

/// Counters of paging when memory is limited.
public struct PagingCounts: Sendable, Equatable {
    public var evictions: UInt64 = 0
    /// Dirty pages (or pages whose only copy was in memory) written to swap.
    public var swapWrites: UInt64 = 0
    /// Pages read back from swap (each a major fault).
    public var swapReads: UInt64 = 0
}

/// The user pages that hold frames, for the replacement policy. Frames are
/// kept in the order they were loaded, an array, so every choice is
/// deterministic; dictionaries only answer lookups.
struct ResidentSet: Sendable {
    /// Frame numbers in load order (FIFO's queue; the order ties are broken in).
    private(set) var order: [UInt64] = []
    /// Each resident frame's virtual page (the same in every process that maps it: fork keeps addresses).
    var virtualPage: [UInt64: UInt64] = [:]
    /// LRU: the tick of each frame's last use.
    var lastUse: [UInt64: UInt64] = [:]
    var tick: UInt64 = 0
    /// A swap slot that still holds a frame's contents unchanged since it was read back.
    var cleanCopy: [UInt64: UInt64] = [:]
    /// CLOCK and enhanced CLOCK: the frames' ring and its hand.
    var ring: [UInt64?] = []
    var hand = 0
    /// The ring slot the page being loaded takes (the victim's).
    var pendingSlot: Int?
    /// RAND's generator, seeded by the machine (the same seed gives the same victims).
    var random = SplitMix64(seed: 1)
    /// OPT: when each virtual page is next used (a replay's reference index; Int.max: never).
    var nextUse: [UInt64: Int] = [:]
    var knowsFuture = false

    var count: Int { order.count }

    mutating func add(_ frame: UInt64, limit: Int) {
        order.append(frame)
        tick += 1
        lastUse[frame] = tick
        if ring.count < limit { ring = ring + [UInt64?](repeating: nil, count: limit - ring.count) }
        if let slot = pendingSlot ?? ring.firstIndex(where: { $0 == nil }) {
            ring[slot] = frame
        }
        pendingSlot = nil
    }

    mutating func remove(_ frame: UInt64) {
        guard let position = order.firstIndex(of: frame) else { return }
        order.remove(at: position)
        virtualPage[frame] = nil
        lastUse[frame] = nil
        cleanCopy[frame] = nil
        if let slot = ring.firstIndex(of: frame) { ring[slot] = nil }
    }

    mutating func touch(_ frame: UInt64) {
        guard lastUse[frame] != nil else { return }
        tick += 1
        lastUse[frame] = tick
    }

}
