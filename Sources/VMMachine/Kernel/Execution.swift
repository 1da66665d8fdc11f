/// The instruction cycle: the kernel has a core run a load, store or fetch
/// on the hardware; if the hardware raises an exception (a Fault recorded in
/// the attempt), the kernel takes the trap (TrapEntry.swift) and, if it fixed
/// the mapping, the instruction runs again. The hardware never calls the
/// kernel; this loop is the only place the two meet on an access.
extension Machine {
    /// Translates `virtualAddress` on `coreIndex` and loads, stores or fetches
    /// 8 bytes there. Faults are outcomes, not errors; errors are for requests
    /// no instruction could make.
    public func access(
        _ virtualAddress: UInt64, kind: AccessKind, storing value: UInt64 = 0, core coreIndex: Int = 0
    ) throws(MachineError) -> AccessOutcome {
        var outcome: AccessOutcome?
        try access(virtualAddress, kind: kind, storing: value, core: coreIndex, into: &outcome)
        return outcome!
    }

    /// The same, written into storage the caller owns (a script's `last`): an
    /// outcome is 440 bytes, and returning one copied it several times an
    /// access. A request refused before it runs leaves `result` as it was.
    /// `keepingWalk` false counts the walk's steps without recording them,
    /// for a caller that will not print the access.
    public func access(
        _ virtualAddress: UInt64, kind: AccessKind, storing value: UInt64 = 0, core coreIndex: Int = 0,
        into result: inout AccessOutcome?, keepingWalk: Bool = true
    ) throws(MachineError) {
        guard cores.indices.contains(coreIndex) else {
            throw .noSuchCore(index: coreIndex, count: cores.count)
        }
        let width = architecture.accessBytes
        guard virtualAddress & (architecture.pageSize - 1) <= architecture.pageSize - width else {
            throw .crossesPageBoundary(address: virtualAddress, bytes: width, pageSize: architecture.pageSize)
        }
        // x86's non-canonical addresses are a #GP the script sees; a textbook
        // machine simply has no wider addresses.
        guard architecture.signExtended || architecture.isCanonical(virtualAddress) else {
            throw .addressTooWide(address: virtualAddress, bits: architecture.virtualBits, what: "virtual")
        }
        try checkReplacementCanRun()
        let mode = cores[coreIndex].mode
        if result == nil {
            result = AccessOutcome(kind: kind, core: coreIndex, mode: mode, virtualAddress: virtualAddress)
            result!.first.walk.keepsSteps = keepingWalk
        } else {
            result!.restart(
                kind: kind, core: coreIndex, mode: mode, virtualAddress: virtualAddress, keepingWalk: keepingWalk)
        }
        if _slowPath(isSoftwareUserCopy(virtualAddress, kind: kind, core: coreIndex)) {
            // Not the MMU's work: xv6's kernel reaches user memory through its own walk (UserCopy.swift).
            return try copyUser(virtualAddress, kind: kind, storing: value, core: coreIndex, outcome: &result!)
        }
        // arm64's TBI0: a tagged user pointer translates without its tag (the line shows it as given).
        try run(architecture.untagged(virtualAddress), kind: kind, storing: value, core: coreIndex, outcome: &result!)
    }

