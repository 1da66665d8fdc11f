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
            try interpreter.machine.explain(address, kind: kind, core: core)
        }
        interpreter.output.write(ExplainRenderer.render(explanation, machine: interpreter.machine, core: core, kind: kind))
    }
}

enum ExplainRenderer {
    static func render(_ explanation: Explanation, machine: Machine, core index: Int, kind: AccessKind) -> String {
        let core = machine.cores[index]
        let address = explanation.virtualAddress
        var lines = ["explain \(Format.hex(address)) on cpu \(index) (\(core.mode.rawValue) \(kind.rawValue)):"]
        let names = (1...AddressLayout.levels).reversed().map(AddressLayout.levelName)
        let groups = explanation.indices.map { binary(UInt64($0), digits: 9) } + [binary(explanation.offset, digits: 12)]
        lines.append("  address  \(Format.hex(address)) = bits 47..0: " + groups.joined(separator: " "))
        lines.append(
            "           " + zip(names, explanation.indices).map { "\($0) index \($1)" }.joined(separator: ", ")
                + ", offset \(Format.hex(explanation.offset))")
        if explanation.fault?.kind == .nonCanonical {
            lines.append("  result   #GP before any TLB lookup or walk: bits 63..47 are not all equal (non-canonical)")
            return lines.joined(separator: "\n") + "\n"
        }
        let array = core.tlb.arrays[core.tlb.roles.firstIndex { $0.name == explanation.tlbArray } ?? 0]
        lines.append(
            "  TLB      VPN \(Format.hex(explanation.virtualPageNumber)) (address >> 12); \(explanation.tlbArray) has "
                + "\(array.sets) sets x \(array.ways) ways: set \(explanation.tlbSet) (VPN mod \(array.sets)), "
                + "tag \(Format.hex(explanation.tlbTag)) (VPN / \(array.sets))")
        let held = explanation.setContents.map { entry in
            "\(Format.hex(entry.virtualAddress)) -> \(Format.hex(entry.frameBase))" + (entry.global ? " global" : "")
        }
        lines.append(
            "           set \(explanation.tlbSet) holds " + (held.isEmpty ? "nothing" : held.joined(separator: ", "))
                + ": " + (explanation.tlbHit ? "a hit" : "a miss, so the MMU walks"))
        lines.append(
            "  walk     " + (explanation.tlbHit ? "(not needed after a hit; what a miss would read) " : "")
                + "from CR3 \(Format.hex(core.cr3 & PageTableEntry.addressMask)):")
        for step in explanation.steps {
            let entry = PageTableEntry(raw: step.entry)
            let table = step.entryAddress - UInt64(step.index) * 8
            var text = "    \(AddressLayout.levelName(step.level))[\(step.index)] at \(Format.hex(table)) + \(step.index) x 8 = "
                + "\(Format.hex(step.entryAddress)): \(Format.hex(step.entry))"
            if entry.isPresent {
                text += " = " + entry.flagNames.joined(separator: " ") + ", "
                let leaf = step.level == 1 || ((step.level == 2 || step.level == 3) && entry.isLargePage)
                text += leaf ? "frame \(Format.hex(entry.physicalAddress))" : "next table \(Format.hex(entry.physicalAddress))"
            } else {
                text += " = not present"
            }
            lines.append(text)
        }
        if let physical = explanation.physicalAddress {
            let shift = UInt64(explanation.pageSize.trailingZeroBitCount)
            lines.append(
                "  result   physical \(Format.hex(physical)) = PPN \(Format.hex(physical >> 12)) | offset "
                    + "\(Format.hex(physical & 0xFFF))"
                    + (explanation.pageSize == AddressLayout.pageSize
                        ? "" : " (in a \(Format.size(explanation.pageSize)) page: frame \(Format.hex((physical >> shift) << shift)))"))
        } else if let fault = explanation.fault {
            lines.append(
                "  result   #PF, \(AccessRenderer.faultReason(fault)), error code \(Format.hex(fault.errorCode)) "
                    + "(\(AccessRenderer.accessDescription(fault.errorCode))), CR2 = \(Format.hex(address))")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// "000000010" for 2 in 9 digits.
    static func binary(_ value: UInt64, digits: Int) -> String {
        let text = String(value, radix: 2)
        return String(repeating: "0", count: max(0, digits - text.count)) + text
    }
}
