import Testing

@testable import VMMachine

/// The model against the SDM and Linux: each test here failed on a behaviour
/// that taught something wrong (issue 14).
@Suite struct CR3WriteTests {
    /// Item 1: a stale address space coming back under KPTI + PCID flushes the
    /// kernel PCID too, so a kernel-mode read cannot reach a frame that was
    /// unmapped meanwhile and handed to another process.
    @Test(arguments: [(false, false), (false, true), (true, false), (true, true)])
    func aStaleAddressSpaceFlushesBothPCIDs(kpti: Bool, pcid: Bool) throws {
        let machine = try makeMachine(cores: 2, pcid: pcid, kpti: kpti)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        _ = try machine.enterKernel(core: 0)
        let filled = try machine.access(0x400000, kind: .read, core: 0)  // the kernel fills an entry for a user page
        #expect(filled.physicalAddress != nil)
        _ = try machine.exitKernel(core: 0)
        try machine.switchTo(b.pid, core: 0)
        try machine.unmap(a.pid, at: 0x400000, size: 0x1000, from: 1)
        let reused = try machine.map(b.pid, at: 0x800000, size: 0x1000, protection: .readWrite).frames[0]
        #expect(reused == filled.physicalAddress, "B got A's old frame")
        _ = try machine.access(0x800000, kind: .write, storing: 0xB0B, core: 0)
        try machine.switchTo(a.pid, core: 0)
        _ = try machine.enterKernel(core: 0)
        let stale = try machine.access(0x400000, kind: .read, core: 0)
        #expect(!stale.tlbHit, "kpti=\(kpti) pcid=\(pcid): the kernel PCID's entry went")
        #expect(stale.physicalAddress == nil && stale.value != 0xB0B)
    }

