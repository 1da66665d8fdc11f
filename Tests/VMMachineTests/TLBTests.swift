import Testing

@testable import VMMachine

@Suite struct TLBTests {
    func entry(_ virtualAddress: UInt64, global: Bool = false, shift: UInt8 = 12) -> TLBEntry {
        var entry = TLBEntry()
        entry.virtualPage = virtualAddress >> UInt64(shift)
        entry.pageShift = shift
        entry.frameBase = 0x9000
        entry.global = global
        return entry
    }

    @Test func geometryIsChecked() {
        #expect(throws: TLB.ConfigurationError.notDivisible(entries: 10, ways: 4)) { try TLB(entries: 10, ways: 4) }
        #expect(throws: TLB.ConfigurationError.setsNotPowerOfTwo(sets: 3)) { try TLB(entries: 12, ways: 4) }
        #expect(throws: TLB.ConfigurationError.outOfRange(entries: 0)) { try TLB(entries: 0, ways: 1) }
        #expect((try? TLB(entries: 64, ways: 4))?.sets == 16)
    }

    @Test func evictsTheLeastRecentlyUsedWayOfASet() throws {
        var tlb = try TLB(entries: 4, ways: 2)  // 2 sets: pages 0, 2, 4 share set 0
        tlb.insert(entry(0x0000))
        tlb.insert(entry(0x2000))
        #expect(tlb.lookup(0x0000) != nil)  // page 0 is now more recent than page 2
        tlb.insert(entry(0x4000))
        #expect(tlb.lookup(0x2000) == nil)
        #expect(tlb.lookup(0x0000) != nil)
        #expect(tlb.lookup(0x4000) != nil)
    }

    @Test func flushKeepsGlobalEntries() throws {
        var tlb = try TLB(entries: 8, ways: 2)
        tlb.insert(entry(0x1000))
        tlb.insert(entry(0xFFFF_8880_0000_0000, global: true, shift: 21))
        #expect(tlb.flushNonGlobal() == 1)
        #expect(tlb.lookup(0x1000) == nil)
        #expect(tlb.lookup(0xFFFF_8880_0012_3456) != nil)
        #expect(tlb.flushAll() == 1)
        #expect(tlb.validCount == 0)
    }

    @Test func invalidateDropsOnlyThatPage() throws {
        var tlb = try TLB(entries: 8, ways: 2)
        tlb.insert(entry(0x1000))
        tlb.insert(entry(0x2000))
        #expect(tlb.invalidate(0x1234) == 1)
        #expect(tlb.lookup(0x1000) == nil)
        #expect(tlb.lookup(0x2000) != nil)
    }

    @Test func invalidationsCountNoHitAndAgeNoEntry() throws {
        var tlb = try TLB(entries: 8, ways: 2)
        tlb.insert(entry(0x1000))
        tlb.insert(entry(0x3000, global: true))
        _ = tlb.lookup(0x1000)
        #expect(tlb.hits == 1)
        // INVLPG and its relatives look entries up without using them.
        #expect(tlb.invalidate(0x1000) == 1)
        #expect(tlb.invalidate(0x1000) == 0)
        #expect(tlb.invalidateNonGlobal(0x3000, tag: 0) == 0)
        #expect(tlb.invalidate(0x3000) == 1)
        #expect(tlb.hits == 1, "invalidation is not a hit")
    }
}
