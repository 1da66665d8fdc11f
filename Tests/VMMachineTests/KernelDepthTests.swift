import Testing

@testable import VMMachine

func makeMachine(
    cores: Int = 1, pcid: Bool = false, kpti: Bool = false, shootdown: Bool = true, ram: UInt64 = 64 << 20,
    tlb: Int = 64
) throws -> Machine {
    var configuration = MachineConfiguration()
    configuration.cores = cores
    configuration.addressSpaceIDs = pcid
    configuration.kpti = kpti
    configuration.shootdown = shootdown
    configuration.ramBytes = ram
    configuration.tlbEntries = tlb
    return try Machine(configuration)
}

@Suite struct ThreadAndSwitchTests {
    @Test func threadsShareTheAddressSpace() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .read)
        let outcome = try machine.switchTo(worker.tid)
        #expect(outcome.kind == .sameAddressSpace)
        #expect(outcome.baseWrites == 0 && outcome.entriesFlushed == 0)
        #expect(try machine.access(0x1000, kind: .read).tlbHit)
        #expect(throws: MachineError.threadNameTaken(process: "A", name: "worker")) {
            try machine.createThread(in: a.pid, name: "worker")
        }
    }

    @Test func kernelThreadsBorrowTheLoadedTablesLazily() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        let kswapd = machine.createKernelThread(name: "kswapd")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .read)
        let lazy = try machine.switchTo(kswapd.tid)
        #expect(lazy.kind == .kernelThread && lazy.baseWrites == 0)
        #expect(machine.perCPU[0].isLazy && machine.cores[0].mode == .kernel)
        #expect(machine.perCPU[0].currentProcess == nil && machine.perCPU[0].loadedProcess == a.pid)
        let back = try machine.switchTo(a.pid)
        #expect(back.kind == .returnFromLazy && back.baseWrites == 0 && back.entriesFlushed == 0)
        #expect(try machine.access(0x1000, kind: .read).tlbHit)
    }

    @Test func aLazyCoreCatchesUpOnAShootdownItMissed() throws {
        let machine = try makeMachine(cores: 2)
        let a = try machine.spawn(name: "A")
        let kswapd = machine.createKernelThread(name: "kswapd")
        try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        try machine.switchTo(a.pid, core: 1)
        _ = try machine.access(0x1000, kind: .read, core: 1)
        try machine.switchTo(kswapd.tid, core: 1)
        let unmapped = try machine.unmap(a.pid, at: 0x1000, size: 0x1000, from: 0)
        #expect(unmapped.shootdown.interruptedCores.isEmpty)  // lazy cores get no IPI
        let back = try machine.switchTo(a.pid, core: 1)
        #expect(back.kind == .returnFromLazy && back.entriesFlushed == 1)  // tlb_gen was stale
        #expect(try machine.access(0x1000, kind: .read, core: 1).resolution == .segmentationFault)
    }
}

