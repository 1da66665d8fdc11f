/// MIPS32 with an R4000-style MMU (R4000 User's Manual ch. 4; Linux's
/// arch/mips/mm/tlbex.c): no hardware walker at all.
///
/// The address space is cut into segments: kuseg (0x00000000-0x7fffffff,
/// mapped, user), kseg0 (0x80000000-0x9fffffff, unmapped, cached: physical =
/// address - 0x80000000), kseg1 (0xa0000000-0xbfffffff, unmapped, uncached)
/// and kseg2 (0xc0000000 up, mapped, kernel). The kernel runs in kseg0, so
/// no page table maps it: a process's table holds its user pages and nothing else.
///
/// The TLB holds 48 entries, each mapping an even/odd pair of pages: EntryHi
/// (VPN2 = address bits 31:13, an 8-bit ASID) and EntryLo0/EntryLo1 (PFN, C,
/// D, V, G; the entry is global if both G bits are set). An entry matches
/// when VPN2 is equal and it is global or its ASID is EntryHi's. A miss
/// raises a TLB Refill exception; the kernel's handler (a dozen
/// instructions at 0x80000000) reads the two-level table from pgd_current
/// and writes the pair with TLBWR, into the slot the Random register names.
/// V = 0 raises TLB Invalid (TLBL, TLBS) and a store through D = 0 TLB
/// Modified (Mod): the kernel handles both, setting D is how it learns a
/// page is dirty.
///
/// The page-table format is the kernel's own. vmlab's is EntryLo's layout in
/// the low 26 bits (PFN 25:6, C 5:3, D 2, V 1, G 0; 32-bit physical
/// addresses) and Linux's software bits above, which the refill handler
/// masks off: present 31, write 30, accessed 29, modified 28. A PGD entry is
/// the kseg0 address of a page table, or 0.
public enum MIPS {
    public static let global: UInt64 = 1 << 0
    public static let valid: UInt64 = 1 << 1
    public static let dirty: UInt64 = 1 << 2
    /// C = 3: cacheable, noncoherent (write-back).
    public static let cacheable: UInt64 = 3 << 3
    public static let frameMask: UInt64 = 0x03FF_FFC0
    static let frameShift: UInt64 = 6
    /// The bits a refill handler copies into EntryLo.
    public static let entryLoMask: UInt64 = 0x03FF_FFFF
    public static let softwarePresent: UInt64 = 1 << 31
    public static let softwareWrite: UInt64 = 1 << 30
    public static let softwareAccessed: UInt64 = 1 << 29
    public static let softwareModified: UInt64 = 1 << 28

    /// The segments.
    public static let kseg0: UInt64 = 0x8000_0000
    public static let kseg1: UInt64 = 0xA000_0000
    public static let kseg2: UInt64 = 0xC000_0000
    /// R4000: 48 entries, each a pair of pages.
    public static let tlbEntries = 48
    /// The refill handler's vector, in kseg0 (EXL = 0, BEV = 0).
    public static let refillVector: UInt64 = 0x8000_0000

    /// Cause.ExcCode for the MMU's exceptions (the R4000 User's Manual's Cause register, ExcCode field).
    public static let modifiedCode: UInt64 = 1
    public static let loadMissCode: UInt64 = 2  // TLBL: a load or fetch
    public static let storeMissCode: UInt64 = 3  // TLBS
    public static let loadAddressErrorCode: UInt64 = 4  // AdEL
    public static let storeAddressErrorCode: UInt64 = 5  // AdES

    /// The physical address of an unmapped kernel segment's address, or nil if it is mapped.
    public static func unmapped(_ address: UInt64) -> UInt64? {
        address >= kseg0 && address < kseg2 ? address & 0x1FFF_FFFF : nil
    }

    /// The word for a present entry: a PGD entry is the table's kseg0
    /// address, as Linux's pgd holds a kernel pointer; a PTE is EntryLo's
    /// bits with the software bits above.
    static func encodePresent(_ entry: PageEntry, level: Int) -> UInt64 {
        guard level == 1 else { return kseg0 | entry.address & 0x1FFF_F000 }
        var raw = softwarePresent | valid | cacheable | (entry.address >> 12) << frameShift
        if entry.global { raw |= global }
        if entry.accessed { raw |= softwareAccessed }
        if entry.writable { raw |= softwareWrite }
        if entry.dirty { raw |= softwareModified }
        // The hardware's D is write permission: set only once the page is writable and already dirty.
        if entry.writable && entry.dirty { raw |= dirty }
        return raw
    }

