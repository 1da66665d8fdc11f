/// Hands out physical frames deterministically: freed frames first (last freed,
/// first reused, like Linux's per-CPU hot lists; a freed huge page gives its
/// frames highest first), then never-used frames in ascending order. The
/// same script therefore always gets the same frames.
///
/// A huge page takes `count` contiguous frames at a multiple of `count`:
/// from never-used memory while there is some, else from a freed huge page
/// (a 1 GiB one is split), else from any aligned block whose frames are all
/// free again. Freed frames therefore coalesce back into huge ones, as
/// Linux's buddy allocator merges a freed page with its free buddy: unmapping
/// a 2 MiB page and mapping it again never runs out. A freed huge page is
/// kept as one range, not as its frames, and single freed frames are counted
/// per 2 MiB unit, so no operation looks at a huge page's frames one by one.
///
/// With an order seed (`vmlab grade --scramble-frames`), never-used frames come
/// in a seeded pseudo-random order instead, so that an answer which hard-codes
/// frame numbers fails while one that reads them from the machine passes.
public struct FrameAllocator: Sendable {
    public let firstFrame: UInt64
    public let frameCount: UInt64
    private var nextUnused: UInt64
    /// What was freed, most recent last: single frames, and freed huge pages
    /// by the id of their ranges in `ranges`. A single frame taken into a huge
    /// page since is stale (not in `isFree`) and is skipped.
    private var freed: [Freed] = []
    /// A range's frames go lowest first when alignment skipped them (as
    /// never-used frames would have), highest first when a huge page was freed
    /// (as its frames freed one by one in ascending order would).
    private enum Freed: Sendable { case frame(UInt64), block(Int, ascending: Bool) }
    /// The single frames that were handed out and given back, and are free now.
    private var isFree: Set<UInt64> = []
    /// How many frames of each 512-frame unit are in `isFree`.
    private var freeInUnit: [UInt64: UInt64] = [:]
    /// What is still free of each freed huge page, as ascending ranges.
    private var ranges: [Int: [Range<UInt64>]] = [:]
    private var nextBlock = 0
    private var scramble: ScrambledOrder?
    public private(set) var used: UInt64 = 0

    /// Frames counted together: a 2 MiB page of 4 KiB frames.
    static let unit: UInt64 = 512