@Suite struct PCIDTests {
    @Test func entriesOfOtherAddressSpacesSurviveASwitch() throws {
        let machine = try makeMachine(pcid: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.map(b.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        #expect(machine.cores[0].tag == 1 && machine.cores[0].base == a.root | 1)
        let fromA = try machine.access(0x1000, kind: .read).physicalAddress
        let toB = try machine.switchTo(b.pid)
        #expect(toB.entriesFlushed == 0 && machine.cores[0].tag == 2)
        let fromB = try machine.access(0x1000, kind: .read)
        #expect(!fromB.tlbHit && fromB.physicalAddress != fromA)  // A's entry is not B's
        let back = try machine.switchTo(a.pid)
        #expect(back.reusedSlot && back.entriesFlushed == 0)
        #expect(try machine.access(0x1000, kind: .read).tlbHit)
        // Only the first use of PCIDs 1 and 2 flushed (choose_new_asid); coming back to A did not.
        #expect(machine.cores[0].tlbFlushes == 2)
        #expect(back.writes.map(\.flushed) == [false])
        #expect(back.writes[0].written == a.root | 1 | BaseRegisterWrite.noFlushBit)
        #expect(machine.cores[0].base == a.root | 1, "bit 63 reads as zero")
    }

    @Test func aSeventhAddressSpaceRecyclesTheLeastRecentlyUsedSlot() throws {
        let machine = try makeMachine(pcid: true)
        var processes: [Process] = []
        // Each at its own page, so that they fall in different TLB sets and none is evicted.
        for index in 0..<7 {
            let process = try machine.spawn(name: "P\(index)")
            try machine.map(process.pid, at: UInt64(index + 1) << 12, size: 0x1000, protection: .readWrite)
            processes.append(process)
        }
        for (index, process) in processes.prefix(6).enumerated() {
            try machine.switchTo(process.pid)
            _ = try machine.access(UInt64(index + 1) << 12, kind: .read)
        }
        let seventh = try machine.switchTo(processes[6].pid)
        #expect(seventh.recycledSlotOf == processes[0].pid && seventh.entriesFlushed == 1)
        #expect(machine.cores[0].tag == 1)
    }

    @Test func aSlotWithStaleEntriesIsFlushedOnSwitchIn() throws {
        let machine = try makeMachine(pcid: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .read)
        try machine.switchTo(b.pid)
        try machine.unmap(a.pid, at: 0x1000, size: 0x1000, from: 0)  // A is not running: no local entry to drop
        let back = try machine.switchTo(a.pid)
        #expect(!back.reusedSlot && back.entriesFlushed == 1)
    }
}

@Suite struct KPTITests {
    @Test func eachProcessHasAKernelAndAUserPML4() throws {
        let machine = try makeMachine(kpti: true)
        let a = try machine.spawn(name: "A")
        let userRoot = try #require(a.userRoot)
        #expect(machine.presentEntries(ofTable: a.root, level: machine.architecture.levels).map(\.index) == [273, 508, 511])
        #expect(machine.presentEntries(ofTable: userRoot, level: machine.architecture.levels).map(\.index) == [508])
        try machine.map(a.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        // The user half is mirrored (the kernel copy adds NX at the top).
        #expect(machine.memory.readWord(userRoot) == machine.memory.readWord(a.root) & ~PageTableEntry.noExecute)
        #expect(machine.memory.readWord(a.root) & PageTableEntry.noExecute != 0)
        try machine.switchTo(a.pid)
        #expect(machine.cores[0].base == userRoot)
        // In user mode the direct map is not even present: nothing for Meltdown to read.
        #expect(try machine.access(AddressLayout.directMapBase, kind: .read).fault?.kind == .notPresent)
        // Kernel mappings are not global under KPTI; the trampoline is.
        #expect(try machine.entry(root: a.root, AddressLayout.directMapBase, level: 2) & PageTableEntry.global == 0)
        #expect(try machine.entry(root: a.root, AddressLayout.entryAreaBase, level: 1) & PageTableEntry.global != 0)
    }

    @Test func kernelEntryAndExitSwitchCR3AndFlushWithoutPCID() throws {
        let machine = try makeMachine(kpti: true)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .read)
        let entry = try machine.enterKernel(core: 0)
        #expect(entry.oldCR3 == a.userRoot && entry.newCR3 == a.root)
        #expect(entry.entriesFlushed == 1)  // the user page's entry
        #expect(machine.cores[0].mode == .kernel)
        #expect(try machine.access(AddressLayout.directMapBase, kind: .read).fault == nil)
        let exit = try machine.exitKernel(core: 0)
        #expect(exit.newCR3 == a.userRoot && exit.entriesFlushed > 0)
        #expect(!(try machine.access(0x1000, kind: .read)).tlbHit)
    }

    @Test func withPCIDTheCrossingsFlushNothing() throws {
        let machine = try makeMachine(pcid: true, kpti: true)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        #expect(machine.cores[0].tag == 0x801)  // user PCID = kernel PCID | 2048
        _ = try machine.access(0x1000, kind: .read)
        let entry = try machine.enterKernel(core: 0)
        #expect(entry.entriesFlushed == 0 && machine.cores[0].tag == 1)
        _ = try machine.exitKernel(core: 0)
        #expect(try machine.access(0x1000, kind: .read).tlbHit)
    }

    @Test func withoutKPTIEnteringTheKernelWritesNoCR3() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.switchTo(a.pid)
        let writes = machine.cores[0].baseWrites
        let entry = try machine.enterKernel(core: 0)
        #expect(entry.oldCR3 == entry.newCR3 && machine.cores[0].baseWrites == writes)
        let nested = try machine.enterKernel(core: 0)
        #expect(!nested.crossed)
    }
}

@Suite struct ShootdownTests {
    @Test func unmappingInterruptsOtherCoresRunningTheAddressSpace() throws {
        let machine = try makeMachine(cores: 3)
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        try machine.switchTo(worker.tid, core: 1)
        try machine.switchTo(b.pid, core: 2)
        _ = try machine.access(0x1000, kind: .read, core: 1)
        let outcome = try machine.unmap(a.pid, at: 0x1000, size: 0x1000, from: 0)
        #expect(outcome.shootdown.interruptedCores == [1])  // not cpu 2: it runs B
        #expect(machine.interProcessorInterrupts == 1 && machine.cores[1].interruptsReceived == 1)
        #expect(machine.cores[1].tlb.validCount == 0)
        #expect(machine.cores[0].cycles.interProcessorInterrupts == machine.configuration.costs.interProcessorInterrupt)
    }

