import Testing

@testable import VMMachine

/// A trace read in two halves is kept as two segments (issue 11's speed);
/// a replay must not see the seam, OPT's look at the future included.
@Suite struct TraceReplayTests {
    /// Belady's reference string, one page per reference, as a trace.
    func trace(_ pages: [UInt64]) -> MemoryTrace {
        var trace = MemoryTrace()
        for page in pages { trace.append(0x40_0000 + page * 4096, .load, size: 8) }
        return trace
    }

    func replay(_ trace: MemoryTrace, policy: ReplacementPolicy) throws -> ReplaySummary {
        var configuration = MachineConfiguration()
        configuration.userFrameLimit = 3
        configuration.replacementPolicy = policy
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "trace")
        _ = try machine.switchTo(process.pid)
        machine.coverUserGaps(of: process.pid)
        return try machine.replay(trace, core: 0) { (_: Int) throws(MachineError) in }
    }

    @Test(arguments: [ReplacementPolicy.opt, .fifo, .lru])
    func aTraceInSegmentsReplaysAsOne(policy: ReplacementPolicy) throws {
        let pages: [UInt64] = [1, 2, 3, 4, 1, 2, 5, 1, 2, 3, 4, 5]
        var split = trace(Array(pages[..<5]))
        split.append(contentsOf: trace(Array(pages[5...])))
        #expect(split.segments.count == 2 && split.count == 12)
        let whole = try replay(trace(pages), policy: policy)
        #expect(try replay(split, policy: policy) == whole)
        // The textbook answers with 3 frames: OPT 7 faults, FIFO 9, LRU 10.
        let faults: [ReplacementPolicy: UInt64] = [.opt: 7, .fifo: 9, .lru: 10]
        #expect(whole.minorFaults + whole.majorFaults == faults[policy])
    }

    /// OPT's ties: when several resident pages are never used again, the
    /// first of them in frame order goes (strictly farther wins, as in
    /// OSTEP's paging-policy.py), so the answer does not depend on a scan's direction.
    @Test func optBreaksTiesTowardTheFirstFrame() throws {
        var configuration = MachineConfiguration()
        configuration.userFrameLimit = 3
        configuration.replacementPolicy = .opt
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "trace")
        _ = try machine.switchTo(process.pid)
        machine.coverUserGaps(of: process.pid)
        // At 4, pages 1, 2 and 3 are never used again: a three-way tie.
        _ = try machine.replay(trace([1, 2, 3, 4]), core: 0) { (_: Int) throws(MachineError) in }
        let resident = try [UInt64(1), 2, 3, 4].filter { page in
            PageTableEntry(raw: try machine.entry(root: process.root, 0x40_0000 + page * 4096, level: 1)).isPresent
        }
        #expect(resident == [2, 3, 4], "page 1, in the first frame, was evicted")
    }
}
