import Testing

@testable import VMMachine

@Suite struct PageTableEntryTests {
    @Test func bitPositionsFollowTheSDM() {
        #expect(PageTableEntry.present == 1)
        #expect(PageTableEntry.writable == 2)
        #expect(PageTableEntry.user == 4)
        #expect(PageTableEntry.accessed == 0x20)
        #expect(PageTableEntry.dirty == 0x40)
        #expect(PageTableEntry.pageSize == 0x80)
        #expect(PageTableEntry.global == 0x100)
        #expect(PageTableEntry.noExecute == 1 << 63)
    }

    @Test func encodesAndDecodesTheFrameAddress() {
        let entry = PageTableEntry(physicalAddress: 0x1234_5000, flags: PageTableEntry.present | PageTableEntry.user)
        #expect(entry.raw == 0x1234_5005)
        #expect(entry.physicalAddress == 0x1234_5000)
        #expect(entry.isPresent && entry.isUser && !entry.isWritable)
        #expect(entry.flagNames == ["P", "US"])
    }

    @Test func addressBitsAreMaskedTo52Bits() {
        let entry = PageTableEntry(physicalAddress: 0xFFFF_FFFF_FFFF_FFFF, flags: 0)
        #expect(entry.raw == 0x000F_FFFF_FFFF_F000)
    }

    @Test func protectionSpellingsMapToLeafBits() {
        #expect(Protection(spelling: "r")?.userLeafFlags == PageTableEntry.present | PageTableEntry.user | PageTableEntry.noExecute)
        #expect(Protection(spelling: "rwx")?.userLeafFlags == PageTableEntry.present | PageTableEntry.user | PageTableEntry.writable)
        #expect(Protection(spelling: "wx") == nil)
        #expect(Protection.readExecute.spelling == "rx")
    }
}

@Suite struct AddressLayoutTests {
    @Test func indicesAtEachLevel() {
        // 0x400000 = PD index 2 in the first PDPT entry of the first PML4 entry.
        #expect(AddressLayout.index(of: 0x40_0000, level: 4) == 0)
        #expect(AddressLayout.index(of: 0x40_0000, level: 2) == 2)
        #expect(AddressLayout.index(of: 0x40_1000, level: 1) == 1)
        #expect(AddressLayout.index(of: AddressLayout.directMapBase, level: 4) == 273)
        #expect(AddressLayout.index(of: AddressLayout.kernelTextBase, level: 4) == 511)
        #expect(AddressLayout.index(of: AddressLayout.kernelTextBase, level: 3) == 510)
    }

    @Test func canonicalAddresses() {
        #expect(AddressLayout.isCanonical(0x0000_7FFF_FFFF_FFFF))
        #expect(!AddressLayout.isCanonical(0x0000_8000_0000_0000))
        #expect(AddressLayout.isCanonical(0xFFFF_8000_0000_0000))
        #expect(!AddressLayout.isCanonical(0xFFFE_8000_0000_0000))
    }
}

@Suite struct PhysicalMemoryTests {
    @Test func untouchedFramesReadZeroAndCostNothing() {
        var memory = PhysicalMemory(frameCount: 1 << 28)  // 1 TiB of frames
        #expect(memory.readWord(0x0FFF_FFFF_F000) == 0)
        memory.writeWord(0x1000_0000_0000, 5)  // past the end of RAM: nothing is there
        #expect(memory.readWord(0x1000_0000_0000) == 0)
        memory.writeWord(0x5000, 0)  // writing zero to an untouched frame keeps it untouched
        #expect(memory.touchedFrames == 0)
        memory.writeWord(0x5008, 7)
        #expect(memory.touchedFrames == 1)
        #expect(memory.readWord(0x5008) == 7)
    }

    @Test func unalignedLoadsAndStoresSpanTwoWords() {
        var memory = PhysicalMemory(frameCount: 16)
        memory.store(0x1003, 0x1122_3344_5566_7788)
        #expect(memory.load(0x1003) == 0x1122_3344_5566_7788)
        #expect(memory.readWord(0x1000) == 0x4455_6677_8800_0000)
        #expect(memory.readWord(0x1008) == 0x11_2233)
    }

