/// What a TLB shootdown did.
public struct ShootdownOutcome: Sendable, Equatable {
    /// Cores interrupted to flush (not the initiator).
    public let interruptedCores: [Int]
    /// ARM: other cores whose entries a broadcast TLBI (`tlbi … is`) dropped, with no IPI.
    public var broadcastCores: [Int] = []
    /// Cores still holding entries that should have gone, because shootdowns are off.
    public let staleCores: [Int]
    public let entriesInvalidated: Int
    /// More pages than Linux's single-page ceiling: whole address spaces were flushed instead.
    public let fullFlush: Bool
}

/// TLB shootdown after a process's mappings shrank (Linux
/// `flush_tlb_mm_range`): the initiating core invalidates its own entries,
/// cores running the address space get an IPI and do the same, and the
/// address space's generation goes up so that cores that merely cached it
/// (lazy kernel threads, other PCID slots) flush when they next switch to
/// it. Above the architecture's ceiling (x86's 33 pages,
/// `tlb_single_page_flush_ceiling`; ArchitectureTraits.swift has the others)
/// a core flushes the whole address space rather than page by page.
extension Machine {
    func shootdown(_ pid: ProcessID, pages: [(address: UInt64, size: UInt64)], from initiator: Int, everything: Bool = false)
        -> ShootdownOutcome
    {
        guard !pages.isEmpty || everything else {
            return ShootdownOutcome(interruptedCores: [], staleCores: [], entriesInvalidated: 0, fullFlush: false)
        }
        let fullFlush = everything || pages.count > architecture.singlePageFlushCeiling
        if architecture.broadcastsTLBInvalidation { return broadcastInvalidation(pid, pages: pages, from: initiator, full: fullFlush) }
        let enabled = configuration.shootdown
        let index = processIndex(pid)
        if enabled { processes[index].tlbGeneration += 1 }
        let generation = processes[index].tlbGeneration
        var interrupted: [Int] = []
        var stale: [Int] = []
        var invalidated = 0
        for core in cores.indices where perCPU[core].loadedProcess == pid {
            if core != initiator {
                // x86: a lazy core catches up at its next switch; RISC-V interrupts it like any other.
                guard !perCPU[core].isLazy || architecture.interruptsLazyCores else { continue }
                guard enabled else {
                    stale.append(core)
                    continue
                }
                interrupted.append(core)
                interProcessorInterrupts += 1
                cores[core].interruptsReceived += 1
                hardware.charge(\.interProcessorInterrupts, configuration.costs.interruptReceived, core: core)
                hardware.charge(\.interProcessorInterrupts, configuration.costs.interProcessorInterrupt, core: initiator)
            }
            invalidated += flushLocally(pages, core: core, full: fullFlush)
            let slot = perCPU[core].currentSlot
            perCPU[core].slots[slot].generation = generation
        }
        return ShootdownOutcome(
            interruptedCores: interrupted, staleCores: stale, entriesInvalidated: invalidated, fullFlush: fullFlush)
    }

    /// ARM's TLB maintenance (Linux's flush_tlb_range: `tlbi vae1is` per page,
    /// or `tlbi aside1is` for the whole address space, between DSBs): the
    /// hardware carries it to every core in the Inner Shareable domain, so
    /// no core is interrupted and none is left stale, lazy ones included.
    /// Each core drops the entries tagged with its own slot for the process
    /// (vmlab's ASIDs are per core; Linux's are one per address space).
    private func broadcastInvalidation(
        _ pid: ProcessID, pages: [(address: UInt64, size: UInt64)], from initiator: Int, full: Bool
    ) -> ShootdownOutcome {
        let index = processIndex(pid)
        processes[index].tlbGeneration += 1
        let generation = processes[index].tlbGeneration
        var reached: [Int] = []
        var invalidated = 0
        for core in cores.indices {
            let slot = perCPU[core].slots.firstIndex { $0.process == pid }
                ?? (perCPU[core].loadedProcess == pid ? perCPU[core].currentSlot : nil)
            guard let slot else { continue }
            let tag = UInt16(kernelPCID(slot: slot))
            var dropped = 0
            if full {
                dropped = cores[core].tlb.flush(tag: tag)
            } else {
                for page in pages { dropped += cores[core].tlb.invalidateNonGlobal(page.address, tag: tag) }
            }
            invalidated += dropped
            perCPU[core].slots[slot].generation = generation
            if core != initiator && dropped > 0 { reached.append(core) }
        }
        broadcastInvalidations += full ? 1 : UInt64(pages.count)
        // The initiator issues the TLBIs and waits at the DSB; no one else pays.
        if full { chargeFlush(core: initiator) } else {
            for _ in pages { hardware.charge(\.flushes, configuration.costs.invlpg, core: initiator) }
        }
        var outcome = ShootdownOutcome(interruptedCores: [], staleCores: [], entriesInvalidated: invalidated, fullFlush: full)
        outcome.broadcastCores = reached
        return outcome
    }

