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
    /// A paging-structure entry has a reserved bit set (PS in a PML4 entry,
    /// address bits above MAXPHYADDR, …): #PF with error code bits 0 and 3.
    case reservedBit = "reserved_bit"
    /// A privileged instruction (INVLPG, INVPCID, a CR write) in user mode: #GP.
    case generalProtection = "general_protection"
    /// An instruction user mode may not even decode (STAC, CLAC at CPL 3): #UD.
    case invalidOpcode = "invalid_opcode"
    /// MIPS: user code named a kernel segment's address (AdEL, AdES).
    case addressError = "address_error"
}

/// Which check refused a present page.
public enum ProtectionCheck: String, Sendable {
    /// R/W, U/S or NX in the entries.
    case rights
    /// SMEP: the kernel fetched an instruction from a user page.
    case smep
    /// SMAP: the kernel touched a user page with EFLAGS.AC clear.
    case smap
}

/// A fault with the information the architecture reports for it.
public struct Fault: Sendable, Equatable {
    public let kind: FaultKind
    /// CR2 for a page fault; the offending address for #GP.
    public let address: UInt64
    /// What faulted, from which mode, and whether the entry that refused it
    /// was present: what every architecture's syndrome says in its own bits
    /// (x86's error code, scause, ESR_EL1, Cause), which the vocabulary spells.
    public let access: AccessKind
    public let fromUser: Bool
    public let present: Bool
    /// The level whose entry stopped the walk (4 … 1), or 0 when no walk was made.
    public internal(set) var level: Int
    /// For a protection fault: what refused it.
    public var check: ProtectionCheck = .rights
    /// Whether the syndrome can tell a fetch apart: x86's I/D needs NX or
    /// CR4.SMEP (SDM §4.7); the other architectures always say so.
    let reportsFetch: Bool
    /// False for #GP and #UD, which push an error code of 0.
    let isPageFault: Bool

    init(
        kind: FaultKind, address: UInt64, access: AccessKind, fromUser: Bool, present: Bool, level: Int,
        reportsFetch: Bool = true, isPageFault: Bool = true
    ) {
        self.kind = kind
        self.address = address
        self.access = access
        self.fromUser = fromUser
        self.present = present
        self.level = level
        self.reportsFetch = reportsFetch
        self.isPageFault = isPageFault
    }

    /// The x86 #PF error code of the fault: bit 0 P, bit 1 W, bit 2 U, bit 3
    /// RSVD, bit 4 I/D; 0 for #GP.
    public var errorCode: UInt64 {
        guard isPageFault else { return 0 }
        var code: UInt64 = present ? 1 : 0
        if access == .write { code |= 1 << 1 }
        if fromUser { code |= 1 << 2 }
        if kind == .reservedBit { code |= 1 << 3 }
        if access == .execute && reportsFetch { code |= 1 << 4 }
        return code
    }
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

/// The walk of one access, at most five steps (x86-64 with LA57), stored inline so that an access
/// never allocates. A trace that does not keep its steps only counts them:
/// an access whose line is not printed (`quiet`, a replay) needs the count
/// (`last.walk_steps`), not the entries.
public struct WalkTrace: Sendable, Equatable {
    private var steps: (WalkStep, WalkStep, WalkStep, WalkStep, WalkStep) = (.init(), .init(), .init(), .init(), .init())
    public private(set) var count = 0
    /// Whether `append` stores the step; the subscript reads only kept steps.
    public internal(set) var keepsSteps: Bool

    public init(keepsSteps: Bool = true) { self.keepsSteps = keepsSteps }

    /// Forgets the steps (they are read only below `count`).
    mutating func clear() { count = 0 }

    /// Counts steps taken elsewhere (by a walk into a trace that keeps them).
    mutating func countSteps(_ steps: Int) { count += steps }

    mutating func append(_ step: WalkStep) {
        guard keepsSteps else {
            count += 1
            return
        }
        switch count {
        case 0: steps.0 = step
        case 1: steps.1 = step
        case 2: steps.2 = step
        case 3: steps.3 = step
        default: steps.4 = step
        }
        count += 1
    }

