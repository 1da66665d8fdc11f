/// What kind of memory reference the core makes.
public enum AccessKind: String, Sendable {
    case read
    case write
    case execute
}

/// Why a translation failed. The raw values are the names scripts compare against.
public enum FaultKind: String, Sendable {
    /// A paging-structure entry on the walk had P = 0 (#PF, error code bit 0 clear).
    case notPresent = "not_present"
    /// The leaf was present but forbade the access (#PF, error code bit 0 set).
    case protection
    /// Bits 63:47 disagree: x86 raises #GP before any walk, not #PF.
    case nonCanonical = "non_canonical"
}

/// A fault with the information the architecture reports for it.
public struct Fault: Sendable, Equatable {
    public let kind: FaultKind
    /// CR2 for a page fault; the offending address for #GP.
    public let address: UInt64
    /// The #PF error code (bit 0 P, bit 1 W, bit 2 U, bit 4 I/D); 0 for #GP.
    public let errorCode: UInt64
    /// The level whose entry stopped the walk (4 … 1), or 0 when no walk was made.
    public let level: Int
}

/// One paging-structure entry read by the walker.
public struct WalkStep: Sendable, Equatable {
    public var level: Int = 0
    public var index: Int = 0
    /// Physical address of the entry itself.
    public var entryAddress: UInt64 = 0
    /// The entry as read, before the walker set its accessed/dirty bits.
    public var entry: UInt64 = 0
}

/// The walk of one access, at most four steps, stored inline so that an access
/// never allocates.
public struct WalkTrace: Sendable, Equatable {
    private var steps: (WalkStep, WalkStep, WalkStep, WalkStep) = (.init(), .init(), .init(), .init())
    public private(set) var count = 0

    public init() {}

    mutating func append(_ step: WalkStep) {
        switch count {
        case 0: steps.0 = step
        case 1: steps.1 = step
        case 2: steps.2 = step
        default: steps.3 = step
        }
        count += 1
    }

    public subscript(position: Int) -> WalkStep {
        switch position {
        case 0: return steps.0
        case 1: return steps.1
        case 2: return steps.2
        default: return steps.3
        }
    }

    public static func == (lhs: WalkTrace, rhs: WalkTrace) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] }
    }
}

/// Everything that happened during one load or store, for rendering and for scripts.
public struct AccessOutcome: Sendable {
    public let kind: AccessKind
    public let core: Int
    public let mode: CPUMode
    public let virtualAddress: UInt64
    public var tlbHit = false
    public var walk = WalkTrace()
    /// Set when the translation succeeded.
    public var physicalAddress: UInt64?
    /// The page size of the translation that was used, in bytes.
    public var pageSize: UInt64 = 0
    public var fault: Fault?
    /// The value loaded, or the value stored.
    public var value: UInt64 = 0

    init(kind: AccessKind, core: Int, mode: CPUMode, virtualAddress: UInt64) {
        self.kind = kind
        self.core = core
        self.mode = mode
        self.virtualAddress = virtualAddress
    }
}

/// What a context switch did on its core.
public struct SwitchOutcome: Sendable {
    public let core: Int
    public let previous: ProcessID?
    public let next: ProcessID
    public let oldCR3: UInt64
    public let newCR3: UInt64
    /// False when the core already ran this address space (Linux's `prev == next`).
    public let wroteCR3: Bool
    /// TLB entries the CR3 write dropped (global ones survive).
    public let entriesFlushed: Int
    public let globalEntriesKept: Int
}
