/// MIPS's TLB as the CPU sees it (R4000 User's Manual ch. 4): a lookup that
/// hits, raises TLB Invalid or TLB Modified, or misses; and the registers an
/// exception loads. No hardware walks a table: on a miss the kernel's refill
/// handler runs (Kernel/Execution.swift, Kernel/TLBRefill.swift).
extension Hardware {
    /// The TLB's answer: the address, or nil with the exception recorded in
    /// `attempt` (V = 0: TLB Invalid; a store through D = 0: TLB Modified),
    /// or nil and no exception for a miss.
    func lookUpSoftwareTLB(_ virtualAddress: UInt64, kind: AccessKind, core index: Int, into attempt: inout Attempt)
        -> (UInt64, UInt64)?
    {
        let tag = cores[index].tag
        guard let hit = cores[index].tlb.lookup(virtualAddress, tag: tag, kind: kind) else {
            cores[index].tlbMisses += 1
            return nil
        }
        cores[index].tlbHits += 1
        charge(\.translation, features.costs.tlbHit, core: index)
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
    func loadExceptionRegisters(_ virtualAddress: UInt64, code: UInt64, core index: Int) {
        cores[index].faultAddress = virtualAddress
        cores[index].exceptionCode = code
        guard code != MIPS.loadAddressErrorCode && code != MIPS.storeAddressErrorCode else { return }
        let vpn2 = virtualAddress >> (architecture.pageShift + 1)
        cores[index].entryHi = vpn2 << (architecture.pageShift + 1) | UInt64(cores[index].tag)
        cores[index].context = (vpn2 & 0x7FFFF) << 4
    }
}
