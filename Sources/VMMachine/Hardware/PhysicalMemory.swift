/// Physical memory: an array of 4 KiB frames of which only the touched ones
/// cost host memory. Untouched frames read as zero.
///
/// A two-level radix (chunk of 1,024 frames → slot) finds a frame's storage in
/// two array reads, so the page walker never hashes.
///
/// A touched frame starts sparse: up to four words held beside its slot
/// (most frames of a lesson, a trace or a page-per-write loop hold one or two
/// values), and only a frame that gets a fifth word becomes dense, 4 KiB in
/// a slab of its own. A slab is allocated when its frame becomes dense and
/// never moves: storage grows without reallocating and copying what it
/// holds, and host memory follows what frames really hold. One frame a slab
/// (`slabShift` 0) because a copy of the memory (an undo checkpoint, which
/// shares storage until one side writes) then copies only the 4 KiB frames
/// written after it, not 1 MiB of their neighbours; it measured no slower.
public struct PhysicalMemory: Sendable {
    public let frameCount: UInt64
    private static let chunkShift: UInt64 = 10
    private static let chunkMask: UInt64 = (1 << chunkShift) - 1
    private static let wordsPerFrame = 512
    private static let slabShift = 0
    private static let framesPerSlab = 1 << slabShift
    /// Words a sparse frame holds before it becomes dense.
    private static let sparseWords = 4

    /// For each chunk up to the highest touched one, either empty (no frame
    /// in it touched) or 1,024 slot numbers (-1 = none). It grows as frames
    /// are touched, so a machine's RAM size costs nothing until it is used.
    private var chunks: [[Int32]] = []
    /// Per slot: its dense frame number in the slabs, or -1 while sparse.
    private var denseSlot: [Int32] = []
    /// Per slot, `sparseWords` of each: a word's index + 1 (0: unused), and its value.
    private var sparseKeys: [UInt16] = []
    private var sparseValues: [UInt64] = []
    private var freeSlots: [Int32] = []
    /// Dense frames: frame d is slab d >> slabShift, `wordsPerFrame` words at (d & (framesPerSlab - 1)) * 512.
    private var slabs: [[UInt64]] = []
    private var denseCount = 0
    private var freeDense: [Int32] = []
    public private(set) var touchedFrames = 0

    public init(frameCount: UInt64) {
        self.frameCount = frameCount
    }

    /// The storage slot of `frame`, or -1 if it was never touched. Addresses
    /// beyond RAM behave as untouched frames: no store ever makes a slot for
    /// one (`store` and `writeWord` drop them), and past the highest touched
    /// chunk there is nothing.
    @inline(__always)
    private func slot(ofFrame frame: UInt64) -> Int {
        let index = Int(truncatingIfNeeded: frame >> Self.chunkShift)
        guard index < chunks.count else { return -1 }
        let chunk = chunks[index]
        if chunk.isEmpty { return -1 }
        return Int(chunk[Int(frame & Self.chunkMask)])
    }

    private mutating func makeSlot(forFrame frame: UInt64) -> Int {
        let existing = slot(ofFrame: frame)
        if existing >= 0 { return existing }
        let chunkIndex = Int(frame >> Self.chunkShift)
        if chunkIndex >= chunks.count { chunks.append(contentsOf: repeatElement([], count: chunkIndex + 1 - chunks.count)) }
        if chunks[chunkIndex].isEmpty {
            chunks[chunkIndex] = Array(repeating: -1, count: 1 << Self.chunkShift)
        }
        let newSlot: Int
        if let reused = freeSlots.popLast() {
            newSlot = Int(reused)
        } else {
            newSlot = denseSlot.count
            denseSlot.append(-1)
            sparseKeys.append(contentsOf: repeatElement(0, count: Self.sparseWords))
            sparseValues.append(contentsOf: repeatElement(0, count: Self.sparseWords))
        }
        chunks[chunkIndex][Int(frame & Self.chunkMask)] = Int32(newSlot)
        touchedFrames += 1
        return newSlot
    }

