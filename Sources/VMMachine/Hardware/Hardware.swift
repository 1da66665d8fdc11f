/// What the CPU was built or configured with, as the kernel set it at boot:
/// the control-register bits the MMU consults on every access, and the cycle
/// figures each operation is charged. The kernel's own choices (KPTI, PCIDs
/// as an allocation policy, shootdowns, replacement) are not here.
public struct CPUFeatures: Sendable, Equatable {
    /// CR4.SMEP: the kernel may not execute user pages.
    public var smep = false
    /// CR4.SMAP: the kernel may touch user pages only with EFLAGS.AC set.
    public var smap = false
    /// CR4.PGE: entries with G set survive base-register writes.
    public var pge = true
    public var costs = CostModel()

    init(_ configuration: MachineConfiguration) {
        smep = configuration.smep
        smap = configuration.smap
        pge = configuration.pge
        costs = configuration.costs
    }
}

/// The simulated hardware, one value: physical memory, the cores (registers
/// and TLBs) and the MMU that walks tables in memory (MMU.swift,
/// PageWalk.swift). It never calls the kernel: an access that faults records
/// the exception (a Fault) and stops, and the kernel (Machine, Kernel/) takes
/// it and runs the instruction again, as a trap does.
public final class Hardware {
    /// How the MMU reads page tables (Architectures/Architecture.swift).
    public let architecture: Architecture
    public let features: CPUFeatures
    /// Physical memory, kept behind a pointer the hardware owns: the walker
    /// reads it several times a reference, and a stored `var` would cost a
    /// run-time exclusivity check on each.
    public internal(set) var memory: PhysicalMemory {
        _read { yield memoryStorage.pointer.pointee }
        _modify { yield &memoryStorage.pointer.pointee }
    }
    private let memoryStorage: Owned<PhysicalMemory>
    public let cores: CoreArray
    /// Bytes of physical memory: `ram=` on x86-64, 2^pbits on a textbook machine.
    public let physicalBytes: UInt64
    /// MIPS's Random register, which names TLBWR's slot: seeded, so a script prints the same bytes every run.
    var random: SplitMix64
    /// How many frames may hold data at once (the simulator's bound on host memory).
    let touchedFrameLimit: Int
    /// While the kernel builds its half: its tables are exempt from the bound.
    var booting = true

    init(
        architecture: Architecture, features: CPUFeatures, physicalBytes: UInt64, cores: [Core], randomSeed: UInt64,
        touchedFrameLimit: Int
    ) {
        self.architecture = architecture
        self.features = features
        self.physicalBytes = physicalBytes
        // Storage comes in 4 KiB frames whatever the machine's page size.
        memoryStorage = Owned(PhysicalMemory(frameCount: (physicalBytes + AddressLayout.pageSize - 1) / AddressLayout.pageSize))
        self.cores = CoreArray(cores)
        random = SplitMix64(seed: randomSeed)
        self.touchedFrameLimit = touchedFrameLimit
    }

    /// Refuses work that would make more than `touchedFrameLimit` frames hold
    /// data. The boot's own tables are exempt (their number follows `ram=`,
    /// at most about a thousand): a bound below them fails the first thing a
    /// script does, not the machine's construction.
    func checkHostMemory(adding frames: Int) throws(MachineError) {
        guard booting || memory.touchedFrames + frames <= touchedFrameLimit else {
            throw .hostMemoryLimit(frames: touchedFrameLimit)
        }
    }

    /// Charges `cycles` to one of a core's accounts, saturating.
    func charge(_ account: WritableKeyPath<CycleAccount, UInt64>, _ cycles: UInt64, core index: Int) {
        cores[index].cycles[keyPath: account] = saturatingAdd(cores[index].cycles[keyPath: account], cycles)
    }

    /// Cycles charged on every core.
    public var cycles: UInt64 { cores.reduce(0) { $0 + $1.cycles.total } }
}
