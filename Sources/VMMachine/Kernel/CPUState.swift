/// What the kernel keeps about one core, beside the core itself (Linux's
/// per-CPU data: `current`, `cpu_tlbstate` with its `loaded_mm` and ASID
/// slots, `user_pcid_flush_mask`). The hardware never reads it.
public struct CPUState: Sendable {
    /// The thread running here (nil: idle on the boot page table).
    public internal(set) var currentThread: ThreadID?
    /// The address space whose tables are loaded (Linux's `active_mm`). A
    /// kernel thread keeps the previous one: lazy TLB mode.
    public internal(set) var loadedProcess: ProcessID?
    /// Running a kernel thread on a borrowed address space.
    public internal(set) var isLazy = false
    /// PCID slots (Linux keeps 6 dynamic ASIDs per CPU); one slot, unused, without PCIDs.
    public internal(set) var slots: [AddressSpaceSlot]
    public internal(set) var currentSlot = 0
    var slotClock: UInt64 = 0
    /// KPTI with PCIDs: slots whose user PCID must be flushed on the next
    /// return to user mode (Linux's `user_pcid_flush_mask`): the kernel
    /// cannot flush the user PCID while it runs on the kernel one.
    public internal(set) var userFlushPending: [Bool]
    /// Running a uaccess routine (`copy_from_user` …) whose faults the
    /// exception table fixes up with -EFAULT instead of an oops.
    public internal(set) var inUserAccess = false
    public internal(set) var contextSwitches: UInt64 = 0

    init(slotCount: Int) {
        slots = Array(repeating: AddressSpaceSlot(), count: slotCount)
        userFlushPending = Array(repeating: false, count: slotCount)
    }

    /// The process whose user code runs here; nil when idle or in a kernel thread.
    public var currentProcess: ProcessID? { isLazy ? nil : loadedProcess }
}

/// One of a core's PCID slots: which address space last used it and how up
/// to date its TLB entries are (Linux's `cpu_tlbstate.ctxs[]`).
public struct AddressSpaceSlot: Sendable, Equatable {
    public internal(set) var process: ProcessID?
    /// The process's `tlbGeneration` these entries reflect.
    public internal(set) var generation: UInt64 = 0
    var lastUse: UInt64 = 0
}

