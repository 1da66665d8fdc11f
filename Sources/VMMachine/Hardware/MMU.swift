/// The MMU: TLB lookup, then a hardware page walk that reads encoded entries
/// out of physical memory level by level, as the Intel SDM vol. 3A §4.5
/// describes. Models CR0.WP = 1 (the kernel cannot write read-only pages, as
/// Linux sets it), CR4.SMEP and CR4.SMAP as configured (with EFLAGS.AC, set
/// by STAC, lifting SMAP), and NX (EFER.NXE = 1).
extension Hardware {
    /// The load, store or fetch itself, once translated.
    func moveData(
        _ physicalAddress: UInt64, pageSize: UInt64, kind: AccessKind, storing value: UInt64, outcome: inout AccessOutcome
    ) throws(MachineError) {
        outcome.physicalAddress = physicalAddress
        outcome.pageSize = pageSize
        let width = architecture.accessBytes
        if width != 8 {
            // A textbook entry may name a frame past the machine's memory.
            guard physicalAddress + width <= physicalBytes else {
                throw .addressTooWide(address: physicalAddress, bits: architecture.physicalBits, what: "physical")
            }
            guard kind != .write || value >> (8 * width) == 0 else {
                throw .fieldTooWide(name: "the value", value: value, bits: Int(8 * width))
            }
            switch kind {
            case .read, .execute: outcome.value = readEntry(at: physicalAddress, bytes: width)
            case .write:
                let stored = value & ((1 << (8 * width)) - 1)
                if !memory.isTouched(frame: physicalAddress >> 12) { try checkHostMemory(adding: 1) }
                writeEntry(at: physicalAddress, bytes: width, stored)
                outcome.value = stored
            }
            return
        }
        switch kind {
        case .read, .execute:
            outcome.value = memory.load(physicalAddress)
        case .write:
            if !memory.isTouched(frame: physicalAddress >> 12)
                || !memory.isTouched(frame: (physicalAddress + 7) >> 12)
            {
                try checkHostMemory(adding: 1)
            }
            memory.store(physicalAddress, value)
            outcome.value = value
        }
    }

    /// One translation: TLB lookup under the core's PCID, else a walk that
    /// fills the TLB. A fault is recorded in `attempt` and returns nil; as on
    /// x86, a page fault also drops any TLB entry for the address (SDM §4.10.4.2).
    func translate(_ virtualAddress: UInt64, kind: AccessKind, core coreIndex: Int, into attempt: inout Attempt)
        -> (UInt64, UInt64)?
    {
        // The TLB's part through one pointer to the core.
        let (tag, mode, lookup) = { () -> (UInt16, CPUMode, (TLBHierarchy.Hit, TLBEntry)?) in
            let core = cores.pointer(coreIndex)
            let tag = core.pointee.tag
            let mode = core.pointee.mode
            guard let hit = core.pointee.tlb.lookup(virtualAddress, tag: tag, kind: kind) else {
                core.pointee.tlbMisses += 1
                return (tag, mode, nil)
            }
            core.pointee.tlbHits += 1
            var charged = saturatingAdd(core.pointee.cycles.translation, features.costs.tlbHit)
            if hit.level == 2 {
                core.pointee.secondLevelHits += 1
                charged = saturatingAdd(charged, features.costs.secondLevelHit)
            }
            core.pointee.cycles.translation = charged
            return (tag, mode, (hit, core.pointee.tlb.entry(hit)))
        }()
        if let (hit, entry) = lookup {
            attempt.tlbHit = true
            if var fault = permissionFault(
                virtualAddress, kind: kind, core: coreIndex, mode: mode,
                writable: entry.writable, user: entry.user, noExecute: entry.noExecute, readable: entry.readable)
            {
                // The level of the leaf that mapped the page (ARM's ESR names it), worked out only for a fault.
                fault.level = architecture.leafLevel(forPageSize: entry.pageSize) ?? 1
                raise(fault, into: &attempt, core: coreIndex)
                return nil
            }
            if kind == .write && !entry.dirty {
                // First write through a clean entry: the CPU goes back to the
                // leaf in memory to set D (SDM §4.8). No new TLB fill happens.
                setDirtyBit(virtualAddress, core: coreIndex)
                cores[coreIndex].tlb.markDirty(hit)
                charge(\.translation, features.costs.dirtyAssist, core: coreIndex)
            }
            return (entry.frameBase | (virtualAddress & (entry.pageSize - 1)), entry.pageSize)
        }
        switch walk(virtualAddress, kind: kind, core: coreIndex, trace: &attempt.walk) {
        case .failure(let fault):
            raise(fault, into: &attempt, core: coreIndex)
            return nil
        case .success(var entry):
            entry.tag = tag
            cores[coreIndex].tlb.insert(entry, kind: kind)
            return (entry.frameBase | (virtualAddress & (entry.pageSize - 1)), entry.pageSize)
        }
    }