    @Test func withoutShootdownsAStaleEntryReadsAFrameSomeoneElseGot() throws {
        let machine = try makeMachine(cores: 2, shootdown: false)
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        try machine.switchTo(worker.tid, core: 1)
        _ = try machine.access(0x1000, kind: .read, core: 1)
        let outcome = try machine.unmap(a.pid, at: 0x1000, size: 0x1000, from: 0)
        #expect(outcome.shootdown.staleCores == [1] && machine.interProcessorInterrupts == 0)
        try machine.map(b.pid, at: 0x9000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(b.pid, core: 0)
        _ = try machine.access(0x9000, kind: .write, storing: 1234, core: 0)
        let stale = try machine.access(0x1000, kind: .read, core: 1)
        #expect(stale.tlbHit && stale.value == 1234)
    }

    @Test func manyPagesFlushTheWholeAddressSpace() throws {
        let machine = try makeMachine(cores: 2)
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        try machine.map(a.pid, at: 0, size: 40 * 4096, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        try machine.switchTo(worker.tid, core: 1)
        let outcome = try machine.unmap(a.pid, at: 0, size: 34 * 4096, from: 0)
        #expect(outcome.shootdown.fullFlush)
        let few = try machine.unmap(a.pid, at: 34 * 4096, size: 2 * 4096, from: 0)
        #expect(!few.shootdown.fullFlush)
    }
}

@Suite struct DemandPagingTests {
    @Test func regionsAreFilledOnFirstTouch() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        let used = machine.framesUsed
        try machine.map(a.pid, at: 0x100_0000, size: 1 << 20, protection: .readWrite, populate: false)
        #expect(machine.framesUsed == used && machine.process(a.pid)?.residentPages == 0)
        try machine.switchTo(a.pid)
        let first = try machine.access(0x100_5008, kind: .write, storing: 5)
        guard case .demandZero(let page)? = first.resolution else {
            Issue.record("expected a demand fault, got \(String(describing: first.resolution))")
            return
        }
        #expect(first.physicalAddress == page + 8)
        #expect(first.retry?.tlbHit == false && first.retry?.fault == nil)
        #expect(machine.faultCounts.demand == 1 && machine.process(a.pid)?.residentPages == 1)
        #expect(try machine.access(0x100_5008, kind: .read).value == 5)
        #expect(try machine.access(0x300_0000, kind: .read).resolution == .segmentationFault)
        #expect(machine.faultCounts.segmentation == 1)
    }

    @Test func protectionComesFromTheRegion() throws {
        let machine = try makeMachine(cores: 2)
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        try machine.switchTo(a.pid)
        try machine.switchTo(worker.tid, core: 1)
        _ = try machine.access(0x1000, kind: .read, core: 1)
        let reduce = try machine.protect(a.pid, at: 0x1000, size: 0x1000, protection: .readOnly, from: 0)
        #expect(reduce.changedEntries == 1 && reduce.shootdown?.interruptedCores == [1])
        #expect(try machine.access(0x1000, kind: .write, storing: 1).resolution == .protectionFault)
        let grant = try machine.protect(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite, from: 0)
        // Granting rights flushes too (Linux: RW and NX are in x86's flush_on_change).
        #expect(grant.changedEntries == 1 && grant.shootdown?.interruptedCores == [1])
        #expect(try machine.access(0x1000, kind: .write, storing: 1).fault == nil)
        #expect(machine.process(a.pid)?.regions.count == 2)
        #expect(throws: MachineError.notMapped(process: "A", address: 0x3000)) {
            try machine.protect(a.pid, at: 0x2000, size: 0x2000, protection: .readOnly)
        }
    }
}

@Suite struct ForkTests {
    @Test func forkSharesPagesCopyOnWriteAndExitLeaksNothing() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        try machine.map(a.pid, at: 0x10000, size: 0x1000, protection: .readOnly)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .write, storing: 42)
        let baseline = machine.framesUsed
        let fork = try machine.fork(a.pid, childName: "C")
        #expect(fork.sharedPages == 3)
        #expect(machine.framesUsed == baseline + UInt64(fork.child.tableFrames.count))
        let page = try machine.entry(root: a.root, 0x1000, level: 1) & PageTableEntry.addressMask
        #expect(machine.mappingCount(page) == 2)
        #expect(try machine.entry(root: a.root, 0x1000, level: 1) & PageTableEntry.writable == 0)
        try machine.switchTo(fork.child.pid)
        #expect(try machine.access(0x1000, kind: .read).value == 42)
        let write = try machine.access(0x1000, kind: .write, storing: 7)
        guard case .copiedOnWrite(let from, let to)? = write.resolution else {
            Issue.record("expected copy-on-write, got \(String(describing: write.resolution))")
            return
        }
        #expect(from == page && to != page && machine.mappingCount(page) == 1)
        try machine.switchTo(a.pid)
        #expect(try machine.access(0x1000, kind: .read).value == 42)
        #expect(try machine.access(0x1000, kind: .write, storing: 8).resolution == .madeWritable(page: page))
        #expect(try machine.access(0x10000, kind: .write, storing: 1).resolution == .protectionFault)
        let exit = machine.exit(fork.child.pid)
        #expect(exit.freedFrames == fork.child.tableFrames.count + 1)
        #expect(machine.framesUsed == baseline)
        #expect(machine.threads.count == 1)
    }

    @Test func exitIdlesTheCoresRunningTheProcessAndFreesEverything() throws {
        let machine = try makeMachine(cores: 2, pcid: true)
        let before = machine.framesUsed
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        try machine.map(a.pid, at: 0x1000, size: 0x4000, protection: .readWrite)
        try machine.map(a.pid, at: 0x4000_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        try machine.switchTo(a.pid, core: 0)
        try machine.switchTo(worker.tid, core: 1)
        let exit = machine.exit(a.pid)
        #expect(exit.idledCores == [0, 1])
        #expect(machine.framesUsed == before)
        #expect(machine.cores.allSatisfy { $0.base == machine.kernelRoot })
        #expect(machine.perCPU.allSatisfy { $0.currentThread == nil && $0.slots.allSatisfy { $0.process == nil } })
    }
}