    /// INVLPG for each page (both PCIDs under KPTI: Linux adds INVPCID for
    /// the user one), or a flush of the address space's PCIDs. A full flush
    /// made in the kernel leaves the user PCID for the return to user mode
    /// (Linux `invalidate_user_asid`); a core interrupted in user code
    /// returns to it at once, so its user PCID is flushed now.
    private func flushLocally(_ pages: [(address: UInt64, size: UInt64)], core: Int, full: Bool) -> Int {
        let slot = perCPU[core].currentSlot
        var pcids = Set([UInt16(kernelPCID(slot: slot)), UInt16(userPCID(slot: slot))])
        var dropped = 0
        if full {
            if configuration.kpti && configuration.addressSpaceIDs && cores[core].mode == .kernel {
                pcids.remove(UInt16(userPCID(slot: slot)))
                deferUserFlush(slot: slot, core: core)
            }
            for pcid in pcids.sorted() {
                dropped += dropTranslations(tag: pcid, core: core)
            }
            chargeFlush(core: core)
            return dropped
        }
        for page in pages {
            for pcid in pcids.sorted() {
                dropped += cores[core].tlb.invalidate(page.address, tag: pcid)
                hardware.charge(\.flushes, configuration.costs.invlpg, core: core)  // INVLPG, or INVPCID for the user PCID
            }
        }
        return dropped
    }

