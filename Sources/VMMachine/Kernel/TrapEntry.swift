/// Where the hardware hands a page fault to the kernel, as a trap does: the
/// MMU records the exception (Fault: what the error code, scause, ESR or
/// Cause would say, and the address CR2, stval, FAR or BadVAddr would hold)
/// and stops; the kernel takes it here, handles it, and says whether the
/// instruction runs again. The MMU never calls the fault handler itself.
extension Machine {
    /// What the kernel did with a trap: how it resolved the fault, and the
    /// base-register writes of a KPTI entry and exit around the handler.
    struct TrapReturn {
        var resolution: FaultResolution
        var isolationWrites: [BaseRegisterWrite] = []
    }

    /// Takes a page fault raised on `index`. Under KPTI a fault from user
    /// mode enters through the trampoline like any exception: CR3 to the
    /// kernel copy, the handler, CR3 back to the user copy, then the retry.
    func takePageFault(_ fault: Fault, kind: AccessKind, core index: Int) -> TrapReturn {
        let isolated = isolatedProcess(core: index)
        var writes: [BaseRegisterWrite] = []
        if let isolated {
            writes.append(
                writeBaseRegister(
                    baseRegisterValue(for: isolated, slot: perCPU[index].currentSlot, mode: .kernel), core: index, flush: false,
                    reason: .kernelEntry))
        }
        let resolution = handlePageFault(fault, kind: kind, core: index)
        if let isolated, let current = process(isolated.pid) {
            writes.append(returnToUserCopy(current, core: index))
        }
        count(resolution)
        return TrapReturn(resolution: resolution, isolationWrites: writes)
    }

    /// Counts a fault the handler could not resolve, by what it became (resolved ones count themselves).
    func count(_ resolution: FaultResolution) {
        switch resolution {
        case .segmentationFault, .addressError: faultCounts.segmentation += 1
        case .protectionFault: faultCounts.protection += 1
        case .kernelOops: faultCounts.unresolved += 1
        case .exceptionFixup: faultCounts.exceptionFixups += 1
        default: break
        }
    }
}