    /// Item 4: under KPTI a process switch from user code is a kernel entry,
    /// the switch, and the return to the new process's user copy.
    @Test func aKPTIProcessSwitchWritesCR3ThreeTimes() throws {
        let machine = try makeMachine(kpti: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.switchTo(a.pid)
        let outcome = try machine.switchTo(b.pid)
        #expect(outcome.writes.map(\.reason) == [.kernelEntry, .contextSwitch, .returnToUser])
        #expect(outcome.writes.map(\.value) == [a.root, b.root, b.userRoot!])
        #expect(outcome.writes.filter { !$0.flushed }.isEmpty, "without PCIDs every CR3 write flushes")
    }

    @Test func withPCIDsOnlyTheNewPCIDIsFlushedAndBit63AsksForNone() throws {
        let machine = try makeMachine(pcid: true, kpti: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.switchTo(a.pid)
        try machine.switchTo(b.pid)
        let back = try machine.switchTo(a.pid)
        #expect(back.writes.map(\.reason) == [.kernelEntry, .contextSwitch, .returnToUser])
        #expect(back.writes.map(\.flushed) == [false, false, false])
        #expect(back.writes.allSatisfy { $0.written & BaseRegisterWrite.noFlushBit != 0 })
        #expect(machine.cores[0].base & BaseRegisterWrite.noFlushBit == 0, "CR3 reads bit 63 as zero")
    }

    /// Item 7: a flush that found nothing is a flush.
    @Test func aFlushThatDropsNothingIsStillAFlush() throws {
        let machine = try makeMachine(pcid: true)
        let a = try machine.spawn(name: "A")
        let first = try machine.switchTo(a.pid)
        #expect(first.writes.map(\.flushed) == [true], "a newly assigned PCID is flushed (choose_new_asid)")
        #expect(first.writes[0].dropped == 0)
    }

    /// The deferred user-PCID flush: a full flush made in the kernel drops the
    /// kernel PCID's entries now and the user PCID's on the way back to user mode.
    @Test func theUserPCIDIsFlushedOnTheReturnToUserMode() throws {
        let machine = try makeMachine(cores: 2, pcid: true, kpti: true)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 64 << 12, protection: .readWrite)
        try machine.switchTo(a.pid, core: 0)
        _ = try machine.access(0x400000, kind: .read, core: 0)
        let userPCID = machine.cores[0].tag
        #expect(userPCID & 0x800 != 0)
        _ = try machine.enterKernel(core: 0)
        // More than 33 pages: a full flush on core 0, which runs A in the kernel.
        try machine.unmap(a.pid, at: 0x400000, size: 40 << 12, from: 1)
        // (The entry trampoline's entry is global: no PCID flush drops it.)
        #expect(machine.cores[0].tlb.entries.contains { $0.valid && !$0.global && $0.tag == userPCID }, "still there in the kernel")
        #expect(machine.perCPU[0].userFlushPending[machine.perCPU[0].currentSlot])
        let exit = try machine.exitKernel(core: 0)
        #expect(exit.write?.flushed == true && exit.write!.dropped >= 1)
        #expect(!machine.cores[0].tlb.entries.contains { $0.valid && !$0.global && $0.tag == userPCID })
        // The next return needs no flush.
        _ = try machine.enterKernel(core: 0)
        #expect(try machine.exitKernel(core: 0).write?.flushed == false)
    }
}

@Suite struct FaultFidelityTests {
    /// Item 2: a kernel thread has no memory of its own; a fault on a user
    /// address while it borrows A's tables is an oops, and A is unchanged.
    @Test func aKernelThreadsFaultOnAUserAddressIsAnOops() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite, populate: false)
        try machine.switchTo(a.pid)
        let worker = machine.createKernelThread(name: "kworker")
        try machine.switchTo(worker.tid)
        let outcome = try machine.access(0x400000, kind: .read)
        #expect(outcome.resolution == .kernelOops)
        #expect(outcome.physicalAddress == nil)
        #expect(machine.process(a.pid)!.residentPages == 0, "nothing was demand-filled into A")
        #expect(machine.faultCounts.demand == 0 && machine.faultCounts.unresolved == 1)
    }

    /// mprotect r -> rw flushes the read-only entry, as Linux's
    /// change_pte_range does when pte_needs_flush says so (x86: RW is in
    /// flush_on_change, arch/x86/include/asm/tlbflush.h), so the next write
    /// runs without a fault.
    @Test func grantingRightsFlushesTheOldEntry() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readOnly)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x400000, kind: .read)  // a read-only entry in the TLB
        let protect = try machine.protect(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        #expect(protect.shootdown?.entriesInvalidated == 1, "the grant flushed the read-only entry")
        let write = try machine.access(0x400000, kind: .write, storing: 7)
        #expect(write.fault == nil && write.physicalAddress != nil)
        #expect(machine.faultCounts.spurious == 0 && machine.faultCounts.copyOnWrite == 0)
    }

    /// A TLB entry older than the entry in memory (another core changed it
    /// without a flush) makes a fault the kernel finds spurious: it decides
    /// from the process's own entry, not from a walk under the loaded CR3,
    /// which under KPTI is the kernel copy, whose user entries are NX.
    @Test func aStaleNXEntryUnderKPTIIsASpuriousFault() throws {
        var configuration = MachineConfiguration()
        configuration.kpti = true
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readExecute)
        try machine.switchTo(a.pid)
        let leaf = try #require(machine.lookup(root: a.root, 0x400000))
        var noExecute = leaf.entry
        noExecute.executable = false
        machine.setPageEntry(noExecute, at: leaf.entryAddress, level: leaf.level)
        _ = try machine.access(0x400000, kind: .read)  // the TLB caches the NX entry
        machine.setPageEntry(leaf.entry, at: leaf.entryAddress, level: leaf.level)  // no flush
        let exec = try machine.access(0x400000, kind: .execute)
        #expect(exec.fault?.kind == .protection && exec.resolution == .spurious, "\(String(describing: exec.resolution))")
        #expect(exec.physicalAddress != nil && machine.faultCounts.protection == 0)
    }

    @Test func aWriteToAForkSharedPageIsStillCopyOnWrite() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.fork(a.pid, childName: "B")
        try machine.switchTo(a.pid)
        let write = try machine.access(0x400000, kind: .write, storing: 1)
        guard case .copiedOnWrite? = write.resolution else {
            Issue.record("expected a copy, got \(String(describing: write.resolution))")
            return
        }
        #expect(machine.faultCounts.copyOnWrite == 1 && machine.faultCounts.spurious == 0)
    }

    /// Item 6: a kernel-mode access to a bad user address is -EFAULT inside a
    /// uaccess routine (the exception table) and an oops outside one.
    @Test func aBadUserAddressInTheKernelIsEFaultInUaccessAndAnOopsOutside() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.switchTo(a.pid)
        _ = try machine.enterKernel(core: 0)
        #expect(try machine.access(0x7000_0000, kind: .read).resolution == .kernelOops)
        #expect(try machine.setUserAccess(true, core: 0, exceptionTable: true) == .done(dropped: 0))
        #expect(try machine.access(0x7000_0000, kind: .read).resolution == .exceptionFixup)
        _ = try machine.setUserAccess(false, core: 0, exceptionTable: false)
        #expect(machine.faultCounts.exceptionFixups == 1 && machine.faultCounts.unresolved == 1)
        #expect(machine.faultCounts.segmentation == 0, "the kernel does not SIGSEGV itself")
    }

    @Test func theKernelStillDemandPagesAUserAddressItMayTouch() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite, populate: false)
        try machine.switchTo(a.pid)
        _ = try machine.enterKernel(core: 0)
        guard case .demandZero? = try machine.access(0x400000, kind: .write, storing: 5).resolution else {
            Issue.record("copy_to_user on a not-yet-touched page demand-fills it")
            return
        }
    }

    @Test func smapRefusesKernelAccessesToUserPagesUnlessACIsSet() throws {
        var configuration = MachineConfiguration()
        configuration.smap = true
        configuration.smep = true
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWriteExecute)
        try machine.switchTo(a.pid)
        #expect(try machine.access(0x400000, kind: .read).fault == nil, "user code reads its own page")
        _ = try machine.enterKernel(core: 0)
        let refused = try machine.access(0x400000, kind: .read)
        #expect(refused.fault?.check == .smap && refused.fault?.errorCode == 0x1)
        #expect(refused.resolution == .kernelOops)
        let fetch = try machine.access(0x400000, kind: .execute)
        #expect(fetch.fault?.check == .smep && fetch.fault?.errorCode == 0x11)
        _ = try machine.setUserAccess(true, core: 0, exceptionTable: true)
        let allowed = try machine.access(0x400000, kind: .read)
        #expect(allowed.fault == nil, "between stac and clac the kernel may read user memory")
        let smep = try machine.access(0x400000, kind: .execute)
        #expect(smep.fault?.check == .smep, "AC never lifts SMEP")
        #expect(smep.resolution == .kernelOops, "and no exception-table entry covers a fetch from a user page")
    }
}

