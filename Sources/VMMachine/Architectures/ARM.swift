/// AArch64's VMSAv8-64 stage-1 translation with the 4 KiB granule and 48-bit
/// addresses (the Arm ARM's chapter "The AArch64 Virtual Memory System
/// Architecture"; Linux's arch/arm64/include/asm/pgtable-hwdef.h), under
/// Linux's layout (Documentation/arch/arm64/memory.rst).
///
/// Two base registers: bit 63 of an address picks TTBR0_EL1 (user, bits
/// 63:48 zero) or TTBR1_EL1 (kernel, bits 63:48 one). Linux keeps the
/// kernel's table in TTBR1 and never writes it again: a process's table maps
/// its user half only, and no kernel entry is copied anywhere.
///
/// A descriptor's bits 1:0 are 0b11 for a table (levels L0 to L2) or a page
/// (L3) and 0b01 for a block (a 1 GiB leaf in L1, a 2 MiB one in L2). A leaf
/// carries AP[2:1] (bit 7 read-only, bit 6 EL0 access), AF (bit 10), nG
/// (bit 11), DBM (51), PXN (53) and UXN (54); a table descriptor may restrict
/// everything below it with PXNTable (59), UXNTable (60) and APTable (62:61).
///
/// Modelled choices: FEAT_HAFDBS with TCR_EL1.HA and HD set (ARMv8.1), so the
/// MMU sets AF itself and marks a page dirty by clearing AP[2] where DBM is
/// set (Linux's PTE_WRITE is DBM); ASIDs live in TTBR0 (TCR_EL1.A1 = 0, so a
/// switch writes one register; Linux sets A1 and writes the ASID into TTBR1
/// too, for its own KPTI); PAN is on. `encodePresent`/`decodePresent` turn
/// the kernel model's entries (PageEntry) into descriptors and back, and
/// need the table's level because the same bits 1:0 mean a table at L2 and a page at L3.
public enum ARM {
    public static let valid: UInt64 = 1 << 0
    /// Bit 1: a table or page descriptor (1) rather than a block (0).
    public static let tableOrPage: UInt64 = 1 << 1
    public static let user: UInt64 = 1 << 6  // AP[1]
    public static let readOnly: UInt64 = 1 << 7  // AP[2]
    public static let innerShareable: UInt64 = 3 << 8  // SH
    public static let accessFlag: UInt64 = 1 << 10
    public static let notGlobal: UInt64 = 1 << 11
    public static let dirtyBitModifier: UInt64 = 1 << 51  // DBM: Linux's PTE_WRITE
    public static let privilegedExecuteNever: UInt64 = 1 << 53
    public static let userExecuteNever: UInt64 = 1 << 54
    /// Linux's PTE_DIRTY, a software bit: dirty while the hardware bits say read-only.
    public static let softwareDirty: UInt64 = 1 << 55
    public static let pxnTable: UInt64 = 1 << 59
    public static let uxnTable: UInt64 = 1 << 60
    public static let apTableNoUser: UInt64 = 1 << 61
    public static let apTableReadOnly: UInt64 = 1 << 62
    /// Output address, bits 47:12.
    public static let frameMask: UInt64 = 0x0000_FFFF_FFFF_F000
    /// TTBRn_EL1's ASID field, bits 63:48.
    static let asidShift: UInt64 = 48

    /// The descriptor for a present entry in a table at `level` (1 = L3).
    static func encodePresent(_ entry: PageEntry, level: Int) -> UInt64 {
        let address = entry.address & frameMask
        let userPage = entry.user
        guard entry.leaf else {
            // Linux's pmd_populate: user tables forbid EL1 execution below them, kernel tables EL0's.
            return address | valid | tableOrPage | (userPage ? pxnTable : uxnTable)
        }
        var raw = address | valid | innerShareable | (level == 1 ? tableOrPage : 0)
        if entry.accessed { raw |= accessFlag }
        if !entry.global { raw |= notGlobal }
        if userPage { raw |= user }
        if entry.writable {
            raw |= dirtyBitModifier | (entry.dirty ? 0 : readOnly)
        } else {
            raw |= readOnly | (entry.dirty ? softwareDirty : 0)
        }
        // Linux's user pages are never EL1-executable, its kernel pages never EL0's.
        raw |= userPage
            ? privilegedExecuteNever | (entry.executable ? 0 : userExecuteNever)
            : userExecuteNever | (entry.executable ? 0 : privilegedExecuteNever)
        return raw
    }

    /// The kernel's view of a descriptor in a table at `level`; nil for an
    /// invalid one, and for a reserved descriptor at L3 (not a mapping).
    static func decodePresent(_ raw: UInt64, level: Int) -> PageEntry? {
        guard raw & valid != 0, level > 1 || raw & tableOrPage != 0 else { return nil }
        let address = raw & frameMask
        guard raw & tableOrPage == 0 || level == 1 else { return .table(at: address, user: raw & pxnTable != 0) }
        let userPage = raw & user != 0
        let writable = raw & dirtyBitModifier != 0
        return .leaf(
            at: address, writable: writable, user: userPage,
            executable: raw & (userPage ? userExecuteNever : privilegedExecuteNever) == 0,
            accessed: raw & accessFlag != 0, dirty: (writable && raw & readOnly == 0) || raw & softwareDirty != 0,
            global: raw & notGlobal == 0)
    }

