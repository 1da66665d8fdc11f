import Testing

@testable import VMMachine

/// Replacement under a random workload of every kernel operation that adds,
/// shares, moves or drops user pages: the books always balance.
@Suite struct ReplacementTests {
    @Test(arguments: ReplacementPolicy.allCases.filter { $0 != .opt }, [UInt64(1), 2, 3])
    func randomWorkloadsKeepEveryCountAndEveryValue(policy: ReplacementPolicy, seed: UInt64) throws {
        var configuration = MachineConfiguration()
        configuration.userFrameLimit = 5
        configuration.replacementPolicy = policy
        configuration.replacementSeed = seed
        let machine = try Machine(configuration)
        let baseline = machine.framesUsed
        var random = SplitMix64(seed: seed)
        var live: [ProcessID] = []
        // What each process last wrote to each page: a page must read back its own value.
        var written: [ProcessID: [UInt64: UInt64]] = [:]
        let base: UInt64 = 0x10_0000
        for step in 0..<400 {
            let choice = random.next(below: 10)
            if live.isEmpty || (choice == 0 && live.count < 4) {
                let process = try machine.spawn(name: "P\(step)")
                try machine.map(process.pid, at: base, size: 12 * 4096, protection: .readWrite, populate: false)
                live.append(process.pid)
                continue
            }
            let pid = live[Int(random.next(below: UInt64(live.count)))]
            _ = try machine.switchTo(pid)
            let page = base + random.next(below: 12) * 4096
            switch choice {
            case 1 where live.count < 4:
                let child = try machine.fork(pid, childName: "C\(step)").child.pid
                live.append(child)
                written[child] = written[pid]
            case 2 where live.count > 1:
                machine.exit(pid)
                live.removeAll { $0 == pid }
                written[pid] = nil
            case 3:
                try machine.unmap(pid, at: page, size: 4096)
                try machine.map(pid, at: page, size: 4096, protection: .readWrite, populate: false)
                written[pid]?[page] = nil
            case 4, 5, 6:
                let value = step == 0 ? 1 : UInt64(step)
                let outcome = try machine.access(page + 8 * random.next(below: 8), kind: .write, storing: value)
                #expect(outcome.physicalAddress != nil, "step \(step): the write went through")
                // Only the word written: compare whole pages through word 0 below.
                if outcome.virtualAddress & 0xFFF == 0 { written[pid, default: [:]][page] = value }
            default:
                let outcome = try machine.access(page, kind: .read)
                #expect(outcome.physicalAddress != nil)
                #expect(outcome.value == written[pid]?[page] ?? 0, "step \(step): \(policy) lost a value")
            }
            #expect(machine.residentUserPages <= 5, "step \(step): over the frame limit")
        }
        for pid in live { machine.exit(pid) }
        #expect(machine.framesUsed == baseline, "every frame came back")
        #expect(machine.swapSlotsInUse == 0, "every swap slot came back")
        #expect(machine.residentUserPages == 0)
    }
}