    func raise(_ fault: Fault, into attempt: inout Attempt, core coreIndex: Int) {
        attempt.fault = fault
        cores[coreIndex].faults += 1
        cores[coreIndex].faultAddress = fault.address
        // The cost is the kernel's handling: a textbook machine has none to pay.
        if architecture.hasKernel { charge(\.faults, features.costs.pageFault, core: coreIndex) }
        cores[coreIndex].tlb.invalidate(fault.address, tag: cores[coreIndex].tag)
    }

    private enum WalkResult {
        case success(TLBEntry)
        case failure(Fault)
    }

    /// The fault an access raises on this machine. Whether its syndrome
    /// tells a fetch apart is the machine's: x86's I/D is set only with NX
    /// (PAE or 4-level paging with EFER.NXE) or CR4.SMEP, so under 32-bit
    /// paging without SMEP a fetch reports as a read (SDM §4.7). The MMU,
    /// `explain` and MIPS's TLB all raise their faults through here.
    func fault(_ kind: FaultKind, at address: UInt64, _ access: AccessKind, mode: CPUMode, present: Bool, level: Int)
        -> Fault
    {
        Fault(
            kind: kind, address: address, access: access, fromUser: mode == .user, present: present, level: level,
            reportsFetch: architecture.errorCodeReportsFetch(smep: features.smep))
    }

    /// The rights check of a present translation (SDM §4.6): U/S, R/W (CR0.WP
    /// = 1, so the kernel too), NX; and for the kernel on a user page SMEP
    /// (no instruction fetch) and SMAP (no data access unless EFLAGS.AC).
    private func permissionFault(
        _ virtualAddress: UInt64, kind: AccessKind, core coreIndex: Int, mode: CPUMode,
        writable: Bool, user: Bool, noExecute: Bool, readable: Bool, level: Int = 1
    ) -> Fault? {
        var check: ProtectionCheck?
        if (mode == .user && !user) || (kind == .write && !writable) || (kind == .execute && noExecute)
            || (kind == .read && !readable)
        {
            check = .rights
        } else if mode == .kernel && user {
            if kind == .execute && features.smep { check = .smep }
            if kind != .execute && features.smap && !cores[coreIndex].alignmentCheck { check = .smap }
        }
        guard let check else { return nil }
        var raised = fault(.protection, at: virtualAddress, kind, mode: mode, present: true, level: level)
        raised.check = check
        return raised
    }

    /// The hardware walk from CR3. Rights accumulate as the SDM says: R/W and
    /// U/S must be set at every level, NX at any level forbids execution.
    /// Accessed bits (and D on the leaf for a write) are set only when the
    /// translation succeeds; the trace records entries as they were read.
    private func walk(
        _ virtualAddress: UInt64, kind: AccessKind, core coreIndex: Int, trace: inout WalkTrace
    ) -> WalkResult {
        if trace.keepsSteps { return recordedWalk(virtualAddress, kind: kind, core: coreIndex, trace: &trace) }
        // The walk still needs the entries it read (to set A and D): it keeps
        // them on the stack, and the caller's trace gets only the count.
        var steps = WalkTrace()
        let result = recordedWalk(virtualAddress, kind: kind, core: coreIndex, trace: &steps)
        trace.countSteps(steps.count)
        return result
    }

