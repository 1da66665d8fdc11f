import Testing

@testable import VMMachine

/// MIPS32 with an R4000-style MMU: no hardware walker, a TLB of page pairs
/// refilled by the kernel, segments, TLB Invalid and TLB Modified.
@Suite struct MIPSTests {
    private func machine(cores: Int = 1, asids: Bool = false, seed: UInt64 = 1) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = .mips32
        configuration.cores = cores
        configuration.addressSpaceIDs = asids
        configuration.replacementSeed = seed
        return try Machine(configuration)
    }

    /// The PTE: EntryLo's layout in bits 25:0 (PFN 25:6, C 5:3, D 2, V 1, G 0), software bits 31:28.
    @Test func entriesBitByBit() {
        let architecture = Architecture.mips32
        let clean = architecture.encodeEntry(
            .leaf(at: 0x20_2000, writable: true, user: true, executable: true), level: 1)
        #expect(clean == 1 << 31 | 1 << 30 | 0x202 << 6 | 3 << 3 | 1 << 1)  // present, write, PFN, C=3, V; no D yet
        let dirty = architecture.encodeEntry(
            .leaf(at: 0x20_2000, writable: true, user: true, executable: true, accessed: true, dirty: true), level: 1)
        #expect(dirty & MIPS.dirty != 0 && dirty & MIPS.softwareModified != 0 && dirty & MIPS.softwareAccessed != 0)
        #expect(dirty & MIPS.entryLoMask == 0x202 << 6 | 3 << 3 | 1 << 2 | 1 << 1)
        // A PGD entry is the table's kseg0 address.
        #expect(architecture.encodeEntry(.table(at: 0x20_3000, user: true), level: 2) == 0x8020_3000)
        for (raw, level) in [(clean, 1), (dirty, 1), (UInt64(0x8020_3000), 2)] {
            #expect(architecture.encodeEntry(architecture.decodeEntry(raw, level: level), level: level) == raw)
        }
        #expect(MIPS.unmapped(0x8000_1000) == 0x1000 && MIPS.unmapped(0xA000_1000) == 0x1000)
        #expect(MIPS.unmapped(0xC000_0000) == nil && MIPS.unmapped(0x7FFF_F000) == nil)
    }

    /// A miss is a refill exception: the handler reads the PGD entry and the
    /// pair's two PTEs, and TLBWR loads both pages into one entry.
    @Test func refillLoadsThePair() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        #expect(machine.presentEntries(ofTable: process.root, level: machine.architecture.levels).isEmpty)  // no kernel half: it is kseg0's
        try machine.map(process.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let first = try machine.access(0x40_0000, kind: .read)
        let refill = try #require(first.refill)
        #expect(first.walk.count == 3 && first.walk[0].level == 2 && first.physicalAddress != nil)
        #expect(refill.entryLo0 & MIPS.valid != 0 && refill.entryLo1 & MIPS.valid != 0)
        #expect(refill.entryHi == 0x40_0000 && (0..<48).contains(refill.slot))
        #expect(machine.cores[0].refills == 1 && machine.cores[0].walkMemoryReads == 3)
        let odd = try machine.access(0x40_1000, kind: .read)
        #expect(odd.tlbHit && odd.refill == nil && machine.cores[0].refills == 1)
        // The slot comes from the seeded Random register: the same seed, the same slot.
        let again = try self.machine()
        let twin = try again.spawn(name: "A")
        try again.map(twin.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        _ = try again.switchTo(twin.pid, core: 0)
        #expect(try again.access(0x40_0000, kind: .read).refill?.slot == refill.slot)
    }

    /// D is a permission: the first store to a clean writable page takes TLB
    /// Modified, and the kernel sets D; a read-only page's store is a fault.
    @Test func tlbModifiedMarksDirty() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        try machine.map(process.pid, at: 0x50_0000, size: 0x1000, protection: .readOnly)
        _ = try machine.switchTo(process.pid, core: 0)
        let store = try machine.access(0x40_0000, kind: .write, storing: 5)
        #expect(store.fault?.kind == .protection && store.physicalAddress != nil)
        guard case .markedDirty = store.resolution else {
            Issue.record("expected TLB Modified to mark the page dirty, got \(String(describing: store.resolution))")
            return
        }
        #expect(try machine.entry(root: process.root, 0x40_0000, level: 1) & MIPS.dirty != 0)
        #expect(try machine.access(0x40_0000, kind: .write, storing: 6).fault == nil)
        #expect(try machine.access(0x50_0000, kind: .write, storing: 1).resolution == .protectionFault)
    }

    /// An empty PGD entry refills an invalid pair; the retry raises TLB
    /// Invalid, the kernel maps the page and writes the TLB itself.
    @Test func tlbInvalidThenDemandPaging() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x80_0000, size: 0x1000, protection: .readWrite, populate: false)
        _ = try machine.switchTo(process.pid, core: 0)
        let access = try machine.access(0x80_0000, kind: .read)
        #expect(access.refill?.entryLo0 == 0 && access.fault?.kind == .notPresent)
        #expect(access.resolution.map { if case .demandZero = $0 { true } else { false } } == true)
        #expect(access.retry?.tlbHit == true && access.physicalAddress != nil)
        #expect(machine.cores[0].refills == 1)
    }

    /// kseg0 and kseg1 bypass the TLB; user code naming them takes an address error.
    @Test func segments() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        _ = try machine.switchTo(process.pid, core: 0)
        let user = try machine.access(0x8000_1000, kind: .read)
        #expect(user.fault?.kind == .addressError && user.resolution == .addressError)
        _ = try machine.enterKernel(core: 0)
        let misses = machine.cores[0].tlbMisses
        let kernel = try machine.access(0xA000_1000, kind: .read)
        #expect(kernel.unmapped && kernel.physicalAddress == 0x1000 && machine.cores[0].tlbMisses == misses)
    }

    /// Invalidating one page drops its whole pair; ASIDs keep entries across switches.
    @Test func pairsAndASIDs() throws {
        let machine = try self.machine(asids: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        try machine.map(b.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(a.pid, core: 0)
        _ = try machine.access(0x40_0000, kind: .read)
        _ = try machine.switchTo(b.pid, core: 0)
        _ = try machine.access(0x40_0000, kind: .read)
        _ = try machine.switchTo(a.pid, core: 0)
        #expect(try machine.access(0x40_1000, kind: .read).tlbHit)
        _ = try machine.unmap(a.pid, at: 0x40_0000, size: 0x1000, from: 0)
        // The odd page's half went with the even one: the next access refills.
        let after = try machine.access(0x40_1000, kind: .read)
        #expect(!after.walk.isEmpty && after.refill != nil)
    }
}

extension WalkTrace {
    var isEmpty: Bool { count == 0 }
}
