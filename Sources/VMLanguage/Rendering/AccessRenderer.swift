import VMMachine

/// One line per memory access: the address, TLB hit or miss, the walk with
/// every entry read, then the physical address and value, or the fault, what
/// the kernel did about it, and the retry.
///
///     read 0x400000: TLB miss, walk PML4[0]=0x204027 PDPT[0]=0x205027 PD[2]=0x206027 PT[0]=0x8000000000207005, pa 0x207000, value 0
enum AccessRenderer {
    /// `showCore` prefixes the core ("cpu 1: read …") for machines with several.
    /// `separateKernel`: the machine runs xv6's design, whose CR3 switches
    /// around a fault go to the one kernel table rather than a kernel copy.
    static func line(
        _ outcome: AccessOutcome, architecture: Architecture, showCore: Bool = false, separateKernel: Bool = false
    ) -> String {
        if architecture.refillsTLBInSoftware { return MIPSRenderer.line(outcome, architecture: architecture, showCore: showCore) }
        var text = head(outcome, architecture, showCore: showCore)
        if outcome.softwareCopy { return text + ": " + softwareCopy(outcome, architecture) }
        if let fault = outcome.fault, fault.kind == .nonCanonical, !architecture.nonCanonicalIsGeneralProtection {
            // RISC-V and ARM check the top bits as part of translation: a page fault, before any TLB lookup.
            text += ": page fault (\(faultReason(fault, architecture)), \(architecture.trapDetails(fault)))"
        } else if let fault = outcome.fault, fault.kind == .nonCanonical {
            return text + ": general protection fault, non-canonical address (bits 63:\(architecture.virtualBits - 1) must all be equal)"
        } else {
            text += ": " + attempt(outcome.first, architecture)
        }
        if let resolution = outcome.resolution {
            text += " -> kernel" + isolation(outcome.isolationWrites, separateKernel: separateKernel, architecture) + ": "
                + (outcome.fault?.kind == .reservedBit && resolution == .kernelOops
                    ? architecture.badTableVerdict : describe(resolution))
        }
        if let retry = outcome.retry { text += "; retry: " + attempt(retry, architecture) }
        guard let physicalAddress = outcome.physicalAddress else { return text }
        text += ", pa \(Format.hex(physicalAddress))"
        if outcome.pageSize != architecture.pageSize { text += " in a \(Format.size(outcome.pageSize)) page" }
        if outcome.kind != .write { text += ", value \(outcome.value)" }
        return text
    }

    /// "cpu 1: write 0x400000 <- 7 (kernel mode)": what the access was, before what happened.
    static func head(_ outcome: AccessOutcome, _ architecture: Architecture, showCore: Bool) -> String {
        var text = showCore ? "cpu \(outcome.core): " : ""
        switch outcome.kind {
        case .read: text += "read \(Format.hex(outcome.virtualAddress))"
        case .write: text += "write \(Format.hex(outcome.virtualAddress)) <- \(outcome.value)"
        case .execute: text += "exec \(Format.hex(outcome.virtualAddress))"
        }
        if outcome.mode == .kernel && architecture.hasKernel { text += " (kernel mode)" }
        return text
    }

    /// xv6's copyin or copyout: the kernel's own walk of the user table, then
    /// the bytes through its direct map, or -1.
    private static func softwareCopy(_ outcome: AccessOutcome, _ architecture: Architecture) -> String {
        var text = (outcome.kind == .write ? "copyout" : "copyin") + ", the kernel walks the user table (walkaddr)"
        for position in 0..<outcome.walk.count {
            let step = outcome.walk[position]
            text += " \(architecture.levelName(step.level))[\(step.index)]=\(Format.hex(step.entry))"
        }
        guard let physicalAddress = outcome.physicalAddress else {
            return text + ", refused (" + (outcome.kind == .write ? "copyout needs V, U and W" : "copyin needs V and U")
                + "): returns -1 (-EFAULT)"
        }
        text += ", pa \(Format.hex(physicalAddress)) through the direct map"
        if outcome.pageSize != architecture.pageSize { text += " in a \(Format.size(outcome.pageSize)) page" }
        if outcome.kind != .write { text += ", value \(outcome.value)" }
        return text
    }

