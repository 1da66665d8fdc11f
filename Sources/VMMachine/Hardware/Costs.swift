/// Cycle costs the machine charges, so that lessons can compare designs in
/// numbers, not predict a real machine. These are x86-64's; each other
/// architecture changes the figures that are its own (ArchitectureCosts.swift).
/// Each default names its source;
/// where no source gives a number it says so and why that order of
/// magnitude. Sources are in shared/MMU-FACTS.md; the README has the table,
/// and `show costs` prints it. Every one can be changed with `cost_…=`.
public struct CostModel: Sendable, Equatable {
    /// A TLB hit: 0.5–1 cycle (Hennessy & Patterson, via MMU-FACTS §7).
    public var tlbHit: UInt64 = 1
    /// A first-level miss that the STLB answers, on top of the hit: ChampSim's
    /// STLB latency is 8, a Haswell measurement ~12 (MMU-FACTS §7).
    public var secondLevelHit: UInt64 = 8
    /// One paging-structure read of a walk. Assumption: between an L2 hit (12
    /// cycles) and an L3 hit (44) on Skylake; a Haswell walk served from the
    /// caches measured ~20 cycles in all (MMU-FACTS §7).
    public var walkReference: UInt64 = 25
    /// The kernel's fault path, entry to exit. Assumption: about a
    /// microsecond's order, the kernel work a minor fault does.
    public var pageFault: UInt64 = 1_000
    /// A shootdown IPI, paid by the sender while it waits for the
    /// acknowledgement: "can take microseconds" (Amit, USENIX ATC'17).
    public var interProcessorInterrupt: UInt64 = 2_000
    /// Receiving one: interrupt entry, the flush, exit. Assumption: half the
    /// sender's wait, which also covers the IPI's delivery.
    public var interruptReceived: UInt64 = 1_000
    /// A whole-TLB or whole-PCID flush operation; refilling the TLB afterwards
    /// costs walks. Assumption: the order of the CR3 write that performs it.
    public var tlbFlush: UInt64 = 100
    /// A base-register write; x86's MOV to CR3: "on the order of a hundred
    /// cycles" (Linux pti.rst). The others' are in ArchitectureCosts.swift.
    public var baseRegisterWrite: UInt64 = 100
    /// Entering and leaving the kernel (syscall/sysret or an interrupt), CR3
    /// aside. Assumption: ~100 cycles for the pair on a current core.
    public var kernelEntry: UInt64 = 100
    /// One INVLPG: "Each single flush is about 100 ns" (arch/x86/mm/tlb.c),
    /// 250 cycles at 2.5 GHz.
    public var invlpg: UInt64 = 250
    /// Zeroing one 4 KiB frame (a 2 MiB page is 512 of them). Assumption:
    /// clear_page streams ~8 bytes a cycle.
    public var zeroPage: UInt64 = 500
    /// Copying one 4 KiB frame (copy-on-write). Assumption: a read and a write
    /// of the frame, twice zeroing it.
    public var copyPage: UInt64 = 1_000
    /// One page-table entry the kernel writes or clears. Assumption: a store
    /// and its bookkeeping, ~10 cycles.
    public var entryWrite: UInt64 = 10
    /// One 4 KiB page written to swap or read back (frames=N). Assumption: an
    /// NVMe SSD's 4 KiB random I/O, ~20 us at 3 GHz; a disk would be 100 times more.
    public var swapPage: UInt64 = 60_000
    /// The dirty-bit assist: the first write through a clean TLB entry goes
    /// back to the leaf in memory to set D (SDM §4.8). Assumption: one locked
    /// update, the cost of one walk reference.
    public var dirtyAssist: UInt64 = 25
    /// MIPS: one run of the kernel's TLB Refill handler (or of the TLB
    /// Modified fast path), its table reads aside: no other architecture
    /// runs one, so x86's figure is only a placeholder (ArchitectureCosts.swift).
    public var refillHandler: UInt64 = 100

    /// The largest value a `cost_…=` option takes: large enough for any
    /// lesson, small enough that no run can overflow a counter in practice.
    public static let maximum: UInt64 = 1_000_000_000

    public init() {}
}

/// Why the kernel spent cycles, for `stats`. Sums saturate rather than trap.
public struct CycleAccount: Sendable, Equatable {
    public var translation: UInt64 = 0
    public var faults: UInt64 = 0
    public var flushes: UInt64 = 0
    public var baseWrites: UInt64 = 0
    public var kernelEntries: UInt64 = 0
    public var interProcessorInterrupts: UInt64 = 0
    /// Zeroing and copying pages, writing page-table entries.
    public var kernelWork: UInt64 = 0

    public var total: UInt64 {
        [translation, faults, flushes, baseWrites, kernelEntries, interProcessorInterrupts, kernelWork]
            .reduce(0, saturatingAdd)
    }
}

/// a + b, or UInt64.max where that overflows.
func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (sum, overflow) = a.addingReportingOverflow(b)
    return overflow ? .max : sum
}

/// a × b, or UInt64.max where that overflows.
func saturatingMultiply(_ a: UInt64, _ b: UInt64) -> UInt64 {
    let (product, overflow) = a.multipliedReportingOverflow(by: b)
    return overflow ? .max : product
}

/// Page faults by what the kernel made of them.
public struct FaultCounts: Sendable, Equatable {
    /// First touch of a page in a region: a zeroed frame was mapped.
    public var demand: UInt64 = 0
    /// Write to a copy-on-write page: copied (or, if no longer shared, made writable).
    public var copyOnWrite: UInt64 = 0
    /// A swapped-out page read back (frames=N ran out): a major fault.
    public var major: UInt64 = 0
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
        demand + copyOnWrite + segmentation + protection + unresolved + spurious + exceptionFixups + major
    }
}
