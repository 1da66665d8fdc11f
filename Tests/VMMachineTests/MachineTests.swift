import Testing

@testable import VMMachine

@Suite struct MachineTests {
    func machine(tlb: Int = 16, ways: Int = 4, ram: UInt64 = 64 << 20) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.tlbEntries = tlb
        configuration.tlbWays = ways
        configuration.ramBytes = ram
        return try Machine(configuration)
    }

    @Test func configurationIsValidated() {
        var configuration = MachineConfiguration()
        configuration.ramBytes = 3 << 20
        #expect(throws: MachineError.ramSize(bytes: 3 << 20, multiple: 2 << 20, maximum: 1 << 40)) { try Machine(configuration) }
        configuration = MachineConfiguration()
        configuration.tlbEntries = 12
        #expect(throws: MachineError.tlbGeometry(.setsNotPowerOfTwo(sets: 3))) { try Machine(configuration) }
    }

    @Test func bootTablesAreFewAndRAMStaysSparse() throws {
        let machine = try self.machine(ram: 1 << 40)  // 1 TiB of simulated RAM
        // Master PML4; the direct map of 1 TiB needs 2 PDPTs (512 GiB each)
        // holding 1 GiB pages, and one PD for the first gigabyte's 2 MiB pages;
        // kernel text adds a PDPT and a PD, the entry area 3 tables.
        #expect(machine.kernelTableFrames.count == 1 + 2 + 1 + 2 + 3)
        #expect(try machine.entry(root: machine.kernelRoot, AddressLayout.directMapBase + (5 << 30), level: 3) & PageTableEntry.pageSize != 0)
        #expect(try machine.entry(root: machine.kernelRoot, AddressLayout.directMapBase + (5 << 20), level: 2) & PageTableEntry.pageSize != 0)
        #expect(machine.memory.touchedFrames == machine.kernelTableFrames.count)
    }

    @Test func everyProcessSharesTheKernelHalf() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        #expect(a.root != b.root)
        for index in 256..<512 {
            let offset = UInt64(index) * 8
            #expect(machine.memory.readWord(a.root + offset) == machine.memory.readWord(machine.kernelRoot + offset))
            #expect(machine.memory.readWord(b.root + offset) == machine.memory.readWord(machine.kernelRoot + offset))
        }
        for index in 0..<256 { #expect(machine.memory.readWord(a.root + UInt64(index) * 8) == 0) }
        #expect(machine.presentEntries(ofTable: a.root, level: machine.architecture.levels).map(\.index) == [273, 508, 511])
    }

    @Test func mapWritesEncodedEntriesAndTheWalkerReadsThem() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        let outcome = try machine.map(a.pid, at: 0x40_0000, size: 0x2000, protection: .readOnly)
        #expect(outcome.frames.count == 2)
        #expect(outcome.newTables.count == 3)
        let leaf = PageTableEntry(raw: try machine.entry(root: a.root, 0x40_1000, level: 1))
        #expect(leaf.physicalAddress == outcome.frames[1])
        #expect(leaf.isPresent && leaf.isUser && !leaf.isWritable && leaf.isNoExecute && !leaf.isAccessed)
        #expect(try machine.entry(root: a.root, 0x40_0000, level: 4) & PageTableEntry.user != 0)
        try machine.switchTo(a.pid)
        let read = try machine.access(0x40_1008, kind: .read)
        #expect(!read.tlbHit)
        #expect(read.walk.count == 4)
        #expect((0..<4).map { read.walk[$0].level } == [4, 3, 2, 1])
        #expect(read.walk[2].index == 2)
        #expect(read.physicalAddress == outcome.frames[1] + 8)
        #expect(read.fault == nil)
        // The walker set A in memory; D only comes with a write.
        let after = PageTableEntry(raw: try machine.entry(root: a.root, 0x40_1000, level: 1))
        #expect(after.isAccessed && !after.isDirty)
        let again = try machine.access(0x40_1000, kind: .read)
        #expect(again.tlbHit && again.walk.count == 0)
    }

    @Test func writesSetTheDirtyBitEvenOnATLBHit() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .read)
        #expect(try machine.entry(root: a.root, 0x1000, level: 1) & PageTableEntry.dirty == 0)
        let write = try machine.access(0x1000, kind: .write, storing: 99)
        #expect(write.tlbHit)
        #expect(try machine.entry(root: a.root, 0x1000, level: 1) & PageTableEntry.dirty != 0)
        #expect(try machine.access(0x1000, kind: .read).value == 99)
    }

    @Test func faultsCarryTheArchitecturalErrorCode() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readOnly)
        try machine.switchTo(a.pid)
        let missing = try machine.access(0x80_0000, kind: .read)
        #expect(
            missing.fault
                == Fault(kind: .notPresent, address: 0x80_0000, access: .read, fromUser: true, present: false, level: 2))
        #expect(missing.fault?.errorCode == 0x4)
        #expect(machine.cores[0].faultAddress == 0x80_0000)
        let readOnly = try machine.access(0x1000, kind: .write, storing: 1)
        #expect(readOnly.fault?.kind == .protection)
        #expect(readOnly.fault?.errorCode == 0x7)
        #expect(try machine.access(0x1000, kind: .read).value == 0)  // the store did not happen
        let noExecute = try machine.access(0x1000, kind: .execute)
        #expect(noExecute.fault?.errorCode == 0x15)
        let kernel = try machine.access(AddressLayout.directMapBase, kind: .read)
        #expect(kernel.fault?.kind == .protection)
        #expect(kernel.walk.count == 3)  // stopped at the 2 MiB leaf in the PD
        let nonCanonical = try machine.access(0x8000_0000_0000, kind: .read)
        #expect(nonCanonical.fault?.kind == .nonCanonical)
        #expect(nonCanonical.walk.count == 0)
        #expect(throws: MachineError.crossesPageBoundary(address: 0x1FFC, bytes: 8, pageSize: 4096)) {
            try machine.access(0x1FFC, kind: .read)
        }
    }

    @Test func kernelModeReachesTheDirectMapThroughLargePages() throws {
        let machine = try self.machine()
        // At boot core 0 runs the kernel's own table in kernel mode.
        machine.memory.writeWord(0x30_0008, 77)
        let read = try machine.access(AddressLayout.directMapBase + 0x30_0008, kind: .read)
        #expect(read.fault == nil)
        #expect(read.physicalAddress == 0x30_0008)
        #expect(read.pageSize == 2 << 20)
        #expect(read.value == 77)
        let again = try machine.access(AddressLayout.directMapBase + 0x40_0000, kind: .read)
        #expect(!again.tlbHit)  // another 2 MiB page
        #expect(try machine.access(AddressLayout.directMapBase + 0x30_1000, kind: .read).tlbHit)
        let text = try machine.access(AddressLayout.kernelTextBase, kind: .write, storing: 1)
        #expect(text.fault?.kind == .protection)  // kernel text is read-only, CR0.WP = 1
    }

    @Test func switchingFlushesNonGlobalEntriesButNotForTheSameProcess() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x1000, size: 0x3000, protection: .readWrite)
        _ = try machine.access(AddressLayout.directMapBase, kind: .read)  // a global kernel entry
        let first = try machine.switchTo(a.pid)
        #expect(first.wroteCR3 && first.entriesFlushed == 0 && first.entriesKept == 1)
        for page in 1...3 { _ = try machine.access(UInt64(page) * 0x1000, kind: .read) }
        let same = try machine.switchTo(a.pid)
        #expect(!same.wroteCR3 && same.entriesFlushed == 0)
        #expect(try machine.access(0x1000, kind: .read).tlbHit)
        let other = try machine.switchTo(b.pid)
        #expect(other.wroteCR3 && other.entriesFlushed == 3 && other.entriesKept == 1)
        #expect(machine.cores[0].base == b.root)
        #expect(machine.cores[0].tlbFlushes == 2)
    }

    @Test func unmapFreesFramesAndInvalidatesTheTLB() throws {
        let machine = try self.machine()
        let a = try machine.spawn(name: "A")
        let before = machine.framesUsed
        let mapped = try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        try machine.switchTo(a.pid)
        _ = try machine.access(0x1000, kind: .write, storing: 5)
        let outcome = try machine.unmap(a.pid, at: 0x1000, size: 0x2000)
        #expect(outcome.freedFrames == mapped.frames)
        #expect(outcome.shootdown.entriesInvalidated == 1)
        #expect(machine.framesUsed == before + 3)  // the three page tables stay
        #expect(try machine.access(0x1000, kind: .read).fault?.kind == .notPresent)
        // A frame that comes back is zeroed.
        try machine.map(a.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        #expect(try machine.access(0x1000, kind: .read).value == 0)
    }

    @Test func mapAndUnmapChangeNothingWhenTheyFail() throws {
        let machine = try self.machine(ram: 4 << 20)
        let a = try machine.spawn(name: "A")
        try machine.map(a.pid, at: 0x2000, size: 0x1000, protection: .readWrite)
        let used = machine.framesUsed
        #expect(throws: MachineError.alreadyMapped(process: "A", address: 0x2000)) {
            try machine.map(a.pid, at: 0x1000, size: 0x2000, protection: .readWrite)
        }
        #expect(throws: MachineError.notMapped(process: "A", address: 0x3000)) {
            try machine.unmap(a.pid, at: 0x2000, size: 0x2000)
        }
        #expect(throws: MachineError.outOfMemory(totalFrames: 1024)) {
            try machine.map(a.pid, at: 0x10_0000, size: 4 << 20, protection: .readWrite)
        }
        #expect(machine.framesUsed == used)
        #expect(throws: MachineError.misaligned(address: 0x1001, alignment: 4096)) {
            try machine.map(a.pid, at: 0x1001, size: 0x1000, protection: .readWrite)
        }
        #expect(throws: MachineError.notUserAddress(address: AddressLayout.directMapBase, userEnd: AddressLayout.userEnd)) {
            try machine.map(a.pid, at: AddressLayout.directMapBase, size: 0x1000, protection: .readWrite)
        }
        #expect(throws: MachineError.sizeNotPageMultiple(size: 100)) {
            try machine.map(a.pid, at: 0x1000, size: 100, protection: .readWrite)
        }
    }

    @Test func outOfMemoryExactlyAtTheLastFrame() throws {
        let machine = try self.machine(ram: 4 << 20)
        let a = try machine.spawn(name: "A")
        // 1024 frames, 512 reserved, 1 + 4 kernel tables... fill what is left
        // exactly: 3 new tables + N pages.
        let pages = machine.framesFree - 3
        try machine.map(a.pid, at: 0, size: pages * 4096, protection: .readWrite)
        #expect(machine.framesFree == 0)
        #expect(throws: MachineError.outOfMemory(totalFrames: 1024)) { try machine.spawn(name: "B") }
    }
}

@Suite struct HostMemoryLimitTests {
    @Test func aRunawayScriptCannotExhaustTheHost() throws {
        var configuration = MachineConfiguration()
        configuration.ramBytes = 1 << 40
        configuration.maximumTouchedFrames = 9 + 1 + 3 + 10  // boot tables, PML4, 3 tables, 10 pages
        let machine = try Machine(configuration)
        let a = try machine.spawn(name: "A")
        #expect(throws: MachineError.hostMemoryLimit(frames: 23)) {
            try machine.map(a.pid, at: 0, size: 1 << 30, protection: .readWrite)  // 512 page tables
        }
        try machine.map(a.pid, at: 0, size: 1 << 20, protection: .readWrite)
        try machine.switchTo(a.pid)
        var written = 0
        do {
            for page in 0..<20 as Range<UInt64> {
                _ = try machine.access(page * 4096, kind: .write, storing: 1)
                written += 1
            }
        } catch {
            #expect(error == .hostMemoryLimit(frames: 23))
        }
        #expect(written == 10)
        #expect(machine.memory.touchedFrames == 23)
        // Writing again to a page that already holds data needs no new frame.
        #expect(try machine.access(0, kind: .write, storing: 2).fault == nil)
    }
}
