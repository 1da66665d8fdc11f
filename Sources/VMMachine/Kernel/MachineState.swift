/// Everything about a machine that changes as it runs, as one value: the
/// hardware's memory, cores and Random register, and every record of the
/// kernel's. Saving one copies no page: memory, TLBs and tables are value
/// types whose storage is shared until one side writes (copy-on-write), so a
/// saved state costs what changes after it. `undo`, `snapshot` and `restore`
/// are built on it (VMLanguage/Runtime/History.swift).
public struct MachineState: Sendable {
    // The hardware's.
    let memory: PhysicalMemory
    let cores: [Core]
    let random: SplitMix64
    // The kernel's.
    let perCPU: [CPUState]
    let allocator: FrameAllocator
    let kernelTableFrames: [UInt64]
    let processes: [Process]
    let threads: [Thread]
    let sharedFrames: [UInt64: Int]
    let faultCounts: FaultCounts
    let interProcessorInterrupts: UInt64
    let broadcastInvalidations: UInt64
    let resident: ResidentSet
    let pagingCounts: PagingCounts
    let swapSpace: [UInt64: [UInt64]]
    let swapReferences: [UInt64: Int]
    let nextSwapSlot: UInt64
    let freeSwapSlots: [UInt64]
    let nextPID: Int
    let nextTID: Int

    /// Frames that held data when the state was saved (what it could cost at most).
    public var touchedFrames: Int { memory.touchedFrames }
}

extension Machine {
    /// The machine as it is now.
    public func saveState() -> MachineState {
        MachineState(
            memory: memory, cores: Array(cores), random: hardware.random, perCPU: perCPU, allocator: allocator,
            kernelTableFrames: kernelTableFrames, processes: processes, threads: threads, sharedFrames: sharedFrames,
            faultCounts: faultCounts, interProcessorInterrupts: interProcessorInterrupts,
            broadcastInvalidations: broadcastInvalidations, resident: resident, pagingCounts: pagingCounts,
            swapSpace: swapSpace, swapReferences: swapReferences, nextSwapSlot: nextSwapSlot,
            freeSwapSlots: freeSwapSlots, nextPID: nextPID, nextTID: nextTID)
    }

    /// Puts the machine back as `state` found it. The state must be this
    /// machine's (its configuration is fixed when it is built).
    public func restoreState(_ state: MachineState) {
        precondition(state.cores.count == cores.count, "a state of another machine")
        memory = state.memory
        for index in cores.indices { cores[index] = state.cores[index] }
        hardware.random = state.random
        perCPU = state.perCPU
        allocator = state.allocator
        kernelTableFrames = state.kernelTableFrames
        processes = state.processes
        threads = state.threads
        sharedFrames = state.sharedFrames
        faultCounts = state.faultCounts
        interProcessorInterrupts = state.interProcessorInterrupts
        broadcastInvalidations = state.broadcastInvalidations
        resident = state.resident
        pagingCounts = state.pagingCounts
        swapSpace = state.swapSpace
        swapReferences = state.swapReferences
        nextSwapSlot = state.nextSwapSlot
        freeSwapSlots = state.freeSwapSlots
        nextPID = state.nextPID
        nextTID = state.nextTID
    }
}
