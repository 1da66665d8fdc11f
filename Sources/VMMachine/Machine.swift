/// How to build a machine. Defaults are a small "teaching" TLB so that
/// evictions and flushes are easy to see.
public struct MachineConfiguration: Sendable, Equatable {
    /// How the MMU reads page tables: x86-64 (with the kernel model), or a
    /// textbook geometry (Architectures/Geometry.swift). Choosing one resets
    /// `costs` to its own figures (ArchitectureCosts.swift): set costs after it.
    public var architecture = Architecture.x86_64 {
        didSet { costs = architecture.costDefaults }
    }
    public var tlbEntries = 64
    public var tlbWays = 4
    /// One unified TLB (`tlbEntries` × `tlbWays`), or split arrays.
    public var tlbModel = TLBModel.unified
    public var ramBytes: UInt64 = 64 << 20
    public var cores = 1
    /// Address-space IDs: x86's PCIDs (CR4.PCIDE, `pcid=on`), the ASIDs of
    /// RISC-V, ARM and MIPS (`asid=on`). TLB entries are tagged, and a
    /// base-register write may keep other address spaces' entries.
    public var addressSpaceIDs = false
    /// Page-table isolation: two PML4s per process, CR3 switched on every kernel entry and exit.
    public var kpti = false
    /// xv6's design on top of `kpti`'s two tables: in the kernel a core runs
    /// on the one master table (the kernel half only), switched to on every
    /// trap and away from on every return, whatever process is current; the
    /// kernel cannot dereference user addresses (xv6 copies with a software
    /// walk), and a process switch writes no CR3 until the return to user mode.
    public var separateKernelTable = false
    /// TLB shootdowns by IPI. Off only to show the stale-TLB bug it prevents.
    public var shootdown = true
    /// CR4.PGE: entries with G set survive CR3 writes. Linux turns it on; off,
    /// every CR3 write drops the kernel's entries too.
    public var pge = true
    /// Transparent huge pages: a range that ends inside a 2 MiB page splits it
    /// into 4 KiB entries (Linux's `split_huge_pmd`). Off, such a range is
    /// refused, as hugetlbfs pages are.
    public var transparentHugePages = true
    /// CR4.SMEP: the kernel may not execute user pages.
    public var smep = false
    /// CR4.SMAP: the kernel may touch user pages only with EFLAGS.AC set (STAC … CLAC).
    public var smap = false
    public var costs = CostModel()
    /// How many frames may hold data at once. Simulated RAM may be huge
    /// because untouched frames cost nothing; this bounds what a runaway
    /// script can make the host allocate (4 KiB each; default 4 GiB).
    public var maximumTouchedFrames = 1 << 20
    /// When set, never-used frames are handed out in this seed's scrambled
    /// order rather than ascending (graders use it to catch hard-coded frames).
    public var frameOrderSeed: UInt64?
    /// `frames=N`: at most N user pages hold frames; past that, pages are
    /// replaced (Kernel/Paging.swift). nil: memory never runs out before RAM does.
    public var userFrameLimit: Int?
    public var replacementPolicy = ReplacementPolicy.fifo
    /// Seeds `policy=rand`.
    public var replacementSeed: UInt64 = 1

    public init() {}

    public static let minimumRAM: UInt64 = 4 << 20
    public static let maximumRAM: UInt64 = 1 << 40
    public static let maximumCores = 64
    /// Linux's TLB_NR_DYN_ASIDS: PCIDs each CPU hands out to recent address spaces.
    public static let addressSpaceSlots = 6
}

/// The kernel, running on its hardware: the frame allocator, processes and
/// threads, the kernel half, fault handling, the scheduler, shootdowns and
/// replacement (Kernel/). The hardware (physical memory, cores, TLBs, the
/// MMU: Hardware/) is a value of its own that never calls in here; the
/// kernel drives it, and takes the exceptions it raises (Kernel/Execution.swift).
public final class Machine {
    public let configuration: MachineConfiguration
    /// How the MMU reads page tables (Architectures/Architecture.swift).
    public let architecture: Architecture
    /// What the kernel runs on.
    public let hardware: Hardware

