/// The privilege level a core runs at (CPL 3 or CPL 0).
public enum CPUMode: String, Sendable {
    case user
    case kernel
}

/// One CPU core as the hardware has it: its page-table base register, its
/// mode, its TLB, its exception registers and its counters. What the kernel
/// keeps about the core (the thread on it, its PCID slots) is CPUState.
public struct Core: Sendable {
    public let index: Int
    /// The page-table base register as it reads: CR3 (the root's physical
    /// address, and with PCIDs the PCID in bits 11:0), satp (MODE, ASID and
    /// the root's PPN), TTBR0_EL1 (the user half's table), or on MIPS the
    /// kernel's pgd_current with the ASID vmlab keeps beside it.
    public internal(set) var base: UInt64
    /// ARM's TTBR1_EL1: the kernel's table for the upper half, loaded at boot,
    /// and with TCR_EL1.A1 = 1, as Linux sets it, the current ASID in bits
    /// 63:48, written on every switch (0 where the architecture has one base register).
    public internal(set) var ttbr1: UInt64 = 0
    /// ARM: the ASID is TTBR1's (TCR_EL1.A1 = 1), and TTBR0 holds the table alone.
    var tagInUpperBaseRegister = false
    public internal(set) var mode: CPUMode = .kernel
    public internal(set) var tlb: TLBHierarchy
    /// PAE: the four PDPTEs, loaded from memory with every CR3 write.
    public internal(set) var rootEntries: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Where the last fault happened: CR2, stval, FAR_EL1 or BadVAddr.
    public internal(set) var faultAddress: UInt64 = 0
    /// MIPS: what the CPU loads on a TLB exception (R4000 User's Manual §5.4,
    /// §6.4): Cause.ExcCode (TLBL 2, TLBS 3, Mod 1, AdEL 4, AdES 5), EntryHi
    /// (the address's VPN2 and the current ASID) and Context (BadVPN2 in bits
    /// 22:4; PTEBase, which Linux's mips32 refill handler does not use, is 0).
    /// BadVAddr is `faultAddress`.
    public internal(set) var exceptionCode: UInt64 = 0
    public internal(set) var entryHi: UInt64 = 0
    public internal(set) var context: UInt64 = 0
    /// EFLAGS.AC: set by STAC, cleared by CLAC; with SMAP on, kernel code may
    /// touch user pages only while it is set.
    public internal(set) var alignmentCheck = false

    public internal(set) var tlbHits: UInt64 = 0
    public internal(set) var tlbMisses: UInt64 = 0
    /// Hits that the second-level TLB (STLB) supplied after a first-level miss.
    public internal(set) var secondLevelHits: UInt64 = 0
    /// CR3 writes and explicit flushes that dropped TLB entries.
    public internal(set) var tlbFlushes: UInt64 = 0
    public internal(set) var walks: UInt64 = 0
    /// MIPS: TLB Refill exceptions taken (each a software walk; also counted in `walks`).
    public internal(set) var refills: UInt64 = 0
    public internal(set) var walkMemoryReads: UInt64 = 0
    public internal(set) var faults: UInt64 = 0
    /// Writes of the base register (CR3, satp, TTBR0_EL1, pgd_current).
    public internal(set) var baseWrites: UInt64 = 0
    public internal(set) var kernelEntries: UInt64 = 0
    /// TLB shootdown interrupts this core received.
    public internal(set) var interruptsReceived: UInt64 = 0
    public internal(set) var cycles = CycleAccount()

    /// Where the base register keeps its address-space tag: CR3's PCID in
    /// bits 11:0, satp's ASID in bits 59:44; a mask of 0 where it holds a
    /// frame number and nothing else (textbook machines).
    let tagMask: UInt64
    let tagShift: UInt64

    init(index: Int, base: UInt64, tlb: TLBHierarchy, tagMask: UInt64 = 0xFFF, tagShift: UInt64 = 0) {
        self.index = index
        self.tagMask = tagMask
        self.tagShift = tagShift
        self.base = base
        self.tlb = tlb
    }

    /// The address-space tag the TLB matches: the PCID in CR3, the ASID in
    /// satp, TTBR1 (TCR_EL1.A1 = 1) or EntryHi (0 without them).
    public var tag: UInt16 {
        UInt16(truncatingIfNeeded: ((tagInUpperBaseRegister ? ttbr1 : base) &>> tagShift) & tagMask)
    }
}
