/// RISC-V's Sv39 and Sv48 paging (privileged spec v1.13, "Supervisor-Level
/// ISA" §Sv39/§Sv48) under Linux's layout (Documentation/riscv/vm-layout.rst).
///
/// A PTE is V R W X U G A D in bits 7:0, two bits for software, and the
/// frame's PPN in bits 53:10. A table pointer has R = W = X = 0; any of them
/// makes the entry a leaf at whatever level it sits (a 2 MiB megapage, a 1 GiB
/// gigapage, Sv48's 512 GiB terapage). Rights are the leaf's alone.
///
/// The kernel model's entries (PageEntry) are stored in this layout by
/// `encodePresent`/`decodePresent`; the walker reads memory as it is.
///
/// Modelled choices where the spec allows two: the MMU sets A and D itself
/// (Svadu's hardware update, as QEMU does), rather than faulting for the
/// kernel to set them (Svade); no Svpbmt or Svnapot, so bits 63:54 are
/// reserved; sstatus.MXR is clear; supervisor accesses to U pages need
/// sstatus.SUM, which Linux sets only in its uaccess routines.
public enum RISCV {
    public static let valid: UInt64 = 1 << 0
    public static let read: UInt64 = 1 << 1
    public static let write: UInt64 = 1 << 2
    public static let execute: UInt64 = 1 << 3
    public static let user: UInt64 = 1 << 4
    public static let global: UInt64 = 1 << 5
    public static let accessed: UInt64 = 1 << 6
    public static let dirty: UInt64 = 1 << 7
    /// PPN, bits 53:10 (44 bits: 56-bit physical addresses).
    public static let frameMask: UInt64 = 0x003F_FFFF_FFFF_FC00
    static let frameShift: UInt64 = 10
    /// Bits 63:54: reserved without Svpbmt (62:61) and Svnapot (63).
    static let reservedHigh: UInt64 = 0xFFC0_0000_0000_0000

    /// satp's MODE field (63:60) for Sv39 and Sv48, its ASID (59:44) and its PPN (43:0).
    public static let modeSv39: UInt64 = 8 << 60
    public static let modeSv48: UInt64 = 9 << 60
    static let asidShift: UInt64 = 44
    static let asidMask: UInt64 = 0xFFFF
    static let satpFrameMask: UInt64 = 0x0000_0FFF_FFFF_FFFF

    /// scause's exception codes for page faults (privileged spec, Table "Supervisor cause register").
    public static let instructionPageFault: UInt64 = 12
    public static let loadPageFault: UInt64 = 13
    public static let storePageFault: UInt64 = 15

    /// The bits that must be zero at `level`: 63:54 always; in a superpage,
    /// the PPN bits below its size ("a misaligned superpage": a page fault).
    static func reservedBits(level: Int, largePage: Bool) -> UInt64 {
        guard largePage && level > 1 else { return reservedHigh }
        let lowPPN: UInt64 = (1 << (9 * UInt64(level - 1))) - 1
        return reservedHigh | lowPPN << frameShift
    }

    /// The Sv39/Sv48 PTE for a present entry: a pointer has R = W = X = 0
    /// and nothing but V and the PPN; a leaf is always readable.
    static func encodePresent(_ entry: PageEntry) -> UInt64 {
        var raw = valid | (entry.address >> 12) << frameShift
        guard entry.leaf else { return raw }
        raw |= read
        if entry.writable { raw |= write }
        if entry.executable { raw |= execute }
        if entry.user { raw |= user }
        if entry.global { raw |= global }
        if entry.accessed { raw |= accessed }
        if entry.dirty { raw |= dirty }
        return raw
    }

    /// The kernel's view of a PTE with V set (nil for V clear). A pointer
    /// reads as Linux's table entry (present, writable, user, accessed,
    /// dirty): it carries no rights, so it allows everything below it.
    static func decodePresent(_ raw: UInt64) -> PageEntry? {
        guard raw & valid != 0 else { return nil }
        let address = ((raw & frameMask) >> frameShift) << 12
        guard raw & (read | write | execute) != 0 else { return .table(at: address, user: true) }
        return .leaf(
            at: address, writable: raw & write != 0, user: raw & user != 0, executable: raw & execute != 0,
            accessed: raw & accessed != 0, dirty: raw & dirty != 0, global: raw & global != 0)
    }

