/// Processes, threads and context switches, following Linux's
/// `context_switch()` and `switch_mm_irqs_off()` (arch/x86/mm/tlb.c):
/// threads of one process share an address space, so switching between them
/// writes no CR3; kernel threads borrow the loaded one (lazy TLB); a new
/// address space gets a PCID from a small per-core set of slots.
extension Machine {
    /// Creates a process with an empty user half and a main thread. Its PML4's
    /// kernel half is a copy of the master's top-level entries, so every
    /// process points at the same kernel page tables (Linux `pgd_ctor` →
    /// `clone_pgd_range`). Under KPTI a second, user PML4 gets only the entry
    /// trampoline's entry.
    @discardableResult
    public func spawn(name: String) throws(MachineError) -> Process {
        let tables = configuration.kpti ? 2 : 1
        // xv6: the trapframe and up to two tables for TRAMPOLINE's and TRAPFRAME's entries, checked before anything is taken.
        let trapPages = xv6Layout ? 3 : 0
        try hardware.checkHostMemory(adding: tables + trapPages)
        guard allocator.available >= UInt64(tables + trapPages) else { throw .outOfMemory(totalFrames: framesTotal) }
        var frames: [UInt64] = []
        for _ in 0..<tables {
            frames.append(allocator.allocate()!)
        }
        let root = frames[0] * AddressLayout.pageSize
        let userRoot = configuration.kpti ? frames[1] * AddressLayout.pageSize : nil
        for index in kernelEntries(forUserCopy: false) {
            copyRootEntry(index, from: kernelRoot, to: root)
        }
        if let userRoot {
            for index in kernelEntries(forUserCopy: true) {
                copyRootEntry(index, from: kernelRoot, to: userRoot)
            }
        }
        if xv6Layout, let userRoot {
            frames += try mapXv6TrapPages(root: root, userRoot: userRoot)
        }
        if architecture.rootInRegisters {
            // PAE: a PDPTE reaches the CPU only with a CR3 load, so Linux
            // allocates every user PD with the PDPT (pgd_alloc's
            // preallocate_pmds) and the PDPTEs never change afterwards.
            var created: [UInt64] = []
            for index in 0..<architecture.firstKernelIndex {
                _ = try makeTables(
                    root: root, mirror: nil, UInt64(index) << architecture.shift(ofLevel: architecture.levels),
                    downTo: architecture.levels - 1, user: true, created: &created)
            }
            frames += created
        }
        let pid = ProcessID(nextPID)
        nextPID += 1
        processes.append(Process(pid: pid, name: name, root: root, userRoot: userRoot, tableFrames: frames))
        _ = try createThread(in: pid, name: "main")
        return processes[processIndex(pid)]
    }

    /// A new thread in `pid`'s address space.
    @discardableResult
    public func createThread(in pid: ProcessID, name: String) throws(MachineError) -> Thread {
        let index = processIndex(pid)
        guard !processes[index].threadNames.contains(name) else {
            throw .threadNameTaken(process: processes[index].name, name: name)
        }
        processes[index].threadNames.insert(name)
        let thread = Thread(tid: ThreadID(nextTID), name: name, process: pid)
        nextTID += 1
        threads.append(thread)
        processes[index].threads.append(thread.tid)
        return thread
    }

    /// A kernel thread: no user address space of its own.
    @discardableResult
    public func createKernelThread(name: String) -> Thread {
        let thread = Thread(tid: ThreadID(nextTID), name: name, process: nil)
        nextTID += 1
        threads.append(thread)
        return thread
    }

    /// The main thread of a process.
    public func mainThread(of pid: ProcessID) -> ThreadID? {
        process(pid)?.threads.first
    }

    func kernelPCID(slot: Int) -> UInt64 { configuration.addressSpaceIDs ? UInt64(slot + 1) : 0 }
    /// Under KPTI the user copy's PCID has bit 11 set (Linux's X86_CR3_PTI_PCID_USER_BIT).
    func userPCID(slot: Int) -> UInt64 { configuration.addressSpaceIDs ? UInt64(slot + 1) | 0x800 : 0 }

