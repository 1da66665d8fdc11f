/// x86's layout, for every x86 paging mode (4- and 5-level, i386, PAE),
/// read through the architecture's format: 4-byte i386 entries have no NX
/// bit, so an entry that forbids execution is stored without it, as the CPU
/// could not enforce it either; a PAE PDPTE keeps only P and the address.
enum X86 {
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry? {
        let format = architecture.format
        guard raw & format.valid != 0 else { return nil }
        var entry = PageEntry()
        entry.present = true
        entry.leaf = architecture.isLeaf(raw, level: level)
        entry.writable = format.isWritable(raw)
        entry.user = format.isUser(raw)
        entry.executable = !format.isNoExecute(raw)
        entry.accessed = raw & format.accessed != 0
        entry.dirty = raw & format.dirty != 0
        entry.global = raw & format.global != 0
        entry.address = format.physicalAddress(raw)
        entry.preserved = raw & ~(named(level: level, architecture) | format.frameMask)
        return entry
    }

    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64 {
        let format = architecture.format
        var raw = entry.address & format.frameMask | format.valid | entry.preserved
        if entry.writable { raw |= format.writable }
        if entry.user { raw |= format.user }
        if !entry.executable { raw |= format.noExecute }
        if entry.accessed { raw |= format.accessed }
        if entry.dirty { raw |= format.dirty }
        if entry.global { raw |= format.global }
        if entry.leaf && level > 1 { raw |= format.largePage }
        // PAE: a PDPTE has P and the address only (RW, US, A, D and NX are reserved there).
        if level == architecture.levels { raw &= format.frameMask | architecture.rootTableFlagMask }
        return raw
    }

    /// The bits `PageEntry` names at `level`: PS only where it marks a huge
    /// page (in a PT entry it is PAT, in a PML4 entry reserved: kept as they are).
    private static func named(level: Int, _ architecture: Architecture) -> UInt64 {
        let format = architecture.format
        let large = (architecture.largePageLevels >> UInt8(level)) & 1 != 0 ? format.largePage : 0
        return format.valid | format.writable | format.user | format.noExecute | format.accessed | format.dirty
            | format.global | large
    }
}

extension EntryEncoding {
    /// x86's layout and rules, for every x86 paging mode and the textbook machines.
    public static let x86 = EntryEncoding(X86.self)
}

extension X86: ArchitectureFamily {
    /// x86's walker ANDs R/W and U/S and ORs NX over every level, from the format's masks.
    static var rightsInLeafOnly: Bool { false }
    static func step(
        _ raw: UInt64, level: Int, virtualAddress: UInt64, _ architecture: Architecture, limits: inout TableLimits
    ) -> WalkStepResult {
        preconditionFailure("x86's walk is the walker's own (PageWalk.swift)")
    }

    static var nonCanonicalIsGeneralProtection: Bool { true }
    static var baseRegisterHasNoFlushBit: Bool { true }
    static var singlePageFlushCeiling: Int { 33 }
    static var interruptsLazyCores: Bool { false }
    static var hasSMEPAndSMAPSwitches: Bool { true }
    static func errorCodeReportsFetch(smep: Bool, _ architecture: Architecture) -> Bool {
        architecture.format.noExecute != 0 || smep
    }
    static var userAccessInstructions: UserAccessInstructions {
        (("stac", "EFLAGS.AC set"), ("clac", "EFLAGS.AC clear"))
    }
    static var faultAddressRegister: String { "CR2" }
    static var registerMembers: String { "cpu.cr3, cpu.cr2 and cpu.pcid" }
    static var cpuMembers: [String] { ["cr2", "cr3", "cr3_writes", "pcid"] }
    static var faultCodeMember: String { "last.error_code" }
    static func flagNames(_ raw: UInt64, level: Int, _ architecture: Architecture) -> [String] {
        PageTableEntry(raw: raw).flagNames
    }

    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        "error code \(Architecture.hex(fault.errorCode)): \(Architecture.accessDescription(fault.errorCode))"
    }
    static func explainedFault(_ fault: Fault, reason: String, address: UInt64, _ architecture: Architecture)
        -> String
    {
        "#PF, \(reason), error code \(Architecture.hex(fault.errorCode)) "
            + "(\(Architecture.accessDescription(fault.errorCode))), CR2 = \(Architecture.hex(address))"
    }
    static var instructionSetName: String { "an x86" }
    static var ownInvalidation: String { " invalidates its TLB with invlpg, invpcid and flush tlb" }
    static var flushName: String { "TLB flush" }
    static var isCostBaseline: Bool { true }
}
