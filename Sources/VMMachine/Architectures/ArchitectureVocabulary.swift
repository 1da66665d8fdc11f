/// What each architecture calls the things the renderers print: its fault
/// syndrome, its base register's value, its flush, its refusals. x86's words
/// come from the SDM, RISC-V's from the privileged spec, ARM's from the Arm
/// ARM, MIPS's from the R4000 manual. The renderers ask; none of them tests
/// which architecture a machine is.
extension Architecture {
    private static func hex(_ value: UInt64) -> String { "0x" + String(value, radix: 16) }

    /// A base-register value as the manual would write it: CR3, satp and
    /// TTBR0 in hex; on MIPS pgd_current alone, without the ASID vmlab keeps
    /// beside it (EntryHi's, which the lines name separately).
    public func baseValueText(_ value: UInt64) -> String {
        Self.hex(encoding == .mips ? rootAddress(fromRegister: value) : value)
    }

    /// How a fault reaches the kernel, after its reason: x86's error code
    /// ("error code 0x4: user read"), RISC-V's scause and stval ("scause 13:
    /// load page fault, stval 0x500000"), ARM's ESR_EL1 and FAR_EL1, MIPS's
    /// Cause.ExcCode and BadVAddr. RISC-V reports no privilege or present
    /// bit: the handler finds them itself.
    public func trapDetails(_ fault: Fault) -> String {
        switch encoding {
        case .x86:
            return "error code \(Self.hex(fault.errorCode)): \(Self.accessDescription(fault.errorCode))"
        case .riscv:
            let (code, name) = Self.scause(fault)
            return "scause \(code): \(name), stval \(Self.hex(fault.address))"
        case .arm:
            let fetch = fault.access == .execute
            let write = fault.access == .write
            let what = (fetch ? "instruction abort" : "data abort") + (fault.fromUser ? " from EL0" : " from EL1")
            return "ESR_EL1 \(Self.hex(syndrome(fault))): \(what)"
                + (write && !fetch ? ", write" : "") + ", FAR_EL1 \(Self.hex(fault.address))"
        case .mips:
            let (code, name) = Self.mipsCause(fault)
            return "Cause.ExcCode \(code) (\(name)), BadVAddr \(Self.hex(fault.address))"
        }
    }

    /// The result line of `explain` for a fault: x86's "#PF, …, error code
    /// …, CR2 = …"; elsewhere "page fault, …" with the architecture's own
    /// syndrome registers.
    public func explainedFault(_ fault: Fault, reason: String, address: UInt64) -> String {
        guard encoding == .x86 else { return "page fault, \(reason), " + trapDetails(fault) }
        return "#PF, \(reason), error code \(Self.hex(fault.errorCode)) "
            + "(\(Self.accessDescription(fault.errorCode))), CR2 = \(Self.hex(address))"
    }

    /// An x86 #PF error code in words: "user write of a present page".
    public static func accessDescription(_ errorCode: UInt64) -> String {
        let who = errorCode & 4 != 0 ? "user" : "kernel"
        let what = errorCode & 16 != 0 ? "instruction fetch" : errorCode & 2 != 0 ? "write" : "read"
        return "\(who) \(what)" + (errorCode & 1 != 0 ? " of a present page" : "")
            + (errorCode & 8 != 0 ? ", reserved bit (RSVD)" : "")
    }

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

    /// ESR_EL1 for a fault (ARM.syndrome): ARM numbers lookup levels from
    /// the root, L0, where vmlab's level 1 is the leaf table.
    public func syndrome(_ fault: Fault) -> UInt64 {
        ARM.syndrome(
            fetch: fault.access == .execute, write: fault.access == .write, fromUser: fault.fromUser,
            permission: fault.kind == .protection, lookupLevel: fault.level == 0 ? 0 : levels - fault.level)
    }

    /// scause for a page fault: 12 for a fetch, 15 for a store, 13 for a load.
    public static func scause(_ fault: Fault) -> (UInt64, String) {
        if fault.access == .execute { return (RISCV.instructionPageFault, "instruction page fault") }
        if fault.access == .write { return (RISCV.storePageFault, "store/AMO page fault") }
        return (RISCV.loadPageFault, "load page fault")
    }

    /// The reason part of a fault, where RISC-V, ARM or MIPS says it
    /// differently from x86 (nil: say it x86's way).
    public func nativeReason(_ fault: Fault) -> String? {
        switch encoding {
        case .x86: return nil
        case .arm: return armReason(fault)
        case .mips:
            switch fault.kind {
            case .notPresent: return "TLB invalid: V = 0"
            case .protection: return "TLB modified: a store through D = 0"
            case .addressError: return "address error: kuseg ends at 0x7fffffff"
            default: return nil
            }
        case .riscv:
            let level = levelName(fault.level)
            switch fault.kind {
            case .notPresent: return "V = 0 at \(level)"
            case .reservedBit: return "reserved bits or encoding in the \(level) entry"
            case .nonCanonical:
                return "bits 63:\(virtualBits) of the address differ from bit \(virtualBits - 1)"
            case .protection:
                switch fault.check {
                case .rights: return "protection"
                case .smep: return "protection: S-mode never executes a U page"
                case .smap: return "protection: S-mode touched a U page with sstatus.SUM clear"
                }
            default: return nil
            }
        }
    }

    private func armReason(_ fault: Fault) -> String {
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

    /// The kernel's verdict on a fault at an entry the hardware rejects. x86's
    /// error code says so (RSVD), and Linux calls pgtable_bad; RISC-V's scause
    /// does not, and the handler finds an entry it cannot repair.
    public var badTableVerdict: String {
        encoding == .riscv
            ? "oops (a malformed entry: reserved bits or a misaligned superpage, which no handler repairs)"
            : "oops (\"Bad pagetable\": Linux's pgtable_bad)"
    }

    /// Whether this machine runs instructions of `family` (invlpg is x86's,
    /// sfence_vma RISC-V's, tlbi ARM's).
    public func executes(_ family: EntryEncoding) -> Bool { encoding == family }

    /// Why an instruction of one architecture is refused on another.
    public func otherInstructionSet(_ command: String) -> String {
        let family = command == "sfence_vma" ? "a RISC-V" : command == "tlbi" ? "an ARM" : "an x86"
        switch encoding {
        case .riscv:
            return "'\(command)' is \(family) instruction; \(name) invalidates its TLB with sfence_vma "
                + "(and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"
        case .arm:
            return "'\(command)' is \(family) instruction; \(name) invalidates its TLB with tlbi "
                + "(and lets the kernel touch user pages with uaccess { … }, which clears PSTATE.PAN)"
        case .x86:
            return "'\(command)' is \(family) instruction; \(name) invalidates its TLB with invlpg, invpcid and flush tlb"
        case .mips:
            return "'\(command)' is \(family) instruction; \(name)'s TLB is written by the kernel's software "
                + "(the refill handler's tlbwr, update_mmu_cache's tlbwi): show tlb lists it"
        }
    }

    /// "TLB flush" on x86 (a CR3 write or INVPCID), "sfence.vma" on RISC-V,
    /// "tlbi aside1" on ARM (one ASID's non-global entries: ASID 0's without
    /// ASIDs), local_flush_tlb_all on MIPS.
    public var flushName: String {
        switch encoding {
        case .x86: return "TLB flush"
        case .riscv: return "sfence.vma"
        case .arm: return "tlbi aside1"
        case .mips: return "local_flush_tlb_all"
        }
    }
}
