import Testing

@testable import VMMachine

/// Freed frames coalesce back into huge frames (issue 23): a buddy
/// allocator's promise, kept with the allocator's deterministic order.
@Suite struct FrameCoalescingTests {
    /// 2 MiB pages mapped and unmapped 1,000 times on an 8 MiB machine (3
    /// huge frames' worth of RAM after the kernel image), with a 4 KiB page
    /// between rounds so freed single frames and freed blocks interleave.
    /// Scrambled frames put page tables anywhere, which on 8 MiB can leave
    /// no whole 2 MiB block at all (true fragmentation): that run uses 64 MiB.
    @Test(arguments: [nil, UInt64(7)])
    func hugePagesComeBackAfterAThousandRounds(scramble: UInt64?) throws {
        var configuration = MachineConfiguration()
        configuration.ramBytes = scramble == nil ? 8 << 20 : 64 << 20
        configuration.frameOrderSeed = scramble
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        var settled: UInt64?
        for round in 0..<1000 as Range<UInt64> {
            try machine.map(a.pid, at: 0x4000_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
            try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
            try machine.unmap(a.pid, at: 0x4000_0000, size: 2 << 20)
            try machine.unmap(a.pid, at: 0x1000, size: 0x1000)
            // Page-table frames stay until exit: after the first round nothing more is held.
            if settled == nil { settled = machine.allocator.used }
            #expect(machine.allocator.used == settled, "round \(round): every page's frames came back")
        }
    }

    /// Single frames come back last freed first, and a freed huge page gives
    /// its frames highest first, as its frames freed one by one would.
    @Test func singleFramesComeBackLastFreedFirst() {
        var allocator = FrameAllocator(firstFrame: 10, frameCount: 2048)
        let a = allocator.allocate()!, b = allocator.allocate()!
        #expect((a, b) == (10, 11))
        let huge = allocator.allocateContiguous(512)!
        #expect(huge == 512, "aligned; 12..<512 skipped")
        #expect(allocator.allocate() == 12, "skipped frames go lowest first, as never-used ones would")
        allocator.free(a)
        allocator.free(huge, count: 512)
        #expect(allocator.allocate() == 1023, "the huge page freed last: its highest frame first")
        #expect(allocator.allocate() == 1022)
        allocator.free(b)
        #expect(allocator.allocate() == 11)
    }

    /// After a 1 GiB page took never-used memory past the frames its alignment
    /// skipped, a 2 MiB page still fits among those frames.
    @Test func aLargePageFitsInFramesAnAlignmentSkipped() {
        var allocator = FrameAllocator(firstFrame: 512, frameCount: 1 << 19)  // 2 GiB
        #expect(allocator.allocateContiguous(1 << 18) == 1 << 18)
        #expect(allocator.allocateContiguous(1 << 18) == nil, "no second gigabyte")
        #expect(allocator.allocateContiguous(512) == 512, "the skipped frames hold 511 aligned 2 MiB blocks")
        var count: UInt64 = 1
        while allocator.allocateContiguous(512) != nil { count += 1 }
        #expect(count == 511)
    }

    /// Single freed frames coalesce only when every frame of the block is free:
    /// one frame still in use keeps the block from becoming a huge page.
    @Test func oneFrameInUseKeepsABlockFromCoalescing() {
        var allocator = FrameAllocator(firstFrame: 0, frameCount: 1024)
        for _ in 0..<1024 { _ = allocator.allocate() }
        for frame in 512..<1024 as Range<UInt64> where frame != 700 { allocator.free(frame) }
        #expect(allocator.allocateContiguous(512) == nil, "frame 700 is still in use")
        allocator.free(700)
        #expect(allocator.allocateContiguous(512) == 512)
        #expect(allocator.allocate() == nil, "every frame is in use again")
    }

    /// Freeing and retaking huge pages forever leaves the free list bounded:
    /// the entries of ranges taken back are dropped, not kept.
    @Test func aLongLoopOfHugePagesKeepsTheFreeListSmall() {
        var allocator = FrameAllocator(firstFrame: 512, frameCount: 2048)
        for _ in 0..<20_000 {
            let block = allocator.allocateContiguous(512)!
            allocator.free(block, count: 512)
        }
        #expect(allocator.bookkeeping <= 2 * 3 + 4096 + 1, "\(allocator.bookkeeping) entries")
    }
}