    /// The base register (CR3, satp) for running `process` on a core, in user or kernel mode.
    func baseRegisterValue(for process: Process, slot: Int, mode: CPUMode) -> UInt64 {
        if mode == .user, let userRoot = process.userRoot {
            return architecture.baseRegisterValue(root: userRoot, tag: userPCID(slot: slot))
        }
        // xv6: one kernel table for every process, one tag (PCID 0, ASID 0) for its entries.
        if configuration.separateKernelTable { return architecture.baseRegisterValue(root: kernelRoot, tag: 0) }
        return architecture.baseRegisterValue(root: process.root, tag: kernelPCID(slot: slot))
    }

    /// Writes the base register on a core. x86: without PCIDs every write
    /// drops the non-global entries; with PCIDs a write drops the new PCID's
    /// entries unless bit 63 (no flush) is set, which the kernel sets whenever
    /// it may (SDM §4.10.4.1; Linux `build_cr3_noflush`); CR3 reads back
    /// without bit 63. RISC-V's satp, ARM's TTBR0 and MIPS's pgd_current
    /// and EntryHi flush nothing themselves: the kernel follows the write
    /// with its own invalidation where it must (`dropTranslations`).
    @discardableResult
    func writeBaseRegister(_ value: UInt64, core index: Int, flush: Bool, reason: BaseRegisterWrite.Reason) -> BaseRegisterWrite {
        let previous = cores[index].base
        let keep = configuration.addressSpaceIDs && !flush
        if architecture.splitBaseRegisters {
            // Linux's cpu_do_switch_mm: the ASID into TTBR1 (TCR_EL1.A1 = 1), the table alone into TTBR0.
            let field = architecture.tagMask << architecture.tagShift
            cores[index].ttbr1 = cores[index].ttbr1 & ~field | value & field
            cores[index].base = value & ~field
        } else {
            cores[index].base = value
        }
        hardware.loadRootEntries(core: index)
        cores[index].baseWrites += 1
        hardware.charge(\.baseWrites, configuration.costs.baseRegisterWrite, core: index)
        var dropped = 0
        if !keep {
            dropped = dropTranslations(tag: architecture.tag(fromRegister: value), core: index)
            chargeFlush(core: index)
        }
        let noFlushRequest = keep && architecture.baseRegisterHasNoFlushBit
        let loaded = cores[index].base
        return BaseRegisterWrite(
            reason: reason, previous: previous, written: noFlushRequest ? loaded | BaseRegisterWrite.noFlushBit : loaded,
            flushed: !keep, dropped: dropped, value: loaded)
    }

    /// PAE: after the kernel writes a PDPTE, every core running on that PDPT
    /// reloads CR3 so that its registers see it (with a TLB flush, as Linux's
    /// `flush_tlb_mm` does). Spawn preallocates the user PDs, so only a PDPTE
    /// someone cleared by hand is ever rewritten.
    func reloadRootEntries(ofRoot root: UInt64) {
        for index in cores.indices where architecture.rootAddress(fromRegister: cores[index].base) == root {
            writeBaseRegister(cores[index].base, core: index, flush: true, reason: .contextSwitch)
        }
    }

    /// Drops an address space's translations on a core, as a switch to it
    /// must: x86's flushing CR3 write drops the non-global entries (of one
    /// PCID with PCIDs); RISC-V's sfence.vma with rs1 = x0 drops one ASID's
    /// non-global entries, ASID 0's without ASIDs (Linux's set_mm_noasid:
    /// `local_flush_tlb_all_asid(0)`, arch/riscv/mm/context.c);
    /// xv6's `sfence.vma zero, zero` drops every entry, global ones too. ARM's
    /// TLBI ASIDE1 and MIPS's flush drop one ASID's non-global entries.
    func dropTranslations(tag: UInt16, core index: Int) -> Int {
        if configuration.addressSpaceIDs { return cores[index].tlb.flush(tag: tag) }
        return architecture.fullFenceDropsGlobals && configuration.separateKernelTable
            ? cores[index].tlb.flushAll() : cores[index].tlb.flushNonGlobal()
    }