    /// One step of the walk at `level` (the Arm ARM's VMSAv8-64 table walk): a
    /// table to descend to, a leaf with its rights, or a translation fault for
    /// an invalid descriptor, a block at L0 or a reserved descriptor at L3.
    static func step(_ raw: UInt64, level: Int, levels: Int, virtualAddress: UInt64, limits: inout TableLimits)
        -> WalkStepResult
    {
        guard raw & valid != 0 else { return .fault(.notPresent) }
        let isTableOrPage = raw & tableOrPage != 0
        if !isTableOrPage && (level == levels || level == 1) {
            return .fault(.reservedBit)
        }
        if level > 1 && isTableOrPage {
            limits.noUser = limits.noUser || raw & apTableNoUser != 0
            limits.readOnly = limits.readOnly || raw & apTableReadOnly != 0
            limits.userExecuteNever = limits.userExecuteNever || raw & uxnTable != 0
            limits.privilegedExecuteNever = limits.privilegedExecuteNever || raw & pxnTable != 0
            return .descend(raw & frameMask)
        }
        // With TCR_EL1.HD, a write to a DBM page is allowed: the MMU clears AP[2] (marks it dirty).
        let writable = !limits.readOnly && (raw & readOnly == 0 || raw & dirtyBitModifier != 0)
        let userPage = raw & user != 0 && !limits.noUser
        // The half an address is in decides whose execute-never applies: the kernel's (PXN) above, EL0's (UXN) below.
        let noExecute =
            virtualAddress >> 63 != 0
            ? raw & privilegedExecuteNever != 0 || limits.privilegedExecuteNever
            : raw & userExecuteNever != 0 || limits.userExecuteNever
        return .leaf(writable: writable, user: userPage, noExecute: noExecute)
    }

    static let format = EntryFormat(
        valid: valid, writable: dirtyBitModifier, user: user, accessed: accessFlag,
        largePage: 0, global: 0, frameMask: frameMask, family: .arm, dirtyClears: readOnly, notGlobal: notGlobal)

    /// ESR_EL1 for a fault: the exception class (a data or instruction abort,
    /// from EL0 or the same EL), IL, WnR for a data abort, and the fault
    /// status code: a translation fault (0b0001LL) or permission fault
    /// (0b0011LL) at lookup level LL (the Arm ARM's ESR_EL1 description).
    public static func syndrome(fetch: Bool, write: Bool, fromUser: Bool, permission: Bool, lookupLevel: Int) -> UInt64 {
        let exceptionClass: UInt64 = (fetch ? 0x20 : 0x24) | (fromUser ? 0 : 1)
        let status: UInt64 = (permission ? 0b0011_00 : 0b0001_00) | UInt64(lookupLevel & 3)
        return exceptionClass << 26 | 1 << 25 | (write && !fetch ? 1 << 6 : 0) | status
    }
}

extension Architecture {
    /// AArch64, 4 KiB granule, 48-bit addresses: four levels (L0 to L3) of
    /// 512 eight-byte descriptors, 1 GiB blocks in L1 and 2 MiB in L2. Linux:
    /// user space below 0x0001000000000000 through TTBR0, the linear map at
    /// 0xffff000000000000 and the kernel image at 0xffff800080000000 through TTBR1.
    public static let aarch64 = Architecture(
        name: "aarch64", pageShift: 12, indexBitsPerLevel: [9, 9, 9, 9], entryBytes: 8, format: ARM.format,
        largePageLevels: [2, 3], virtualBits: 48, physicalBits: 48, baseRegister: "TTBR0_EL1", hasKernel: true,
        levelNames: ["L3", "L2", "L1", "L0"], userEnd: 0x0001_0000_0000_0000, directMapBase: 0xFFFF_0000_0000_0000,
        kernelTextBase: 0xFFFF_8000_8000_0000, signExtended: true, supportsPCID: true,
        tagShift: ARM.asidShift, tagMask: 0xFFFF, tagName: "ASID", canonicalBits: 49, splitBaseRegisters: true)
}

extension EntryEncoding {
    public static let arm = EntryEncoding(ARM.self)
}

extension Architecture {
    /// ESR_EL1 for a fault (ARM.syndrome): ARM numbers lookup levels from
    /// the root, L0, where vmlab's level 1 is the leaf table.
    public func syndrome(_ fault: Fault) -> UInt64 {
        ARM.syndrome(
            fetch: fault.access == .execute, write: fault.access == .write, fromUser: fault.fromUser,
            permission: fault.kind == .protection, lookupLevel: fault.level == 0 ? 0 : levels - fault.level)
    }