    /// KPTI's CR3 switch into the kernel copy and back around a fault handler.
    private static func isolation(_ writes: [BaseRegisterWrite], separateKernel: Bool, _ architecture: Architecture) -> String {
        guard !writes.isEmpty else { return "" }
        let dropped = writes.reduce(0) { $0 + $1.dropped }
        let register = architecture.baseRegister
        return (separateKernel ? " (\(register) to the kernel's table and back, " : " (KPTI: \(register) to the kernel copy and back, ")
            + (writes.contains(where: \.flushed)
                ? "\(Format.plural(dropped, "TLB entry", "TLB entries")) flushed" : "no flush (\(architecture.tagName))")
            + ")"
    }

    private static func attempt(_ attempt: Attempt, _ architecture: Architecture) -> String {
        var text = attempt.tlbHit ? "TLB hit" : "TLB miss, walk"
        for position in 0..<attempt.walk.count {
            let step = attempt.walk[position]
            text += " \(architecture.levelName(step.level))[\(step.index)]=\(Format.hex(step.entry))"
        }
        if let fault = attempt.fault, !architecture.hasKernel {
            // No error code and no kernel: the fault is where the story ends.
            text += ", page fault (\(faultReason(fault, architecture)))"
        } else if let fault = attempt.fault {
            text += ", page fault (\(faultReason(fault, architecture)), \(architecture.trapDetails(fault)))"
        }
        return text
    }

    static func describe(_ resolution: FaultResolution) -> String {
        switch resolution {
        case .demandZero(let page): return "demand paging, zeroed page at \(Format.hex(page)) mapped"
        case .swappedIn(let page): return "major fault, read back from swap into \(Format.hex(page))"
        case .copiedOnWrite(let from, let to): return "copy-on-write, \(Format.hex(from)) copied to \(Format.hex(to))"
        case .madeWritable(let page): return "copy-on-write, \(Format.hex(page)) no longer shared, made writable"
        case .segmentationFault: return "segmentation fault (SIGSEGV: no region holds this address)"
        case .protectionFault: return "protection fault (SIGSEGV: the region forbids this access)"
        case .spurious: return "spurious fault (the entry in memory allows it; the TLB held an older one): retry"
        case .exceptionFixup: return "-EFAULT (a uaccess routine hit a bad user address; the exception table fixed it up)"
        case .kernelOops: return "oops (a kernel-mode fault the kernel cannot handle)"
        case .markedDirty(let page): return "TLB modified: the page is writable, so the kernel set D in its entry and the TLB (\(Format.hex(page)) is dirty now)"
        case .addressError: return "address error: SIGBUS (Linux's do_ade)"
        }
    }

    static func faultReason(_ fault: Fault, _ architecture: Architecture) -> String {
        if let reason = architecture.nativeReason(fault) { return reason }
        switch fault.kind {
        case .notPresent:
            return architecture.hasKernel
                ? "not present at \(architecture.levelName(fault.level))"
                : "\(architecture.levelName(fault.level)) entry not valid"
        case .protection:
            switch fault.check {
            case .rights: return "protection"
            case .smep: return "protection, SMEP: the kernel may not execute a user page"
            case .smap: return "protection, SMAP: the kernel touched a user page with EFLAGS.AC clear"
            }
        case .reservedBit: return "reserved bit set in the \(architecture.levelName(fault.level)) entry"
        case .generalProtection: return "general protection"
        case .invalidOpcode: return "invalid opcode"
        case .nonCanonical: return "non-canonical address"
        case .addressError: return "address error"
        }
    }
}
