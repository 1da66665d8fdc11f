/// A process identifier, as the kernel hands them out (1, 2, 3, …).
public struct ProcessID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: ProcessID, rhs: ProcessID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// The kernel's record of a process. The page table itself lives in physical
/// memory; this records only where its root is and which frames it owns.
public struct Process: Sendable {
    public let pid: ProcessID
    public let name: String
    /// Physical address of this process's PML4 (what CR3 holds while it runs).
    public let root: UInt64
    /// Frames holding this process's page tables, the PML4 first, in allocation order.
    public internal(set) var tableFrames: [UInt64]
    /// User pages currently mapped (4 KiB each).
    public internal(set) var residentPages: UInt64 = 0
}
