/// Cycle costs the machine charges, so that lessons can compare designs in
/// numbers. Defaults are Skylake-ish orders of magnitude from
/// shared/MMU-FACTS.md §7: a TLB hit ~1 cycle, each page-walk memory
/// reference ~25 (a mix of cache hits), a MOV to CR3 "on the order of a
/// hundred cycles" (pti.rst), a kernel entry and exit ~100, a page fault's
/// kernel work ~1,000, a shootdown IPI microseconds (Amit, ATC'17).
public struct CostModel: Sendable, Equatable {
    public var tlbHit: UInt64 = 1
    public var walkReference: UInt64 = 25
    public var pageFault: UInt64 = 1_000
    public var interProcessorInterrupt: UInt64 = 2_000
    /// The flush operation itself; refilling the TLB afterwards costs walks.
    public var tlbFlush: UInt64 = 100
    public var cr3Write: UInt64 = 100
    /// Entering and leaving the kernel (syscall/sysret or an interrupt), CR3 aside.
    public var kernelEntry: UInt64 = 100
    public var invlpg: UInt64 = 250

    public init() {}
}

/// Why the kernel spent cycles, for `stats`.
public struct CycleAccount: Sendable, Equatable {
    public var translation: UInt64 = 0
    public var faults: UInt64 = 0
    public var flushes: UInt64 = 0
    public var cr3Writes: UInt64 = 0
    public var kernelEntries: UInt64 = 0
    public var interProcessorInterrupts: UInt64 = 0

    public var total: UInt64 {
        translation + faults + flushes + cr3Writes + kernelEntries + interProcessorInterrupts
    }
}

/// Page faults by what the kernel made of them.
public struct FaultCounts: Sendable, Equatable {
    /// First touch of a page in a region: a zeroed frame was mapped.
    public var demand: UInt64 = 0
    /// Write to a copy-on-write page: copied (or, if no longer shared, made writable).
    public var copyOnWrite: UInt64 = 0
    /// No region holds the address: SIGSEGV.
    public var segmentation: UInt64 = 0
    /// The region forbids the access (or a user touched a kernel page): SIGSEGV.
    public var protection: UInt64 = 0
    /// Faults the kernel could not resolve in kernel mode (an oops) or #GP.
    public var unresolved: UInt64 = 0
    /// The entry in memory already allowed the access; only the TLB was
    /// behind (rights granted without a flush). The fault dropped the entry;
    /// the retry walks again (Linux: `flush_tlb_fix_spurious_fault`, a no-op on x86).
    public var spurious: UInt64 = 0
    /// A uaccess routine touched a bad user address; the exception table
    /// turned the fault into -EFAULT.
    public var exceptionFixups: UInt64 = 0

    public var total: UInt64 {
        demand + copyOnWrite + segmentation + protection + unresolved + spurious + exceptionFixups
    }
}
