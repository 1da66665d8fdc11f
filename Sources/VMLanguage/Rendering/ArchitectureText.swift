import VMMachine

/// What each architecture calls the things the renderers print: its entry
/// bits, its fault registers, its flush instruction. x86's words are the
/// default; RISC-V's come from the privileged spec.
enum ArchitectureText {
    /// Flag names of an entry as memory holds it, in bit order:
    /// "P RW US A NX" on x86, "V R W X U G A D" on RISC-V.
    static func flags(_ raw: UInt64, _ architecture: Architecture) -> [String] {
        guard architecture.encoding == .riscv else { return PageTableEntry(raw: raw).flagNames }
        let names: [(String, UInt64)] = [
            ("V", RISCV.valid), ("R", RISCV.read), ("W", RISCV.write), ("X", RISCV.execute), ("U", RISCV.user),
            ("G", RISCV.global), ("A", RISCV.accessed), ("D", RISCV.dirty),
        ]
        return names.filter { raw & $0.1 != 0 }.map(\.0)
    }

    /// Where a kernel keeps the faulting address: CR2, stval.
    static func faultAddressRegister(_ architecture: Architecture) -> String {
        architecture.encoding == .riscv ? "stval" : "CR2"
    }

    /// How a fault reaches the kernel, after its reason: x86's error code
    /// ("error code 0x4: user read"), or RISC-V's scause and stval ("scause
    /// 13: load page fault, stval 0x500000"). RISC-V reports no privilege or
    /// present bit: the handler finds them itself.
    static func trapDetails(_ fault: Fault, _ architecture: Architecture) -> String {
        guard architecture.encoding == .riscv else {
            return "error code \(Format.hex(fault.errorCode)): \(AccessRenderer.accessDescription(fault.errorCode))"
        }
        let (code, name) = scause(fault)
        return "scause \(code): \(name), stval \(Format.hex(fault.address))"
    }

    /// scause for a page fault: 12 for a fetch, 15 for a store, 13 for a
    /// load (read from the error-code bits the MMU recorded with it).
    static func scause(_ fault: Fault) -> (UInt64, String) {
        if fault.errorCode & 16 != 0 { return (RISCV.instructionPageFault, "instruction page fault") }
        if fault.errorCode & 2 != 0 { return (RISCV.storePageFault, "store/AMO page fault") }
        return (RISCV.loadPageFault, "load page fault")
    }

    /// The reason part of a fault, where RISC-V says it differently from x86.
    static func riscvReason(_ fault: Fault, _ architecture: Architecture) -> String? {
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
        architecture.encoding == .riscv
            ? "'\(command)' is an x86 instruction; \(architecture.name) invalidates its TLB with sfence_vma "
                + "(and lets S-mode touch U pages with uaccess { … }, which sets sstatus.SUM)"
            : "'\(command)' is a RISC-V instruction; \(architecture.name) invalidates its TLB with invlpg, invpcid and flush tlb"
    }

    /// "TLB flush" on x86 (a CR3 write or INVPCID), "sfence.vma" on RISC-V.
    static func flushName(_ architecture: Architecture) -> String {
        architecture.encoding == .riscv ? "sfence.vma" : "TLB flush"
    }
}