    @Test func aSparseFrameBecomesDenseWithItsWordsAndAReusedFrameStartsEmpty() {
        var memory = PhysicalMemory(frameCount: 16)
        for word in UInt64(0)..<4 { memory.writeWord(0x3000 | word << 3, word + 10) }
        memory.writeWord(0x3000, 99)  // rewriting a sparse word keeps it sparse
        memory.writeWord(0x3FF8, 7)  // the fifth word: dense now
        #expect(memory.readWord(0x3000) == 99)
        #expect(memory.readWord(0x3018) == 13)
        #expect(memory.readWord(0x3FF8) == 7)
        #expect(memory.readWord(0x3020) == 0)
        memory.discard(frame: 3)
        memory.writeWord(0x5008, 1)  // takes the freed slot: sparse again, nothing left over
        #expect(memory.readWord(0x5000) == 0 && memory.readWord(0x5018) == 0 && memory.readWord(0x5FF8) == 0)
        for word in UInt64(0)..<6 { memory.writeWord(0x6000 | word << 3, 1) }  // reuses the dense frame: zeroed
        #expect(memory.readWord(0x6FF8) == 0 && memory.readWord(0x6028) == 1)
        #expect(memory.touchedFrames == 2)
    }

    @Test func discardedFramesReadZeroAndReuseStorage() {
        var memory = PhysicalMemory(frameCount: 16)
        memory.writeWord(0x2000, 9)
        memory.discard(frame: 2)
        #expect(memory.readWord(0x2000) == 0)
        #expect(memory.touchedFrames == 0)
        memory.writeWord(0x3000, 1)
        #expect(memory.readWord(0x3000) == 1)
        #expect(memory.readWord(0x3008) == 0)
    }

    /// A frame holds up to four words sparsely, then becomes dense: a frame
    /// in a slab of 256. Frames on both sides of slab boundaries keep every
    /// word written, before and after the switch, and a copy of the memory is
    /// a copy (value semantics).
    @Test func contentsSurviveAcrossSlabsAndCopiesAreIndependent() {
        var memory = PhysicalMemory(frameCount: 4096)
        for frame in UInt64(0)..<1000 {
            memory.writeWord(frame << 12, frame + 1)
            memory.writeWord(frame << 12 | 0xFF8, ~frame)
            // Even frames get four more words: six in all, dense; odd ones stay sparse.
            if frame % 2 == 0 { for word in UInt64(100)..<104 { memory.writeWord(frame << 12 | word << 3, word) } }
        }
        for frame in stride(from: UInt64(0), to: 1000, by: 2) {
            #expect(memory.readWord(frame << 12 | 101 << 3) == 101)
        }
        #expect(memory.touchedFrames == 1000)
        var copy = memory
        copy.writeWord(255 << 12, 77)
        for frame in UInt64(0)..<1000 {
            #expect(memory.readWord(frame << 12) == frame + 1)
            #expect(memory.readWord(frame << 12 | 0xFF8) == ~frame)
            #expect(memory.readWord(frame << 12 | 0x800) == 0)
        }
        #expect(copy.readWord(255 << 12) == 77)
        #expect(memory.readWord(255 << 12) == 256)
    }
}

@Suite struct FrameAllocatorTests {
    @Test func ascendingThenLastFreedFirst() {
        var allocator = FrameAllocator(firstFrame: 10, frameCount: 14)
        #expect(allocator.allocate() == 10)
        #expect(allocator.allocate() == 11)
        #expect(allocator.allocate() == 12)
        allocator.free(11)
        allocator.free(10)
        #expect(allocator.allocate() == 10)
        #expect(allocator.allocate() == 11)
        #expect(allocator.allocate() == 13)
        #expect(allocator.allocate() == nil)
        #expect(allocator.used == 4)
        #expect(allocator.available == 0)
    }
}
