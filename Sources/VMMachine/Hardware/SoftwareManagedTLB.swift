/// A MIPS access (R4000 User's Manual ch. 4): the segment decides first —
/// kseg0 and kseg1 are unmapped, a user address at 0x80000000 or above is an
/// address error — then the TLB, and on a miss the kernel's refill handler
/// (Kernel/TLBRefill.swift), since no hardware walks a table.
extension Machine {
    /// The translation of `virtualAddress`, with everything that happened on
    /// the way recorded in `outcome`: the refill, a TLB Invalid or TLB
    /// Modified exception and the kernel's answer, the retry.
    func translateSoftwareManaged(_ virtualAddress: UInt64, kind: AccessKind, core index: Int, outcome: inout AccessOutcome)
        -> (UInt64, UInt64)?
    {
        let mode = cores[index].mode
        if virtualAddress >= MIPS.kseg0 {
            if mode == .user {
                takeException(
                    fault(.addressError, at: virtualAddress, kind, mode: mode, present: false, level: 0),
                    into: &outcome.first, core: index)
                charge(\.faults, configuration.costs.pageFault, core: index)
                outcome.resolution = .addressError
                count(.addressError)
                return nil
            }
            if let physical = MIPS.unmapped(virtualAddress) {
                outcome.unmapped = true
                return (physical, architecture.pageSize)
            }
        }
        if let translation = lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &outcome.first) {
            return translation
        }
        if outcome.first.fault == nil {
            // A miss: the TLB Refill exception, then the same instruction again.
            loadExceptionRegisters(
                virtualAddress, code: kind == .write ? MIPS.storeMissCode : MIPS.loadMissCode, core: index)
            outcome.refill = refillTLB(virtualAddress, core: index, trace: &outcome.first.walk)
            outcome.refill!.store = kind == .write
            if let translation = lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &outcome.first) {
                return translation
            }
        }
        guard let fault = outcome.first.fault else { return nil }
        // TLB Invalid or TLB Modified: the general exception vector, then the kernel.
        let resolution = handleTLBException(fault, kind: kind, core: index)
        outcome.resolution = resolution
        count(resolution)
        guard resolution.isResolved else { return nil }
        var retry = Attempt()
        retry.walk.keepsSteps = outcome.first.walk.keepsSteps
        let translation = lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &retry)
        outcome.retry = retry
        return translation
    }

    /// The TLB's answer: the address, or nil with the exception recorded in
    /// `attempt` (V = 0: TLB Invalid; a store through D = 0: TLB Modified),
    /// or nil and no exception for a miss.
    private func lookUpSoftwareTLB(_ virtualAddress: UInt64, kind: AccessKind, core index: Int, into attempt: inout Attempt)
        -> (UInt64, UInt64)?
    {
        let pcid = cores[index].pcid
        guard let hit = cores[index].tlb.lookup(virtualAddress, pcid: pcid, kind: kind) else {
            cores[index].tlbMisses += 1
            return nil
        }
        cores[index].tlbHits += 1
        charge(\.translation, configuration.costs.tlbHit, core: index)
        attempt.tlbHit = true
        let entry = cores[index].tlb.entry(hit)
        let mode = cores[index].mode
        if !entry.present {
            takeException(fault(.notPresent, at: virtualAddress, kind, mode: mode, present: false, level: 1), into: &attempt, core: index)
            return nil
        }
        if kind == .write && !entry.writable {
            takeException(fault(.protection, at: virtualAddress, kind, mode: mode, present: true, level: 1), into: &attempt, core: index)
            return nil
        }
        return (entry.frameBase | (virtualAddress & (architecture.pageSize - 1)), architecture.pageSize)
    }

    /// An exception taken: its registers loaded, counted. (Its cost depends on the handler that runs.)
    func takeException(_ fault: Fault, into attempt: inout Attempt, core index: Int) {
        attempt.fault = fault
        cores[index].faults += 1
        loadExceptionRegisters(fault.address, code: Architecture.mipsCause(fault).0, core: index)
    }

    /// What the CPU writes on a TLB or address-error exception: BadVAddr and
    /// Cause.ExcCode always; EntryHi and Context for a TLB exception (Refill,
    /// Invalid, Modified), which the refill handler's TLBWR then uses.
    private func loadExceptionRegisters(_ virtualAddress: UInt64, code: UInt64, core index: Int) {
        cores[index].faultAddress = virtualAddress
        cores[index].exceptionCode = code
        guard code != MIPS.loadAddressErrorCode && code != MIPS.storeAddressErrorCode else { return }
        let vpn2 = virtualAddress >> (architecture.pageShift + 1)
        cores[index].entryHi = vpn2 << (architecture.pageShift + 1) | UInt64(cores[index].pcid)
        cores[index].context = (vpn2 & 0x7FFFF) << 4
    }
}