    /// One step of the walk at `level` (the spec's steps 3 to 5): a pointer
    /// to descend to, a leaf with its own rights, or a page fault for V = 0,
    /// reserved bits (a misaligned superpage among them), W without R, or a
    /// pointer in the last table.
    static func step(_ raw: UInt64, level: Int) -> WalkStepResult {
        guard raw & valid != 0 else { return .fault(.notPresent) }
        let permissions = raw & (read | write | execute)
        if raw & reservedBits(level: level, largePage: permissions != 0 && level > 1) != 0 { return .fault(.reservedBit) }
        if permissions & write != 0 && permissions & read == 0 || level == 1 && permissions == 0 {
            return .fault(.reservedBit)
        }
        guard permissions != 0 else { return .descend(((raw & frameMask) >> frameShift) << 12) }
        return .leaf(
            writable: raw & write != 0, user: raw & user != 0, noExecute: raw & execute == 0, readable: raw & read != 0)
    }

    static let format = EntryFormat(
        valid: valid, writable: write, user: user, accessed: accessed, dirty: dirty,
        largePage: read | write | execute, global: global, frameMask: frameMask, frameRightShift: frameShift,
        frameLeftShift: 12, reservedBits: .riscv, family: .riscv)

    /// Linux's entry page: the highest virtual page, in the sign-extended kernel half.
    static let trampoline: UInt64 = 0xFFFF_FFFF_FFFF_F000
    /// xv6's layout (kernel/memlayout.h): MAXVA is 1 << 38, one bit below
    /// Sv39's so that no address needs sign extension; TRAMPOLINE is its last
    /// page, TRAPFRAME the one below, and user memory ends beneath them.
    public static let xv6Trampoline: UInt64 = (1 << 38) - 0x1000
    public static let xv6Trapframe: UInt64 = (1 << 38) - 0x2000
}

extension Architecture {
    /// Sv39: three levels of 512 eight-byte PTEs, 39-bit addresses whose bits
    /// 63:39 must equal bit 38, leaves at every level. Linux: user space below
    /// 0x4000000000 (256 GiB), the direct map at 0xffffffd800000000, the kernel at 0xffffffff80000000.
    public static let riscv64Sv39 = riscv(
        name: "riscv64 mode=sv39", levels: 3, mode: RISCV.modeSv39, userEnd: 0x0000_0040_0000_0000,
        directMapBase: 0xFFFF_FFD8_0000_0000)

    /// Sv48: a fourth level, 48-bit addresses (bits 63:48 equal bit 47), and
    /// the 512 GiB terapage. Linux: user space below 0x800000000000, the
    /// direct map at 0xffffaf8000000000, the kernel where Sv39 has it.
    public static let riscv64Sv48 = riscv(
        name: "riscv64 mode=sv48", levels: 4, mode: RISCV.modeSv48, userEnd: 0x0000_8000_0000_0000,
        directMapBase: 0xFFFF_AF80_0000_0000)

    private static func riscv(name: String, levels: Int, mode: UInt64, userEnd: UInt64, directMapBase: UInt64)
        -> Architecture
    {
        Architecture(
            name: name, pageShift: 12, indexBitsPerLevel: Array(repeating: 9, count: levels), entryBytes: 8,
            format: RISCV.format, largePageLevels: Array(2...levels), virtualBits: 12 + 9 * levels, physicalBits: 56,
            baseRegister: "satp", baseRegisterHoldsFrameNumber: true, hasKernel: true,
            levelNames: (0..<levels).map { "L\($0)" }, userEnd: userEnd, directMapBase: directMapBase,
            kernelTextBase: 0xFFFF_FFFF_8000_0000, signExtended: true, supportsPCID: true,
            entryAreaBase: RISCV.trampoline, baseRegisterFrameMask: RISCV.satpFrameMask,
            baseRegisterMode: mode, tagShift: RISCV.asidShift, tagMask: RISCV.asidMask, tagName: "ASID",
            fullFenceDropsGlobals: true)
    }
}

extension EntryEncoding {
    public static let riscv = EntryEncoding(RISCV.self)
}

