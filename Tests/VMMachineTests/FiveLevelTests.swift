import Testing

@testable import VMMachine

/// x86-64 with LA57: a PML5 above the PML4 and 57-bit addresses, read by the
/// same walker and built by the same kernel model as 4-level paging.
@Suite struct FiveLevelTests {
    private func machine() throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = .x86_64_la57
        return try Machine(configuration)
    }

    @Test func canonicalAddressesHave57Bits() {
        let la57 = Architecture.x86_64_la57
        #expect(la57.isCanonical(0x00FF_FFFF_FFFF_FFFF) && la57.isCanonical(0xFF00_0000_0000_0000))
        #expect(!la57.isCanonical(0x0100_0000_0000_0000) && !la57.isCanonical(0xFE00_0000_0000_0000))
        // What 4-level paging refuses is an ordinary user address here.
        #expect(!Architecture.x86_64.isCanonical(0x0000_8000_0000_0000) && la57.isCanonical(0x0000_8000_0000_0000))
        #expect(la57.index(of: 0x00F0_0000_0000_0000, level: 5) == 240 && la57.span(ofLevel: 5) == 1 << 48)
        // No 256 TiB pages: PS is reserved in a PML5 entry, as in a PML4 entry.
        #expect(la57.reservedBits(level: 5, largePage: false) & PageTableEntry.pageSize != 0)
    }

    @Test func aUserPageAbove128TiBWalksFiveLevels() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x00F0_0000_0000_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let outcome = try machine.access(0x00F0_0000_0000_0008, kind: .write, storing: 9)
        #expect(outcome.fault == nil && outcome.walk.count == 5)
        #expect(outcome.walk[0].level == 5 && outcome.walk[0].index == 240)
        #expect(try machine.entry(root: process.root, 0x00F0_0000_0000_0000, level: 5) & PageTableEntry.present != 0)
        let unmapped = try machine.access(0x0080_0000_0000_0000, kind: .read)
        #expect(unmapped.fault?.kind == .notPresent && unmapped.fault?.level == 5 && unmapped.resolution == .segmentationFault)
        let wide = try machine.access(0x0100_0000_0000_0000, kind: .read)
        #expect(wide.fault?.kind == .nonCanonical)
        // The kernel half sits in the PML5's upper half, the direct map at 0xff11000000000000.
        #expect(machine.presentEntries(ofTable: process.root, level: machine.architecture.levels).map(\.index) == [240, 273, 511])
        #expect(Architecture.x86_64_la57.index(of: Architecture.x86_64_la57.directMapBase, level: 5) == 273)
    }

    /// Mapping a page in an empty part of the address space needs a table at
    /// every level below the root: four with five levels.
    @Test func missingTablesCountsEveryLevel() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        #expect(machine.missingTables(root: process.root, start: 0x0040_0000_0000_0000, end: 0x0040_0000_0000_1000, leafLevel: 1) == 4)
    }
}