    /// The kernel's view of a word, nil where nothing is mapped. Only user
    /// pages are ever in a process's table (the kernel is kseg0's), and
    /// MIPS has no execute permission: every mapped page can run.
    static func decodePresent(_ raw: UInt64, level: Int) -> PageEntry? {
        guard level == 1 else {
            guard raw >= kseg0 && raw < kseg2 else { return nil }
            return .table(at: raw & 0x1FFF_F000, user: true)
        }
        guard raw & softwarePresent != 0 else { return nil }
        return .leaf(
            at: ((raw & frameMask) >> frameShift) << 12, writable: raw & softwareWrite != 0, user: true, executable: true,
            accessed: raw & softwareAccessed != 0, dirty: raw & softwareModified != 0, global: raw & global != 0)
    }

    /// One step of a walk of this format, as the refill handler (and
    /// `explain`) makes it: a PGD entry is a table's kseg0 address or 0, a
    /// PTE maps a page if V is set; D is the write permission.
    static func step(_ raw: UInt64, level: Int) -> WalkStepResult {
        guard level == 1 else {
            guard raw >= kseg0 && raw < kseg2 else { return .fault(.notPresent) }
            return .descend(raw & 0x1FFF_F000)
        }
        guard raw & valid != 0 else { return .fault(.notPresent) }
        return .leaf(writable: raw & dirty != 0, user: true, noExecute: false)
    }

    static let format = EntryFormat(
        valid: valid, writable: dirty, global: global, frameMask: frameMask, frameRightShift: frameShift,
        frameLeftShift: 12, family: .mips)
}

extension Architecture {
    /// MIPS32, R4000-style: two levels of 1,024 four-byte entries (a
    /// software format: the hardware never reads them), 4 KiB pages, 2 GiB of
    /// user space (kuseg), the kernel in unmapped kseg0 (at most 512 MiB of
    /// RAM), 8-bit ASIDs in EntryHi. Reads and writes move 4 bytes.
    public static let mips32 = Architecture(
        name: "mips32", pageShift: 12, indexBitsPerLevel: [10, 10], entryBytes: 4, format: MIPS.format,
        virtualBits: 32, physicalBits: 32, accessBytes: 4, baseRegister: "pgd_current", hasKernel: true,
        levelNames: ["PTE", "PGD"], userEnd: MIPS.kseg0, directMapBase: MIPS.kseg0, kernelTextBase: MIPS.kseg0,
        supportsPCID: true, maximumRAM: 512 << 20, baseRegisterFrameMask: 0xFFFF_F000, tagMask: 0xFF, tagName: "ASID")
}

extension EntryEncoding {
    /// No hardware walker: the kernel's refill handler reads this format.
    public static let mips = EntryEncoding(MIPS.self)
}

extension Architecture {
    /// Cause.ExcCode for a MIPS exception: Mod (a store through D = 0), TLBL
    /// or TLBS (a refill or an invalid entry, load or store), AdEL or AdES
    /// (a user address in a kernel segment).
    public static func mipsCause(_ fault: Fault) -> (UInt64, String) {
        let store = fault.access == .write
        switch fault.kind {
        case .protection: return (MIPS.modifiedCode, "Mod")
        case .addressError: return store ? (MIPS.storeAddressErrorCode, "AdES") : (MIPS.loadAddressErrorCode, "AdEL")
        default: return store ? (MIPS.storeMissCode, "TLBS") : (MIPS.loadMissCode, "TLBL")
        }
    }

}

extension MIPS: ArchitectureFamily {
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry? {
        decodePresent(raw, level: level)
    }
    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64 {
        encodePresent(entry, level: level)
    }
    static func step(
        _ raw: UInt64, level: Int, virtualAddress: UInt64, _ architecture: Architecture, limits: inout TableLimits
    ) -> WalkStepResult {
        step(raw, level: level)
    }
    /// A PGD entry is a table's kseg0 address, not a PTE with a V bit.
    static func isValid(_ raw: UInt64, level: Int, _ architecture: Architecture) -> Bool {
        level > 1 ? unmapped(raw) != nil : architecture.format.isValid(raw)
    }
    static func target(of raw: UInt64, level: Int, _ architecture: Architecture) -> UInt64 {
        level > 1 ? raw & 0x1FFF_F000 : architecture.format.physicalAddress(raw)
    }

