/// The MIPS kernel's side of the TLB (Linux's arch/mips/mm/tlbex.c and
/// tlb-r4k.c): the refill handler, the TLB Modified and TLB Invalid paths,
/// and update_mmu_cache, which writes a fixed entry into the TLB.
extension Machine {
    /// The TLB Refill handler (R4000 User's Manual ch. 4 and 5, tlbex.c's
    /// build_r4000_tlb_refill_handler): read pgd_current's entry for the
    /// address, then the even and odd PTEs of its pair, mask the software
    /// bits off, and TLBWR them with EntryHi into the slot Random names. It
    /// checks nothing: an empty PGD entry stands for Linux's
    /// invalid_pte_table, so the pair is written invalid and the retried
    /// access raises TLB Invalid. Costs the exception and one memory
    /// reference for each entry read.
    func refillTLB(_ virtualAddress: UInt64, core index: Int, trace: inout WalkTrace) -> AccessOutcome.Refill {
        cores[index].refills += 1
        cores[index].walks += 1
        hardware.charge(\.translation, configuration.costs.refillHandler, core: index)
        let (entryLo0, entryLo1, reads) = readPair(virtualAddress, core: index, trace: &trace)
        cores[index].walkMemoryReads += reads
        hardware.charge(\.translation, saturatingMultiply(configuration.costs.walkReference, reads), core: index)
        let slot = Int(hardware.random.next(below: UInt64(MIPS.tlbEntries)))
        return writePair(virtualAddress, entryLo0, entryLo1, slot: slot, core: index)
    }

    /// The two EntryLo values for `virtualAddress`'s pair, as the handler
    /// loads them (kseg2's from the kernel's table, kuseg's from the
    /// process's), with how many entries it read.
    private func readPair(_ virtualAddress: UInt64, core index: Int, trace: inout WalkTrace)
        -> (UInt64, UInt64, UInt64)
    {
        let root =
            virtualAddress >= MIPS.kseg2 ? kernelRoot : architecture.rootAddress(fromRegister: cores[index].base)
        let directoryIndex = architecture.index(of: virtualAddress, level: 2)
        let directoryEntry = root + UInt64(directoryIndex) * architecture.entryBytes
        let pointer = hardware.readEntry(at: directoryEntry, bytes: architecture.entryBytes)
        trace.append(WalkStep(level: 2, index: directoryIndex, entryAddress: directoryEntry, entry: pointer))
        guard case .descend(let table) = MIPS.step(pointer, level: 2) else { return (0, 0, 1) }
        let even = architecture.index(of: virtualAddress, level: 1) & ~1
        // One half of the pair: the PTE as read, its software bits masked off.
        func entryLo(_ index: Int) -> UInt64 {
            let address = table + UInt64(index) * architecture.entryBytes
            let raw = hardware.readEntry(at: address, bytes: architecture.entryBytes)
            trace.append(WalkStep(level: 1, index: index, entryAddress: address, entry: raw))
            return raw & MIPS.entryLoMask
        }
        let entryLo0 = entryLo(even)
        return (entryLo0, entryLo(even + 1), 3)
    }

    /// TLBWR or TLBWI: the pair into `slot` (48 entries, two TLB slots each).
    private func writePair(_ virtualAddress: UInt64, _ entryLo0: UInt64, _ entryLo1: UInt64, slot: Int, core index: Int)
        -> AccessOutcome.Refill
    {
        let asid = cores[index].tag
        let pair = virtualAddress >> (architecture.pageShift + 1)
        // G in the TLB is the AND of both halves' G bits.
        let global = entryLo0 & entryLo1 & MIPS.global != 0
        for (half, entryLo) in [(UInt64(0), entryLo0), (1, entryLo1)] {
            var entry = TLBEntry(pageShift: UInt8(architecture.pageShift))
            entry.valid = true
            entry.virtualPage = pair << 1 | half
            entry.frameBase = architecture.format.physicalAddress(entryLo)
            entry.present = entryLo & MIPS.valid != 0
            entry.writable = entryLo & MIPS.dirty != 0
            entry.user = virtualAddress < MIPS.kseg0
            entry.global = global
            entry.tag = asid
            entry.dirty = true  // the hardware keeps no dirty state: D is a permission, set by the kernel
            cores[index].tlb.place(entry, array: 0, slot: 2 * slot + Int(half))
        }
        return AccessOutcome.Refill(
            slot: slot, entryHi: pair << (architecture.pageShift + 1) | UInt64(asid), entryLo0: entryLo0,
            entryLo1: entryLo1)
    }

    /// The general exception handler's answer to TLB Modified and TLB
    /// Invalid. A store through D = 0 to a page whose entry is writable only
    /// needs D (Linux's handle_tlbm fast path: set the modified bit, rewrite
    /// the TLB entry); anything else is a page fault (do_page_fault): demand
    /// paging, copy-on-write, SIGSEGV. A fixed entry goes into the TLB at
    /// once (update_mmu_cache), so the retry hits.
    func handleTLBException(_ fault: Fault, kind: AccessKind, core index: Int) -> FaultResolution {
        if fault.kind == .protection, architecture.isUser(fault.address),
            let pid = perCPU[index].loadedProcess, let root = process(pid)?.root,
            let leaf = lookup(root: root, fault.address)
        {
            var entry = leaf.entry
            if entry.writable {
                entry.dirty = true
                entry.accessed = true
                setPageEntry(entry, at: leaf.entryAddress, level: leaf.level)
                hardware.charge(\.faults, configuration.costs.refillHandler, core: index)
                chargeKernelWork(core: index, entries: 1)
                updateTLB(fault.address, core: index)
                return .markedDirty(page: entry.address)
            }
        }
        hardware.charge(\.faults, configuration.costs.pageFault, core: index)
        let resolution = handlePageFault(fault, kind: kind, core: index)
        if resolution.isResolved { updateTLB(fault.address, core: index) }
        return resolution
    }

    /// Linux's update_mmu_cache (__update_tlb): TLBP for the pair; TLBWI
    /// over the entry found, else TLBWR into a random slot.
    func updateTLB(_ virtualAddress: UInt64, core index: Int) {
        var trace = WalkTrace(keepsSteps: false)
        let (entryLo0, entryLo1, _) = readPair(virtualAddress, core: index, trace: &trace)
        let slot =
            cores[index].tlb.probe(virtualAddress, tag: cores[index].tag).map { $0 / 2 }
            ?? Int(hardware.random.next(below: UInt64(MIPS.tlbEntries)))
        _ = writePair(virtualAddress, entryLo0, entryLo1, slot: slot, core: index)
    }
}
