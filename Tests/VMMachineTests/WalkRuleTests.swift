import Testing

@testable import VMMachine

/// The rules a hardware walk applies across the levels of a walk, each on
/// every architecture that has it (issue 24: a mutation of each survived).
@Suite struct WalkRuleTests {
    /// A machine of `architecture` with one process, A, running on core 0 in
    /// user mode, with one page of `protection` mapped at `address`.
    private func running(
        _ architecture: Architecture, protection: Protection = .readWriteExecute, address: UInt64 = 0x40_0000,
        pageSize: UInt64 = 0x1000, ram: UInt64 = 64 << 20
    ) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = architecture
        configuration.ramBytes = ram
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: address, size: pageSize, protection: protection, pageSize: pageSize)
        try machine.switchTo(process.pid, core: 0)
        return machine
    }

    /// The entries a walk of `address` on core 0 reads, root level first.
    private func walk(_ machine: Machine, _ address: UInt64) throws -> [WalkStep] {
        try machine.hardware.explain(address, core: 0).steps
    }

    /// Rewrites the entry a walk read at `step`, then flushes core 0's TLB so
    /// the next access walks again.
    private func rewrite(_ machine: Machine, _ step: WalkStep, _ change: (UInt64) -> UInt64) throws {
        try machine.hardware.poke(step.entryAddress, change(step.entry), bytes: machine.architecture.entryBytes)
        try flush(machine)
    }

    /// Flushes core 0's TLB from kernel mode (a flush is privileged) and returns to user mode.
    private func flush(_ machine: Machine) throws {
        _ = try machine.enterKernel(core: 0)
        _ = try machine.flushTLB(core: 0)
        _ = try machine.exitKernel(core: 0)
        #expect(machine.cores[0].tlb.validCount == 0 && machine.cores[0].mode == .user)
    }

    /// The x86 family: the SDM (vol. 3A §4.6.1) ANDs R/W over every paging
    /// structure the walk uses, so a read-only upper entry protects its
    /// whole subtree although the PTE is writable. (PAE's PDPTEs have no R/W.)
    @Test(arguments: [Architecture.x86_64, .x86_64_la57, .i386, .i386PAE])
    func aReadOnlyUpperLevelForbidsWrites(architecture: Architecture) throws {
        let upper = architecture.rootInRegisters ? 1 : 0  // the first entry that has R/W
        let levels = try walk(running(architecture), 0x40_0000).count
        for position in upper..<(levels - 1) {
            let machine = try running(architecture)
            let steps = try walk(machine, 0x40_0000)
            try rewrite(machine, steps[position]) { $0 & ~PageTableEntry.writable }
            let write = try machine.access(0x40_0000, kind: .write, storing: 1)
            #expect(write.fault?.kind == .protection, "\(architecture.name): a read-only \(steps[position].level) entry")
            #expect(try machine.access(0x40_0000, kind: .read).fault == nil, "reads still pass")
        }
    }

    /// NX is ORed over the levels (SDM vol. 3A §4.6.1): an upper entry with
    /// XD set forbids fetches from every page below it. i386 without PAE has no NX.
    @Test(arguments: [Architecture.x86_64, .x86_64_la57, .i386PAE])
    func noExecuteAtAnUpperLevelForbidsFetches(architecture: Architecture) throws {
        let upper = architecture.rootInRegisters ? 1 : 0
        let levels = try walk(running(architecture), 0x40_0000).count
        for position in upper..<(levels - 1) {
            let machine = try running(architecture)
            let steps = try walk(machine, 0x40_0000)
            try rewrite(machine, steps[position]) { $0 | PageTableEntry.noExecute }
            #expect(try machine.access(0x40_0000, kind: .execute).fault?.kind == .protection, "\(architecture.name) level \(steps[position].level)")
            #expect(try machine.access(0x40_0000, kind: .read).fault == nil)
        }
    }

    /// AArch64's table descriptors limit what is below them (Arm ARM D8.4.2):
    /// APTable[1] makes the subtree read-only, UXNTable forbids EL0 fetches.
    @Test func armTableDescriptorsLimitTheirSubtree() throws {
        for (limit, kind) in [(ARM.apTableReadOnly, AccessKind.write), (ARM.uxnTable, .execute)] {
            let probe = try walk(running(.aarch64), 0x40_0000)
            for position in 0..<(probe.count - 1) {
                let machine = try running(.aarch64)
                let steps = try walk(machine, 0x40_0000)
                try rewrite(machine, steps[position]) { $0 | limit }
                #expect(try machine.access(0x40_0000, kind: kind, storing: 1).fault?.kind == .protection, "L\(4 - steps[position].level)")
                #expect(try machine.access(0x40_0000, kind: .read).fault == nil)
            }
        }
    }

    /// EL0 runs code from an rx page although Linux's user tables carry
    /// PXNTable: PXN limits EL1, not EL0 (Arm ARM D8.4.2), and only UXNTable
    /// stops user fetches.
    @Test func armUserCodeRunsUnderPXNTable() throws {
        let machine = try running(.aarch64, protection: .readExecute)
        let steps = try walk(machine, 0x40_0000)
        #expect(steps.dropLast().allSatisfy { $0.entry & ARM.pxnTable != 0 }, "Linux sets PXNTable on user tables")
        #expect(try machine.access(0x40_0000, kind: .execute).fault == nil)
    }

    /// A large page's entry has reserved bits a table entry has not: bits
    /// 20:13 of a 2 MiB PDE and 29:13 of a 1 GiB PDPTE are address bits in a
    /// table entry but reserved in a leaf (SDM vol. 3A §4.5, tables 4-17 and
    /// 4-15); PAE's 2 MiB PDE likewise (table 4-10); and i386's 4 MiB PDE
    /// bits 21:13 (table 4-4, with PSE-36 and a 32-bit physical width).
    @Test(arguments: [
        (Architecture.x86_64, UInt64(2) << 20, 13), (.x86_64, 1 << 30, 20), (.x86_64_la57, 2 << 20, 16),
        (.i386PAE, 2 << 20, 13), (.i386, 4 << 20, 17),
    ])
    func aLargePagesReservedBitsFault(architecture: Architecture, pageSize: UInt64, bit: Int) throws {
        let machine = try running(architecture, address: pageSize, pageSize: pageSize, ram: max(64 << 20, 2 * pageSize))
        let steps = try walk(machine, pageSize)
        #expect(steps.last?.level == architecture.leafLevel(forPageSize: pageSize), "the walk ends at the large page")
        try rewrite(machine, steps[steps.count - 1]) { $0 | 1 << UInt64(bit) }
        let read = try machine.access(pageSize, kind: .read)
        #expect(read.fault?.kind == .reservedBit, "\(architecture.name): bit \(bit) of a \(pageSize >> 20) MiB leaf")
        #expect(read.fault.map { $0.errorCode & 0b1001 } == 0b1001, "P and RSVD in the error code")
    }

    /// A write walk marks the leaf dirty and no table entry above it: the
    /// SDM (§4.8) sets D only in the entry that maps the page; RISC-V's
    /// non-leaf D is reserved (privileged spec §12.4.1); ARM's tables have none.
    @Test(arguments: [
        Architecture.x86_64, .x86_64_la57, .i386, .i386PAE, .riscv64Sv39, .riscv64Sv48, .aarch64, .mips32,
    ])
    func aWriteDirtiesOnlyTheLeaf(architecture: Architecture) throws {
        let machine = try running(architecture, protection: .readWrite)
        _ = try machine.access(0x40_0000, kind: .read)  // every entry on the walk is now accessed
        // Linux builds x86 tables with D already set (_PAGE_TABLE is 0x67):
        // clear it so a walk that wrote D above the leaf would show.
        if architecture.format.encoding == .x86 {
            for step in try walk(machine, 0x40_0000).dropLast() {
                try rewrite(machine, step) { $0 & ~PageTableEntry.dirty }
            }
        }
        let before = try walk(machine, 0x40_0000)
        try flush(machine)
        let write = try machine.access(0x40_0000, kind: .write, storing: 7)
        #expect(!write.tlbHit && write.physicalAddress != nil, "the write missed and walked (or refilled)")
        let after = try walk(machine, 0x40_0000)
        #expect(after.dropLast().map(\.entry) == before.dropLast().map(\.entry), "\(architecture.name): table entries unchanged")
        if architecture.format.tracksDirty {
            #expect(before.last.map { architecture.format.isDirty($0.entry) } == false)
            #expect(after.last.map { architecture.format.isDirty($0.entry) } == true, "the leaf is dirty")
        }
    }
}
