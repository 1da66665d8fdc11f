/// A process identifier, as the kernel hands them out (1, 2, 3, …).
public struct ProcessID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: ProcessID, rhs: ProcessID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A thread identifier; threads of every process and kernel threads share one space.
public struct ThreadID: Hashable, Comparable, Sendable, CustomStringConvertible {
    public let rawValue: Int
    public init(_ rawValue: Int) { self.rawValue = rawValue }
    public static func < (lhs: ThreadID, rhs: ThreadID) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { String(rawValue) }
}

/// A schedulable thread. User threads share their process's address space;
/// kernel threads have none (Linux: `mm == NULL`) and borrow whatever the
/// core had loaded.
public struct Thread: Sendable {
    public let tid: ThreadID
    public let name: String
    /// nil for a kernel thread.
    public let process: ProcessID?
    public var isKernelThread: Bool { process == nil }
}

/// A memory region the kernel promised (Linux's VMA): what *should* be
/// mapped. Page-table entries appear only when a page is touched or populated.
public struct MemoryRegion: Sendable, Equatable {
    public var start: UInt64
    public var end: UInt64
    public var protection: Protection
    /// 4 KiB, 2 MiB or 1 GiB: the size of the pages that back it.
    public var pageSize: UInt64

    public func contains(_ address: UInt64) -> Bool { address >= start && address < end }

    public func allows(_ kind: AccessKind) -> Bool {
        switch kind {
        case .read: return true
        case .write: return protection.write
        case .execute: return protection.execute
        }
    }
}

/// The kernel's record of a process and its address space (Linux's
/// `task_struct` + `mm_struct`). The page tables themselves live in physical
/// memory; this records where their roots are and which frames hold them.
public struct Process: Sendable {
    public let pid: ProcessID
    public let name: String
    /// Physical address of this process's PML4 (the kernel copy under KPTI).
    public let root: UInt64
    /// Under KPTI, the PML4 used in user mode: the user half and the entry
    /// trampoline only. nil without KPTI.
    public let userRoot: UInt64?
    /// Frames holding this process's page tables, PML4(s) first, in allocation order.
    public internal(set) var tableFrames: [UInt64]
    /// The regions, sorted by start address, never overlapping.
    public internal(set) var regions = RegionList()
    /// User memory currently backed by frames, in 4 KiB pages.
    public internal(set) var residentPages: UInt64 = 0
    public internal(set) var threads: [ThreadID] = []
    /// Its threads' names, for refusing a second thread of the same name in O(1).
    var threadNames: Set<String> = []
    /// Bumped whenever this address space's TLB entries must go (Linux's
    /// `mm->context.tlb_gen`); a core that cached them compares on switch-in.
    public internal(set) var tlbGeneration: UInt64 = 1

    public func region(containing address: UInt64) -> MemoryRegion? { regions.region(containing: address) }
}