@Suite struct PrivilegedInstructionTests {
    func machineWithTwoPCIDs() throws -> (Machine, Process, Process) {
        let machine = try makeMachine(pcid: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x400000, size: 0x2000, protection: .readWrite)
        try machine.map(b.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x400000, kind: .read)
        _ = try machine.access(0x401000, kind: .read)
        try machine.switchTo(b.pid)
        _ = try machine.access(0x400000, kind: .read)
        _ = try machine.enterKernel(core: 0)  // fills a global kernel-text entry
        return (machine, a, b)
    }

    @Test func invpcidHasFourTypes() throws {
        func entries(_ machine: Machine, pcid: UInt16) -> Int {
            machine.cores[0].tlb.entries.filter { $0.valid && !$0.global && $0.tag == pcid }.count
        }
        var (machine, _, _) = try machineWithTwoPCIDs()
        #expect(try machine.invalidatePCID(type: 0, pcid: 1, address: 0x400000, core: 0) == .done(dropped: 1))
        #expect(entries(machine, pcid: 1) == 1 && entries(machine, pcid: 2) == 1)
        #expect(try machine.invalidatePCID(type: 1, pcid: 1, address: 0, core: 0) == .done(dropped: 1))
        #expect(entries(machine, pcid: 1) == 0 && entries(machine, pcid: 2) == 1)
        (machine, _, _) = try machineWithTwoPCIDs()
        let globals = machine.cores[0].tlb.entries.filter { $0.valid && $0.global }.count
        #expect(globals >= 1)
        #expect(try machine.invalidatePCID(type: 3, pcid: 0, address: 0, core: 0) == .done(dropped: 3))
        #expect(machine.cores[0].tlb.validCount == globals, "type 3 keeps global entries")
        #expect(try machine.invalidatePCID(type: 2, pcid: 0, address: 0, core: 0) == .done(dropped: globals))
        #expect(machine.cores[0].tlb.validCount == 0)
        #expect(try machine.invalidatePCID(type: 4, pcid: 0, address: 0, core: 0) == .generalProtection)
        #expect(try machine.invalidatePCID(type: 1, pcid: 4096, address: 0, core: 0) == .generalProtection)
        _ = try machine.exitKernel(core: 0)
        #expect(try machine.invalidatePCID(type: 2, pcid: 0, address: 0, core: 0) == .generalProtection, "user mode")
    }

