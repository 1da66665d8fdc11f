/// Hands out physical frames deterministically: freed frames first (last freed,
/// first reused, like Linux's per-CPU hot lists), then never-used frames in
/// ascending order. The same script therefore always gets the same frames.
public struct FrameAllocator: Sendable {
    public let firstFrame: UInt64
    public let frameCount: UInt64
    private var nextUnused: UInt64
    private var freed: [UInt64] = []
    public private(set) var used: UInt64 = 0

    public init(firstFrame: UInt64, frameCount: UInt64) {
        self.firstFrame = firstFrame
        self.frameCount = frameCount
        self.nextUnused = firstFrame
    }

    public var available: UInt64 { frameCount - firstFrame - used }

    public mutating func allocate() -> UInt64? {
        if let frame = freed.popLast() {
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
        let start = (nextUnused + count - 1) / count * count
        guard start + count <= frameCount else { return nil }
        freed.append(contentsOf: (nextUnused..<start).reversed())
        nextUnused = start + count
        used += count
        return start
    }

    public mutating func free(_ frame: UInt64) {
        precondition(frame >= firstFrame && frame < nextUnused, "freeing a frame never allocated")
        freed.append(frame)
        used -= 1
    }
}
