/// What the kernel's page-fault handler made of a fault.
public enum FaultResolution: Sendable, Equatable {
    /// First touch of a page in a region: a zeroed page was mapped (demand paging).
    case demandZero(page: UInt64)
    /// A write to a shared copy-on-write page: copied to a new page.
    case copiedOnWrite(from: UInt64, to: UInt64)
    /// A write to a copy-on-write page no one else maps any more: made writable in place.
    case madeWritable(page: UInt64)
    /// No region holds the address: SIGSEGV (SEGV_MAPERR).
    case segmentationFault
    /// The region forbids this access: SIGSEGV (SEGV_ACCERR).
    case protectionFault
    /// A kernel-mode fault on a kernel address: an oops.
    case kernelOops

    /// Whether the access can be retried.
    public var isResolved: Bool {
        switch self {
        case .demandZero, .copiedOnWrite, .madeWritable: return true
        default: return false
        }
    }
}

/// The kernel's page-fault handler (Linux `do_user_addr_fault` →
/// `handle_mm_fault`): find the region, check the access against it, then
/// fill a missing entry with a zeroed page or break copy-on-write.
extension Machine {
    func handlePageFault(_ fault: Fault, kind: AccessKind, core index: Int) -> FaultResolution {
        let address = fault.address
        guard AddressLayout.isUser(address), let pid = cores[index].loadedProcess else {
            return cores[index].mode == .user ? .segmentationFault : .kernelOops
        }
        let processIndex = processIndex(pid)
        guard let region = processes[processIndex].region(containing: address) else { return .segmentationFault }
        guard region.allows(kind) else { return .protectionFault }
        let pageAddress = address & ~(region.pageSize - 1)
        let present = fault.errorCode & 1 != 0
        do {
            if !present {
                let framesPerPage = region.pageSize / AddressLayout.pageSize
                let level = AddressLayout.leafLevel(forPageSize: region.pageSize)!
                let tables = missingTables(
                    root: processes[processIndex].root, start: pageAddress, end: pageAddress + region.pageSize,
                    leafLevel: level)
                guard framesPerPage + tables <= allocator.available else { return .segmentationFault }
                let physical = try allocatePage(region.pageSize)
                var created: [UInt64] = []
                try installLeaf(processIndex, pageAddress, physical, region: region, writable: region.protection.write, created: &created)
                processes[processIndex].tableFrames += created
                processes[processIndex].residentPages += framesPerPage
                faultCounts.demand += 1
                return .demandZero(page: physical)
            }
            guard kind == .write, let leaf = leaf(address, root: processes[processIndex].root) else {
                return .protectionFault
            }
            let entry = PageTableEntry(raw: memory.readWord(leaf.address))
            let old = entry.physicalAddress & ~(region.pageSize - 1)
            faultCounts.copyOnWrite += 1
            if mappingCount(old) == 1 {
                memory.writeWord(leaf.address, entry.raw | PageTableEntry.writable)
                return .madeWritable(page: old)
            }
            let copy = try allocatePage(region.pageSize)
            let frames = region.pageSize / AddressLayout.pageSize
            for offset in 0..<frames {
                memory.copyFrame(old / AddressLayout.pageSize + offset, to: copy / AddressLayout.pageSize + offset)
            }
            releasePage(old, pageSize: region.pageSize)
            let flags = (entry.raw & ~PageTableEntry.addressMask) | PageTableEntry.writable
            memory.writeWord(leaf.address, PageTableEntry(physicalAddress: copy, flags: flags).raw)
            // Other cores may still hold read-only entries for the old page (ptep_clear_flush).
            _ = shootdown(pid, pages: [(pageAddress, region.pageSize)], from: index)
            return .copiedOnWrite(from: old, to: copy)
        } catch {
            return .segmentationFault  // out of memory: Linux would OOM-kill; the access fails
        }
    }
}