    /// The access proper: translation, the fault handler and its retry, the data.
    private func run(
        _ virtualAddress: UInt64, kind: AccessKind, storing value: UInt64, core coreIndex: Int,
        outcome: inout AccessOutcome
    ) throws(MachineError) {
        if kind == .write { outcome.value = value }  // what the store tried to write, even if it faults
        if _slowPath(architecture.refillsTLBInSoftware) {
            // No hardware walker: segments, the TLB, and the kernel's refill handler (below).
            guard let (physicalAddress, pageSize) = translateSoftwareManaged(virtualAddress, kind: kind, core: coreIndex, outcome: &outcome)
            else { return }
            return try complete(physicalAddress, pageSize: pageSize, kind: kind, storing: value, outcome: &outcome)
        }
        guard architecture.isCanonical(virtualAddress) else {
            guard !architecture.nonCanonicalIsGeneralProtection else {
                // x86: #GP, before any translation; the kernel's page-fault handler never sees it.
                outcome.first.fault = Fault(
                    kind: .nonCanonical, address: virtualAddress, access: kind, fromUser: cores[coreIndex].mode == .user,
                    present: false, level: 0, isPageFault: false)
                cores[coreIndex].faults += 1
                faultCounts.unresolved += 1
                return
            }
            // RISC-V and ARM: a page fault like any other (a translation fault at
            // L0 on ARM), which the kernel sees (no region holds such an address).
            let fault = hardware.fault(.nonCanonical, at: virtualAddress, kind, mode: cores[coreIndex].mode, present: false, level: 0)
            hardware.raise(fault, into: &outcome.first, core: coreIndex)
            let trapReturn = takePageFault(fault, kind: kind, core: coreIndex)
            outcome.isolationWrites.append(contentsOf: trapReturn.isolationWrites)
            outcome.resolution = trapReturn.resolution
            return
        }
        var translation = hardware.translate(virtualAddress, kind: kind, core: coreIndex, into: &outcome.first)
        if translation == nil, architecture.hasKernel, let fault = outcome.first.fault {
            // The trap: the kernel takes the fault; if it fixed the mapping, the instruction runs again.
            let trapReturn = takePageFault(fault, kind: kind, core: coreIndex)
            let resolution = trapReturn.resolution
            outcome.isolationWrites.append(contentsOf: trapReturn.isolationWrites)
            outcome.resolution = resolution
            if resolution.isResolved {
                var retry = Attempt()
                retry.walk.keepsSteps = outcome.first.walk.keepsSteps
                translation = hardware.translate(virtualAddress, kind: kind, core: coreIndex, into: &retry)
                outcome.retry = retry
            }
        }
        guard let (physicalAddress, pageSize) = translation else { return }
        try complete(physicalAddress, pageSize: pageSize, kind: kind, storing: value, outcome: &outcome)
    }

    /// The data moves once the address is translated; replacement notes the
    /// use (what the hardware's accessed bits would tell it, exactly).
    @inline(__always)
    func complete(
        _ physicalAddress: UInt64, pageSize: UInt64, kind: AccessKind, storing value: UInt64, outcome: inout AccessOutcome
    ) throws(MachineError) {
        noteUse(physicalAddress)
        try hardware.moveData(physicalAddress, pageSize: pageSize, kind: kind, storing: value, outcome: &outcome)
    }

    /// A MIPS access (R4000 User's Manual ch. 4): the segment decides first —
    /// kseg0 and kseg1 are unmapped, a user address at 0x80000000 or above is
    /// an address error — then the TLB, and on a miss the kernel's refill
    /// handler (TLBRefill.swift), since no hardware walks a table. Everything
    /// that happened on the way is recorded in `outcome`: the refill, a TLB
    /// Invalid or TLB Modified exception and the kernel's answer, the retry.
    func translateSoftwareManaged(_ virtualAddress: UInt64, kind: AccessKind, core index: Int, outcome: inout AccessOutcome)
        -> (UInt64, UInt64)?
    {
        let mode = cores[index].mode
        if virtualAddress >= MIPS.kseg0 {
            if mode == .user {
                hardware.takeException(
                    hardware.fault(.addressError, at: virtualAddress, kind, mode: mode, present: false, level: 0),
                    into: &outcome.first, core: index)
                hardware.charge(\.faults, configuration.costs.pageFault, core: index)
                outcome.resolution = .addressError
                count(.addressError)
                return nil
            }
            if let physical = MIPS.unmapped(virtualAddress) {
                outcome.unmapped = true
                return (physical, architecture.pageSize)
            }
        }
        if let translation = hardware.lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &outcome.first) {
            return translation
        }
        if outcome.first.fault == nil {
            // A miss: the TLB Refill exception, then the same instruction again.
            hardware.loadExceptionRegisters(
                virtualAddress, code: kind == .write ? MIPS.storeMissCode : MIPS.loadMissCode, core: index)
            outcome.refill = refillTLB(virtualAddress, core: index, trace: &outcome.first.walk)
            outcome.refill!.store = kind == .write
            if let translation = hardware.lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &outcome.first) {
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
        let translation = hardware.lookUpSoftwareTLB(virtualAddress, kind: kind, core: index, into: &retry)
        outcome.retry = retry
        return translation
    }
}