@Suite struct HugePageTests {
    @Test func largeLeavesAreOneEntryAndOneTLBEntry() throws {
        let machine = try makeMachine(ram: 4 << 30, tlb: 16)
        let a = try machine.spawn(name: "A")
        let large = try machine.map(a.pid, at: 0x4000_0000, size: 4 << 20, protection: .readWrite, pageSize: 2 << 20)
        #expect(large.frames.count == 2 && large.frames.allSatisfy { $0 % (2 << 20) == 0 })
        #expect(try machine.entry(root: a.root, 0x4000_0000, level: 2) & PageTableEntry.pageSize != 0)
        let huge = try machine.map(a.pid, at: 0x8000_0000, size: 1 << 30, protection: .readWrite, pageSize: 1 << 30)
        #expect(huge.frames[0] % (1 << 30) == 0)
        try machine.switchTo(a.pid)
        let first = try machine.access(0x4000_0000, kind: .read)
        #expect(first.walk.count == 3 && first.pageSize == 2 << 20)
        #expect(try machine.access(0x401F_F000, kind: .read).tlbHit)
        let gigantic = try machine.access(0x8000_0000 + (1 << 29), kind: .read)
        #expect(gigantic.walk.count == 2 && gigantic.pageSize == 1 << 30)
        // 1 GiB pages are never split (Linux has no 1 GiB transparent huge pages).
        #expect(throws: MachineError.partialLargePage(address: 0x8000_0000 + 0x1000, pageSize: 1 << 30)) {
            try machine.unmap(a.pid, at: 0x8000_0000, size: 0x1000)
        }
        #expect(throws: MachineError.misaligned(address: 0x1000, alignment: 2 << 20)) {
            try machine.map(a.pid, at: 0x1000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        }
        #expect(throws: MachineError.unsupportedPageSize(8192, architecture: "x86_64", sizes: [4096, 2 << 20, 1 << 30])) {
            try machine.map(a.pid, at: 0, size: 8192, protection: .readWrite, pageSize: 8192)
        }
        let used = machine.framesUsed
        try machine.unmap(a.pid, at: 0x4000_0000, size: 4 << 20)
        #expect(machine.framesUsed == used - 1024)
    }
}

