import Testing

@testable import VMMachine

/// 32-bit x86 without PAE through the same walker and kernel model: 4-byte
/// entries, two levels, 4 MiB pages, no NX, the 3G/1G split.
@Suite struct I386Tests {
    private func machine(ram: UInt64 = 64 << 20) throws -> Machine {
        var configuration = MachineConfiguration()
        configuration.architecture = .i386
        configuration.ramBytes = ram
        return try Machine(configuration)
    }

    @Test func entriesAreFourBytesAndTwoLevels() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x0804_8000, size: 0x1000, protection: .readWrite)
        // The PD's kernel half: 64 MiB of low memory in 4 MiB pages from PD index 768 (0xc0000000).
        #expect(machine.presentEntries(ofTable: process.root, level: machine.architecture.levels).map(\.index) == [32] + Array(768..<784))
        let pde = try machine.entry(root: process.root, 0x0804_8000, level: 2)
        #expect(pde >> 32 == 0 && pde & PageTableEntry.present != 0)
        // The PT entry is the 4 bytes at PT + 0x48 x 4; the next 4 bytes are another entry.
        let table = pde & 0xFFFF_F000
        let pte = try machine.hardware.peek(table + 0x48 * 4, bytes: 4)
        #expect(pte & PageTableEntry.present != 0 && pte & PageTableEntry.user != 0 && pte >> 32 == 0)
        #expect(try machine.hardware.peek(table + 0x49 * 4, bytes: 4) == 0)
        _ = try machine.switchTo(process.pid, core: 0)
        _ = try machine.access(0x0804_8004, kind: .write, storing: 0xDEAD_BEEF)
        let read = try machine.access(0x0804_8004, kind: .read)
        #expect(read.value == 0xDEAD_BEEF && read.walk.count == 0 && read.tlbHit)
        #expect(throws: MachineError.fieldTooWide(name: "the value", value: 1 << 32, bits: 32)) {
            try machine.access(0x0804_8004, kind: .write, storing: 1 << 32)
        }
        #expect(throws: MachineError.addressTooWide(address: 1 << 32, bits: 32, what: "virtual")) {
            try machine.access(1 << 32, kind: .read)
        }
    }

    /// A 4 MiB page is one PD entry and one TLB entry, and with no NX bit a
    /// read-write page can be executed.
    @Test func fourMiBPagesAndNoNX() throws {
        let machine = try self.machine()
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x4000_0000, size: 4 << 20, protection: .readWrite, pageSize: 4 << 20)
        _ = try machine.switchTo(process.pid, core: 0)
        let fetch = try machine.access(0x4012_3450, kind: .execute)
        #expect(fetch.fault == nil && fetch.walk.count == 1 && fetch.pageSize == 4 << 20)
        let again = try machine.access(0x403F_FFF0, kind: .read)
        #expect(again.tlbHit)
        #expect(throws: MachineError.unsupportedPageSize(2 << 20, architecture: "i386", sizes: [4096, 4 << 20])) {
            try machine.map(process.pid, at: 0x8000_0000, size: 2 << 20, protection: .readWrite, pageSize: 2 << 20)
        }
        // A PSE entry's bits 21:13 are reserved.
        #expect(Architecture.i386.reservedBits(level: 2, largePage: true) == 0x003F_E000)
    }

    @Test func theKernelLivesAbove3GiB() throws {
        let machine = try self.machine()
        #expect(Architecture.i386.firstKernelIndex == 768 && Architecture.i386.entriesPerTable == 1024)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x1000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        let user = try machine.access(0xC000_1000, kind: .read)
        #expect(user.fault?.kind == .protection && user.resolution == .segmentationFault)
        #expect(throws: MachineError.notUserAddress(address: 0xC000_0000, userEnd: 0xC000_0000)) {
            try machine.map(process.pid, at: 0xC000_0000, size: 0x1000, protection: .readWrite)
        }
        #expect(throws: MachineError.ramSize(bytes: 1 << 30, multiple: 4 << 20, maximum: 896 << 20)) {
            try self.machine(ram: 1 << 30)
        }
        var configuration = MachineConfiguration()
        configuration.architecture = .i386
        configuration.addressSpaceIDs = true
        #expect(throws: MachineError.notOnArchitecture(architecture: "i386", what: "PCIDs (CR4.PCIDE)")) {
            try Machine(configuration)
        }
    }
}