    /// The hardware's memory and cores, which the kernel reads and writes as
    /// any kernel does (page tables, registers, TLB maintenance).
    public internal(set) var memory: PhysicalMemory {
        _read { yield hardware.memory }
        _modify { yield &hardware.memory }
    }
    public var cores: CoreArray { hardware.cores }
    /// The kernel's record of each core, by core index.
    public internal(set) var perCPU: [CPUState]
    /// Bytes of physical memory: `ram=` on x86-64, 2^pbits on a textbook machine.
    public var physicalBytes: UInt64 { hardware.physicalBytes }

    public internal(set) var allocator: FrameAllocator
    /// The kernel's master PML4 (Linux's `swapper_pg_dir`): its upper half is
    /// copied into every process's PML4.
    public let kernelRoot: UInt64
    /// What an idle core's base register holds: the master table (CR3,
    /// satp), or on ARM, whose kernel half is TTBR1's, an empty table in
    /// TTBR0 (Linux's reserved_pg_dir).
    public let idleBaseRegister: UInt64
    /// Frames of the kernel's own page tables (master PML4 and the tables below it).
    public internal(set) var kernelTableFrames: [UInt64] = []
    /// Frames 0 ..< this hold the kernel image and are never allocated.
    public let reservedFrames: UInt64
    /// Live processes in pid order.
    public internal(set) var processes: [Process] = []
    /// Live threads, user and kernel, in tid order.
    public internal(set) var threads: [Thread] = []
    /// How many page-table entries map each shared frame; frames mapped once are absent.
    var sharedFrames: [UInt64: Int] = [:]
    public internal(set) var faultCounts = FaultCounts()
    /// Shootdown IPIs sent, all cores together.
    public internal(set) var interProcessorInterrupts: UInt64 = 0
    /// ARM: broadcast TLB invalidations issued (`tlbi … is`), all cores together.
    public internal(set) var broadcastInvalidations: UInt64 = 0
    // Replacement and swap, when user memory is limited (Kernel/Paging.swift).
    var resident = ResidentSet()
    public internal(set) var pagingCounts = PagingCounts()
    /// Swap: each slot's page contents (absent when all zero), and how many entries and clean frames hold it.
    var swapSpace: [UInt64: [UInt64]] = [:]
    var swapReferences: [UInt64: Int] = [:]
    var nextSwapSlot: UInt64 = 1
    var freeSwapSlots: [UInt64] = []
    var nextPID = 1
    var nextTID = 1

