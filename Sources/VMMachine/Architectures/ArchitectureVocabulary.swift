/// What each architecture calls the things the renderers print: its fault
/// syndrome, its base register's value, its flush, its refusals. x86's words
/// come from the SDM, RISC-V's from the privileged spec, ARM's from the Arm
/// ARM, MIPS's from the R4000 manual. The renderers ask; none of them tests
/// which architecture a machine is.
extension Architecture {
    static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// A base-register value as the manual would write it: CR3, satp and
    /// TTBR0 in hex; on MIPS pgd_current alone, without the ASID vmlab keeps
    /// beside it (EntryHi's, which the lines name separately).
    public func baseValueText(_ value: UInt64) -> String {
        family.baseValueText(value, self)
    }

    /// How a fault reaches the kernel, after its reason: x86's error code
    /// ("error code 0x4: user read"), RISC-V's scause and stval ("scause 13:
    /// load page fault, stval 0x500000"), ARM's ESR_EL1 and FAR_EL1, MIPS's
    /// Cause.ExcCode and BadVAddr. RISC-V reports no privilege or present
    /// bit: the handler finds them itself.
    public func trapDetails(_ fault: Fault) -> String {
        family.trapDetails(fault, self)
    }

    /// The result line of `explain` for a fault: x86's "#PF, …, error code
    /// …, CR2 = …"; elsewhere "page fault, …" with the architecture's own
    /// syndrome registers.
    public func explainedFault(_ fault: Fault, reason: String, address: UInt64) -> String {
        family.explainedFault(fault, reason: reason, address: address, self)
    }

    /// An x86 #PF error code in words: "user write of a present page".
    public static func accessDescription(_ errorCode: UInt64) -> String {
        let who = errorCode & 4 != 0 ? "user" : "kernel"
        let what = errorCode & 16 != 0 ? "instruction fetch" : errorCode & 2 != 0 ? "write" : "read"
        return "\(who) \(what)" + (errorCode & 1 != 0 ? " of a present page" : "")
            + (errorCode & 8 != 0 ? ", reserved bit (RSVD)" : "")
    }

    /// The reason part of a fault, where RISC-V, ARM or MIPS says it
    /// differently from x86 (nil: say it x86's way).
    public func nativeReason(_ fault: Fault) -> String? {
        family.nativeReason(fault, self)
    }

    /// The kernel's verdict on a fault at an entry the hardware rejects. x86's
    /// error code says so (RSVD), and Linux calls pgtable_bad; RISC-V's scause
    /// does not, and the handler finds an entry it cannot repair.
    public var badTableVerdict: String {
        family.badTableVerdict
    }

    /// Whether this machine runs instructions of `instructionSet` (invlpg is
    /// x86's, sfence_vma RISC-V's, tlbi ARM's).
    public func executes(_ instructionSet: EntryEncoding) -> Bool { encoding == instructionSet }

    /// Why an instruction of another architecture is refused here.
    public func otherInstructionSet(_ command: String, of instructionSet: EntryEncoding) -> String {
        "'\(command)' is \(instructionSet.family.instructionSetName) instruction; \(name)\(family.ownInvalidation)"
    }

    /// "TLB flush" on x86 (a CR3 write or INVPCID), "sfence.vma" on RISC-V,
    /// "tlbi aside1" on ARM (one ASID's non-global entries: ASID 0's without
    /// ASIDs), local_flush_tlb_all on MIPS.
    public var flushName: String {
        family.flushName
    }
}