    @Test func withoutPGEKernelEntriesDoNotSurviveACR3Write() throws {
        for pge in [true, false] {
            var configuration = MachineConfiguration()
            configuration.pge = pge
            let machine = try Machine(configuration)
            let a = try machine.spawn(name: "A")
            let b = try machine.spawn(name: "B")
            try machine.switchTo(a.pid)
            _ = try machine.enterKernel(core: 0)
            _ = try machine.exitKernel(core: 0)
            let switched = try machine.switchTo(b.pid)
            #expect(switched.entriesKept == (pge ? 1 : 0), "pge=\(pge)")
        }
    }

    @Test func aReservedBitInAnEntryFaultsWithRSVD() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        // PS in a PML4 entry is reserved.
        let pml4e = a.root + UInt64(AddressLayout.index(of: 0x400000, level: 4)) * 8
        try machine.hardware.poke(pml4e, machine.memory.readWord(pml4e) | PageTableEntry.pageSize)
        let outcome = try machine.access(0x400000, kind: .write, storing: 1)
        #expect(outcome.fault?.kind == .reservedBit && outcome.fault?.level == 4)
        #expect(outcome.fault?.errorCode == 0b1111, "P, W, U and RSVD")
        #expect(outcome.resolution == .kernelOops, "Linux's pgtable_bad")
        // An address bit above MAXPHYADDR in the leaf is reserved too.
        try machine.hardware.poke(pml4e, machine.memory.readWord(pml4e) & ~PageTableEntry.pageSize)
        let leaf = try machine.entry(root: a.root, 0x400000, level: 1)
        let table = try machine.entry(root: a.root, 0x400000, level: 2) & PageTableEntry.addressMask
        try machine.hardware.poke(table + UInt64(AddressLayout.index(of: 0x400000, level: 1)) * 8, leaf | 1 << 50)
        #expect(try machine.access(0x400000, kind: .read).fault?.kind == .reservedBit)
    }
}

@Suite struct KernelWorkCostTests {
    @Test func zeroingAHugePageCostsItsFrames() throws {
        let machine = try makeMachine(ram: 64 << 20)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x20_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        let costs = machine.configuration.costs
        // 512 frames of the page and 2 new tables (PDPT, PD) zeroed; the leaf and the 2 links written.
        #expect(machine.cores[0].cycles.kernelWork == (512 + 2) * costs.zeroPage + 3 * costs.entryWrite)
    }

