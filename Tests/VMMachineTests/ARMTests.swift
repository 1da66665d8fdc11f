import Testing

@testable import VMMachine

/// AArch64 through the one walker, TLB and kernel model: descriptors bit by
/// bit, TTBR0 and TTBR1, hardware dirty state, faults, ASIDs and broadcast
/// TLB maintenance.
@Suite struct ARMTests {
    private func machine(cores: Int = 1, asids: Bool = false) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = .aarch64
        configuration.cores = cores
        configuration.addressSpaceIDs = asids
        configuration.smep = true
        configuration.smap = true
        return try Machine(configuration)
    }

    /// pgtable-hwdef.h's bits: 1:0 kind, AP[1] 6, AP[2] 7, SH 9:8, AF 10, nG 11, DBM 51, PXN 53, UXN 54.
    @Test func descriptorsBitByBit() {
        let arm = Architecture.aarch64
        // A clean writable user page at L3: page (0b11), EL0, read-only until written, DBM, nG, PXN and UXN.
        let clean = arm.encodeEntry(.leaf(at: 0x5000, writable: true, user: true, executable: false), level: 1)
        #expect(clean == 0x5000 | 0b11 | 1 << 6 | 1 << 7 | 3 << 8 | 1 << 11 | 1 << 51 | 1 << 53 | 1 << 54)
        // Dirty: AP[2] clear. Accessed: AF.
        let dirty = arm.encodeEntry(
            .leaf(at: 0x5000, writable: true, user: true, executable: true, accessed: true, dirty: true), level: 1)
        #expect(dirty & (1 << 7) == 0 && dirty & (1 << 10) != 0 && dirty & (1 << 54) == 0)
        // Read-only but dirty keeps Linux's software PTE_DIRTY (bit 55).
        let readOnlyDirty = arm.encodeEntry(
            .leaf(at: 0x5000, writable: false, user: true, executable: true, dirty: true), level: 1)
        #expect(readOnlyDirty & (1 << 55) != 0 && readOnlyDirty & (1 << 51) == 0)
        // The same leaf in L2 is a block (0b01); a global kernel block has nG clear and UXN set.
        let block = arm.encodeEntry(
            .leaf(at: 0x20_0000, writable: true, user: false, executable: false, global: true), level: 2)
        #expect(block & 3 == 0b01 && block & (1 << 11) == 0 && block & (1 << 54) != 0 && block & (1 << 53) != 0)
        // Tables: 0b11, PXNTable below a user table, UXNTable below a kernel one.
        #expect(arm.encodeEntry(.table(at: 0x7000, user: true), level: 2) == 0x7000 | 0b11 | 1 << 59)
        #expect(arm.encodeEntry(.table(at: 0x7000, user: false), level: 2) == 0x7000 | 0b11 | 1 << 60)
        // The same bits 1:0 decode by level: a table in L2, a page in L3.
        #expect(!arm.decodeEntry(0x7000 | 0b11 | 1 << 59, level: 2).leaf)
        #expect(arm.decodeEntry(0x7000 | 0b11 | 1 << 59, level: 1).leaf)
        for (raw, level) in [(clean, 1), (dirty, 1), (readOnlyDirty, 1), (block, 2)] {
            #expect(arm.encodeEntry(arm.decodeEntry(raw, level: level), level: level) == raw)
        }
        #expect(
            ARM.syndrome(fetch: false, write: true, fromUser: true, permission: true, lookupLevel: 3) == 0x9200_004F)
        #expect(
            ARM.syndrome(fetch: true, write: false, fromUser: false, permission: false, lookupLevel: 1) == 0x8600_0005)
    }

    /// TTBR0 translates the lower half, TTBR1 the upper; a process's table
    /// holds no kernel entry, and a system call writes no base register.
    @Test func twoBaseRegisters() throws {
        let machine = try self.machine(asids: true)
        let process = try machine.spawn(name: "A")
        #expect(machine.presentEntries(ofTable: process.root, level: machine.architecture.levels).isEmpty)
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        // TCR_EL1.A1 = 1, as Linux sets it: the ASID is in TTBR1, which the switch rewrote; TTBR0 holds the table alone.
        #expect(machine.cores[0].base == process.root && machine.cores[0].ttbr1 == machine.kernelRoot | 1 << 48)
        #expect(machine.cores[0].tag == 1)
        let user = try machine.access(0x40_0000, kind: .read)
        #expect(user.walk.count == 4 && user.walk[0].entryAddress == process.root)
        let writes = machine.cores[0].baseWrites
        _ = try machine.enterKernel(core: 0)
        let kernel = try machine.access(Architecture.aarch64.directMapBase + 0x1000, kind: .read)
        #expect(kernel.fault == nil && kernel.walk[0].entryAddress == machine.kernelRoot && kernel.pageSize == 2 << 20)
        _ = try machine.exitKernel(core: 0)
        #expect(machine.cores[0].baseWrites == writes)
        // Bits 63:48 neither all 0 nor all 1: a translation fault the kernel sees.
        let wild = try machine.access(0x0001_0000_0000_0000, kind: .read)
        #expect(wild.fault?.kind == .nonCanonical && wild.resolution == .segmentationFault)
    }

    /// With DBM the MMU marks a page dirty by clearing AP[2]; AF is set in the leaf only.
    @Test func hardwareDirtyState() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        _ = try machine.access(0x40_0000, kind: .read)
        let leaf = try machine.entry(root: process.root, 0x40_0000, level: 1)
        #expect(leaf & ARM.accessFlag != 0 && leaf & ARM.readOnly != 0)
        #expect(try machine.entry(root: process.root, 0x40_0000, level: 2) & ARM.accessFlag == 0)
        _ = try machine.access(0x40_0000, kind: .write, storing: 9)  // a TLB hit through a clean entry
        #expect(try machine.entry(root: process.root, 0x40_0000, level: 1) & ARM.readOnly == 0)
        #expect(machine.lookup(root: process.root, 0x40_0000)?.entry.dirty == true)
        // A read-only page has no DBM: a write is a permission fault.
        try machine.map(process.pid, at: 0x50_0000, size: 0x1000, protection: .readOnly)
        #expect(try machine.access(0x50_0000, kind: .write, storing: 1).fault?.kind == .protection)
    }

    /// A block in L0 and a 0b01 descriptor in L3 are translation faults.
    @Test func reservedDescriptorsFault() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let leaf = try #require(machine.lookup(root: process.root, 0x40_0000)).entryAddress
        let page = machine.hardware.rawTableEntry(at: leaf)
        try machine.hardware.poke(leaf, page & ~ARM.tableOrPage)
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .reservedBit)
        try machine.hardware.poke(leaf, page)
        let top = machine.hardware.rawTableEntry(at: process.root)
        try machine.hardware.poke(process.root, top & ~ARM.tableOrPage)
        #expect(try machine.access(0x40_0000, kind: .read).fault.map { ($0.kind, $0.level) } ?? (.protection, 0) == (.reservedBit, 4))
        try machine.hardware.poke(process.root, top)
        #expect(try machine.access(0x40_0000, kind: .read).fault == nil)
    }

    /// Without ASIDs a switch drops the non-global entries and keeps the
    /// kernel's (tlbi aside1, ASID 0); with them it drops nothing.
    @Test func switchesAndASIDs() throws {
        for asids in [false, true] {
            let machine = try self.machine(asids: asids)
            let a = try machine.spawn(name: "A")
            let b = try machine.spawn(name: "B")
            try machine.map(a.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
            _ = try machine.switchTo(a.pid, core: 0)
            _ = try machine.access(0x40_0000, kind: .read)
            _ = try machine.enterKernel(core: 0)
            _ = try machine.exitKernel(core: 0)
            let switched = try machine.switchTo(b.pid, core: 0)
            #expect(switched.writes.count == 1 && switched.entriesKept == (asids ? 2 : 1))
        }
    }

    /// Unmapping a page reaches every core by broadcast: no IPI, no stale entry.
    @Test func broadcastInvalidation() throws {
        let machine = try self.machine(cores: 2, asids: true)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        for core in 0..<2 {
            _ = try machine.switchTo(process.pid, core: core)
            _ = try machine.access(0x40_0000, kind: .read, core: core)
        }
        let outcome = try machine.unmap(process.pid, at: 0x40_0000, size: 0x1000, from: 0)
        #expect(outcome.shootdown.interruptedCores.isEmpty && outcome.shootdown.broadcastCores == [1])
        #expect(outcome.shootdown.entriesInvalidated == 2 && machine.interProcessorInterrupts == 0)
        #expect(machine.broadcastInvalidations == 1 && machine.cores[1].interruptsReceived == 0)
        #expect(try machine.access(0x40_0000, kind: .read, core: 1).resolution == .segmentationFault)
    }

    /// TLBI's four operations, locally and broadcast.
    @Test func tlbiOperations() throws {
        let machine = try self.machine(cores: 2, asids: true)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        for core in 0..<2 {
            _ = try machine.switchTo(process.pid, core: core)
            _ = try machine.access(0x40_0000, kind: .read, core: core)
            _ = try machine.access(0x40_1000, kind: .read, core: core)
        }
        _ = try machine.enterKernel(core: 0)
        #expect(try machine.invalidateTLB(.vae1, broadcast: false, address: 0x40_0000, asid: 1, core: 0) == .done(dropped: 1))
        #expect(try machine.invalidateTLB(.vae1, broadcast: true, address: 0x40_1000, asid: 1, core: 0) == .done(dropped: 2))
        #expect(try machine.invalidateTLB(.vaae1, broadcast: true, address: 0x40_0000, asid: 0, core: 0) == .done(dropped: 1))
        #expect(try machine.invalidateTLB(.vmalle1, broadcast: true, address: 0, asid: 0, core: 0) == .done(dropped: 1))
        #expect(machine.cores[0].tlb.validCount == 0 && machine.cores[1].tlb.validCount == 0)
        _ = try machine.exitKernel(core: 0)
        #expect(try machine.invalidateTLB(.aside1, broadcast: false, address: 0, asid: 1, core: 0) == .generalProtection)
    }
}
