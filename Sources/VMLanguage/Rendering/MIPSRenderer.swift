import VMMachine

/// MIPS's own lines: an access told as the segment, the TLB, the refill
/// handler's reads and TLBWR, the exception and the retry; the TLB as 48
/// EntryHi/EntryLo0/EntryLo1 triples; a PTE's software and hardware bits.
enum MIPSRenderer {
    ///     read 0x400000: TLB miss, refill exception: the handler reads PGD[1]=0x80203000
    ///     PTE[0]=0xc000809a PTE[1]=0x0, tlbwr into entry 37 (EntryLo0 0x809a, EntryLo1 0x0); TLB hit, pa 0x202000, value 0
    static func line(_ outcome: AccessOutcome, architecture: Architecture, showCore: Bool) -> String {
        var text = AccessRenderer.head(outcome, architecture, showCore: showCore) + ": "
        if outcome.unmapped {
            let segment = outcome.virtualAddress < MIPS.kseg1 ? "kseg0" : "kseg1"
            text += "\(segment), unmapped (no TLB)"
        } else if let fault = outcome.fault, fault.kind == .addressError {
            text += "\(AccessRenderer.faultReason(fault, architecture)) (\(architecture.trapDetails(fault)))"
        } else {
            text += attempt(outcome.first, refill: outcome.refill, architecture)
        }
        if let resolution = outcome.resolution {
            text += " -> kernel: " + AccessRenderer.describe(resolution)
        }
        if let retry = outcome.retry { text += "; retry: " + attempt(retry, refill: nil, architecture) }
        guard let physicalAddress = outcome.physicalAddress else { return text }
        text += ", pa \(Format.hex(physicalAddress))"
        if outcome.kind != .write { text += ", value \(outcome.value)" }
        return text
    }

    private static func attempt(_ attempt: Attempt, refill: AccessOutcome.Refill?, _ architecture: Architecture) -> String {
        var text = ""
        if let refill {
            let code = refill.store ? "\(MIPS.storeMissCode) (TLBS)" : "\(MIPS.loadMissCode) (TLBL)"
            text = "TLB miss, refill exception (Cause.ExcCode \(code), EntryHi \(Format.hex(refill.entryHi))): "
                + "the handler reads"
            for position in 0..<attempt.walk.count {
                let step = attempt.walk[position]
                text += " \(architecture.levelName(step.level))[\(step.index)]=\(Format.hex(step.entry))"
            }
            text += ", tlbwr into entry \(refill.slot) (EntryLo0 \(Format.hex(refill.entryLo0)), "
                + "EntryLo1 \(Format.hex(refill.entryLo1))); "
        }
        text += attempt.tlbHit ? "TLB hit" : "TLB miss"
        if let fault = attempt.fault {
            text += ", \(AccessRenderer.faultReason(fault, architecture)) (\(architecture.trapDetails(fault)))"
        }
        return text
    }


    /// The TLB entry by entry: EntryHi's VPN2 and ASID, G, and each half's PFN, D and V.
    static func tlb(_ core: Core, machine: Machine) -> String {
        let array = core.tlb.arrays[0]
        var lines = [
            "TLB of cpu \(core.index): \(MIPS.tlbEntries) entries of page pairs, fully associative, "
                + "\(array.validCount / 2) in use; \(Format.plural(core.tlbHits, "hit")), "
                + "\(Format.plural(core.tlbMisses, "miss", "misses")), \(Format.plural(core.refills, "refill"))"
        ]
        var pairs: [String] = []
        for pair in 0..<MIPS.tlbEntries {
            let even = array.entries[2 * pair]
            let odd = array.entries[2 * pair + 1]
            guard even.valid || odd.valid else { continue }
            let virtualPage = even.valid ? even.virtualPage : odd.virtualPage
            func half(_ entry: TLBEntry) -> String {
                guard entry.valid else { return Format.padRight("-", 20) }
                return Format.padRight(
                    "PFN \(Format.hex(entry.frameBase >> 12))" + (entry.writable ? " D" : "") + (entry.present ? " V" : ""), 20)
            }
            pairs.append(
                "  " + Format.padLeft(String(pair), 5) + "  " + Format.padRight(Format.hex((virtualPage >> 1) << 13), 12)
                    + Format.padRight(even.global ? "G" : String(even.tag), 6) + half(even) + half(odd))
        }
        if !pairs.isEmpty {
            lines.append("  entry  VPN2        ASID  EntryLo0 (even)     EntryLo1 (odd)")
            lines += pairs
        }
        return lines.map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
    }
}