    /// KPTI with PCIDs: the user PCID of `slot` is flushed on the next return
    /// to user mode (Linux `invalidate_user_asid`). Without KPTI there is no
    /// separate user PCID; without PCIDs every CR3 write flushes anyway.
    func deferUserFlush(slot: Int, core index: Int) {
        if configuration.kpti && configuration.addressSpaceIDs { perCPU[index].userFlushPending[slot] = true }
    }

    /// The write that returns a core to user code under KPTI (Linux
    /// `SWITCH_TO_USER_CR3`): no flush unless the user PCID was marked.
    func returnToUserCopy(_ process: Process, core index: Int) -> BaseRegisterWrite {
        let slot = perCPU[index].currentSlot
        let flush = perCPU[index].userFlushPending[slot]
        perCPU[index].userFlushPending[slot] = false
        return writeBaseRegister(baseRegisterValue(for: process, slot: slot, mode: .user), core: index, flush: flush, reason: .returnToUser)
    }

    /// The PCID slot for `pid` on a core: its own if it has one, else the
    /// least recently used one. Linux hands slots out round-robin
    /// (`next_asid`); we recycle the least recently used one, which differs
    /// only in which old address space loses its entries. `needsFlush` when
    /// the slot is newly assigned or its entries are stale (Linux's
    /// `choose_new_asid` need_flush).
    private func chooseSlot(for pid: ProcessID, generation: UInt64, core index: Int) -> (
        slot: Int, needsFlush: Bool, recycled: ProcessID?, hadSlot: Bool
    ) {
        perCPU[index].slotClock += 1
        let clock = perCPU[index].slotClock
        if let slot = perCPU[index].slots.firstIndex(where: { $0.process == pid }) {
            perCPU[index].slots[slot].lastUse = clock
            return (slot, perCPU[index].slots[slot].generation < generation || !configuration.addressSpaceIDs, nil, true)
        }
        let slots = perCPU[index].slots
        let slot = slots.firstIndex { $0.process == nil } ?? slots.indices.min { slots[$0].lastUse < slots[$1].lastUse }!
        let previous = slots[slot].process
        perCPU[index].slots[slot] = AddressSpaceSlot(process: pid, generation: generation, lastUse: clock)
        // A newly assigned PCID is always flushed: its entries are of unknown age.
        return (slot, true, previous, false)
    }

    /// Runs thread `tid` on core `index`.
    @discardableResult
    public func switchTo(_ tid: ThreadID, core index: Int = 0) throws(MachineError) -> SwitchOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        guard let thread = thread(tid) else { preconditionFailure("no thread \(tid)") }
        let previous = perCPU[index].currentThread
        let oldCR3 = cores[index].base
        if _slowPath(architecture.rootInRegisters), let pid = thread.process, perCPU[index].loadedProcess != pid,
            let refused = hardware.badRootEntry(ofRoot: processes[processIndex(pid)].root)
        {
            return refusedSwitch(to: tid, of: pid, pdpte: refused, previous: previous, core: index)
        }
        var writes: [BaseRegisterWrite] = []
        var recycled: ProcessID?
        var reused = false
        let kind: SwitchKind
        perCPU[index].currentThread = tid
        if perCPU[index].currentThread != previous { perCPU[index].contextSwitches += 1 }

        // A switch happens in the kernel. Under KPTI, leaving user code means
        // entering the kernel first: from the user copy to the kernel copy.
        if cores[index].mode == .user, let pid = perCPU[index].loadedProcess, let process = process(pid),
            process.userRoot != nil
        {
            writes.append(
                writeBaseRegister(
                    baseRegisterValue(for: process, slot: perCPU[index].currentSlot, mode: .kernel), core: index, flush: false,
                    reason: .kernelEntry))
        }
        cores[index].mode = .kernel

