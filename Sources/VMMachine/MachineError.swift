/// A request the machine refuses. The language layer turns these into words.
public enum MachineError: Error, Equatable, Sendable {
    case ramSize(bytes: UInt64, multiple: UInt64, maximum: UInt64)
    /// A feature the architecture lacks, or that vmlab does not model on it.
    case notOnArchitecture(architecture: String, what: String)
    case tlbGeometry(TLB.ConfigurationError)
    case outOfMemory(totalFrames: UInt64)
    /// A map asked to populate more pages at once than the model allows.
    case populateLimit(pages: UInt64, limit: UInt64)
    case misaligned(address: UInt64, alignment: UInt64)
    case sizeNotPageMultiple(size: UInt64)
    case emptyRange
    /// Outside the user half, which ends at `userEnd` (0x800000000000 on x86-64, 0xc0000000 on i386, …).
    case notUserAddress(address: UInt64, userEnd: UInt64)
    case alreadyMapped(process: String, address: UInt64)
    case notMapped(process: String, address: UInt64)
    case crossesPageBoundary(address: UInt64, bytes: UInt64, pageSize: UInt64)
    /// An address with bits above the machine's width (a textbook machine's 14-bit addresses).
    case addressTooWide(address: UInt64, bits: Int, what: String)
    /// A TLB slot that the TLB does not have.
    case noSuchTLBSlot(set: Int, way: Int, sets: Int, ways: Int)
    /// A number too wide for its field (a TLB tag, a PPN).
    case fieldTooWide(name: String, value: UInt64, bits: Int)
    /// A kernel-model operation on a machine without a kernel.
    case needsKernel(architecture: String, what: String)
    case noSuchCore(index: Int, count: Int)
    case noSuchLevel(Int)
    case hostMemoryLimit(frames: Int)
    case coreCount(Int)
    case unsupportedPageSize(UInt64, architecture: String, sizes: [UInt64])
    case partialLargePage(address: UInt64, pageSize: UInt64)
    case exited(name: String)
    case threadNameTaken(process: String, name: String)
    case physicalAddressOutOfRange(address: UInt64, limit: UInt64)
    case sharedHugePage(address: UInt64)
    /// policy=opt outside a replay: only a trace knows the future.
    case replacementNeedsFuture
    /// frames=N replaces 4 KiB pages only.
    case hugePageWithFrameLimit(pageSize: UInt64)
}
