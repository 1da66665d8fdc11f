import VMMachine

/// What each architecture calls the things the renderers print: its entry
/// bits, its fault registers, its flush instruction. x86's words are the
/// default; RISC-V's come from the privileged spec.
enum ArchitectureText {
    /// A base-register value as the manual would write it: CR3, satp and
    /// TTBR0 in hex; on MIPS pgd_current alone, without the ASID vmlab keeps
    /// beside it (EntryHi's, which the lines name separately).
    static func baseValue(_ value: UInt64, _ architecture: Architecture) -> String {
        architecture.encoding == .mips ? Format.hex(architecture.rootAddress(fromRegister: value)) : Format.hex(value)
    }

    /// How a fault reaches the kernel, after its reason: x86's error code
    /// ("error code 0x4: user read"), or RISC-V's scause and stval ("scause
    /// 13: load page fault, stval 0x500000"). RISC-V reports no privilege or
    /// present bit: the handler finds them itself.
    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        switch architecture.encoding {
        case .x86:
            return "error code \(Format.hex(fault.errorCode)): \(AccessRenderer.accessDescription(fault.errorCode))"
        case .riscv:
            let (code, name) = scause(fault)
            return "scause \(code): \(name), stval \(Format.hex(fault.address))"
        case .arm:
            let fetch = fault.errorCode & 16 != 0
            let write = fault.errorCode & 2 != 0
            let what = (fetch ? "instruction abort" : "data abort") + (fault.errorCode & 4 != 0 ? " from EL0" : " from EL1")
            return "ESR_EL1 \(Format.hex(syndrome(fault, architecture))): \(what)"
                + (write && !fetch ? ", write" : "") + ", FAR_EL1 \(Format.hex(fault.address))"
        case .mips:
            let (code, name) = mipsCause(fault)
            return "Cause.ExcCode \(code) (\(name)), BadVAddr \(Format.hex(fault.address))"
        }
    }

    /// Cause.ExcCode for a MIPS exception: Mod (a store through D = 0), TLBL
    /// or TLBS (a refill or an invalid entry, load or store), AdEL or AdES
    /// (a user address in a kernel segment).
    static func mipsCause(_ fault: Fault) -> (UInt64, String) {
        let store = fault.errorCode & 2 != 0
        switch fault.kind {
        case .protection: return (MIPS.modifiedCode, "Mod")
        case .addressError: return store ? (MIPS.storeAddressErrorCode, "AdES") : (MIPS.loadAddressErrorCode, "AdEL")
        default: return store ? (MIPS.storeMissCode, "TLBS") : (MIPS.loadMissCode, "TLBL")
        }
    }

    /// ESR_EL1 for a fault (ARM.syndrome): ARM numbers lookup levels from
    /// the root, L0, where vmlab's level 1 is the leaf table.
    static func syndrome(_ fault: Fault, _ architecture: Architecture) -> UInt64 {
        ARM.syndrome(
            fetch: fault.errorCode & 16 != 0, write: fault.errorCode & 2 != 0, fromUser: fault.errorCode & 4 != 0,
            permission: fault.kind == .protection, lookupLevel: fault.level == 0 ? 0 : architecture.levels - fault.level)
    }

    /// scause for a page fault: 12 for a fetch, 15 for a store, 13 for a
    /// load (read from the error-code bits the MMU recorded with it).
    static func scause(_ fault: Fault) -> (UInt64, String) {
        if fault.errorCode & 16 != 0 { return (RISCV.instructionPageFault, "instruction page fault") }
        if fault.errorCode & 2 != 0 { return (RISCV.storePageFault, "store/AMO page fault") }
        return (RISCV.loadPageFault, "load page fault")
    }

    /// The reason part of a fault, where RISC-V or ARM says it differently from x86.
    static func nativeReason(_ fault: Fault, _ architecture: Architecture) -> String? {
        if architecture.encoding == .arm { return armReason(fault, architecture) }
        if architecture.encoding == .mips {
            switch fault.kind {
            case .notPresent: return "TLB invalid: V = 0"
            case .protection: return "TLB modified: a store through D = 0"
            case .addressError: return "address error: kuseg ends at 0x7fffffff"
            default: return nil
            }
        }
        guard architecture.encoding == .riscv else { return nil }
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

    /// Why an instruction of one architecture is refused on another.
    static func otherInstructionSet(_ command: String, _ architecture: Architecture) -> String {
        let family = command == "sfence_vma" ? "a RISC-V" : command == "tlbi" ? "an ARM" : "an x86"
        switch architecture.encoding {
        case .riscv:
            return "'\(command)' is \(family) instruction; \(architecture.name) invalidates its TLB with sfence_vma "
                + "(and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"
        case .arm:
            return "'\(command)' is \(family) instruction; \(architecture.name) invalidates its TLB with tlbi "
                + "(and lets the kernel touch user pages with uaccess { … }, which clears PSTATE.PAN)"
        case .x86:
            return "'\(command)' is \(family) instruction; \(architecture.name) invalidates its TLB with invlpg, invpcid and flush tlb"
        case .mips:
            return "'\(command)' is \(family) instruction; \(architecture.name)'s TLB is written by the kernel's software "
                + "(the refill handler's tlbwr, update_mmu_cache's tlbwi): show tlb lists it"
        }
    }

    private static func armReason(_ fault: Fault, _ architecture: Architecture) -> String {
        let level = fault.level == 0 ? "L0" : architecture.levelName(fault.level)
        switch fault.kind {
        case .notPresent: return "translation fault at \(level)"
        case .reservedBit: return "translation fault at \(level): a reserved descriptor"
        case .nonCanonical: return "translation fault at L0: bits 63:48 are neither all 0 (TTBR0) nor all 1 (TTBR1)"
        case .protection:
            switch fault.check {
            case .rights: return "permission fault at \(level)"
            case .smep: return "permission fault at \(level): PXN, the kernel may not execute a user page"
            case .smap: return "permission fault at \(level): PAN, the kernel touched a user page outside a uaccess routine"
            }
        default: return fault.kind.rawValue
        }
    }

    /// "TLB flush" on x86 (a CR3 write or INVPCID), "sfence.vma" on RISC-V,
    /// "tlbi aside1" on ARM (one ASID's non-global entries: ASID 0's without ASIDs).
    static func flushName(_ architecture: Architecture) -> String {
        switch architecture.encoding {
        case .x86: return "TLB flush"
        case .riscv: return "sfence.vma"
        case .arm: return "tlbi aside1"
        case .mips: return "local_flush_tlb_all"
        }
    }
}