    public init(firstFrame: UInt64, frameCount: UInt64, orderSeed: UInt64? = nil) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.nextUnused = firstFrame
        if let orderSeed, frameCount > firstFrame {
            scramble = ScrambledOrder(span: frameCount - firstFrame, seed: orderSeed)
        }
    }

    public var available: UInt64 { frameCount - firstFrame - used }
    /// Entries on the free list, live or stale (what compaction bounds).
    var bookkeeping: Int { freed.count }

    public mutating func allocate() -> UInt64? {
        while let top = freed.last {
            switch top {
            case .frame(let frame):
                freed.removeLast()
                guard isFree.remove(frame) != nil else { continue }  // stale: taken into a huge page since
                freeInUnit[frame / Self.unit, default: 0] -= 1
                used += 1
                return frame
            case .block(let id, let ascending):
                guard var pieces = ranges[id], !pieces.isEmpty else {
                    freed.removeLast()
                    ranges[id] = nil
                    continue
                }
                let frame: UInt64
                if ascending {
                    let first = pieces.removeFirst()
                    frame = first.lowerBound
                    if frame + 1 < first.upperBound { pieces.insert((frame + 1)..<first.upperBound, at: 0) }
                } else {
                    let last = pieces.removeLast()
                    frame = last.upperBound - 1
                    if last.lowerBound < frame { pieces.append(last.lowerBound..<frame) }
                }
                ranges[id] = pieces.isEmpty ? nil : pieces
                if pieces.isEmpty { freed.removeLast() }
                used += 1
                return frame
            }
        }
        if scramble != nil {
            guard let frame = scramble!.next(offset: firstFrame) else { return nil }
            used += 1
            return frame
        }
        guard nextUnused < frameCount else { return nil }
        defer { nextUnused += 1 }
        used += 1
        return nextUnused
    }

    /// `count` contiguous frames starting at a multiple of `count` (a huge
    /// page): from never-used memory, whose frames skipped for alignment go
    /// to the free list so nothing is lost; else from a freed huge page;
    /// else the lowest aligned block whose frames are all free again.
    public mutating func allocateContiguous(_ count: UInt64) -> UInt64? {
        guard count > 0, count <= frameCount - firstFrame else { return nil }
        if scramble != nil {
            let before = self  // the free lists as they are, for the search (a copy on write)
            let start = scramble!.takeAlignedBlock(count, from: firstFrame, below: frameCount) { before.isFreeNow($0) }
            guard let start else { return nil }
            take(start..<(start + count))
            used += count
            return start
        }
        let start = (nextUnused + count - 1) / count * count
        if start + count <= frameCount {
            if nextUnused < start { give(nextUnused..<start, ascending: true) }
            nextUnused = start + count
            used += count
            return start
        }
        // The most recently freed huge page that holds an aligned block.
        for id in ranges.keys.sorted(by: >) {
            for piece in ranges[id]! {
                let aligned = (piece.lowerBound + count - 1) / count * count
                if aligned + count <= piece.upperBound {
                    take(aligned..<(aligned + count))
                    used += count
                    return aligned
                }
            }
        }
        guard let block = lowestFreeBlock(count) else { return nil }
        take(block..<min(block + count, nextUnused))
        nextUnused = max(nextUnused, block + count)
        used += count
        return block
    }

    public mutating func free(_ frame: UInt64) {
        precondition(
            frame >= firstFrame && (scramble?.wasHandedOut(frame) ?? (frame < nextUnused)),
            "freeing a frame never allocated")
        precondition(isFree.insert(frame).inserted, "freeing a free frame")
        freed.append(.frame(frame))
        freeInUnit[frame / Self.unit, default: 0] += 1
        used -= 1
        compactIfStale()
    }

    /// Stale entries (frames and ranges taken into huge pages since) would
    /// pile up under a long loop of huge pages: drop them once they outnumber the live ones.
    private mutating func compactIfStale() {
        if freed.count > 2 * (isFree.count + ranges.count) + 4096 { compact() }
    }

    /// Frees the `count` frames from `first` (a huge page) as one range.
    public mutating func free(_ first: UInt64, count: UInt64) {
        precondition(
            first >= firstFrame && (scramble?.wasHandedOut(first) ?? (first + count <= nextUnused)),
            "freeing frames never allocated")
        give(first..<(first + count), ascending: false)
        used -= count
        compactIfStale()
    }

    /// Puts `frames` on the free list as one range.
    private mutating func give(_ frames: Range<UInt64>, ascending: Bool) {
        ranges[nextBlock] = [frames]
        freed.append(.block(nextBlock, ascending: ascending))
        nextBlock += 1
    }

    /// Whether `frame`, handed out once, is free again.
    private func isFreeNow(_ frame: UInt64) -> Bool {
        isFree.contains(frame) || ranges.values.contains { $0.contains { $0.contains(frame) } }
    }

    /// Takes the free frames of `frames` off the free lists.
    private mutating func take(_ frames: Range<UInt64>) {
        for unit in (frames.lowerBound / Self.unit)...((max(frames.upperBound, 1) - 1) / Self.unit)
        where freeInUnit[unit] != nil {
            let low = max(frames.lowerBound, unit * Self.unit)
            let high = min(frames.upperBound, (unit + 1) * Self.unit)
            for frame in low..<high where isFree.remove(frame) != nil { freeInUnit[unit]! -= 1 }
            if freeInUnit[unit] == 0 { freeInUnit[unit] = nil }
        }
        for (id, pieces) in ranges where pieces.contains(where: { $0.overlaps(frames) }) {
            let left = pieces.flatMap { piece -> [Range<UInt64>] in
                guard piece.overlaps(frames) else { return [piece] }
                return [piece.lowerBound..<max(piece.lowerBound, frames.lowerBound),
                        min(piece.upperBound, frames.upperBound)..<piece.upperBound].filter { !$0.isEmpty }
            }
            ranges[id] = left.isEmpty ? nil : left
        }
    }

    /// Free frames of `frames`: given back ones below `nextUnused`, never-used ones above.
    private func freeCount(_ frames: Range<UInt64>) -> UInt64 {
        var free = frames.upperBound > nextUnused ? frames.upperBound - max(frames.lowerBound, nextUnused) : 0
        let below = frames.lowerBound..<max(frames.lowerBound, min(frames.upperBound, nextUnused))
        guard !below.isEmpty else { return free }
        for unit in (below.lowerBound / Self.unit)...((below.upperBound - 1) / Self.unit) {
            guard let count = freeInUnit[unit] else { continue }
            let whole = unit * Self.unit >= below.lowerBound && (unit + 1) * Self.unit <= below.upperBound
            free += whole ? count : UInt64((max(below.lowerBound, unit * Self.unit)..<min(below.upperBound, (unit + 1) * Self.unit)).filter { isFree.contains($0) }.count)
        }
        for pieces in ranges.values {
            for piece in pieces where piece.overlaps(below) { free += UInt64(piece.clamped(to: below).count) }
        }
        return free
    }

    /// The lowest block of `count` frames at a multiple of `count`, all free.
    private func lowestFreeBlock(_ count: UInt64) -> UInt64? {
        // A block below nextUnused that is all free holds a freed frame or range.
        var starts = Set(freeInUnit.keys.map { $0 * Self.unit / count * count })
        for pieces in ranges.values {
            for piece in pieces {
                starts.insert(piece.lowerBound / count * count)
                starts.insert((piece.upperBound - 1) / count * count)
            }
        }
        for start in starts.sorted() where start >= firstFrame && start + count <= frameCount {
            if freeCount(start..<(start + count)) == count { return start }
        }
        return nil
    }

    /// Drops stale entries, keeping each free frame's most recent place.
    private mutating func compact() {
        var seen: Set<UInt64> = []
        var kept: [Freed] = []
        for entry in freed.reversed() {
            switch entry {
            case .frame(let frame): if isFree.contains(frame) && seen.insert(frame).inserted { kept.append(entry) }
            case .block(let id, _): if ranges[id] != nil { kept.append(entry) }
            }
        }
        freed = kept.reversed()
    }
}

