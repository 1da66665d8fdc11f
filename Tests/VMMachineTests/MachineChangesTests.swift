import Testing

@testable import VMMachine

/// MachineChange: what changed between two states of a machine, kind by kind.
@Suite struct MachineChangesTests {
    @Test func unmapAndExitShowAsTheirChanges() throws {
        let machine = try Machine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        _ = try machine.access(0x400000, kind: .read)
        let before = machine.saveState()
        _ = try machine.unmap(a.pid, at: 0x400000, size: 0x1000)
        let unmapped = before.changes(to: machine.saveState(), architecture: machine.architecture)
        // The leaf cleared, its TLB entry shot down, its frame freed (no fault, no switch).
        let leaf = try #require(unmapped.first { if case .entryWritten = $0 { true } else { false } })
        guard case .entryWritten(_, let index, let old, let new) = leaf else { return }
        #expect(index == 0 && old & PageTableEntry.present != 0 && new == 0)
        #expect(unmapped.contains { if case .tlbDropped(0, let entry) = $0 { entry.virtualPage == 0x400 } else { false } })
        #expect(unmapped.contains { if case .frames(let old, let new) = $0 { new == old - 1 } else { false } })
        #expect(!unmapped.contains { if case .baseRegister = $0 { true } else { false } })
        let running = machine.saveState()
        _ = machine.exit(a.pid)
        let exited = running.changes(to: machine.saveState(), architecture: machine.architecture)
        #expect(exited.first == .processExited(pid: a.pid, name: "A"))
        #expect(exited.contains { if case .baseRegister(0, _, machine.kernelRoot) = $0 { true } else { false } }, "the core idles on the kernel's table")
        #expect(before.changes(to: before, architecture: machine.architecture).isEmpty)
    }
}
