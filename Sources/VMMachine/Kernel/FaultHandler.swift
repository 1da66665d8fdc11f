/// What the kernel's page-fault handler made of a fault.
public enum FaultResolution: Sendable, Equatable {
    /// First touch of a page in a region: a zeroed page was mapped (demand paging).
    case demandZero(page: UInt64)
    /// A swapped-out page read back into a new frame: a major fault.
    case swappedIn(page: UInt64)
    /// A write to a shared copy-on-write page: copied to a new page.
    case copiedOnWrite(from: UInt64, to: UInt64)
    /// A write to a copy-on-write page no one else maps any more: made writable in place.
    case madeWritable(page: UInt64)
    /// No region holds the address: SIGSEGV (SEGV_MAPERR).
    case segmentationFault
    /// The region forbids this access: SIGSEGV (SEGV_ACCERR).
    case protectionFault
    /// The page-table entry already allowed the access: the TLB held an
    /// older, narrower entry (rights granted without a flush). Retried.
    case spurious
    /// A uaccess routine (`copy_from_user` …) faulted on a bad user address:
    /// the exception table makes it return -EFAULT instead of crashing.
    case exceptionFixup
    /// MIPS: a store through a clean writable page (TLB Modified): the kernel
    /// set D in the entry and in the TLB. How MIPS learns a page is dirty.
    case markedDirty(page: UInt64)
    /// MIPS: user code named a kernel segment (AdEL/AdES): SIGBUS.
    case addressError
    /// A kernel-mode fault the kernel cannot handle: a kernel address, a
    /// kernel thread (no memory of its own), SMAP/SMEP, or a bad user address
    /// outside a uaccess routine.
    case kernelOops

    /// Whether the access can be retried.
    public var isResolved: Bool {
        switch self {
        case .demandZero, .swappedIn, .copiedOnWrite, .madeWritable, .spurious, .markedDirty: return true
        default: return false
        }
    }
}

/// The kernel's page-fault handler (Linux `do_user_addr_fault` →
/// `handle_mm_fault`): find the region, check the access against it, then
/// fill a missing entry with a zeroed page or break copy-on-write.
///
/// A fault in kernel mode is handled only for a user address of the
/// process whose memory is loaded, and not when SMAP/SMEP refused it or a
/// kernel thread runs (it has no memory of its own: Linux's `!mm` case).
/// What the kernel cannot handle is -EFAULT inside a uaccess routine (the
/// exception table) and an oops anywhere else (`kernelmode_fixup_or_oops`).
extension Machine {
    func handlePageFault(_ fault: Fault, kind: AccessKind, core index: Int) -> FaultResolution {
        let address = fault.address
        let kernelMode = cores[index].mode == .kernel
        let unhandled: FaultResolution = perCPU[index].inUserAccess ? .exceptionFixup : .kernelOops
        // Linux's pgtable_bad(): "Bad pagetable" is an oops, whoever faulted.
        if fault.kind == .reservedBit { return .kernelOops }
        // The faulting instruction is in the user page itself: no exception-table entry can cover it.
        if fault.check == .smep || (kernelMode && kind == .execute) { return .kernelOops }
        guard architecture.isUser(address) else { return kernelMode ? .kernelOops : .segmentationFault }
        // With a separate kernel table no user page is mapped while the kernel runs.
        if kernelMode && configuration.separateKernelTable { return unhandled }
        if kernelMode && (perCPU[index].isLazy || fault.check == .smap || fault.check == .smep) { return unhandled }
        guard let pid = perCPU[index].loadedProcess else { return kernelMode ? unhandled : .segmentationFault }
        let processIndex = processIndex(pid)
        guard let region = processes[processIndex].region(containing: address) else {
            return kernelMode ? unhandled : .segmentationFault
        }
        guard region.allows(kind) else { return kernelMode ? unhandled : .protectionFault }
        let pageAddress = address & ~(region.pageSize - 1)
        let present = fault.present
        let root = processes[processIndex].root
        // The process's own entry, found by the kernel's walk (Linux's
        // handle_pte_fault reads the PTE, not the walk the MMU made): if it
        // allows the access the TLB held an older one. Which base register
        // is loaded does not matter (under KPTI it is the kernel's copy, whose
        // user entries forbid execution only to the kernel).
        let leaf = lookup(root: root, address)
        if present, let leaf, leaf.entry.allows(kind) {
            faultCounts.spurious += 1
            return .spurious
        }
        do {
            if !present, limitsUserFrames, region.pageSize == AddressLayout.pageSize,
                let slot = lastLevelSlot(root: root, pageAddress), let swapSlot = slot.entry.swapSlot
            {
                let physical = try swapIn(
                    processIndex, page: pageAddress, entryAddress: slot.entryAddress, slot: swapSlot, region: region,
                    core: index)
                faultCounts.major += 1
                return .swappedIn(page: physical)
            }
            if !present {
                let framesPerPage = region.pageSize / AddressLayout.pageSize
                let level = architecture.leafLevel(forPageSize: region.pageSize)!
                let tables = missingTables(
                    root: root, start: pageAddress, end: pageAddress + region.pageSize,
                    leafLevel: level)
                guard framesPerPage + tables <= allocator.available else { return .segmentationFault }
                // Checked before anything is taken, so that a refusal half-way cannot leak a frame.
                try hardware.checkHostMemory(adding: Int(tables))
                try makeRoomForUserPage(core: index)
                let physical = try allocatePage(region.pageSize)
                var created: [UInt64] = []
                try installLeaf(processIndex, pageAddress, physical, region: region, writable: region.protection.write, created: &created)
                processes[processIndex].tableFrames += created
                registerUserPage(physical, virtualPage: pageAddress)
                processes[processIndex].residentPages += framesPerPage
                faultCounts.demand += 1
                chargeKernelWork(
                    core: index, zeroed: framesPerPage + UInt64(created.count), entries: 1 + UInt64(created.count))
                return .demandZero(page: physical)
            }
            guard kind == .write, let leaf else { return .protectionFault }
            var entry = leaf.entry
            let old = entry.address & ~(region.pageSize - 1)
            faultCounts.copyOnWrite += 1
            entry.writable = true
            if mappingCount(old) == 1 {
                setPageEntry(entry, at: leaf.entryAddress, level: leaf.level)
                chargeKernelWork(core: index, entries: 1)
                return .madeWritable(page: old)
            }
            try makeRoomForUserPage(keeping: old / AddressLayout.pageSize, core: index)
            let copy = try allocatePage(region.pageSize)
            let frames = region.pageSize / AddressLayout.pageSize
            for offset in 0..<frames {
                memory.copyFrame(old / AddressLayout.pageSize + offset, to: copy / AddressLayout.pageSize + offset)
            }
            releasePage(old, pageSize: region.pageSize)
            chargeKernelWork(core: index, copied: frames, entries: 1)
            entry.address = copy
            setPageEntry(entry, at: leaf.entryAddress, level: leaf.level)
            registerUserPage(copy, virtualPage: pageAddress)
            // Other cores may still hold read-only entries for the old page (ptep_clear_flush).
            _ = shootdown(pid, pages: [(pageAddress, region.pageSize)], from: index)
            return .copiedOnWrite(from: old, to: copy)
        } catch {
            return .segmentationFault  // out of memory: Linux would OOM-kill; the access fails
        }
    }
}
