/// Everything one architecture does its own way, as one type's answers: its
/// entry codec, its walk rules, the traits the MMU and the kernel ask about,
/// its manual's words and its costs. x86 (X86.swift), RISC-V (RISCV.swift),
/// ARM (ARM.swift) and MIPS (MIPS.swift) each conform in their own file, with
/// their presets beside them; nothing else in vmlab tests which architecture
/// it is on. A new architecture is a new file of this shape (the type, its
/// `EntryEncoding` and its `Architecture` presets), plus its entry in the
/// language's MachinePresets.swift, which reads its `machine` options.
///
/// Requirements without a default are those where every architecture differs;
/// the defaults are what most of them do.
protocol ArchitectureFamily: SendableMetatype {
    // The codec (EntryCodec.swift): PageEntry to the word memory holds, and back.

    /// The kernel's view of a present `raw` at `level`; nil if it is not present.
    static func decodePresent(_ raw: UInt64, level: Int, _ architecture: Architecture) -> PageEntry?
    /// The word a table at `level` holds for a present `entry`.
    static func encodePresent(_ entry: PageEntry, level: Int, _ architecture: Architecture) -> UInt64
    /// Whether a leaf's rights are its own (RISC-V, ARM, MIPS: `step` reads
    /// them) rather than the AND over every level that x86's walker works out
    /// from the format's masks.
    static var rightsInLeafOnly: Bool { get }
    /// One step of the hardware walk under this architecture's rules (only
    /// where `rightsInLeafOnly`).
    static func step(
        _ raw: UInt64, level: Int, virtualAddress: UInt64, _ architecture: Architecture, limits: inout TableLimits
    ) -> WalkStepResult
    /// Whether an entry at `level` leads somewhere, and where (a MIPS PGD
    /// entry is a kseg0 pointer, not a PTE with a V bit).
    static func isValid(_ raw: UInt64, level: Int, _ architecture: Architecture) -> Bool
    static func target(of raw: UInt64, level: Int, _ architecture: Architecture) -> UInt64

    // Traits (ArchitectureTraits.swift says what each means).

    static var refillsTLBInSoftware: Bool { get }
    static var kernelIsUnmapped: Bool { get }
    static var nonCanonicalIsGeneralProtection: Bool { get }
    static var baseRegisterHasNoFlushBit: Bool { get }
    static var broadcastsTLBInvalidation: Bool { get }
    /// Whether the lower half's top byte is a tag the MMU ignores (arm64's TBI0).
    static var ignoresTopByte: Bool { get }
    static var hasXv6Layout: Bool { get }
    static var singlePageFlushCeiling: Int { get }
    static var interruptsLazyCores: Bool { get }
    static var hasSMEPAndSMAPSwitches: Bool { get }
    static func errorCodeReportsFetch(smep: Bool, _ architecture: Architecture) -> Bool
    static var userAccessInstructions: UserAccessInstructions { get }
    static var faultAddressRegister: String { get }
    /// The script's names for the registers, in words, and as `cpu.` members.
    static var registerMembers: String { get }
    static var cpuMembers: [String] { get }
    static var faultCodeMember: String { get }
    static func flagNames(_ raw: UInt64, level: Int, _ architecture: Architecture) -> [String]

    // The manual's words (ArchitectureVocabulary.swift).

    static func baseValueText(_ value: UInt64, _ architecture: Architecture) -> String
    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String
    static func explainedFault(_ fault: Fault, reason: String, address: UInt64, _ architecture: Architecture) -> String
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String?
    static var badTableVerdict: String { get }
    /// "an x86", "a RISC-V": how a refusal names an instruction of this architecture.
    static var instructionSetName: String { get }
    /// How this architecture invalidates its TLB, for a refusal of another's instruction.
    static var ownInvalidation: String { get }
    static var flushName: String { get }

    // Costs (ArchitectureCosts.swift): this architecture's own figures, where they differ from x86's.

    static var ownCosts: [(WritableKeyPath<CostModel, UInt64>, Architecture.CostFigure)] { get }
    static var isCostBaseline: Bool { get }
}

/// What a uaccess routine runs around its access, and what that does.
public typealias UserAccessInstructions = (open: (text: String, effect: String), close: (text: String, effect: String))

/// What a walk carries down the table entries where a table may restrict
/// what lies below it (ARM's APTable, UXNTable and PXNTable).
struct TableLimits {
    var noUser = false
    var readOnly = false
    var userExecuteNever = false
    var privilegedExecuteNever = false
}

extension ArchitectureFamily {
    static var rightsInLeafOnly: Bool { true }
    static func isValid(_ raw: UInt64, level: Int, _ architecture: Architecture) -> Bool {
        architecture.format.isValid(raw)
    }
    static func target(of raw: UInt64, level: Int, _ architecture: Architecture) -> UInt64 {
        architecture.format.physicalAddress(raw)
    }
    static var refillsTLBInSoftware: Bool { false }
    static var kernelIsUnmapped: Bool { false }
    static var nonCanonicalIsGeneralProtection: Bool { false }
    static var baseRegisterHasNoFlushBit: Bool { false }
    static var broadcastsTLBInvalidation: Bool { false }
    static var ignoresTopByte: Bool { false }
    static var hasXv6Layout: Bool { false }
    static var interruptsLazyCores: Bool { true }
    static var hasSMEPAndSMAPSwitches: Bool { false }
    static func errorCodeReportsFetch(smep: Bool, _ architecture: Architecture) -> Bool { true }
    static func baseValueText(_ value: UInt64, _ architecture: Architecture) -> String { Architecture.hex(value) }
    static func explainedFault(_ fault: Fault, reason: String, address: UInt64, _ architecture: Architecture)
        -> String
    {
        "page fault, \(reason), " + trapDetails(fault, architecture)
    }
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String? { nil }
    static var badTableVerdict: String { "oops (\"Bad pagetable\": Linux's pgtable_bad)" }
    static var ownCosts: [(WritableKeyPath<CostModel, UInt64>, Architecture.CostFigure)] { [] }
    static var isCostBaseline: Bool { false }
}

/// Which family an architecture belongs to: the value an `Architecture`
/// (through its format) carries, compared by the type it names.
public struct EntryEncoding: Sendable, Equatable {
    let family: any ArchitectureFamily.Type

    init(_ family: any ArchitectureFamily.Type) { self.family = family }

    public static func == (lhs: EntryEncoding, rhs: EntryEncoding) -> Bool {
        ObjectIdentifier(lhs.family) == ObjectIdentifier(rhs.family)
    }
}