    /// INVLPG on one core: the current PCID's entry for the page and any
    /// global one. Privileged: in user mode it raises #GP instead.
    public func invalidatePage(_ virtualAddress: UInt64, core index: Int) throws(MachineError) -> PrivilegedOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        hardware.charge(\.flushes, configuration.costs.invlpg, core: index)
        return .done(dropped: cores[index].tlb.invalidate(virtualAddress, tag: cores[index].tag))
    }

    /// Drops every TLB entry of a core, global ones too (Linux
    /// `__flush_tlb_all`: toggling CR4.PGE). Privileged: #GP in user mode.
    public func flushTLB(core index: Int) throws(MachineError) -> PrivilegedOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        chargeFlush(core: index)
        return .done(dropped: cores[index].tlb.flushAll())
    }

    /// INVPCID (SDM vol. 2): type 0 drops the non-global entry for one address
    /// in one PCID, 1 every non-global entry of a PCID, 2 everything (global
    /// too), 3 everything but global entries. A type above 3 or a PCID above
    /// 4095 is #GP, and so is any INVPCID in user mode.
    public func invalidatePCID(type: UInt64, pcid: UInt64, address: UInt64, core index: Int) throws(MachineError)
        -> PrivilegedOutcome
    {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        guard type <= 3, pcid <= 0xFFF, type != 0 || architecture.isCanonical(address) else {
            cores[index].faults += 1
            faultCounts.unresolved += 1
            return .generalProtection
        }
        let dropped: Int
        switch type {
        case 0:
            dropped = cores[index].tlb.invalidateNonGlobal(address, tag: UInt16(pcid))
            hardware.charge(\.flushes, configuration.costs.invlpg, core: index)
        case 1:
            dropped = cores[index].tlb.flush(tag: UInt16(pcid))
            chargeFlush(core: index)
        case 2:
            dropped = cores[index].tlb.flushAll()
            chargeFlush(core: index)
        default:
            dropped = cores[index].tlb.flushNonGlobal()
            chargeFlush(core: index)
        }
        return .done(dropped: dropped)
    }

    /// RISC-V's SFENCE.VMA rs1, rs2 on one hart (privileged spec
    /// §"Supervisor Memory-Management Fence Instruction"): with no address
    /// and no ASID every entry goes, global ones too; with an ASID only, that
    /// ASID's non-global entries; with an address only, the entries for it in
    /// every ASID, global ones too; with both, that ASID's non-global entry
    /// for it. Other harts keep theirs: reaching them takes an IPI, "the
    /// RISC-V analog to a TLB shootdown". U-mode may not run it (an
    /// illegal-instruction exception).
    public func fenceVirtualMemory(address: UInt64?, asid: UInt16?, core index: Int) throws(MachineError)
        -> PrivilegedOutcome
    {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        let dropped: Int
        switch (address, asid) {
        case (nil, nil): dropped = cores[index].tlb.flushAll()
        case (nil, let asid?): dropped = cores[index].tlb.flush(tag: asid)
        case (let address?, nil): dropped = cores[index].tlb.invalidateEveryTag(address)
        case (let address?, let asid?): dropped = cores[index].tlb.invalidateNonGlobal(address, tag: asid)
        }
        if address == nil { chargeFlush(core: index) } else { hardware.charge(\.flushes, configuration.costs.invlpg, core: index) }
        return .done(dropped: dropped)
    }

    /// ARM's TLBI operations (the Arm ARM's TLB maintenance instructions): by
    /// VA for one ASID, plus global entries for it (VAE1); by VA in every
    /// ASID (VAAE1); one ASID's non-global entries (ASIDE1); everything
    /// (VMALLE1). The "IS" forms
    /// reach every core in the Inner Shareable domain by hardware, without
    /// an interrupt. At EL0 TLBI is undefined (an exception).
    public enum TLBIOperation: String, Sendable, CaseIterable {
        case vae1, vaae1, aside1, vmalle1
    }

    public func invalidateTLB(
        _ operation: TLBIOperation, broadcast: Bool, address: UInt64, asid: UInt16, core index: Int
    ) throws(MachineError) -> PrivilegedOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        var dropped = 0
        for core in cores.indices where broadcast || core == index {
            switch operation {
            case .vae1:
                dropped += cores[core].tlb.invalidate(address, tag: asid)
            case .vaae1: dropped += cores[core].tlb.invalidateEveryTag(address)
            case .aside1: dropped += cores[core].tlb.flush(tag: asid)
            case .vmalle1: dropped += cores[core].tlb.flushAll()
            }
        }
        if broadcast { broadcastInvalidations += 1 }
        if operation == .vae1 || operation == .vaae1 { hardware.charge(\.flushes, configuration.costs.invlpg, core: index) } else {
            chargeFlush(core: index)
        }
        return .done(dropped: dropped)
    }

    /// CPL 3 may not run TLB-maintenance or CR-writing instructions: #GP,
    /// which Linux turns into SIGSEGV for the process.
    func refuseInUserMode(core index: Int) -> PrivilegedOutcome? {
        guard cores[index].mode == .user else { return nil }
        cores[index].faults += 1
        faultCounts.unresolved += 1
        hardware.charge(\.faults, configuration.costs.pageFault, core: index)
        return .generalProtection
    }

    /// STAC or CLAC: sets or clears EFLAGS.AC, which lifts SMAP. A uaccess
    /// routine (`user_access_begin` … `user_access_end`) is also covered by
    /// the exception table, so its faults on bad addresses become -EFAULT.
    /// Both instructions are kernel-only (#UD at CPL 3). `liftingSMAP` false
    /// arms the exception table alone: xv6's copyin needs no SUM, since it
    /// never touches a user address (UserCopy.swift).
    public func setUserAccess(
        _ enabled: Bool, core index: Int, exceptionTable: Bool, liftingSMAP: Bool = true
    ) throws(MachineError) -> PrivilegedOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        if let refused = refuseInUserMode(core: index) { return refused }
        cores[index].alignmentCheck = enabled && liftingSMAP
        if exceptionTable || !enabled { perCPU[index].inUserAccess = enabled }
        return .done(dropped: 0)
    }
}

/// A privileged instruction: done, or refused in user mode.
public enum PrivilegedOutcome: Sendable, Equatable {
    case done(dropped: Int)
    /// #GP (or #UD): the instruction needs CPL 0.
    case generalProtection
}
