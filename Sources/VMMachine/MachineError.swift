/// A request the machine refuses. The language layer turns these into words.
public enum MachineError: Error, Equatable, Sendable {
    case unsupportedArchitecture(String)
    case ramSize(bytes: UInt64)
    case tlbGeometry(TLB.ConfigurationError)
    case outOfMemory(totalFrames: UInt64)
    case misaligned(address: UInt64, alignment: UInt64)
    case sizeNotPageMultiple(size: UInt64)
    case emptyRange
    case notUserAddress(address: UInt64)
    case alreadyMapped(process: String, address: UInt64)
    case notMapped(process: String, address: UInt64)
    case crossesPageBoundary(address: UInt64)
    case noSuchCore(index: Int, count: Int)
    case noSuchLevel(Int)
    case hostMemoryLimit(frames: Int)
    case coreCount(Int)
    case unsupportedPageSize(UInt64)
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
