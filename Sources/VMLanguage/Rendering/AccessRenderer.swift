import VMMachine

/// One line per memory access: the address, TLB hit or miss, the walk with
/// every entry read, then the physical address and value, or the fault.
///
///     read 0x400000: TLB miss, walk PML4[0]=0x204027 PDPT[0]=0x205027 PD[2]=0x206027 PT[0]=0x8000000000207005, pa 0x207000, value 0
enum AccessRenderer {
    static func line(_ outcome: AccessOutcome) -> String {
        var text: String
        switch outcome.kind {
        case .read: text = "read \(Format.hex(outcome.virtualAddress))"
        case .write: text = "write \(Format.hex(outcome.virtualAddress)) <- \(outcome.value)"
        case .execute: text = "exec \(Format.hex(outcome.virtualAddress))"
        }
        if outcome.mode == .kernel { text += " (kernel mode)" }
        if let fault = outcome.fault, fault.kind == .nonCanonical {
            return text + ": general protection fault, non-canonical address (bits 63:47 must all be equal)"
        }
        text += outcome.tlbHit ? ": TLB hit" : ": TLB miss, walk"
        for position in 0..<outcome.walk.count {
            let step = outcome.walk[position]
            text += " \(AddressLayout.levelName(step.level))[\(step.index)]=\(Format.hex(step.entry))"
        }
        if let fault = outcome.fault {
            return text + ", page fault: \(faultReason(fault)) (error code \(Format.hex(fault.errorCode)): "
                + "\(accessDescription(fault.errorCode)))"
        }
        guard let physicalAddress = outcome.physicalAddress else { return text }
        text += ", pa \(Format.hex(physicalAddress))"
        if outcome.pageSize != AddressLayout.pageSize { text += " in a \(Format.size(outcome.pageSize)) page" }
        if outcome.kind != .write { text += ", value \(outcome.value)" }
        return text
    }

    static func faultReason(_ fault: Fault) -> String {
        switch fault.kind {
        case .notPresent: return "not present at \(AddressLayout.levelName(fault.level))"
        case .protection: return "protection"
        case .nonCanonical: return "non-canonical address"
        }
    }

    /// "user write", "kernel instruction fetch", … from #PF error-code bits.
    static func accessDescription(_ errorCode: UInt64) -> String {
        let who = errorCode & 4 != 0 ? "user" : "kernel"
        let what = errorCode & 16 != 0 ? "instruction fetch" : errorCode & 2 != 0 ? "write" : "read"
        return "\(who) \(what)" + (errorCode & 1 != 0 ? " of a present page" : "")
    }
}
