/// The privilege level a core runs at (CPL 3 or CPL 0).
public enum CPUMode: String, Sendable {
    case user
    case kernel
}

/// One CPU core: its page-table base register, its mode, its TLB and its counters.
public struct Core: Sendable {
    public let index: Int
    /// CR3: physical address of the PML4 the MMU walks (PWT/PCD bits kept zero).
    public internal(set) var cr3: UInt64
    public internal(set) var mode: CPUMode = .kernel
    /// The process whose address space is loaded, if any (nil: the boot page table).
    public internal(set) var currentProcess: ProcessID?
    public internal(set) var tlb: TLB
    /// CR2: the linear address of the last page fault.
    public internal(set) var cr2: UInt64 = 0

    public internal(set) var tlbHits: UInt64 = 0
    public internal(set) var tlbMisses: UInt64 = 0
    /// CR3 writes (and explicit flushes) that dropped the non-global entries.
    public internal(set) var tlbFlushes: UInt64 = 0
    public internal(set) var walks: UInt64 = 0
    public internal(set) var walkMemoryReads: UInt64 = 0
    public internal(set) var faults: UInt64 = 0
    public internal(set) var contextSwitches: UInt64 = 0

    init(index: Int, cr3: UInt64, tlb: TLB) {
        self.index = index
        self.cr3 = cr3
        self.tlb = tlb
    }
}
