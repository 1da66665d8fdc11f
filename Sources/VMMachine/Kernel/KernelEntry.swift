/// System calls and interrupts: the core enters the kernel and comes back.
/// Without KPTI nothing but the privilege level changes: the kernel half is
/// already in every PML4. With KPTI (pti.rst) entry switches CR3 from the
/// user copy to the kernel copy and exit switches back; without PCIDs each
/// of those writes flushes the TLB, with PCIDs neither does (the no-flush
/// bit, and separate kernel and user PCIDs). A flush of the user PCID that
/// the kernel needed meanwhile is done on the way out, as Linux defers it
/// (`user_pcid_flush_mask`).
extension Machine {
    /// Address of the system-call handler fetched after entry (inside kernel text).
    var systemCallHandler: UInt64 { architecture.kernelTextBase + 0x1000 }

    /// The process whose user copy a core runs on under KPTI (or the separate design), when an
    /// exception from user mode must switch CR3 to enter the kernel.
    func isolatedProcess(core index: Int) -> Process? {
        guard configuration.kpti, cores[index].mode == .user, let pid = perCPU[index].loadedProcess,
            let process = process(pid), process.userRoot != nil
        else { return nil }
        return process
    }

    public func enterKernel(core index: Int) throws(MachineError) -> KernelCrossing {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        let oldCR3 = cores[index].base
        guard cores[index].mode == .user else {
            // An interrupt in the kernel: no CR3 switch (pti.rst: skippable when the kernel is interrupted).
            cores[index].kernelEntries += 1
            hardware.charge(\.kernelEntries, configuration.costs.kernelEntry, core: index)
            return KernelCrossing(core: index, oldCR3: oldCR3, newCR3: oldCR3, write: nil, fetches: [], crossed: false)
        }
        cores[index].kernelEntries += 1
        hardware.charge(\.kernelEntries, configuration.costs.kernelEntry, core: index)
        cores[index].mode = .kernel
        var fetches: [AccessOutcome] = []
        var write: BaseRegisterWrite?
        if let pid = perCPU[index].loadedProcess, let process = process(pid), process.userRoot != nil {
            // The trampoline is mapped in the user copy; from there, SWITCH_TO_KERNEL_CR3.
            fetches.append(try access(entryArea ?? 0, kind: .execute, core: index))
            write = writeBaseRegister(
                baseRegisterValue(for: process, slot: perCPU[index].currentSlot, mode: .kernel), core: index, flush: false,
                reason: .kernelEntry)
        }
        fetches.append(try access(systemCallHandler, kind: .execute, core: index))
        return KernelCrossing(
            core: index, oldCR3: oldCR3, newCR3: cores[index].base, write: write, fetches: fetches, crossed: true)
    }

    /// Returns to user mode after `enterKernel` crossed from it. If something
    /// in between already put the core back in user mode (a context switch to
    /// a user thread), or no user thread is left to return to (it exited, or a
    /// kernel thread runs now), there is nothing to do.
    public func exitKernel(core index: Int) throws(MachineError) -> KernelCrossing {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        let oldCR3 = cores[index].base
        guard cores[index].mode == .kernel, perCPU[index].currentProcess != nil else {
            return KernelCrossing(core: index, oldCR3: oldCR3, newCR3: oldCR3, write: nil, fetches: [], crossed: false)
        }
        var write: BaseRegisterWrite?
        var fetches: [AccessOutcome] = []
        if let pid = perCPU[index].loadedProcess, let process = process(pid), process.userRoot != nil {
            fetches.append(try access(entryArea ?? 0, kind: .execute, core: index))
            write = returnToUserCopy(process, core: index)
        }
        cores[index].mode = .user
        return KernelCrossing(
            core: index, oldCR3: oldCR3, newCR3: cores[index].base, write: write, fetches: fetches, crossed: true)
    }
}