    /// Gives slot `slot` a zeroed dense frame holding its sparse words.
    private mutating func makeDense(_ slot: Int) -> Int {
        let dense: Int
        if let reused = freeDense.popLast() {
            dense = Int(reused)
            let base = (dense & (Self.framesPerSlab - 1)) * Self.wordsPerFrame
            for index in base..<(base + Self.wordsPerFrame) { slabs[dense >> Self.slabShift][index] = 0 }
        } else {
            dense = denseCount
            denseCount += 1
            if dense >> Self.slabShift == slabs.count {
                // Zero-filled by the allocator: its pages cost host memory only once written.
                slabs.append([UInt64](repeating: 0, count: Self.framesPerSlab * Self.wordsPerFrame))
            }
        }
        let base = (dense & (Self.framesPerSlab - 1)) * Self.wordsPerFrame
        for pair in (slot * Self.sparseWords)..<((slot + 1) * Self.sparseWords) where sparseKeys[pair] != 0 {
            slabs[dense >> Self.slabShift][base + Int(sparseKeys[pair]) - 1] = sparseValues[pair]
            sparseKeys[pair] = 0
        }
        denseSlot[slot] = Int32(dense)
        return dense
    }

    public func isTouched(frame: UInt64) -> Bool { slot(ofFrame: frame) >= 0 }

    /// The frames that ever held data, ascending, skipping untouched chunks
    /// whole: the cost is the chunks plus what was touched, not RAM's size.
    public func touchedFrameNumbers() -> [UInt64] {
        var frames: [UInt64] = []
        for (index, chunk) in chunks.enumerated() where !chunk.isEmpty {
            for (offset, slot) in chunk.enumerated() where slot >= 0 {
                frames.append(UInt64(index) << Self.chunkShift | UInt64(offset))
            }
        }
        return frames
    }

    /// Reads the 8-byte word at an 8-byte aligned physical address.
    @inline(__always)
    public func readWord(_ physicalAddress: UInt64) -> UInt64 {
        let frameSlot = slot(ofFrame: physicalAddress >> 12)
        if frameSlot < 0 { return 0 }
        let word = Int((physicalAddress & 0xFFF) >> 3)
        let dense = Int(denseSlot[frameSlot])
        if dense >= 0 { return slabs[dense >> Self.slabShift][Self.wordIndex(dense, word)] }
        let key = UInt16(word + 1)
        for pair in (frameSlot * Self.sparseWords)..<((frameSlot + 1) * Self.sparseWords) where sparseKeys[pair] == key {
            return sparseValues[pair]
        }
        return 0
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
        let word = Int((physicalAddress & 0xFFF) >> 3)
        var dense = Int(denseSlot[frameSlot])
        if dense < 0 {
            let key = UInt16(word + 1)
            var free = -1
            for pair in (frameSlot * Self.sparseWords)..<((frameSlot + 1) * Self.sparseWords) {
                if sparseKeys[pair] == key {
                    sparseValues[pair] = value
                    return
                }
                if free < 0 && sparseKeys[pair] == 0 { free = pair }
            }
            if value == 0 { return }
            if free >= 0 {
                sparseKeys[free] = key
                sparseValues[free] = value
                return
            }
            dense = makeDense(frameSlot)
        }
        slabs[dense >> Self.slabShift][Self.wordIndex(dense, word)] = value
    }

    /// Where in its slab word `word` of dense frame `dense` is.
    @inline(__always)
    private static func wordIndex(_ dense: Int, _ word: Int) -> Int {
        (dense & (framesPerSlab - 1)) * wordsPerFrame + word
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
    /// Discards every touched frame of `frames`, skipping untouched chunks
    /// whole: freeing a 1 GiB page costs what it held.
    public mutating func discard(frames: Range<UInt64>) {
        var frame = frames.lowerBound
        while frame < min(frames.upperBound, UInt64(chunks.count) << Self.chunkShift) {
            let chunkEnd = min((frame >> Self.chunkShift + 1) << Self.chunkShift, frames.upperBound)
            if chunks[Int(frame >> Self.chunkShift)].isEmpty {
                frame = chunkEnd
                continue
            }
            while frame < chunkEnd {
                discard(frame: frame)
                frame += 1
            }
        }
    }

    public mutating func discard(frame: UInt64) {
        let frameSlot = slot(ofFrame: frame)
        guard frameSlot >= 0 else { return }
        chunks[Int(frame >> Self.chunkShift)][Int(frame & Self.chunkMask)] = -1
        if denseSlot[frameSlot] >= 0 {
            freeDense.append(denseSlot[frameSlot])
            denseSlot[frameSlot] = -1
        }
        for pair in (frameSlot * Self.sparseWords)..<((frameSlot + 1) * Self.sparseWords) { sparseKeys[pair] = 0 }
        freeSlots.append(Int32(frameSlot))
        touchedFrames -= 1
    }
}