    func armReason(_ fault: Fault) -> String {
        let level = fault.level == 0 ? "L0" : levelName(fault.level)
        switch fault.kind {
        case .notPresent: return "translation fault at \(level)"
        case .reservedBit: return "translation fault at \(level): a reserved descriptor"
        case .nonCanonical:
            // TBI0: the lower half's top byte is a tag, so only bits 55:48 must be 0 there.
            return fault.address & (1 << 55) == 0
                ? "translation fault at L0: bits 55:48 are not all 0 (TTBR0's range; its top byte is a tag)"
                : "translation fault at L0: bits 63:48 are not all 1 (TTBR1's range, whose top byte is not ignored)"
        case .protection:
            switch fault.check {
            case .rights: return "permission fault at \(level)"
            case .smep: return "permission fault at \(level): PXN, the kernel may not execute a user page"
            case .smap: return "permission fault at \(level): PAN, the kernel touched a user page outside a uaccess routine"
            }
        default: return fault.kind.rawValue
        }
    }

}

extension ARM: ArchitectureFamily {
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry? {
        decodePresent(raw, level: level)
    }
    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64 {
        encodePresent(entry, level: level)
    }
    static func step(
        _ raw: UInt64, level: Int, virtualAddress: UInt64, _ architecture: Architecture, limits: inout TableLimits
    ) -> WalkStepResult {
        step(raw, level: level, levels: architecture.levels, virtualAddress: virtualAddress, limits: &limits)
    }

    /// TLBI … IS reaches every core of the Inner Shareable domain: no IPIs.
    static var broadcastsTLBInvalidation: Bool { true }
    /// TCR_EL1.TBI0 = 1, as Linux sets it (TBI1 stays 0).
    static var ignoresTopByte: Bool { true }
    /// arm64's MAX_DVM_OPS (PTRS_PER_PTE, 512 pages, so 511 one by one).
    static var singlePageFlushCeiling: Int { 511 }
    static var userAccessInstructions: UserAccessInstructions {
        (("msr pan, #0", "PSTATE.PAN clear"), ("msr pan, #1", "PSTATE.PAN set"))
    }
    static var faultAddressRegister: String { "FAR_EL1" }
    static var registerMembers: String { "cpu.ttbr0, cpu.ttbr1, cpu.far and cpu.asid" }
    static var cpuMembers: [String] { ["asid", "far", "ttbr0", "ttbr0_writes", "ttbr1"] }
    static var faultCodeMember: String { "last.esr" }
    static func flagNames(_ raw: UInt64, level: Int, _ architecture: Architecture) -> [String] {
        flagNames(raw, level: level, levels: architecture.levels)
    }

    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        let fetch = fault.access == .execute
        let write = fault.access == .write
        let what = (fetch ? "instruction abort" : "data abort") + (fault.fromUser ? " from EL0" : " from EL1")
        return "ESR_EL1 \(Architecture.hex(architecture.syndrome(fault))): \(what)"
            + (write && !fetch ? ", write" : "") + ", FAR_EL1 \(Architecture.hex(fault.address))"
    }
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String? {
        architecture.armReason(fault)
    }
    static var instructionSetName: String { "an ARM" }
    static var ownInvalidation: String {
        " invalidates its TLB with tlbi (and lets the kernel touch user pages with uaccess { … }, which clears PSTATE.PAN)"
    }
    static var flushName: String { "tlbi aside1" }
}

extension ARM {
    static func flagNames(_ raw: UInt64, level: Int, levels: Int) -> [String] {
        guard raw & valid != 0 else { return [] }
        let isTableOrPage = raw & tableOrPage != 0
        if level > 1 && isTableOrPage {
            let limits: [(String, UInt64)] = [
                ("PXNTable", pxnTable), ("UXNTable", uxnTable), ("APTable[0]", apTableNoUser),
                ("APTable[1]", apTableReadOnly),
            ]
            return ["TABLE"] + limits.filter { raw & $0.1 != 0 }.map(\.0)
        }
        let kind = level == 1 ? (isTableOrPage ? "PAGE" : "RESERVED") : (level == levels ? "RESERVED" : "BLOCK")
        let names: [(String, UInt64)] = [
            ("USER", user), ("RO", readOnly), ("AF", accessFlag), ("nG", notGlobal), ("DBM", dirtyBitModifier),
            ("PXN", privilegedExecuteNever), ("UXN", userExecuteNever),
        ]
        return [kind] + names.filter { raw & $0.1 != 0 }.map(\.0)
    }
}


extension ARM {
    /// AArch64's own cycle figures (`show costs` prints each one's source).
    static var ownCosts: [(WritableKeyPath<CostModel, UInt64>, Architecture.CostFigure)] {
        [
            (\.baseRegisterWrite, Architecture.CostFigure(
                cycles: 50,
                source: "assumption: msr ttbr0_el1 and the isb Linux's cpu_switch_mm puts after it, which "
                    + "refetches the pipeline: tens of cycles")),
            (\.invlpg, Architecture.CostFigure(
                cycles: 500,
                source: "assumption: tlbi vae1is completes at the dsb ish only when every core of the Inner "
                    + "Shareable domain has done it: twice a local INVLPG")),
            (\.tlbFlush, Architecture.CostFigure(cycles: 100, source: "x86's figure, assumed for tlbi aside1")),
            (\.kernelEntry, Architecture.CostFigure(cycles: 100, source: "x86's figure, assumed for svc and eret")),
        ]
    }
}