extension Architecture {
    /// scause for a page fault: 12 for a fetch, 15 for a store, 13 for a load.
    public static func scause(_ fault: Fault) -> (UInt64, String) {
        if fault.access == .execute { return (RISCV.instructionPageFault, "instruction page fault") }
        if fault.access == .write { return (RISCV.storePageFault, "store/AMO page fault") }
        return (RISCV.loadPageFault, "load page fault")
    }

}

extension RISCV: ArchitectureFamily {
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry? {
        decodePresent(raw)
    }
    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64 {
        encodePresent(entry)
    }
    static func step(
        _ raw: UInt64, level: Int, virtualAddress: UInt64, _ architecture: Architecture, limits: inout TableLimits
    ) -> WalkStepResult {
        step(raw, level: level)
    }

    /// xv6's own architecture: kernel=separate lays a process out as xv6
    /// does (TRAMPOLINE and TRAPFRAME at the top of the user half).
    static var hasXv6Layout: Bool { true }
    /// Linux's tlb_flush_all_threshold (arch/riscv/mm/tlbflush.c).
    static var singlePageFlushCeiling: Int { 64 }
    static var userAccessInstructions: UserAccessInstructions {
        (("csrs sstatus, SUM", "sstatus.SUM set"), ("csrc sstatus, SUM", "sstatus.SUM clear"))
    }
    static var faultAddressRegister: String { "stval" }
    static var registerMembers: String { "cpu.satp, cpu.stval and cpu.asid" }
    static var cpuMembers: [String] { ["asid", "satp", "satp_writes", "stval"] }
    static var faultCodeMember: String { "last.scause" }
    static func flagNames(_ raw: UInt64, level: Int, _ architecture: Architecture) -> [String] {
        flagNames(raw)
    }

    /// No privilege or present bit: the handler finds them itself.
    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        let (code, name) = Architecture.scause(fault)
        return "scause \(code): \(name), stval \(Architecture.hex(fault.address))"
    }
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String? {
        let level = architecture.levelName(fault.level)
        switch fault.kind {
        case .notPresent: return "V = 0 at \(level)"
        case .reservedBit: return "reserved bits or encoding in the \(level) entry"
        case .nonCanonical:
            return "bits 63:\(architecture.virtualBits) of the address differ from bit \(architecture.virtualBits - 1)"
        case .protection:
            switch fault.check {
            case .rights: return "protection"
            case .smep: return "protection: S-mode never executes a U page"
            case .smap: return "protection: S-mode touched a U page with sstatus.SUM clear"
            }
        default: return nil
        }
    }
    /// scause does not say RSVD, and the handler finds an entry it cannot repair.
    static var badTableVerdict: String {
        "oops (a malformed entry: reserved bits or a misaligned superpage, which no handler repairs)"
    }
    static var instructionSetName: String { "a RISC-V" }
    static var ownInvalidation: String {
        " invalidates its TLB with sfence_vma (and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"
    }
    static var flushName: String { "sfence.vma" }
}

extension RISCV {
    static func flagNames(_ raw: UInt64) -> [String] {
        let names: [(String, UInt64)] = [
            ("V", valid), ("R", read), ("W", write), ("X", execute), ("U", user), ("G", global), ("A", accessed),
            ("D", dirty),
        ]
        return names.filter { raw & $0.1 != 0 }.map(\.0)
    }
}


extension RISCV {
    /// RISC-V's own cycle figures (`show costs` prints each one's source).
    static var ownCosts: [(WritableKeyPath<CostModel, UInt64>, Architecture.CostFigure)] {
        [
            (\.baseRegisterWrite, Architecture.CostFigure(
                cycles: 20,
                source: "assumption: csrw satp is one CSR write and flushes nothing itself (privileged spec: "
                    + "the sfence.vma after it does, cost_flush)")),
            (\.tlbFlush, Architecture.CostFigure(
                cycles: 100, source: "x86's figure, assumed: no published latency for sfence.vma x0, asid")),
            (\.invlpg, Architecture.CostFigure(
                cycles: 250, source: "x86's INVLPG figure, assumed for sfence.vma ADDR: none is published")),
            (\.kernelEntry, Architecture.CostFigure(cycles: 100, source: "x86's figure, assumed for ecall and sret")),
        ]
    }
}
