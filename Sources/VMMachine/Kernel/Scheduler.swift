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
        try checkHostMemory(adding: tables)
        guard allocator.available >= UInt64(tables) else { throw .outOfMemory(totalFrames: framesTotal) }
        var frames: [UInt64] = []
        for _ in 0..<tables { frames.append(allocator.allocate()!) }
        let root = frames[0] * AddressLayout.pageSize
        let userRoot = configuration.kpti ? frames[1] * AddressLayout.pageSize : nil
        for index in kernelEntries(forUserCopy: false) {
            memory.writeWord(root + UInt64(index) * 8, memory.readWord(kernelRoot + UInt64(index) * 8))
        }
        if let userRoot {
            for index in kernelEntries(forUserCopy: true) {
                memory.writeWord(userRoot + UInt64(index) * 8, memory.readWord(kernelRoot + UInt64(index) * 8))
            }
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
        if processes[index].threads.contains(where: { existing in threads.contains { $0.tid == existing && $0.name == name } }) {
            throw .threadNameTaken(process: processes[index].name, name: name)
        }
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

    func kernelPCID(slot: Int) -> UInt64 { configuration.pcid ? UInt64(slot + 1) : 0 }
    /// Under KPTI the user copy's PCID has bit 11 set (Linux's X86_CR3_PTI_PCID_USER_BIT).
    func userPCID(slot: Int) -> UInt64 { configuration.pcid ? UInt64(slot + 1) | 0x800 : 0 }

    /// CR3 for running `process` on a core, in user or kernel mode.
    func cr3(for process: Process, slot: Int, mode: CPUMode) -> UInt64 {
        if mode == .user, let userRoot = process.userRoot { return userRoot | userPCID(slot: slot) }
        return process.root | kernelPCID(slot: slot)
    }

    /// Writes CR3 on a core. Without PCIDs every write drops the non-global
    /// entries; with PCIDs, only a write without the no-flush bit (63) drops
    /// the new PCID's entries (SDM §4.10.4.1). Returns the entries dropped.
    @discardableResult
    func writeCR3(_ value: UInt64, core index: Int, flush: Bool) -> Int {
        cores[index].cr3 = value
        cores[index].cr3Writes += 1
        cores[index].cycles.cr3Writes += configuration.costs.cr3Write
        guard flush || !configuration.pcid else { return 0 }
        let dropped =
            configuration.pcid
            ? cores[index].tlb.flush(pcid: UInt16(value & 0xFFF)) : cores[index].tlb.flushNonGlobal()
        chargeFlush(core: index)
        return dropped
    }

    /// The PCID slot for `pid` on a core: its own if it has one, else the
    /// least recently used one, whose entries are flushed. Linux hands slots
    /// out round-robin (`next_asid`); we recycle the least recently used one,
    /// which differs only in which old address space loses its entries.
    /// Returns the slot, whether its entries must be flushed (stale or
    /// recycled), and whose slot was taken.
    private func chooseSlot(for pid: ProcessID, generation: UInt64, core index: Int) -> (
        slot: Int, stale: Bool, recycled: ProcessID?, flushed: Int, hadSlot: Bool
    ) {
        cores[index].slotClock += 1
        let clock = cores[index].slotClock
        if let slot = cores[index].slots.firstIndex(where: { $0.process == pid }) {
            cores[index].slots[slot].lastUse = clock
            return (slot, cores[index].slots[slot].generation < generation || !configuration.pcid, nil, 0, true)
        }
        let slots = cores[index].slots
        let slot = slots.firstIndex { $0.process == nil } ?? slots.indices.min { slots[$0].lastUse < slots[$1].lastUse }!
        let previous = slots[slot].process
        var flushed = 0
        if configuration.pcid && previous != nil {
            flushed += cores[index].tlb.flush(pcid: UInt16(kernelPCID(slot: slot)))
            flushed += cores[index].tlb.flush(pcid: UInt16(userPCID(slot: slot)))
            chargeFlush(core: index)
        }
        cores[index].slots[slot] = AddressSpaceSlot(process: pid, generation: generation, lastUse: clock)
        return (slot, !configuration.pcid, previous, flushed, false)
    }

    /// Runs thread `tid` on core `index`.
    @discardableResult
    public func switchTo(_ tid: ThreadID, core index: Int = 0) throws(MachineError) -> SwitchOutcome {
        guard cores.indices.contains(index) else { throw .noSuchCore(index: index, count: cores.count) }
        guard let thread = thread(tid) else { preconditionFailure("no thread \(tid)") }
        let previous = cores[index].currentThread
        let oldCR3 = cores[index].cr3
        let writesBefore = cores[index].cr3Writes
        var flushed = 0
        var recycled: ProcessID?
        var reused = false
        let kind: SwitchKind
        cores[index].currentThread = tid
        if cores[index].currentThread != previous { cores[index].contextSwitches += 1 }

        if thread.isKernelThread {
            // enter_lazy_tlb(): keep the loaded tables. Under KPTI the kernel
            // runs on the kernel copy, so leave the user copy for it.
            kind = .kernelThread
            cores[index].isLazy = cores[index].loadedProcess != nil
            if let pid = cores[index].loadedProcess, let process = process(pid), process.userRoot != nil,
                cores[index].mode == .user
            {
                flushed += writeCR3(cr3(for: process, slot: cores[index].currentSlot, mode: .kernel), core: index, flush: false)
            }
            cores[index].mode = .kernel
        } else {
            let pid = thread.process!
            let process = processes[processIndex(pid)]
            if cores[index].loadedProcess == pid {
                kind = cores[index].isLazy ? .returnFromLazy : .sameAddressSpace
                let slot = cores[index].currentSlot
                // Shootdowns skip lazy cores; catch up now if the tables changed meanwhile.
                let stale = cores[index].isLazy && cores[index].slots[slot].generation < process.tlbGeneration
                // Under KPTI the kernel side ran on the kernel copy; user code needs the user copy.
                let onKernelCopy = process.userRoot != nil && cores[index].cr3 & PageTableEntry.addressMask == process.root
                if stale || onKernelCopy {
                    flushed += writeCR3(cr3(for: process, slot: slot, mode: .user), core: index, flush: stale)
                }
                cores[index].slots[slot].generation = process.tlbGeneration
                reused = true
            } else {
                kind = .newAddressSpace
                let choice = chooseSlot(for: pid, generation: process.tlbGeneration, core: index)
                recycled = choice.recycled
                reused = configuration.pcid && choice.hadSlot && !choice.stale
                flushed += choice.flushed
                cores[index].currentSlot = choice.slot
                flushed += writeCR3(cr3(for: process, slot: choice.slot, mode: .user), core: index, flush: choice.stale)
                cores[index].slots[choice.slot].generation = process.tlbGeneration
            }
            cores[index].loadedProcess = pid
            cores[index].isLazy = false
            cores[index].mode = .user
        }
        return SwitchOutcome(
            core: index, previous: previous, next: tid, kind: kind, oldCR3: oldCR3, newCR3: cores[index].cr3,
            cr3Writes: Int(cores[index].cr3Writes - writesBefore), entriesFlushed: flushed,
            entriesKept: cores[index].tlb.validCount, recycledSlotOf: recycled, reusedSlot: reused)
    }
}

extension Machine {
    /// Runs `pid`'s main thread on core `index`.
    @discardableResult
    public func switchTo(_ pid: ProcessID, core index: Int = 0) throws(MachineError) -> SwitchOutcome {
        guard let main = mainThread(of: pid) else { throw .exited(name: "pid \(pid)") }
        return try switchTo(main, core: index)
    }
}
