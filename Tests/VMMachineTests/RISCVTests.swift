import Testing

@testable import VMMachine

/// RISC-V's Sv39 and Sv48 through the one walker, TLB and kernel model:
/// the PTE layout bit by bit, satp, leaves at any level, the spec's
/// page-fault rules, sfence.vma and ASIDs.
@Suite struct RISCVTests {
    private func machine(
        _ architecture: Architecture = .riscv64Sv39, asids: Bool = false, separate: Bool = false, ram: UInt64 = 64 << 20
    ) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = architecture
        configuration.addressSpaceIDs = asids
        configuration.kpti = separate
        configuration.separateKernelTable = separate
        configuration.ramBytes = ram
        configuration.smep = true
        configuration.smap = true
        return try Machine(configuration)
    }

    /// The spec's PTE: V R W X U G A D in bits 7:0, PPN in 53:10.
    @Test func entriesAreEncodedBitByBit() {
        let sv39 = Architecture.riscv64Sv39
        // A user page, read-write, not executable, accessed and dirty, at 0x206000.
        let leaf = PageEntry.leaf(at: 0x20_6000, writable: true, user: true, executable: false, accessed: true, dirty: true)
        let raw = sv39.encodeEntry(leaf, level: 1)
        #expect(raw == 0x206 << 10 | 0b1101_0111)  // D A . U . W R V
        #expect(sv39.decodeEntry(raw, level: 1) == leaf)
        // Executable and global, read-only: X and G, no W.
        let text = PageEntry.leaf(at: 0x1000, writable: false, user: false, executable: true, global: true)
        #expect(sv39.encodeEntry(text, level: 2) == 1 << 10 | 0b0010_1011)  // G X R V
        // A pointer: V and the PPN only, whatever rights the kernel model gave it.
        let pointer = PageEntry.table(at: 0x20_7000, user: true)
        #expect(sv39.encodeEntry(pointer, level: 2) == 0x207 << 10 | 1)
        #expect(sv39.decodeEntry(sv39.encodeEntry(pointer, level: 2), level: 2) == pointer)
        // Not valid: a swap entry keeps its slot.
        let swapped = sv39.encodeEntry(.swapped(slot: 5), level: 1)
        #expect(swapped & RISCV.valid == 0 && sv39.decodeEntry(swapped, level: 1).swapSlot == 5)
        #expect(Architecture.riscv64Sv39.format.physicalAddress(raw) == 0x20_6000)
    }

    @Test func satpHoldsModeASIDAndTheRootsFrameNumber() throws {
        let sv39 = Architecture.riscv64Sv39
        let satp = sv39.baseRegisterValue(root: 0x20_5000, tag: 3)
        #expect(satp == RISCV.modeSv39 | 3 << 44 | 0x205)
        #expect(sv39.rootAddress(fromRegister: satp) == 0x20_5000 && sv39.tag(fromRegister: satp) == 3)
        #expect(Architecture.riscv64Sv48.baseRegisterValue(root: 0x20_5000, tag: 0) == RISCV.modeSv48 | 0x205)
        let machine = try self.machine(asids: true)
        let process = try machine.spawn(name: "A")
        _ = try machine.switchTo(process.pid, core: 0)
        #expect(machine.cores[0].base == RISCV.modeSv39 | 1 << 44 | process.root >> 12)
        #expect(machine.cores[0].tag == 1)
    }

    /// Three levels under Sv39, four under Sv48; a leaf at L1 maps 2 MiB, at L2 1 GiB.
    @Test func leavesAtAnyLevel() throws {
        let machine = try self.machine(ram: 2 << 30)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        try machine.map(process.pid, at: 0x4000_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        try machine.map(process.pid, at: 0x8000_0000, size: 1 << 30, protection: .readWrite, pageSize: 1 << 30)
        _ = try machine.switchTo(process.pid, core: 0)
        #expect(try machine.access(0x40_0000, kind: .read).walk.count == 3)
        let mega = try machine.access(0x4012_3000, kind: .read)
        #expect(mega.walk.count == 2 && mega.pageSize == 2 << 20 && mega.fault == nil)
        let giga = try machine.access(0x8765_4000, kind: .read)
        #expect(giga.walk.count == 1 && giga.pageSize == 1 << 30 && giga.physicalAddress! & 0x3FFF_FFFF == 0x0765_4000)
        let sv48 = try self.machine(.riscv64Sv48)
        let other = try sv48.spawn(name: "B")
        try sv48.map(other.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try sv48.switchTo(other.pid, core: 0)
        #expect(try sv48.access(0x40_0000, kind: .read).walk.count == 4)
    }

    /// A pointer carries no rights: a user access succeeds through pointers
    /// with U = W = 0. A and D are set in the leaf only.
    @Test func rightsAndAccessedBitsAreTheLeafs() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let write = try machine.access(0x40_0000, kind: .write, storing: 7)
        #expect(write.fault == nil)
        for level in [3, 2] {
            #expect(try machine.entry(root: process.root, 0x40_0000, level: level) & 0x3FF == RISCV.valid)
        }
        #expect(try machine.entry(root: process.root, 0x40_0000, level: 1) & 0xFF == 0xD7)
        // Not executable: no X, and a fetch faults as a protection fault.
        let fetch = try machine.access(0x40_0000, kind: .execute)
        #expect(fetch.fault?.kind == .protection && fetch.fault?.errorCode ?? 0 & 16 != 0)
    }

    /// The spec's page-fault shapes: a misaligned superpage, W without R, and
    /// a pointer in the last table.
    @Test func malformedEntriesFault() throws {
        let machine = try self.machine(ram: 2 << 30)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x8000_0000, size: 1 << 30, protection: .readWrite, pageSize: 1 << 30)
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let gigapage = process.root + 8 * UInt64(Architecture.riscv64Sv39.index(of: 0x8000_0000, level: 3))
        let good = machine.hardware.rawTableEntry(at: gigapage)
        try machine.hardware.poke(gigapage, good | 1 << 10)  // PPN[0] bit set: misaligned
        #expect(try machine.access(0x8000_0000, kind: .read).fault?.kind == .reservedBit)
        try machine.hardware.poke(gigapage, good)
        #expect(try machine.access(0x8000_0000, kind: .read).fault == nil)
        let leaf = try #require(machine.lookup(root: process.root, 0x40_0000)).entryAddress
        let entry = machine.hardware.rawTableEntry(at: leaf)
        try machine.hardware.poke(leaf, entry & ~RISCV.read)  // W without R: reserved
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .reservedBit)
        try machine.hardware.poke(leaf, entry & ~(RISCV.read | RISCV.write | RISCV.execute))  // a pointer in L0
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .reservedBit)
        // Execute-only (X without R; sstatus.MXR clear): fetches run, loads fault.
        try machine.hardware.poke(leaf, (entry & ~(RISCV.read | RISCV.write)) | RISCV.execute)
        #expect(try machine.access(0x40_0000, kind: .execute).fault == nil)
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .protection)  // a TLB hit: the entry remembers R
        machine.cores.pointer(0).pointee.tlb.flushAll()
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .protection)  // a walk: the leaf has no R
        try machine.hardware.poke(leaf, entry | 1 << 54)  // bit 54: reserved without Svpbmt/Svnapot
        #expect(try machine.access(0x40_0000, kind: .read).fault?.kind == .reservedBit)
        try machine.hardware.poke(leaf, entry)
        #expect(try machine.access(0x40_0000, kind: .read).fault == nil)
    }

    /// A satp write flushes nothing; without ASIDs Linux follows it with
    /// sfence.vma x0, ASID 0 (set_mm_noasid's local_flush_tlb_all_asid(0),
    /// arch/riscv/mm/context.c), which keeps global kernel entries as x86's
    /// CR3 write does; xv6's sfence.vma zero, zero drops them too.
    @Test func aSwitchWithoutASIDsKeepsGlobalsButXv6sFenceDoesNot() throws {
        for (architecture, separate) in [(Architecture.riscv64Sv39, false), (.x86_64, false), (.riscv64Sv39, true)] {
            var configuration = MachineConfiguration()
            configuration.architecture = architecture
            configuration.kpti = separate
            configuration.separateKernelTable = separate
            let machine = try Machine(configuration)
            let a = try machine.spawn(name: "A")
            let b = try machine.spawn(name: "B")
            _ = try machine.switchTo(a.pid, core: 0)
            _ = try machine.enterKernel(core: 0)  // fetches the kernel text: a global entry
            _ = try machine.exitKernel(core: 0)
            // xv6's return to user mode already fenced everything, the kernel text's global entry too.
            let globals = machine.cores[0].tlb.entries.filter { $0.valid && $0.global }.count
            #expect(globals == (separate ? 0 : 1), "\(architecture.name) separate=\(separate)")
            let switched = try machine.switchTo(b.pid, core: 0)
            #expect(switched.writes.allSatisfy { $0.flushed })
            #expect(switched.entriesKept == (separate ? 0 : 1), "\(architecture.name) separate=\(separate)")
            // The satp value carries no x86 no-flush bit: bit 63 is MODE's.
            #expect(switched.writes.last!.value == machine.cores[0].base)
        }
    }

    /// With ASIDs a switch fences nothing, and sfence.vma's four forms drop
    /// what the spec says.
    @Test func sfenceVMAsFourForms() throws {
        let machine = try self.machine(asids: true)
        let a = try machine.spawn(name: "A")
        let b = try machine.spawn(name: "B")
        try machine.map(a.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        try machine.map(b.pid, at: 0x40_0000, size: 0x2000, protection: .readWrite)
        func fill() throws {
            _ = try machine.switchTo(a.pid, core: 0)
            _ = try machine.access(0x40_0000, kind: .read)
            _ = try machine.access(0x40_1000, kind: .read)
            _ = try machine.switchTo(b.pid, core: 0)
            _ = try machine.access(0x40_0000, kind: .read)
            _ = try machine.access(0x40_1000, kind: .read)
            _ = try machine.enterKernel(core: 0)  // a global kernel-text entry
        }
        try fill()
        #expect(machine.cores[0].tlb.validCount == 5)
        #expect(try machine.fenceVirtualMemory(address: 0x40_0000, asid: 1, core: 0) == .done(dropped: 1))
        #expect(try machine.fenceVirtualMemory(address: nil, asid: 2, core: 0) == .done(dropped: 2))
        #expect(
            try machine.fenceVirtualMemory(address: Architecture.riscv64Sv39.kernelTextBase, asid: nil, core: 0)
                == .done(dropped: 1))
        #expect(try machine.fenceVirtualMemory(address: nil, asid: nil, core: 0) == .done(dropped: 1))
        try fill()
        // A global entry survives an ASID's fence, not an address's in every ASID.
        #expect(try machine.fenceVirtualMemory(address: nil, asid: 2, core: 0) == .done(dropped: 2))
        #expect(machine.cores[0].tlb.entries.contains { $0.valid && $0.global })
        _ = try machine.exitKernel(core: 0)
        #expect(try machine.fenceVirtualMemory(address: nil, asid: nil, core: 0) == .generalProtection)
    }

    /// S-mode touches a U page only with sstatus.SUM (the uaccess flag).
    @Test func supervisorAccessToUserPagesNeedsSUM() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x40_0000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        _ = try machine.access(0x40_0000, kind: .write, storing: 5)
        _ = try machine.enterKernel(core: 0)
        let refused = try machine.access(0x40_0000, kind: .read)
        #expect(refused.fault?.check == .smap && refused.resolution == .kernelOops)
        _ = try machine.setUserAccess(true, core: 0, exceptionTable: true)
        #expect(try machine.access(0x40_0000, kind: .read).value == 5)
    }

    /// A core idled by its process's exit loads the master table in satp's
    /// form (MODE | PPN), not the table's bare address, and still runs the kernel.
    @Test func anIdledCoreLoadsTheMasterTableAsSatp() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        _ = try machine.switchTo(process.pid, core: 0)
        _ = machine.exit(process.pid)
        #expect(machine.cores[0].base == RISCV.modeSv39 | machine.kernelRoot >> 12)
        let text = try machine.access(Architecture.riscv64Sv39.kernelTextBase + 0x1000, kind: .execute)
        #expect(text.fault == nil && text.physicalAddress == 0x1000)
    }

    /// An address that is not sign-extended is a page fault the handler sees (x86: #GP before any walk).
    @Test func unextendedAddressesArePageFaults() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        _ = try machine.switchTo(process.pid, core: 0)
        let access = try machine.access(0x40_0000_0000, kind: .write, storing: 1)
        #expect(access.fault?.kind == .nonCanonical && access.resolution == .segmentationFault)
        #expect(machine.cores[0].faultAddress == 0x40_0000_0000 && machine.faultCounts.segmentation == 1)
    }

    /// xv6's design runs on Sv39, laid out as xv6 lays it out: the process's
    /// own table maps TRAMPOLINE and TRAPFRAME under root entry 255 (MAXVA is
    /// 1 << 38), and each trap switches satp twice with a full fence.
    @Test func xv6SeparateKernelTable() throws {
        let machine = try self.machine(separate: true)
        let process = try machine.spawn(name: "A")
        let userRoot = try #require(process.userRoot)
        #expect(machine.presentEntries(ofTable: userRoot, level: machine.architecture.levels).map(\.index) == [255])
        let trampoline = try #require(machine.lookup(root: userRoot, RISCV.xv6Trampoline))
        #expect(trampoline.entry.executable && !trampoline.entry.writable && !trampoline.entry.user && !trampoline.entry.global)
        let trapframe = try #require(machine.lookup(root: userRoot, RISCV.xv6Trapframe))
        #expect(trapframe.entry.writable && !trapframe.entry.executable && !trapframe.entry.user)
        #expect(machine.lookup(root: machine.kernelRoot, RISCV.xv6Trampoline)?.entry.address == trampoline.entry.address)
        #expect(throws: MachineError.notUserAddress(address: RISCV.xv6Trapframe, userEnd: RISCV.xv6Trapframe)) {
            try machine.map(process.pid, at: RISCV.xv6Trapframe, size: 0x1000, protection: .readWrite)
        }
        try machine.map(process.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let before = machine.cores[0].baseWrites
        let entry = try machine.enterKernel(core: 0)
        #expect(entry.write?.flushed == true && machine.cores[0].base == RISCV.modeSv39 | machine.kernelRoot >> 12)
        _ = try machine.exitKernel(core: 0)
        #expect(machine.cores[0].baseWrites == before + 2)
        #expect(throws: MachineError.notOnArchitecture(architecture: "riscv64 mode=sv48", what: "a separate kernel page table")) {
            try self.machine(.riscv64Sv48, separate: true)
        }
        var configuration = MachineConfiguration()
        configuration.architecture = .riscv64Sv39
        configuration.kpti = true
        #expect(throws: MachineError.notOnArchitecture(architecture: "riscv64 mode=sv39", what: "page-table isolation (KPTI)")) {
            try Machine(configuration)
        }
    }
}
