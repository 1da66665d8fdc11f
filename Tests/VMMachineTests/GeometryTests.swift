import Testing

@testable import VMMachine

/// Textbook machines: a geometry checked into an architecture, and the one
/// walker, TLB and access path running it.
@Suite struct GeometryTests {
    /// CS:APP's geometry with one thing changed.
    private static func changed(_ change: (inout Geometry) -> Void) -> Geometry {
        var geometry = Geometry.csapp
        change(&geometry)
        return geometry
    }

    private func machine(_ geometry: Geometry, name: String = "custom", tlb: Int = 16) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = try geometry.architecture(named: name)
        configuration.tlbEntries = tlb
        return try Machine(configuration)
    }

    /// Each way a geometry can fail to add up is refused with the numbers
    /// that do not (GeometryMessageTests checks how they read).
    @Test(arguments: [
        (Self.changed { $0.indexBits = [5, 4] }, GeometryError.indexBitsSum([5, 4], offsetBits: 6, virtualBits: 14)),
        (Self.changed { $0.pageSize = 48 }, .pageNotPowerOfTwo(48)),
        (Self.changed { $0.pageSize = 8 }, .pageTooSmall(8)),
        (Self.changed { $0.pageSize = 1 << 14 }, .noPageNumberBits(pageSize: 1 << 14, offsetBits: 14, addressBits: 14, physical: false)),
        (Self.changed { $0.levels = 3 }, .unevenSplit(virtualBits: 14, pageSize: 64, vpnBits: 8, levels: 3)),
        (Self.changed { $0.entryBytes = 3 }, .entrySize(3)),
        (Self.changed { $0.frame = (4, 0) }, .frameTooNarrow(high: 4, low: 0, physicalBits: 12, pageSize: 64, frameBits: 6)),
        (Self.changed { $0.frame = (9, 0) }, .frameNotInEntry(high: 9, low: 0, entryBytes: 1)),
        (Self.changed { $0.valid = 3 }, .bitOverlaps("valid", bit: 3, frameHigh: 5, frameLow: 0)),
        (Self.changed { $0.dirty = 8 }, .bitOutsideEntry("dirty", bit: 8, entryBytes: 1)),
        (Self.changed { $0.physicalBits = 40 }, .physicalBits(40, maximum: 32)),
    ])
    func geometriesThatDoNotAddUpAreRefused(geometry: Geometry, error: GeometryError) {
        #expect(throws: error) { try geometry.architecture(named: "custom") }
    }

    @Test func thePresetsHaveTheBooksNumbers() throws {
        let csapp = try Geometry.csapp.architecture(named: "csapp")
        #expect(csapp.virtualBits == 14 && csapp.physicalBits == 12 && csapp.pageSize == 64 && csapp.levels == 1)
        #expect(csapp.indexBits(ofLevel: 1) == 8 && csapp.accessBytes == 1 && csapp.entryBytes == 1)
        let ostep = try Geometry.ostep.architecture(named: "ostep")
        #expect(ostep.virtualBits == 15 && ostep.pageSize == 32 && ostep.levels == 2)
        #expect(ostep.indexBits(ofLevel: 2) == 5 && ostep.indexBits(ofLevel: 1) == 5 && ostep.baseRegister == "PDBR")
        // OSTEP's worked example: 0x611c is PDE index 24, PTE index 8; PDE 0xa1 names frame 0x21.
        #expect(ostep.index(of: 0x611C, level: 2) == 24 && ostep.index(of: 0x611C, level: 1) == 8)
        #expect(ostep.format.physicalAddress(0xA1) == 0x21 << 5)
        #expect(ostep.rootAddress(fromRegister: 108) == 108 * 32)
    }

    /// A two-level walk on OSTEP's machine, a byte loaded, a fault at each level.
    @Test func aWalkOnOSTEPsMachineReadsOneByteEntries() throws {
        let machine = try self.machine(.ostep, name: "ostep")
        try machine.hardware.setBaseRegister(108, core: 0)
        try machine.hardware.poke(108 * 32 + 24, 0xA1, bytes: 1)  // PDE 24: valid, table in frame 0x21
        try machine.hardware.poke(0x21 * 32 + 8, 0xB5, bytes: 1)  // PTE 8: valid, frame 0x35
        try machine.hardware.poke(0x35 * 32 + 28, 0x08, bytes: 1)
        try machine.hardware.poke(0x35 * 32 + 29, 0xFF, bytes: 1)  // the next byte must not be read
        let outcome = try machine.access(0x611C, kind: .read)
        #expect(outcome.physicalAddress == 0x35 * 32 + 28 && outcome.value == 0x08)
        #expect(outcome.walk.count == 2 && outcome.walk[0].entry == 0xA1 && outcome.walk[1].entry == 0xB5)
        // A write stores one byte and leaves its neighbours; a wider value is refused.
        _ = try machine.access(0x611C, kind: .write, storing: 0x34)
        #expect(try machine.hardware.peek(0x35 * 32 + 28, bytes: 2) == 0xFF34)
        #expect(throws: MachineError.fieldTooWide(name: "the value", value: 0x1234, bits: 8)) {
            try machine.access(0x611C, kind: .write, storing: 0x1234)
        }
        let noTable = try machine.access(0x0000, kind: .read)
        #expect(noTable.fault?.kind == .notPresent && noTable.fault?.level == 2 && noTable.resolution == nil)
        let noPage = try machine.access(0x611C + 32, kind: .read)
        #expect(noPage.fault?.kind == .notPresent && noPage.fault?.level == 1)
        #expect(throws: MachineError.addressTooWide(address: 0x8000, bits: 15, what: "virtual")) {
            try machine.access(0x8000, kind: .read)
        }
    }

    /// The accessed and dirty bits of a custom format are set in one-byte
    /// entries without touching the bytes around them.
    @Test func accessedAndDirtyBitsLandInTheirByte() throws {
        var geometry = Geometry.csapp
        geometry.accessed = 6
        geometry.dirty = 5
        geometry.frame = (4, 0)
        geometry.physicalBits = 11
        let machine = try self.machine(geometry)
        try machine.hardware.setBaseRegister(0x1C, core: 0)
        let table: UInt64 = 0x1C * 64
        try machine.hardware.poke(table + 3, 0x80 | 0x07, bytes: 1)
        try machine.hardware.poke(table + 4, 0x55, bytes: 1)
        _ = try machine.access(3 << 6 | 5, kind: .read)
        #expect(try machine.hardware.peek(table + 3, bytes: 1) == 0xC7)
        _ = try machine.access(3 << 6 | 5, kind: .write, storing: 1)
        #expect(try machine.hardware.peek(table + 3, bytes: 1) == 0xE7 && machine.hardware.peek(table + 4, bytes: 1) == 0x55)
    }

    /// A TLB entry typed in hits with the book's tag and set; an invalid one never does.
    @Test func handSetTLBEntriesHit() throws {
        let machine = try self.machine(.csapp, name: "csapp")
        // A base register that is not 0: its bits are a frame number, not x86's PCID.
        try machine.hardware.setBaseRegister(0x3C, core: 0)
        try machine.hardware.setTLBEntry(core: 0, set: 3, way: 1, tag: 0x03, ppn: 0x0D, valid: true)
        try machine.hardware.setTLBEntry(core: 0, set: 0, way: 0, tag: 0x00, ppn: 0x28, valid: false)
        let hit = try machine.access(0x03D4, kind: .read)
        #expect(hit.tlbHit && hit.physicalAddress == 0x354 && hit.walk.count == 0)
        let miss = try machine.access(0x0020, kind: .read)
        #expect(!miss.tlbHit && miss.fault?.kind == .notPresent)
        #expect(throws: MachineError.noSuchTLBSlot(set: 4, way: 0, sets: 4, ways: 4)) {
            try machine.hardware.setTLBEntry(core: 0, set: 4, way: 0, tag: 0, ppn: 0, valid: true)
        }
        #expect(throws: MachineError.fieldTooWide(name: "tag", value: 0x40, bits: 6)) {
            try machine.hardware.setTLBEntry(core: 0, set: 0, way: 0, tag: 0x40, ppn: 0, valid: true)
        }
        // Loading the base register flushes the TLB, as a CR3 write does.
        #expect(try machine.hardware.setBaseRegister(0x3D, core: 0) == 1)
        #expect(try !machine.access(0x03D4, kind: .read).tlbHit)
    }

    /// x86-64 keeps its CR3 for its kernel, and its geometry as it was.
    @Test func x86RefusesHandSetRegisters() throws {
        let machine = try Machine()
        #expect(throws: MachineError.needsKernel(architecture: "x86_64", what: "setting CR3 by hand")) {
            try machine.hardware.setBaseRegister(1, core: 0)
        }
        #expect(machine.architecture == .x86_64 && machine.framesTotal == (64 << 20) / 4096)
    }
}
