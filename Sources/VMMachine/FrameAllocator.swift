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

    public mutating func free(_ frame: UInt64) {
        precondition(frame >= firstFrame && frame < nextUnused, "freeing a frame never allocated")
        freed.append(frame)
        used -= 1
    }
}
