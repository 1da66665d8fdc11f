import Testing

@testable import VMMachine

/// An architecture is a value the one walker reads (issues 9 and 10 build on it).
@Suite struct ArchitectureTests {
    /// x86-64's description gives the walker exactly the layout it always used.
    @Test func x86DescriptionMatchesTheFixedLayout() {
        let x86 = Architecture.x86_64
        #expect(x86.levels == AddressLayout.levels)
        var generator = SplitMix64(seed: 7)
        for _ in 0..<1000 {
            let address = generator.next() & 0x0000_7FFF_FFFF_FFFF
            for level in 1...4 {
                #expect(x86.index(of: address, level: level) == AddressLayout.index(of: address, level: level))
                #expect(UInt64(1) << x86.shift(ofLevel: level) == AddressLayout.span(ofLevel: level))
            }
        }
        let pd = PageTableEntry(physicalAddress: 0x4020_0000, flags: PageTableEntry.present | PageTableEntry.pageSize)
        #expect(x86.isLeaf(pd.raw, level: 2) && x86.isLeaf(pd.raw, level: 3) && !x86.isLeaf(pd.raw, level: 4))
        #expect(x86.isLeaf(PageTableEntry.present, level: 1))
        #expect(x86.format.physicalAddress(0x8000_0000_1234_5067) == 0x1234_5000)
        #expect(x86.reservedBits(level: 4, largePage: false) & PageTableEntry.pageSize != 0)
    }

    /// A geometry of another shape: OSTEP's two-level homework machine (15-bit
    /// addresses, 32-byte pages, 5 + 5 index bits, one-byte entries with bit 7
    /// valid and bits 6:0 the frame number).
    @Test func aTextbookGeometryIsJustAnotherValue() {
        let ostep = Architecture(
            name: "ostep", pageShift: 5, indexBitsPerLevel: [5, 5], entryBytes: 1,
            format: EntryFormat(valid: 0x80, frameMask: 0x7F, frameLeftShift: 5))
        // OSTEP's worked example: virtual address 0x611c is PDE index 24, PTE index 8, offset 28.
        #expect(ostep.levels == 2)
        #expect(ostep.index(of: 0x611C, level: 2) == 0x18)
        #expect(ostep.index(of: 0x611C, level: 1) == 0x08)
        #expect(0x611C & ((1 << ostep.shift(ofLevel: 1)) - 1) == 28)
        // PDE 0xa1: valid, page-table page 0x21 at physical 0x420; 0x21 would be invalid.
        #expect(ostep.format.isValid(0xA1) && !ostep.format.isValid(0x21))
        #expect(ostep.format.physicalAddress(0xA1) == 0x21 << 5)
        // A format without rights bits allows everything and is never a large page.
        #expect(ostep.format.isWritable(0x80) && ostep.format.isUser(0x80) && !ostep.format.isNoExecute(0xFF))
        #expect(!ostep.isLeaf(0xFF, level: 2) && ostep.isLeaf(0x80, level: 1))
        #expect(ostep.reservedBits(level: 2, largePage: false) == 0)
    }
}

/// A walk's steps are recorded only when asked for (the access line prints
/// them); otherwise they are counted, and the walk does everything else the same.
@Suite struct WalkRecordingTests {
    @Test(arguments: [true, false])
    func aWalkThatIsNotRecordedStillCountsAndSetsItsBits(keepingWalk: Bool) throws {
        let machine = try Machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        var outcome: AccessOutcome?
        try machine.access(0x400008, kind: .write, storing: 7, core: 0, into: &outcome, keepingWalk: keepingWalk)
        let walk = try #require(outcome).walk
        #expect(walk.count == 4)
        #expect(walk.keepsSteps == keepingWalk)
        if keepingWalk { #expect(walk[3].level == 1 && walk[0].level == 4) }
        // Accessed on every level, dirty on the leaf, the value stored, one walk of four reads.
        let leaf = try #require(machine.lookup(root: process.root, 0x400000)).entryAddress
        let entry = PageTableEntry(raw: machine.memory.readWord(leaf))
        #expect(entry.isAccessed && entry.isDirty)
        #expect(machine.memory.readWord(process.root) & PageTableEntry.accessed != 0)
        #expect(outcome?.value == 7 && machine.memory.load(outcome!.physicalAddress!) == 7)
        #expect(machine.cores[0].walks == 1 && machine.cores[0].walkMemoryReads == 4)
    }
}
