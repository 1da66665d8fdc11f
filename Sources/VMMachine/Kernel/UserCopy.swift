/// xv6's copyin and copyout (kernel/vm.c). With a separate kernel table no
/// user page is mapped while the kernel runs, so a system call that reads or
/// writes its caller's buffer does not touch the user address at all: the
/// kernel walks the process's own table in software (`walkaddr`: the leaf
/// must be valid and have PTE_U, and for copyout PTE_W) and moves the bytes
/// through its direct map of physical memory (xv6 maps RAM at the addresses
/// it has). No TLB lookup, no page fault: a bad address makes copyin return -1.
extension Machine {
    /// Whether an access on `index` is such a copy: a uaccess routine's load
    /// or store of a user address, on a machine whose kernel table maps no user page.
    @inline(__always)
    func isSoftwareUserCopy(_ virtualAddress: UInt64, kind: AccessKind, core index: Int) -> Bool {
        configuration.separateKernelTable && kind != .execute && cores[index].mode == .kernel
            && perCPU[index].inUserAccess && architecture.isUser(virtualAddress)
    }

    /// The copy: the software walk (recorded in the outcome's walk, as the
    /// entries the kernel read), then the load or store at the physical address.
    func copyUser(
        _ virtualAddress: UInt64, kind: AccessKind, storing value: UInt64, core index: Int,
        outcome: inout AccessOutcome
    ) throws(MachineError) {
        outcome.softwareCopy = true
        if kind == .write { outcome.value = value }
        let root = perCPU[index].loadedProcess.flatMap { process($0) }.map { $0.userRoot ?? $0.root }
        var leaf: LeafSlot?
        if let root { leaf = lookup(root: root, virtualAddress, trace: &outcome.first.walk) }
        hardware.charge(\.kernelWork, saturatingMultiply(UInt64(outcome.first.walk.count), configuration.costs.walkReference), core: index)
        guard let leaf, leaf.entry.user, kind != .write || leaf.entry.writable else {
            outcome.resolution = .exceptionFixup
            faultCounts.exceptionFixups += 1
            return
        }
        let pageSize = architecture.span(ofLevel: leaf.level)
        try complete(
            leaf.entry.address | (virtualAddress & (pageSize - 1)), pageSize: pageSize, kind: kind, storing: value,
            outcome: &outcome)
    }
}