        if thread.isKernelThread {
            // enter_lazy_tlb(): keep the loaded tables; no CR3 write.
            kind = .kernelThread
            perCPU[index].isLazy = perCPU[index].loadedProcess != nil
        } else {
            let pid = thread.process!
            let process = processes[processIndex(pid)]
            if perCPU[index].loadedProcess == pid {
                kind = perCPU[index].isLazy ? .returnFromLazy : .sameAddressSpace
                let slot = perCPU[index].currentSlot
                // Shootdowns skip lazy cores; catch up now if the tables changed
                // meanwhile: flush the kernel PCID now, the user PCID on the way out.
                if perCPU[index].isLazy && perCPU[index].slots[slot].generation < process.tlbGeneration {
                    // (The shared kernel table of the separate design holds none of the process's entries.)
                    if !configuration.separateKernelTable {
                        writes.append(
                            writeBaseRegister(
                                baseRegisterValue(for: process, slot: slot, mode: .kernel), core: index, flush: true, reason: .contextSwitch))
                    }
                    deferUserFlush(slot: slot, core: index)
                }
                perCPU[index].slots[slot].generation = process.tlbGeneration
                reused = true
            } else {
                kind = .newAddressSpace
                let choice = chooseSlot(for: pid, generation: process.tlbGeneration, core: index)
                recycled = choice.recycled
                reused = configuration.addressSpaceIDs && choice.hadSlot && !choice.needsFlush
                perCPU[index].currentSlot = choice.slot
                // The separate design stays on the kernel table: the switch shows only on the return to user mode.
                if !configuration.separateKernelTable {
                    writes.append(
                        writeBaseRegister(
                            baseRegisterValue(for: process, slot: choice.slot, mode: .kernel), core: index, flush: choice.needsFlush,
                            reason: .contextSwitch))
                }
                if choice.needsFlush { deferUserFlush(slot: choice.slot, core: index) }
                perCPU[index].slots[choice.slot].generation = process.tlbGeneration
            }
            perCPU[index].loadedProcess = pid
            perCPU[index].isLazy = false
            // Back to user code: under KPTI onto the user copy.
            if process.userRoot != nil { writes.append(returnToUserCopy(process, core: index)) }
            cores[index].mode = .user
        }
        return SwitchOutcome(
            core: index, previous: previous, next: tid, kind: kind, oldCR3: oldCR3, newCR3: cores[index].base,
            writes: writes,
            entriesKept: cores[index].tlb.validCount, recycledSlotOf: recycled, reusedSlot: reused)
    }
}

extension Machine {
    /// PAE: the MOV to CR3 for `pid` raises #GP(0), because one of its four
    /// PDPTEs is present with a reserved bit set (SDM vol. 3A §4.4.1). Nothing
    /// is loaded: CR3, the PDPTE registers and the TLB keep what they held,
    /// and the switch does not happen (Linux would oops in switch_mm).
    private func refusedSwitch(to tid: ThreadID, of pid: ProcessID, pdpte: Int, previous: ThreadID?, core index: Int)
        -> SwitchOutcome
    {
        let oldCR3 = cores[index].base
        cores[index].baseWrites += 1
        hardware.charge(\.baseWrites, configuration.costs.baseRegisterWrite, core: index)
        cores[index].faults += 1
        faultCounts.unresolved += 1
        let process = processes[processIndex(pid)]
        var write = BaseRegisterWrite(
            reason: .contextSwitch, previous: oldCR3,
            written: architecture.baseRegisterValue(root: process.root, tag: 0), flushed: false, dropped: 0,
            value: oldCR3)
        write.refusedPDPTE = pdpte
        return SwitchOutcome(
            core: index, previous: previous, next: tid, kind: .newAddressSpace, oldCR3: oldCR3, newCR3: oldCR3,
            writes: [write], entriesKept: cores[index].tlb.validCount, recycledSlotOf: nil, reusedSlot: false)
    }

    /// Runs `pid`'s main thread on core `index`.
    @discardableResult
    public func switchTo(_ pid: ProcessID, core index: Int = 0) throws(MachineError) -> SwitchOutcome {
        guard let main = mainThread(of: pid) else { throw .exited(name: "pid \(pid)") }
        return try switchTo(main, core: index)
    }
}