    @Test func copyOnWriteCostsACopyAndTheReceiverOfAnIPIPaysToo() throws {
        let machine = try makeMachine(cores: 2)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.fork(a.pid, childName: "B")
        try machine.switchTo(a.pid, core: 0)
        let worker = try machine.createThread(in: a.pid, name: "w")
        try machine.switchTo(worker.tid, core: 1)
        _ = try machine.access(0x400000, kind: .read, core: 1)
        let before = machine.cores[0].cycles.kernelWork
        let receiverFlushes = machine.cores[1].cycles.flushes
        _ = try machine.access(0x400000, kind: .write, storing: 1, core: 0)  // copies the page, shoots down cpu 1
        let costs = machine.configuration.costs
        #expect(machine.cores[0].cycles.kernelWork - before == costs.copyPage + costs.entryWrite)
        #expect(machine.cores[1].cycles.interProcessorInterrupts == costs.interruptReceived)
        #expect(machine.cores[1].cycles.flushes - receiverFlushes == costs.invlpg, "the receiver's INVLPG")
    }

    @Test func theDirtyBitAssistIsCharged() throws {
        let machine = try makeMachine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x400000, kind: .read)  // a clean entry
        let before = machine.cores[0].cycles.translation
        _ = try machine.access(0x400000, kind: .write, storing: 1)  // hit, then the D-bit assist
        let costs = machine.configuration.costs
        #expect(machine.cores[0].cycles.translation - before == costs.tlbHit + costs.dirtyAssist)
    }

    @Test func hugeCostsSaturateInsteadOfTrapping() throws {
        var configuration = MachineConfiguration()
        configuration.costs.zeroPage = .max
        configuration.costs.baseRegisterWrite = .max
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 0x10000, protection: .readWrite)
        try machine.switchTo(a.pid)
        try machine.switchTo(a.pid)
        #expect(machine.cycles == .max)
    }
}

@Suite struct TransparentHugePageTests {
    func machineWithAHugePage(thp: Bool = true) throws -> (Machine, Process) {
        var configuration = MachineConfiguration()
        configuration.transparentHugePages = thp
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x20_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x20_5000, kind: .write, storing: 77)
        return (machine, a)
    }

    @Test func aPartialMunmapSplitsTheHugePage() throws {
        let (machine, a) = try machineWithAHugePage()
        let before = try machine.access(0x20_5000, kind: .read).physicalAddress!
        let outcome = try machine.unmap(a.pid, at: 0x20_1000, size: 0x1000)
        #expect(outcome.unmappedPages == 1 && outcome.freedFrames.count == 1)
        let pde = try machine.entry(root: a.root, 0x20_5000, level: 2)
        #expect(pde & PageTableEntry.pageSize == 0, "the PD entry now points at a page table")
        let pte = try machine.entry(root: a.root, 0x20_5000, level: 1)
        #expect(pte & PageTableEntry.addressMask == before & ~0xFFF, "the same frame, now through a 4 KiB entry")
        let after = try machine.access(0x20_5000, kind: .read)
        #expect(after.value == 77 && after.pageSize == 0x1000 && !after.tlbHit, "the 2 MiB TLB entry was shot down")
        #expect(try machine.access(0x20_1000, kind: .read).fault != nil, "the unmapped page is gone")
        #expect(machine.process(a.pid)!.residentPages == 511)
    }

    @Test func aPartialMprotectSplitsToo() throws {
        let (machine, a) = try machineWithAHugePage()
        try machine.protect(a.pid, at: 0x20_0000, size: 0x1000, protection: .readOnly)
        #expect(try machine.access(0x20_0000, kind: .write, storing: 1).resolution == .protectionFault)
        #expect(try machine.access(0x20_1000, kind: .write, storing: 1).fault == nil)
    }

    @Test func withoutTHPAPartialUnmapIsRefused() throws {
        let (machine, a) = try machineWithAHugePage(thp: false)
        #expect(throws: MachineError.partialLargePage(address: 0x20_1000, pageSize: 2 << 20)) {
            try machine.unmap(a.pid, at: 0x20_1000, size: 0x1000)
        }
    }

    @Test func aHugePageSharedCopyOnWriteIsNotSplit() throws {
        let (machine, a) = try machineWithAHugePage()
        try machine.fork(a.pid, childName: "B")
        #expect(throws: MachineError.sharedHugePage(address: 0x20_0000)) {
            try machine.unmap(a.pid, at: 0x20_1000, size: 0x1000)
        }
    }

    @Test func exitAfterASplitGivesEveryFrameBack() throws {
        let (machine, a) = try machineWithAHugePage()
        let baseline = try makeMachine().framesUsed
        try machine.unmap(a.pid, at: 0x20_1000, size: 0x1000)
        machine.exit(a.pid)
        #expect(machine.framesUsed == baseline)
    }
}