    public subscript(position: Int) -> WalkStep {
        switch position {
        case 0: return steps.0
        case 1: return steps.1
        case 2: return steps.2
        case 3: return steps.3
        default: return steps.4
        }
    }

    public static func == (lhs: WalkTrace, rhs: WalkTrace) -> Bool {
        lhs.count == rhs.count && lhs.keepsSteps == rhs.keepsSteps
            && (!lhs.keepsSteps || (0..<lhs.count).allSatisfy { lhs[$0] == rhs[$0] })
    }
}

/// One try at translating an address: the TLB lookup, the walk if it
/// missed, and the fault if there was one.
public struct Attempt: Sendable {
    public var tlbHit = false
    public var walk = WalkTrace()
    public var fault: Fault?

    /// Back to a fresh attempt, in place.
    mutating func clear() {
        tlbHit = false
        walk.clear()
        fault = nil
    }
}

/// Everything that happened during one load, store or fetch, for rendering and for scripts.
public struct AccessOutcome: Sendable {
    public private(set) var kind: AccessKind
    public private(set) var core: Int
    public private(set) var mode: CPUMode
    public private(set) var virtualAddress: UInt64
    /// The first translation; if it faulted and the kernel fixed the
    /// mapping, `retry` is the second.
    public var first = Attempt()
    public var resolution: FaultResolution?
    /// Under KPTI, the CR3 writes into the kernel copy and back out around
    /// the fault handler (none otherwise).
    public var isolationWrites: [BaseRegisterWrite] = []
    public var retry: Attempt?
    /// Set when the access finally succeeded.
    public var physicalAddress: UInt64?
    /// The page size of the translation that was used, in bytes.
    public var pageSize: UInt64 = 0
    /// The value loaded, or the value stored.
    public var value: UInt64 = 0
    /// MIPS: what the refill handler wrote with TLBWR, if the access took a refill.
    public var refill: Refill?
    /// MIPS: the address was in an unmapped kernel segment (kseg0, kseg1): no TLB.
    public var unmapped = false
    /// xv6's copyin or copyout: the kernel walked the user table in software
    /// (the walk holds the entries it read) and no translation took place.
    public var softwareCopy = false

    /// One TLB Refill exception's work: the pair it loaded and where TLBWR put it.
    public struct Refill: Sendable {
        /// The pair's slot, which the Random register named.
        public let slot: Int
        /// EntryHi (VPN2 and ASID), EntryLo0 and EntryLo1 as written.
        public let entryHi: UInt64
        public let entryLo0: UInt64
        public let entryLo1: UInt64
        /// The exception was TLBS (a store missed), not TLBL.
        public var store = false
    }

    /// Whether the access hit in the TLB: the translation finally used came
    /// from it, and no refill put it there for this access. (On MIPS a miss
    /// traps to the refill handler and the retried instruction then finds
    /// the entry; that access still missed, and `refill` says so.)
    public var tlbHit: Bool { refill == nil && (retry ?? first).tlbHit }
    /// The first attempt's walk.
    public var walk: WalkTrace { first.walk }
    /// The fault the CPU raised on the first attempt, if any.
    public var fault: Fault? { first.fault }

    init(kind: AccessKind, core: Int, mode: CPUMode, virtualAddress: UInt64) {
        self.kind = kind
        self.core = core
        self.mode = mode
        self.virtualAddress = virtualAddress
    }

    /// Makes this outcome a new one's start, in place: a script's `last` is
    /// rewritten on every access, and building 440 bytes afresh to copy them
    /// in was a tenth of a read's time.
    mutating func restart(kind: AccessKind, core: Int, mode: CPUMode, virtualAddress: UInt64, keepingWalk: Bool) {
        self.kind = kind
        self.core = core
        self.mode = mode
        self.virtualAddress = virtualAddress
        first.clear()
        first.walk.keepsSteps = keepingWalk
        resolution = nil
        if !isolationWrites.isEmpty { isolationWrites.removeAll(keepingCapacity: true) }
        retry = nil
        if refill != nil { refill = nil }
        unmapped = false
        softwareCopy = false
        physicalAddress = nil
        pageSize = 0
        value = 0
    }

