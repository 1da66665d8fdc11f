import Testing

@testable import VMMachine

/// Edges that a mutation run (scripts/mutate, issue 24) showed no test
/// checked: one past a limit, the last free frame, a bit only one
/// architecture sets.
@Suite struct BoundaryTests {
    /// U/S is ANDed over the levels like R/W (SDM vol. 3A §4.6.1): a
    /// supervisor-only upper entry makes its whole subtree kernel-only.
    @Test(arguments: [Architecture.x86_64, .i386, .i386PAE])
    func aSupervisorUpperLevelForbidsUserAccess(architecture: Architecture) throws {
        var configuration = MachineConfiguration()
        configuration.architecture = architecture
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(process.pid, core: 0)
        let steps = try machine.hardware.explain(0x40_0000, core: 0).steps
        let upper = steps[architecture.rootInRegisters ? 1 : 0]  // PAE's PDPTEs have no U/S
        try machine.hardware.poke(upper.entryAddress, upper.entry & ~PageTableEntry.user, bytes: architecture.entryBytes)
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .protection, "\(architecture.name)")
    }

    /// A frame number one past RAM is untouched (and does not trap the host).
    @Test func theFrameOnePastRAMIsUntouched() {
        let memory = PhysicalMemory(frameCount: 1024)
        #expect(!memory.isTouched(frame: 1024))
        #expect(!memory.isTouched(frame: 1023))
    }

    /// MIPS EntryLo's G bit is written for a global entry and read back.
    @Test func mipsKeepsTheGlobalBit() {
        let mips = Architecture.mips32
        let raw = mips.encodeEntry(.leaf(at: 0x20_2000, writable: false, user: true, executable: true, global: true), level: 1)
        #expect(raw & MIPS.global != 0)
        #expect(mips.decodeEntry(raw, level: 1).global)
    }

    /// Linux flushes page by page up to tlb_single_page_flush_ceiling (33)
    /// pages and the whole address space above it (arch/x86/mm/tlb.c:
    /// `> tlb_single_page_flush_ceiling`).
    @Test(arguments: [(33, false), (34, true)])
    func thirtyThreePagesAreFlushedOneByOne(pages: Int, full: Bool) throws {
        let machine = try makeMachine(cores: 2)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x40_0000, size: UInt64(pages) << 12, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        try machine.switchTo(a.pid, core: 1)
        let outcome = try machine.unmap(a.pid, at: 0x40_0000, size: UInt64(pages) << 12, from: 1)
        #expect(outcome.shootdown.fullFlush == full, "\(pages) pages")
    }

    /// A demand fault that has a frame for the page but none for the page
    /// table it needs is out of memory: the access fails, the machine goes on.
    @Test func aDemandFaultWithNoFrameForItsTableFails() throws {
        let machine = try makeMachine(ram: 4 << 20)  // 1,024 frames, 512 for the kernel image
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        // Use every free frame but one: the next page is in a new 2 MiB span and needs a PT.
        let free = machine.allocator.available
        try machine.map(a.pid, at: 0x1000_0000, size: (free - 8) << 12, protection: .readWrite)
        // Then page by page after it (each needs a frame, and a table each 2 MiB) down to one frame.
        var next = 0x1000_0000 + (free - 8) << 12
        while machine.allocator.available > 1 {
            try machine.map(a.pid, at: next, size: 0x1000, protection: .readWrite)
            next += 0x1000
        }
        #expect(machine.allocator.available == 1)
        try machine.map(a.pid, at: 0x8000_0000, size: 0x1000, protection: .readWrite, populate: false)
        try machine.switchTo(a.pid, core: 0)
        let touch = try machine.access(0x8000_0000, kind: .write, storing: 1)
        #expect(touch.physicalAddress == nil && touch.resolution == .segmentationFault)
        #expect(machine.allocator.available == 1, "nothing was half done")
        #expect(try machine.access(0x40_0000, kind: .read).physicalAddress != nil)
    }

    /// A fork that cannot copy every page table is refused before it changes anything.
    @Test func aForkWithoutFramesForItsTablesChangesNothing() throws {
        let machine = try makeMachine(ram: 4 << 20)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        let free = machine.allocator.available
        try machine.map(a.pid, at: 0x1000_0000, size: (free - 2) << 12, protection: .readWrite)
        let before = (machine.processes.count, machine.allocator.available)
        #expect(throws: MachineError.outOfMemory(totalFrames: 1024)) { try machine.fork(a.pid, childName: "B") }
        #expect(machine.processes.count == before.0)
        #expect(machine.allocator.available == before.1, "no frame was taken")
    }
}