/// PAE: a PDPT of four entries held in registers from the CR3 load, 8-byte
/// entries with NX, 2 MiB pages.
@Suite struct PAETests {
    private func loaded() throws -> (Machine, Process) {
        var configuration = MachineConfiguration()
        configuration.architecture = .i386PAE
        let machine = try Machine(configuration)
        let process = try machine.spawn(name: "A")
        try machine.map(process.pid, at: 0x0804_8000, size: 0x1000, protection: .readWrite)
        _ = try machine.switchTo(process.pid, core: 0)
        return (machine, process)
    }

    @Test func thePDPTEsAreRegistersLoadedWithCR3() throws {
        let (machine, process) = try loaded()
        // Every user PD exists from spawn on (preallocate_pmds); PDPTEs carry only P.
        let pdptes = (0..<4).map { try? machine.hardware.peek(process.root + UInt64($0) * 8) }
        #expect(pdptes.allSatisfy { ($0 ?? 0) & 0xFFF == PageTableEntry.present })
        #expect(machine.cores[0].rootEntries.0 == pdptes[0])
        // Changed in memory, a PDPTE is not seen until CR3 is loaded again.
        try machine.hardware.poke(process.root, 0)
        let stale = try machine.access(0x0804_8000, kind: .read)
        #expect(stale.fault == nil && stale.walk.count == 3 && stale.walk[0].entry == pdptes[0])
        // The walk's memory reads are the PD and PT entries only.
        #expect(machine.cores[0].walkMemoryReads == 2)
        machine.hardware.loadRootEntries(core: 0)
        #expect(machine.cores[0].rootEntries.0 == 0)
    }

    /// A PDPTE the kernel writes for a PDPT a core runs on reaches that core's
    /// registers at once: the kernel reloads CR3 (only a PDPTE cleared by hand is ever rewritten).
    @Test func aRewrittenPDPTEIsReloaded() throws {
        let (machine, process) = try loaded()
        try machine.hardware.poke(process.root + 8, 0)  // PDPTE 1: 0x40000000 ..< 0x80000000
        machine.hardware.loadRootEntries(core: 0)
        let writes = machine.cores[0].baseWrites
        try machine.map(process.pid, at: 0x4000_0000, size: 0x1000, protection: .readWrite)
        #expect(machine.cores[0].baseWrites == writes + 1 && machine.cores[0].rootEntries.1 != 0)
        #expect(try machine.access(0x4000_0000, kind: .read).fault == nil)
    }

    /// The kernel image, inside i386's direct map, can run under PAE's NX.
    @Test func theKernelTextRunsUnderNX() throws {
        let (machine, _) = try loaded()
        let entry = try machine.enterKernel(core: 0)
        #expect(entry.fetches.allSatisfy { $0.fault == nil })
        #expect(try machine.access(0xC000_1000, kind: .execute).fault == nil)
        #expect(try machine.access(0xC040_0000, kind: .execute).fault?.kind == .protection)
    }

    @Test func rightsComeFromThePDDownAndNXIsBack() throws {
        let (machine, _) = try loaded()
        let read = try machine.access(0x0804_8000, kind: .read)
        #expect(read.fault == nil)
        let fetch = try machine.access(0x0804_8000, kind: .execute)
        #expect(fetch.fault?.kind == .protection)
        // A PDPTE with RW, US or bits 8:5 set is a reserved-bit violation.
        #expect(Architecture.i386PAE.reservedBits(level: 3, largePage: false) & (PageTableEntry.writable | PageTableEntry.user) != 0)
        #expect(Architecture.i386PAE.firstKernelIndex == 3 && Architecture.i386PAE.pageSizes == [4096, 2 << 20])
    }
}
