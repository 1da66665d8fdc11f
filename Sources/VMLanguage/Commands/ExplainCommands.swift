import VMMachine

/// `explain ADDR`: an address translated by hand, step by step, changing nothing.
enum ExplainCommands {
    static let all: [CommandSpec] = [explain]

    static let explain = CommandSpec(
        name: "explain",
        summary: "show how an address translates, field by field and step by step, changing nothing",
        details: """
            Prints the address's fields (the index for each level and the page offset,
            in hex and binary), the TLB set and tag it falls in with what that set
            holds and whether it would hit, each entry the walk reads (its address as
            table + index × 8, its bits named), and the physical address split into
            frame number and offset, or the fault. No accessed bit, TLB fill or counter
            changes, so it can be run before and after an access. vpn(ADDR),
            tlb_set(ADDR), tlb_tag(ADDR) and ppn(ADDR) give the same numbers to scripts.
            """,
        parameters: [ParameterSpec("ADDR")],
        options: [OptionSpec("kind", .word(["read", "write", "exec"]), placeholder: "read|write|exec", help: "the access to explain (default read)")]
    ) { interpreter, call in
        let address = try interpreter.integer(call.arguments[0], "the address")
        let kind: AccessKind
        switch call.option("kind").map({ interpreter.word($0.value) }) {
        case "write": kind = .write
        case "exec": kind = .execute
        default: kind = .read
        }
        let core = interpreter.currentCore
        let explanation = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.hardware.explain(address, kind: kind, core: core)
        }
        interpreter.output.write(ExplainRenderer.render(explanation, machine: interpreter.machine, core: core, kind: kind))
    }
}