    /// No hardware walker: a TLB miss is an exception the kernel's refill
    /// handler answers, and the TLB holds page pairs.
    static var refillsTLBInSoftware: Bool { true }
    /// The kernel runs in kseg0, which no table maps.
    static var kernelIsUnmapped: Bool { true }
    /// Half a TLB of pairs (tlb-r4k.c local_flush_tlb_range: 24 pairs, 48 pages).
    static var singlePageFlushCeiling: Int { 48 }
    /// No such switch: the kernel reaches kuseg directly; only the exception table is armed.
    static var userAccessInstructions: UserAccessInstructions {
        (("uaccess", "exception-table fixups armed"), ("uaccess", "fixups disarmed"))
    }
    static var faultAddressRegister: String { "BadVAddr" }
    static var registerMembers: String {
        "cpu.pgd_current, cpu.badvaddr, cpu.exccode, cpu.entryhi, cpu.context and cpu.asid"
    }
    static var cpuMembers: [String] { ["asid", "badvaddr", "context", "entryhi", "exccode", "pgd_current", "refills"] }
    static var faultCodeMember: String { "last.exccode" }
    static func flagNames(_ raw: UInt64, level: Int, _ architecture: Architecture) -> [String] {
        flagNames(raw, level: level)
    }

    /// pgd_current alone, without the ASID vmlab keeps beside it (EntryHi's, which the lines name separately).
    static func baseValueText(_ value: UInt64, _ architecture: Architecture) -> String {
        Architecture.hex(architecture.rootAddress(fromRegister: value))
    }
    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        let (code, name) = Architecture.mipsCause(fault)
        return "Cause.ExcCode \(code) (\(name)), BadVAddr \(Architecture.hex(fault.address))"
    }
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String? {
        switch fault.kind {
        case .notPresent: return "TLB invalid: V = 0"
        case .protection: return "TLB modified: a store through D = 0"
        case .addressError: return "address error: kuseg ends at 0x7fffffff"
        default: return nil
        }
    }
    static var instructionSetName: String { "a MIPS" }
    static var ownInvalidation: String {
        "'s TLB is written by the kernel's software (the refill handler's tlbwr, update_mmu_cache's tlbwi): show tlb lists it"
    }
    static var flushName: String { "local_flush_tlb_all" }
}

extension MIPS {
    /// A PGD entry is a pointer ("table"); a PTE's names are Linux's software bits, then EntryLo's.
    static func flagNames(_ raw: UInt64, level: Int) -> [String] {
        guard level == 1 else { return raw == 0 ? [] : ["table"] }
        let names: [(String, UInt64)] = [
            ("present", softwarePresent), ("write", softwareWrite), ("accessed", softwareAccessed),
            ("modified", softwareModified), ("G", global), ("V", valid), ("D", dirty),
        ]
        return names.filter { raw & $0.1 != 0 }.map(\.0)
    }
}

extension MIPS {
    /// MIPS32's own cycle figures (`show costs` prints each one's source).
    static var ownCosts: [(WritableKeyPath<CostModel, UInt64>, Architecture.CostFigure)] {
        [
            (\.refillHandler, Architecture.CostFigure(
                cycles: 20,
                source: "assumption: Linux's generated R4000 refill handler is about a dozen instructions and an "
                    + "eret (arch/mips/mm/tlbex.c); Patterson & Hennessy put a TLB miss at 10-100 cycles")),
            (\.baseRegisterWrite, Architecture.CostFigure(
                cycles: 10, source: "assumption: a store to pgd_current and an mtc0 of EntryHi's ASID")),
            (\.tlbFlush, Architecture.CostFigure(
                cycles: 200,
                source: "assumption: local_flush_tlb_all rewrites the 48 entries one tlbwi each (tlb-r4k.c)")),
            (\.invlpg, Architecture.CostFigure(
                cycles: 20, source: "assumption: local_flush_tlb_page's tlbp and one tlbwi")),
            (\.kernelEntry, Architecture.CostFigure(cycles: 100, source: "x86's figure, assumed for syscall and eret")),
        ]
    }
}
