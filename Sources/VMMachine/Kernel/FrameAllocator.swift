/// Hands out physical frames deterministically: freed frames first (last freed,
/// first reused, like Linux's per-CPU hot lists), then never-used frames in
/// ascending order. The same script therefore always gets the same frames.
///
/// With an order seed (`vmlab grade --scramble-frames`), never-used frames come
/// in a seeded pseudo-random order instead, so that an answer which hard-codes
/// frame numbers fails while one that reads them from the machine passes.
public struct FrameAllocator: Sendable {
    public let firstFrame: UInt64
    public let frameCount: UInt64
    private var nextUnused: UInt64
    private var freed: [UInt64] = []
    private var scramble: ScrambledOrder?
    public private(set) var used: UInt64 = 0

    public init(firstFrame: UInt64, frameCount: UInt64, orderSeed: UInt64? = nil) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.nextUnused = firstFrame
        if let orderSeed, frameCount > firstFrame {
            scramble = ScrambledOrder(span: frameCount - firstFrame, seed: orderSeed)
        }
    }

    public var available: UInt64 { frameCount - firstFrame - used }

    public mutating func allocate() -> UInt64? {
        if let frame = freed.popLast() {
            used += 1
            return frame
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
    /// page), taken from never-used memory; frames skipped for alignment go
    /// to the free list, so nothing is lost.
    public mutating func allocateContiguous(_ count: UInt64) -> UInt64? {
        if scramble != nil {
            guard let start = scramble!.takeAlignedBlock(count, from: firstFrame, below: frameCount) else { return nil }
            used += count
            return start
        }
        let start = (nextUnused + count - 1) / count * count
        guard start + count <= frameCount else { return nil }
        freed.append(contentsOf: (nextUnused..<start).reversed())
        nextUnused = start + count
        used += count
        return start
    }

    public mutating func free(_ frame: UInt64) {
        precondition(
            frame >= firstFrame && (scramble?.wasHandedOut(frame) ?? (frame < nextUnused)),
            "freeing a frame never allocated")
        freed.append(frame)
        used -= 1
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

    /// The highest aligned run of `count` frames none of which was handed out.
    mutating func takeAlignedBlock(_ count: UInt64, from first: UInt64, below end: UInt64) -> UInt64? {
        guard end >= count else { return nil }
        var start = (end - count) / count * count
        while start >= first {
            if !(start..<(start + count)).contains(where: { taken.contains($0) }) {
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