@Suite struct SplitTLBTests {
    func machine(_ model: TLBModel) throws -> (Machine, Process) {
        var configuration = MachineConfiguration()
        configuration.tlbModel = model
        configuration.ramBytes = 128 << 20
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x400000, size: 64 << 12, protection: .readWriteExecute)
        try machine.map(a.pid, at: 0x4000_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        try machine.switchTo(a.pid)
        return (machine, a)
    }

    @Test func skylakeHasItsGeometry() throws {
        let (machine, _) = try machine(.skylake)
        let tlb = machine.cores[0].tlb
        #expect(tlb.roles.map(\.name) == ["L1 ITLB 4K", "L1 ITLB 2M", "L1 DTLB 4K", "L1 DTLB 2M", "L1 DTLB 1G", "STLB", "STLB 1G"])
        #expect(tlb.arrays.map(\.entryCount) == [128, 8, 64, 32, 4, 1536, 16])
        #expect(tlb.arrays.map(\.ways) == [8, 8, 4, 4, 4, 12, 4])
    }

    @Test func instructionsAndDataFillTheirOwnFirstLevelArrays() throws {
        let (machine, _) = try machine(.split)
        _ = try machine.access(0x400000, kind: .execute)
        _ = try machine.access(0x401000, kind: .read)
        _ = try machine.access(0x4000_0000, kind: .read)
        let tlb = machine.cores[0].tlb
        let valid = tlb.arrays.map(\.validCount)
        // ITLB 4K, ITLB 2M, DTLB 4K, DTLB 2M, DTLB 1G, STLB, STLB 1G
        #expect(valid == [1, 0, 1, 1, 0, 3, 0])
        // A data read of the page the fetch brought in misses the DTLB and hits the STLB.
        let again = try machine.access(0x400000, kind: .read)
        #expect(again.tlbHit && machine.cores[0].secondLevelHits == 1)
        #expect(machine.cores[0].tlb.arrays[2].validCount == 2, "copied into the L1 DTLB")
    }

    @Test func anSTLBHitIsChargedAndAWalkAvoided() throws {
        let (machine, _) = try machine(.split)
        for page in 0..<16 { _ = try machine.access(0x400000 + UInt64(page) << 12, kind: .read) }  // 8-entry DTLB overflows
        let walks = machine.cores[0].walks
        let before = machine.cores[0].cycles.translation
        let outcome = try machine.access(0x400000, kind: .read)
        #expect(outcome.tlbHit && machine.cores[0].walks == walks, "the STLB had it")
        let costs = machine.configuration.costs
        #expect(machine.cores[0].cycles.translation - before == costs.tlbHit + costs.secondLevelHit)
    }

    @Test func maintenanceReachesEveryArray() throws {
        let (machine, _) = try machine(.skylake)
        _ = try machine.access(0x400000, kind: .execute)
        _ = try machine.access(0x400000, kind: .read)
        _ = try machine.enterKernel(core: 0)
        #expect(try machine.invalidatePage(0x400000, core: 0) == .done(dropped: 3), "ITLB, DTLB and STLB copies")
        #expect(machine.cores[0].tlb.arrays.allSatisfy { $0.entries.allSatisfy { !$0.valid || $0.global } })
    }
}
