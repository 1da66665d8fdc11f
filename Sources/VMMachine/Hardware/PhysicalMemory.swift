/// Physical memory: an array of 4 KiB frames of which only the touched ones
/// cost host memory. Untouched frames read as zero.
///
/// A two-level radix (chunk of 1,024 frames → slot) finds a frame's storage in
/// two array reads, so the page walker never hashes.
///
/// Contents live in slabs of 256 frames (1 MiB) that are allocated as they
/// fill and never moved: storage grows without
/// reallocating and copying what it holds (a single growing array touched
/// every frame twice and, near 1 GiB, briefly needed twice the memory), and
/// host memory stays close to the frames touched.
public struct PhysicalMemory: Sendable {
    public let frameCount: UInt64
    private static let chunkShift: UInt64 = 10
    private static let chunkMask: UInt64 = (1 << chunkShift) - 1
    private static let wordsPerFrame = 512
    private static let slabShift = 8
    private static let framesPerSlab = 1 << slabShift

    /// For each chunk, either empty (no frame in it touched) or 1,024 slot numbers (-1 = none).
    private var chunks: [[Int32]]
    /// Frame contents: slot s is slab s >> 8, `wordsPerFrame` words at (s & 255) * 512.
    private var slabs: [[UInt64]] = []
    private var slotCount = 0
    private var freeSlots: [Int32] = []
    public private(set) var touchedFrames = 0

    public init(frameCount: UInt64) {
        self.frameCount = frameCount
        let chunkCount = Int((frameCount + Self.chunkMask) >> Self.chunkShift)
        chunks = Array(repeating: [], count: chunkCount)
    }

    /// The storage slot of `frame`, or -1 if it was never touched. Addresses
    /// beyond RAM behave as untouched frames (only the kernel model writes
    /// page-table entries, and it never points past RAM).
    @inline(__always)
    private func slot(ofFrame frame: UInt64) -> Int {
        guard frame < frameCount else { return -1 }
        let chunk = chunks[Int(frame >> Self.chunkShift)]
        if chunk.isEmpty { return -1 }
        return Int(chunk[Int(frame & Self.chunkMask)])
    }

    private mutating func makeSlot(forFrame frame: UInt64) -> Int {
        let existing = slot(ofFrame: frame)
        if existing >= 0 { return existing }
        let chunkIndex = Int(frame >> Self.chunkShift)
        if chunks[chunkIndex].isEmpty {
            chunks[chunkIndex] = Array(repeating: -1, count: 1 << Self.chunkShift)
        }
        let newSlot: Int
        if let reused = freeSlots.popLast() {
            newSlot = Int(reused)
            let base = (newSlot & (Self.framesPerSlab - 1)) * Self.wordsPerFrame
            let slab = newSlot >> Self.slabShift
            for index in base..<(base + Self.wordsPerFrame) { slabs[slab][index] = 0 }
        } else {
            newSlot = slotCount
            slotCount += 1
            if newSlot >> Self.slabShift == slabs.count {
                // Zero-filled by the allocator: its pages cost host memory only once written.
                slabs.append([UInt64](repeating: 0, count: Self.framesPerSlab * Self.wordsPerFrame))
            }
        }
        chunks[chunkIndex][Int(frame & Self.chunkMask)] = Int32(newSlot)
        touchedFrames += 1
        return newSlot
    }

    public func isTouched(frame: UInt64) -> Bool { slot(ofFrame: frame) >= 0 }

    /// Reads the 8-byte word at an 8-byte aligned physical address.
    @inline(__always)
    public func readWord(_ physicalAddress: UInt64) -> UInt64 {
        let frameSlot = slot(ofFrame: physicalAddress >> 12)
        if frameSlot < 0 { return 0 }
        return slabs[frameSlot >> Self.slabShift][Self.wordIndex(frameSlot, physicalAddress)]
    }

    /// Writes the 8-byte word at an 8-byte aligned physical address.
    @inline(__always)
    public mutating func writeWord(_ physicalAddress: UInt64, _ value: UInt64) {
        var frameSlot = slot(ofFrame: physicalAddress >> 12)
        if frameSlot < 0 {
            // Untouched frames already read as zero; there is no memory past RAM.
            if value == 0 || physicalAddress >> 12 >= frameCount { return }
            frameSlot = makeSlot(forFrame: physicalAddress >> 12)
        }
        slabs[frameSlot >> Self.slabShift][Self.wordIndex(frameSlot, physicalAddress)] = value
    }

    /// Where in its slab the word at `physicalAddress` of the frame in `slot` is.
    @inline(__always)
    private static func wordIndex(_ slot: Int, _ physicalAddress: UInt64) -> Int {
        (slot & (framesPerSlab - 1)) * wordsPerFrame + Int((physicalAddress & 0xFFF) >> 3)
    }

    /// Loads 8 little-endian bytes at any address whose 8 bytes stay inside one frame.
    public func load(_ physicalAddress: UInt64) -> UInt64 {
        let shift = (physicalAddress & 7) * 8
        let low = readWord(physicalAddress & ~7)
        if shift == 0 { return low }
        let high = readWord((physicalAddress & ~7) + 8)
        return (low >> shift) | (high << (64 - shift))
    }

    /// Stores 8 little-endian bytes at any address whose 8 bytes stay inside one frame.
    public mutating func store(_ physicalAddress: UInt64, _ value: UInt64) {
        let shift = (physicalAddress & 7) * 8
        let aligned = physicalAddress & ~7
        if shift == 0 {
            writeWord(aligned, value)
            return
        }
        let lowMask: UInt64 = (1 << shift) - 1
        writeWord(aligned, (readWord(aligned) & lowMask) | (value << shift))
        writeWord(aligned + 8, (readWord(aligned + 8) & ~lowMask) | (value >> (64 - shift)))
    }

    /// Copies a frame's contents (a copy-on-write break).
    public mutating func copyFrame(_ source: UInt64, to destination: UInt64) {
        guard slot(ofFrame: source) >= 0 else {
            discard(frame: destination)
            return
        }
        for word in 0..<UInt64(Self.wordsPerFrame) {
            writeWord(destination << 12 + word * 8, readWord(source << 12 + word * 8))
        }
    }

    /// Forgets a frame's contents (it reads as zero again) and returns its host memory.
    public mutating func discard(frame: UInt64) {
        let frameSlot = slot(ofFrame: frame)
        guard frameSlot >= 0 else { return }
        chunks[Int(frame >> Self.chunkShift)][Int(frame & Self.chunkMask)] = -1
        freeSlots.append(Int32(frameSlot))
        touchedFrames -= 1
    }
}