    /// The walk, its steps recorded in `trace`.
    @inline(__always)
    private func recordedWalk(
        _ virtualAddress: UInt64, kind: AccessKind, core coreIndex: Int, trace: inout WalkTrace
    ) -> WalkResult {
        let core = cores.pointer(coreIndex)
        let mode = core.pointee.mode
        core.pointee.walks += 1
        let stepsBefore = trace.count
        let inRegisters = architecture.rootInRegisters
        // `baseRegister(_:for:)`, read through the pointer rather than a copy of the core.
        let root = architecture.rootAddress(
            fromRegister: _slowPath(architecture.splitBaseRegisters) && virtualAddress >> 63 != 0
                ? core.pointee.ttbr1 : core.pointee.base)
        let end: WalkEnd
        if _slowPath(inRegisters) {
            end = walkTables(virtualAddress, root: root, rootEntries: core.pointee.rootEntries, trace: &trace)
        } else {
            end = walkTables(virtualAddress, root: root, trace: &trace)
        }
        // Each entry read is a memory reference the walk pays for (not PAE's PDPTE, held in a register).
        let reads = UInt64(trace.count - stepsBefore - (inRegisters ? 1 : 0))
        let (cost, overflow) = features.costs.walkReference.multipliedReportingOverflow(by: reads)
        core.pointee.walkMemoryReads += reads
        core.pointee.cycles.translation = saturatingAdd(core.pointee.cycles.translation, overflow ? .max : cost)
        switch end {
        case .fault(let faultKind, let level):
            // A reserved bit is a fault on a present entry, with error-code bit 3 (RSVD).
            let reserved = faultKind == .reservedBit
            return .failure(fault(faultKind, at: virtualAddress, kind, mode: mode, present: reserved, level: level))
        case .leaf(let raw, let level, let writable, let user, let noExecute, let readable):
            if let fault = permissionFault(
                virtualAddress, kind: kind, core: coreIndex, mode: mode,
                writable: writable, user: user, noExecute: noExecute, readable: readable, level: level)
            {
                return .failure(fault)
            }
            let format = architecture.format
            // Success: mark every entry used as accessed, the leaf dirty on a write.
            // The entries as this walk read them: it wrote none of them yet, and
            // bits are only added, so a table that maps itself loses nothing.
            for position in stepsBefore..<trace.count {
                let step = trace[position]
                if inRegisters && step.level == architecture.levels { continue }  // a PDPTE has no A bit
                // RISC-V's A and D and ARM's AF are the leaf's: a table descriptor has none.
                if format.rightsInLeafOnly && position != trace.count - 1 { continue }
                let updated = format.afterAccess(step.entry, write: position == trace.count - 1 && kind == .write)
                if updated != step.entry {
                    writeEntry(at: step.entryAddress, bytes: architecture.entryBytes, updated)
                }
            }
            let shift = architecture.shift(ofLevel: level)
            let pageMask: UInt64 = (1 << shift) - 1
            var cached = TLBEntry(pageShift: UInt8(shift))
            cached.virtualPage = virtualAddress >> shift
            cached.pageShift = UInt8(shift)
            cached.frameBase = format.physicalAddress(raw) & ~pageMask
            cached.writable = writable
            cached.user = user
            cached.noExecute = noExecute
            cached.readable = readable
            cached.global = format.isGlobal(raw) && features.pge  // G means nothing unless CR4.PGE is set
            // A format without a D bit has nothing for a first write to set.
            cached.dirty = !format.tracksDirty || format.isDirty(raw) || kind == .write
            return .success(cached)
        }
    }

    /// Sets D in the leaf entry mapping `virtualAddress` under `root`.
    private func setDirtyBit(_ virtualAddress: UInt64, core coreIndex: Int) {
        var trace = WalkTrace()
        guard case .leaf = walkTables(virtualAddress, core: coreIndex, trace: &trace) else { return }
        let leaf = trace[trace.count - 1]
        writeEntry(
            at: leaf.entryAddress, bytes: architecture.entryBytes, architecture.format.afterAccess(leaf.entry, write: true))
    }
}