    public init(_ configuration: MachineConfiguration = MachineConfiguration()) throws(MachineError) {
        architecture = configuration.architecture
        let ram = architecture.hasKernel ? configuration.ramBytes : 1 << UInt64(architecture.physicalBits)
        if architecture.hasKernel {
            guard ram >= MachineConfiguration.minimumRAM, ram <= min(MachineConfiguration.maximumRAM, architecture.maximumRAM),
                ram % architecture.span(ofLevel: 2) == 0
            else {
                throw .ramSize(
                    bytes: ram, multiple: architecture.span(ofLevel: 2),
                    maximum: min(MachineConfiguration.maximumRAM, architecture.maximumRAM))
            }
        }
        guard (1...MachineConfiguration.maximumCores).contains(configuration.cores) else {
            throw .coreCount(configuration.cores)
        }
        let tlb: TLBHierarchy
        do {
            // MIPS: the R4000's 48 fully associative entries, each a pair of pages.
            let paired = architecture.refillsTLBInSoftware
            tlb = try TLBHierarchy(
                model: configuration.tlbModel, unifiedEntries: paired ? 2 * MIPS.tlbEntries : configuration.tlbEntries,
                unifiedWays: paired ? 2 * MIPS.tlbEntries : configuration.tlbWays, pageShift: UInt8(architecture.pageShift),
                shiftStep: UInt8(architecture.indexBits(ofLevel: 1)), paired: paired)
        } catch {
            throw .tlbGeometry(error)
        }
        self.configuration = configuration
        resident.random = SplitMix64(seed: configuration.replacementSeed)
        let frameCount = (ram + AddressLayout.pageSize - 1) / AddressLayout.pageSize
        let architecture = configuration.architecture
        func makeHardware(_ cores: [Core]) -> Hardware {
            Hardware(
                architecture: architecture, features: CPUFeatures(configuration), physicalBytes: ram, cores: cores,
                randomSeed: configuration.replacementSeed ^ 0x4D49_5053,
                touchedFrameLimit: configuration.maximumTouchedFrames)
        }
        guard architecture.hasKernel else {
            // A textbook machine: memory, cores and TLBs only. Its tables are
            // typed in and its base register set directly.
            reservedFrames = 0
            allocator = FrameAllocator(firstFrame: 0, frameCount: frameCount, orderSeed: nil)
            kernelRoot = 0
            idleBaseRegister = 0
            perCPU = Array(repeating: CPUState(slotCount: 1), count: configuration.cores)
            hardware = makeHardware((0..<configuration.cores).map { Core(index: $0, base: 0, tlb: tlb, tagMask: 0) })
            hardware.booting = false
            return
        }
        reservedFrames = AddressLayout.largePageSize / AddressLayout.pageSize
        allocator = FrameAllocator(
            firstFrame: reservedFrames, frameCount: frameCount, orderSeed: configuration.frameOrderSeed)
        guard let rootFrame = allocator.allocate() else { throw .outOfMemory(totalFrames: frameCount) }
        let root = rootFrame * AddressLayout.pageSize
        kernelRoot = root
        kernelTableFrames = [rootFrame]
        guard !configuration.addressSpaceIDs || architecture.supportsPCID else {
            throw .notOnArchitecture(architecture: architecture.name, what: "PCIDs (CR4.PCIDE)")
        }
        guard !configuration.separateKernelTable || architecture.supportsSeparateKernelTable else {
            throw .notOnArchitecture(architecture: architecture.name, what: "a separate kernel page table")
        }
        guard !configuration.kpti || architecture.supportsKPTI || configuration.separateKernelTable else {
            throw .notOnArchitecture(architecture: architecture.name, what: "page-table isolation (KPTI)")
        }
        let slots = configuration.addressSpaceIDs ? MachineConfiguration.addressSpaceSlots : 1
        var idle = architecture.baseRegisterValue(root: root, tag: 0)
        if architecture.splitBaseRegisters {
            guard let emptyFrame = allocator.allocate() else { throw .outOfMemory(totalFrames: frameCount) }
            kernelTableFrames.append(emptyFrame)
            idle = emptyFrame * AddressLayout.pageSize
        }
        idleBaseRegister = idle
        perCPU = Array(repeating: CPUState(slotCount: slots), count: configuration.cores)
        hardware = makeHardware(
            (0..<configuration.cores).map {
                var core = Core(
                    index: $0, base: idle, tlb: tlb, tagMask: architecture.tagMask,
                    tagShift: architecture.tagShift)
                if architecture.splitBaseRegisters {
                    core.ttbr1 = root
                    core.tagInUpperBaseRegister = true
                }
                return core
            })
        // MIPS's kernel lives in kseg0, which no table maps.
        if !architecture.kernelIsUnmapped { try buildKernelHalf() }
        for index in cores.indices { hardware.loadRootEntries(core: index) }
        hardware.booting = false
    }

    public func process(_ pid: ProcessID) -> Process? {
        Self.position(of: pid, in: processes, by: \.pid).map { processes[$0] }
    }

    public func thread(_ tid: ThreadID) -> Thread? {
        Self.position(of: tid, in: threads, by: \.tid).map { threads[$0] }
    }

    func processIndex(_ pid: ProcessID) -> Int {
        guard let index = Self.position(of: pid, in: processes, by: \.pid) else {
            preconditionFailure("no process \(pid)")
        }
        return index
    }

    /// Binary search: processes and threads are kept in id order (ids only
    /// grow and removal keeps the order), so finding one costs O(log n).
    static func position<Element, ID: Comparable>(of id: ID, in elements: [Element], by key: KeyPath<Element, ID>)
        -> Int?
    {
        var low = 0
        var high = elements.count
        while low < high {
            let middle = (low + high) / 2
            if elements[middle][keyPath: key] < id { low = middle + 1 } else { high = middle }
        }
        return low < elements.count && elements[low][keyPath: key] == id ? low : nil
    }

    /// Frames handed out by the allocator (page tables and user pages); the
    /// kernel image's reserved frames are not counted.
    public var framesUsed: UInt64 { allocator.used }
    /// Physical pages of the machine's page size (4 KiB storage frames on x86-64).
    public var framesTotal: UInt64 { physicalBytes >> architecture.pageShift }
    public var framesFree: UInt64 { allocator.available }

    /// Cycles charged on every core.
    public var cycles: UInt64 { hardware.cycles }
}