enum ExplainRenderer {
    static func render(_ explanation: Explanation, machine: Machine, core index: Int, kind: AccessKind) -> String {
        let core = machine.cores[index]
        let architecture = machine.architecture
        let textbook = !architecture.hasKernel
        let address = explanation.virtualAddress
        let pageShift = Int(architecture.pageShift)
        let mode = textbook ? "" : "\(core.mode.rawValue) "
        var lines = ["explain \(Format.hex(address)) on cpu \(index) (\(mode)\(kind.rawValue)):"]
        let levels = Array((1...architecture.levels).reversed())
        let groups =
            zip(levels, explanation.indices).map { binary(UInt64($1), digits: architecture.indexBits(ofLevel: $0)) }
            + [binary(explanation.offset, digits: pageShift)]
        lines.append(
            "  address  \(Format.hex(address)) = bits \(architecture.virtualBits - 1)..0: " + groups.joined(separator: " "))
        lines.append(
            "           " + zip(levels, explanation.indices).map { "\(architecture.levelName($0)) index \($1)" }
                .joined(separator: ", ") + ", offset \(Format.hex(explanation.offset))")
        if explanation.fault?.kind == .nonCanonical {
            lines.append("  result   #GP before any TLB lookup or walk: bits 63..\(architecture.virtualBits - 1) are not all equal (non-canonical)")
            return lines.joined(separator: "\n") + "\n"
        }
        let vpnBits = architecture.virtualBits - pageShift
        let array = core.tlb.arrays[explanation.tlbArray]
        let arrayName = core.tlb.roles[explanation.tlbArray].name
        if textbook {
            lines.append(
                "  fields   VPN \(Format.hex(explanation.virtualPageNumber)) = 0b\(binary(explanation.virtualPageNumber, digits: vpnBits)), "
                    + "VPO \(Format.hex(explanation.offset)) = 0b\(binary(explanation.offset, digits: pageShift))")
        }
        if array.paired {
            // MIPS: every entry is compared at once, by VPN2 (a pair of pages) and ASID.
            lines.append(
                "  TLB      VPN2 \(Format.hex(explanation.virtualPageNumber >> 1)) (address >> \(pageShift + 1)), the "
                    + "\(explanation.virtualPageNumber & 1 == 0 ? "even" : "odd") page of its pair; \(MIPS.tlbEntries) "
                    + "entries of page pairs, fully associative: every entry is compared")
        } else {
            lines.append(
                "  TLB      VPN \(Format.hex(explanation.virtualPageNumber)) (address >> \(pageShift)); \(arrayName) has "
                    + "\(array.sets) sets x \(array.ways) ways: set \(explanation.tlbSet) (VPN mod \(array.sets)), "
                    + "tag \(Format.hex(explanation.tlbTag)) (VPN / \(array.sets))")
        }
        let held: [String]
        if textbook {
            let setBits = array.sets.trailingZeroBitCount
            lines.append(
                "           TLBI \(explanation.tlbSet) = 0b\(binary(UInt64(explanation.tlbSet), digits: max(setBits, 1))), "
                    + "TLBT \(Format.hex(explanation.tlbTag)) = 0b\(binary(explanation.tlbTag, digits: vpnBits - setBits))")
            held = explanation.setContents.filter { $0.valid || $0.wasFilled }.map { entry in
                "tag \(Format.hex(entry.virtualPage >> UInt64(setBits)))"
                    + (entry.valid ? " -> PPN \(Format.hex(entry.frameBase >> architecture.pageShift))" : " invalid")
            }
        } else {
            held = explanation.setContents.filter(\.valid).map { entry in
                "\(Format.hex(entry.virtualAddress)) -> \(Format.hex(entry.frameBase))" + (entry.global ? " global" : "")
            }
        }
        if array.paired {
            lines.append(
                "           " + (explanation.tlbHit
                    ? "an entry matches: a hit" : "no entry matches: a TLB Refill exception, and the kernel's handler walks"))
        } else {
        lines.append(
            "           set \(explanation.tlbSet) holds " + (held.isEmpty ? "nothing" : held.joined(separator: ", "))
                + ": " + (explanation.tlbHit
                    // The hit came from a large page's entry, in the set its own page number picks.
                    ? (held.isEmpty ? "a hit, from a large page's entry in another set" : "a hit")
                    : "a miss, so the MMU walks"))
        }
        let register =
            textbook || architecture.baseRegisterHoldsFrameNumber
            ? "\(architecture.baseRegister) \(Format.hex(core.base)) (table at \(Format.hex(explanation.root)))"
            : architecture.splitBaseRegisters && address >> 63 != 0
                ? "TTBR1_EL1 \(Format.hex(core.ttbr1)) (the kernel's table at \(Format.hex(explanation.root)), "
                    + "for the upper half)"
                : "\(architecture.baseRegister) \(Format.hex(explanation.root))"
        lines.append(
            "  walk     " + (explanation.tlbHit ? "(not needed after a hit; what a miss would read) " : "")
                + "from \(register):")
        let format = architecture.format
        for step in explanation.steps {
            let table = step.entryAddress - UInt64(step.index) * architecture.entryBytes
            var text = "    \(architecture.levelName(step.level))[\(step.index)] at \(Format.hex(table)) + \(step.index) x "
                + "\(architecture.entryBytes) = \(Format.hex(step.entryAddress)): \(Format.hex(step.entry))"
            let leaf = architecture.isLeaf(step.entry, level: step.level)
            let target = leaf ? "frame" : "next table"
            if textbook {
                text += " = 0b\(binary(step.entry, digits: Int(architecture.entryBytes) * 8)) = "
                let bits = format.namedBits.map { "\($0.name) \(step.entry & $0.mask == 0 ? 0 : 1)" }
                text += bits.joined(separator: ", ")
                if format.isValid(step.entry) {
                    let number = format.frameField(step.entry)
                    text += ", PPN \(Format.hex(number)), \(target) \(Format.hex(format.physicalAddress(step.entry)))"
                }
            } else {
                if architecture.isValid(step.entry, level: step.level) {
                    text += " = " + architecture.flagNames(step.entry, level: step.level).joined(separator: " ") + ", "
                    text += "\(target) \(Format.hex(architecture.target(of: step.entry, level: step.level)))"
                } else {
                    text += " = not present"
                }
                if architecture.rootInRegisters && step.level == architecture.levels {
                    text += " (from its register, loaded with CR3)"
                }
            }
            lines.append(text)
        }
        if let physical = explanation.physicalAddress {
            let shift = UInt64(explanation.pageSize.trailingZeroBitCount)
            let ppn = physical >> architecture.pageShift
            let ppo = physical & (architecture.pageSize - 1)
            var text = "  result   physical \(Format.hex(physical)) = PPN \(Format.hex(ppn)) | offset \(Format.hex(ppo))"
            if textbook {
                text += " = 0b\(binary(ppn, digits: architecture.physicalBits - pageShift)) \(binary(ppo, digits: pageShift))"
            } else if explanation.pageSize != architecture.pageSize {
                text += " (in a \(Format.size(explanation.pageSize)) page: frame \(Format.hex((physical >> shift) << shift)))"
            }
            lines.append(text)
        } else if let fault = explanation.fault {
            if textbook {
                lines.append(
                    "  result   page fault: " + (fault.kind == .notPresent
                        ? "the \(architecture.levelName(fault.level)) entry is not valid"
                        : "the \(architecture.levelName(fault.level)) entry forbids a \(kind.rawValue)")
                        + " (this machine has no kernel: the access stops here)")
            } else {
                lines.append(
                    "  result   " + architecture.explainedFault(
                        fault, reason: AccessRenderer.faultReason(fault, architecture), address: address))
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "000000010" for 2 in 9 digits.
    static func binary(_ value: UInt64, digits: Int) -> String { Format.digits(value, radix: 2, count: digits) }
}
