import Testing

@testable import VMMachine

/// Under KPTI an exception from user mode enters the kernel like a system
/// call does: a page fault switches CR3 to the kernel copy for the handler
/// and back to the user copy before the instruction is retried.
@Suite struct IsolatedFaultTests {
    @Test(arguments: [(false, false), (true, false), (true, true)])
    func aUserPageFaultSwitchesCR3UnderKPTI(kpti: Bool, pcid: Bool) throws {
        var configuration = MachineConfiguration()
        configuration.kpti = kpti
        configuration.addressSpaceIDs = pcid
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.map(process.pid, at: 0x800000, size: 0x1000, protection: .readWrite, populate: false)
        _ = try machine.switchTo(process.pid, core: 0)
        _ = try machine.access(0x400000, kind: .read)
        let writesBefore = machine.cores[0].baseWrites
        let outcome = try machine.access(0x800000, kind: .write, storing: 1)
        #expect(outcome.resolution == .demandZero(page: outcome.physicalAddress!))
        #expect(outcome.isolationWrites.map(\.reason) == (kpti ? [.kernelEntry, .returnToUser] : []))
        #expect(machine.cores[0].baseWrites - writesBefore == (kpti ? 2 : 0))
        #expect(machine.cores[0].mode == .user && machine.cores[0].base & ~0xFFF == (process.userRoot ?? process.root))
        // Without PCIDs the switches flushed the page read before; with them it survives.
        let again = try machine.access(0x400000, kind: .read)
        #expect(again.tlbHit == (!kpti || pcid))
    }
}