/// A seeded permutation of the frames `offset ..< offset + span`: frame
/// number `offset + (multiplier × i + shift) mod span` for i = 0, 1, 2, …
/// (a bijection because the multiplier is coprime with the span). Frames
/// taken whole for huge pages are remembered and skipped.
struct ScrambledOrder: Sendable {
    let span: UInt64
    let multiplier: UInt64
    let shift: UInt64
    private var counter: UInt64 = 0
    /// Every frame handed out, singly or in a block.
    private var taken: Set<UInt64> = []

    init(span: UInt64, seed: UInt64) {
        self.span = span
        var random = SplitMix64(seed: seed)
        var multiplier = (random.next() % span) | 1
        while greatestCommonDivisor(multiplier, span) != 1 { multiplier = (multiplier + 2) % span | 1 }
        self.multiplier = span == 1 ? 1 : multiplier
        shift = random.next() % span
    }

    mutating func next(offset: UInt64) -> UInt64? {
        while counter < span {
            // Full-width product: multiplier × counter may not fit in 64 bits.
            let (high, low) = multiplier.multipliedFullWidth(by: counter)
            counter += 1
            let position = span.dividingFullWidth((high % span, low)).remainder
            let frame = offset + (position + shift) % span
            if taken.insert(frame).inserted { return frame }
        }
        return nil
    }

    /// The highest aligned run of `count` frames each of which was never
    /// handed out or is free again (`alsoFree`).
    mutating func takeAlignedBlock(
        _ count: UInt64, from first: UInt64, below end: UInt64, alsoFree: (UInt64) -> Bool
    ) -> UInt64? {
        guard end >= count else { return nil }
        var start = (end - count) / count * count
        while start >= first {
            if !(start..<(start + count)).contains(where: { taken.contains($0) && !alsoFree($0) }) {
                for frame in start..<(start + count) { taken.insert(frame) }
                return start
            }
            guard start >= count else { break }
            start -= count
        }
        return nil
    }

    func wasHandedOut(_ frame: UInt64) -> Bool { taken.contains(frame) }
}

private func greatestCommonDivisor(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var (a, b) = (a, b)
    while b != 0 { (a, b) = (b, a % b) }
    return a
}

/// A small seeded generator (Vigna's SplitMix64): the same seed gives the
/// same numbers on every machine, unlike the system generator.
public struct SplitMix64: Sendable {
    private var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in 0 ..< bound (bound > 0), without modulo bias.
    public mutating func next(below bound: UInt64) -> UInt64 {
        precondition(bound > 0)
        let threshold = (0 &- bound) % bound
        while true {
            let value = next()
            if value >= threshold { return value % bound }
        }
    }
}