@Suite struct CostTests {
    @Test func everyEventIsCharged() throws {
        var configuration = MachineConfiguration()
        configuration.costs.tlbHit = 3
        configuration.costs.walkReference = 10
        configuration.costs.baseRegisterWrite = 50
        configuration.costs.tlbFlush = 7
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)  // one CR3 write that flushes
        _ = try machine.access(0x1000, kind: .read)  // 4 walk references
        _ = try machine.access(0x1000, kind: .read)  // a hit
        let cycles = machine.cores[0].cycles
        #expect(cycles.baseWrites == 50 && cycles.flushes == 7 && cycles.translation == 40 + 3)
        // map: the page and its three new tables zeroed (4 x 500), four entries written (4 x 10).
        #expect(cycles.kernelWork == 2_040)
        #expect(machine.cycles == 100 + 2_040)
    }
}

@Suite struct KPTIThreadSwitchTests {
    @Test func aThreadSwitchFromKernelModeReturnsToTheUserCopy() throws {
        let machine = try makeMachine(kpti: true)
        let a = try machine.spawn(name: "A")
        let worker = try machine.createThread(in: a.pid, name: "worker")
        try machine.switchTo(a.pid)
        _ = try machine.enterKernel(core: 0)
        #expect(machine.cores[0].base == a.root)
        let outcome = try machine.switchTo(worker.tid)
        #expect(outcome.kind == .sameAddressSpace)
        #expect(machine.cores[0].base == a.userRoot && machine.cores[0].mode == .user)
        let exit = try machine.exitKernel(core: 0)
        #expect(!exit.crossed && exit.fetches.isEmpty)  // nothing left to undo, and no fault
        #expect(machine.faultCounts.total == 0)
    }
}