    /// A privileged instruction refused in user mode, as `last` shows it: the
    /// #GP raised while executing it, at its operand's address.
    public static func privilegedInstructionFault(core: Int, address: UInt64, kind: FaultKind) -> AccessOutcome {
        var outcome = AccessOutcome(kind: .execute, core: core, mode: .user, virtualAddress: address)
        outcome.first.fault = Fault(
            kind: kind, address: address, access: .execute, fromUser: true, present: false, level: 0, isPageFault: false)
        return outcome
    }
}

/// Why a context switch did or did not touch CR3 and the TLB.
public enum SwitchKind: String, Sendable {
    /// Another thread of the address space already loaded: nothing to do.
    case sameAddressSpace = "same address space"
    /// A kernel thread: it borrows the loaded address space (lazy TLB).
    case kernelThread = "kernel thread, lazy TLB"
    /// Back from a kernel thread to the address space it borrowed.
    case returnFromLazy = "back from lazy TLB"
    /// A different address space: CR3 is written.
    case newAddressSpace = "new address space"
}

/// One write of the page-table base register (a MOV to CR3, a csrw satp, an
/// msr ttbr0_el1, MIPS's pgd_current and EntryHi), as the CPU saw it.
public struct BaseRegisterWrite: Sendable, Equatable {
    /// Why the kernel wrote it.
    public enum Reason: String, Sendable {
        /// KPTI: from the user copy to the kernel copy on the way in.
        case kernelEntry = "kernel entry"
        /// Loading another address space (or catching up a stale one).
        case contextSwitch = "switch"
        /// KPTI: from the kernel copy to the user copy on the way out.
        case returnToUser = "return to user"
    }

    public let reason: Reason
    /// CR3 before the write (as it reads: bit 63 is always read as zero).
    public let previous: UInt64
    /// The value written, bit 63 included: with PCIDs, bit 63 set means
    /// "do not flush" (SDM §4.10.4.1, Linux's CR3_NOFLUSH).
    public let written: UInt64
    /// Whether the write invalidated TLB entries: every write without PCIDs
    /// (non-global entries), with PCIDs only a write with bit 63 clear (that PCID's).
    public let flushed: Bool
    /// Entries it dropped (possibly none, even when it flushed).
    public let dropped: Int

    /// What CR3 holds afterwards (satp: the value written; its bit 63 is MODE's).
    public let value: UInt64
    /// PAE: the PDPTE (0 to 3) that is present with a reserved bit set in
    /// the new PDPT, for which the MOV raised #GP: CR3 and the PDPTE
    /// registers keep their old values (SDM vol. 3A §4.4.1). nil otherwise.
    public var refusedPDPTE: Int?

    public static let noFlushBit: UInt64 = 1 << 63
}

/// What a context switch did on its core.
public struct SwitchOutcome: Sendable {
    public let core: Int
    public let previous: ThreadID?
    public let next: ThreadID
    public let kind: SwitchKind
    public let oldCR3: UInt64
    public let newCR3: UInt64
    /// Every CR3 write, in order: under KPTI a switch away from user code is a
    /// kernel entry, the switch, and the return to the new thread's user copy.
    public let writes: [BaseRegisterWrite]
    public var baseWrites: Int { writes.count }
    public var wroteCR3: Bool { !writes.isEmpty }
    /// TLB entries dropped by the switch's CR3 writes.
    public var entriesFlushed: Int { writes.reduce(0) { $0 + $1.dropped } }
    /// Valid entries left afterwards (global ones, and other PCIDs' with PCIDs on).
    public let entriesKept: Int
    /// With PCIDs: the process whose PCID slot was taken over, if any.
    public let recycledSlotOf: ProcessID?
    /// With PCIDs: the address space already had a slot with up-to-date entries.
    public let reusedSlot: Bool
}

/// What entering or leaving the kernel did.
public struct KernelCrossing: Sendable {
    public let core: Int
    public let oldCR3: UInt64
    public let newCR3: UInt64
    /// KPTI's CR3 switch, if there was one.
    public let write: BaseRegisterWrite?
    public var entriesFlushed: Int { write?.dropped ?? 0 }
    /// Instruction fetches of the entry code, in order.
    public let fetches: [AccessOutcome]
    /// False when the core was already in the kernel (a nested interrupt): nothing switched.
    public let crossed: Bool
}
