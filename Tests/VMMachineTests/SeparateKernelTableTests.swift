import Testing

@testable import VMMachine

/// xv6's design on x86-64: a process's table holds its user half and the
/// entry trampoline; the kernel runs on the one master table, switched to on
/// every trap, and a process switch made there writes CR3 only on the return.
@Suite struct SeparateKernelTableTests {
    private func machine(separate: Bool) throws -> (Machine, Process, Process) {
        var configuration = MachineConfiguration()
        configuration.kpti = true
        configuration.separateKernelTable = separate
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        for process in [a, b] { try machine.map(process.pid, at: 0x400000, size: 0x1000, protection: .readWrite) }
        _ = try machine.switchTo(a.pid, core: 0)
        return (machine, a, b)
    }

    @Test func aProcessSwitchWritesCR3TwiceNotThrice() throws {
        let (separate, _, b) = try machine(separate: true)
        let switched = try separate.switchTo(b.pid, core: 0)
        #expect(switched.writes.map(\.reason) == [.kernelEntry, .returnToUser])
        #expect(switched.writes[0].value == separate.kernelRoot && switched.newCR3 == b.userRoot)
        let (isolated, _, other) = try machine(separate: false)
        #expect(try isolated.switchTo(other.pid, core: 0).writes.map(\.reason) == [.kernelEntry, .contextSwitch, .returnToUser])
    }

    @Test func everyTrapRunsOnTheOneKernelTable() throws {
        let (machine, a, b) = try machine(separate: true)
        #expect(try machine.enterKernel(core: 0).newCR3 == machine.kernelRoot)
        _ = try machine.exitKernel(core: 0)
        #expect(machine.cores[0].base == a.userRoot)
        _ = try machine.switchTo(b.pid, core: 0)
        #expect(try machine.enterKernel(core: 0).newCR3 == machine.kernelRoot)
        // The kernel table maps no user page: dereferencing one is an oops (xv6 copies with a software walk).
        let read = try machine.access(0x400000, kind: .read)
        #expect(read.fault?.kind == .notPresent && read.resolution == .kernelOops)
        // Inside a uaccess routine it is xv6's copyin: a software walk of B's
        // table, no fault, and the bytes through the direct map.
        _ = try machine.exitKernel(core: 0)
        #expect(try machine.access(0x400000, kind: .write, storing: 7).physicalAddress != nil)
        _ = try machine.enterKernel(core: 0)
        try machine.setUserAccess(true, core: 0, exceptionTable: true, liftingSMAP: false)
        let copied = try machine.access(0x400000, kind: .read)
        #expect(copied.softwareCopy && copied.fault == nil && copied.value == 7 && copied.walk.count == 4)
        // walkaddr finds no valid PTE_U leaf: copyin returns -1.
        let missing = try machine.access(0x500000, kind: .read)
        #expect(missing.softwareCopy && missing.physicalAddress == nil && missing.resolution == .exceptionFixup)
    }

    /// xv6's copyout (kernel/vm.c) refuses a leaf without PTE_W, where copyin reads it.
    @Test func copyoutNeedsAWritableLeaf() throws {
        let (machine, a, _) = try machine(separate: true)
        try machine.map(a.pid, at: 0x600000, size: 0x1000, protection: .readOnly)
        _ = try machine.enterKernel(core: 0)
        try machine.setUserAccess(true, core: 0, exceptionTable: true, liftingSMAP: false)
        #expect(try machine.access(0x600000, kind: .read).physicalAddress != nil)
        let store = try machine.access(0x600000, kind: .write, storing: 1)
        #expect(store.physicalAddress == nil && store.resolution == .exceptionFixup)
        #expect(try machine.access(0x400000, kind: .write, storing: 1).physicalAddress != nil)
    }

    /// xv6's spawn takes its trapframe and tables only after checking they
    /// are there: running out of memory part-way leaks no frame.
    @Test func anXv6SpawnThatRunsOutOfMemoryTakesNothing() throws {
        var configuration = MachineConfiguration()
        configuration.architecture = .riscv64Sv39
        configuration.kpti = true
        configuration.separateKernelTable = true
        configuration.ramBytes = 4 << 20
        let machine = try Machine(configuration)
        var spawned = 0
        while true {
            let used = machine.allocator.used
            do {
                _ = try machine.spawn(name: "P\(spawned)")
                spawned += 1
            } catch {
                #expect(error == .outOfMemory(totalFrames: machine.framesTotal))
                #expect(machine.allocator.used == used, "a refused spawn took frames")
                break
            }
        }
        #expect(spawned > 10)
    }
}
