import VMMachine

/// Text for `show` and `stats`: what the hardware and the kernel hold right now.
enum StateRenderer {
    static func pageTable(_ process: Process, machine: Machine) -> String {
        let architecture = machine.architecture
        let top = architecture.levels
        let rootName = architecture.levelName(top)
        // The separate design's process table is its user copy; the kernel runs on the master table.
        let separate = machine.configuration.separateKernelTable
        let table = separate ? process.userRoot ?? process.root : process.root
        var lines = ["page table of \(process.name) (pid \(process.pid)): \(rootName) at \(Format.hex(table))"]
        var userEntries = 0
        for slot in machine.presentEntries(ofTable: table, level: top) {
            let index = slot.index
            let isKernelHalf = index >= machine.architecture.firstKernelIndex
            if isKernelHalf {
                lines.append(
                    "  " + entryLine(level: top, slot, architecture)
                        + (separate ? "  the entry trampoline, in every process" : "  kernel half, same entry in every process"))
                continue
            }
            userEntries += 1
            appendSubtree(
                level: top, slot, base: UInt64(index) << architecture.shift(ofLevel: top), depth: 1, machine: machine,
                into: &lines)
        }
        if userEntries == 0 { lines.insert("  (user half empty)", at: 1) }
        if let userRoot = process.userRoot, !separate {
            let entries = machine.presentEntries(ofTable: userRoot, level: top)
            let user = entries.filter { $0.index < machine.architecture.firstKernelIndex }.count
            let kernel = entries.filter { $0.index >= machine.architecture.firstKernelIndex }.map { String($0.index) }
            lines.append(
                "user \(rootName) at \(Format.hex(userRoot)) (KPTI): the same \(Format.plural(user, "user entry", "user entries")) "
                    + "(sharing every table below), and of the kernel only entry \(kernel.joined(separator: ", ")), the entry trampoline")
        }
        for region in process.regions {
            lines.append(
                "region \(Format.hex(region.start))-\(Format.hex(region.end)) \(region.protection.spelling)"
                    + (region.pageSize == AddressLayout.pageSize ? "" : ", \(Format.size(region.pageSize)) pages"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func appendSubtree(
        level: Int, _ slot: TableSlot, base: UInt64, depth: Int, machine: Machine, into lines: inout [String]
    ) {
        let indent = String(repeating: "  ", count: depth)
        let architecture = machine.architecture
        let entry = slot.entry
        if let swapSlot = entry.swapSlot {
            lines.append(
                indent + "\(architecture.levelName(level))[\(Format.padLeft(String(slot.index), 3))] \(Format.entryHex(slot.raw, bytes: architecture.entryBytes)) "
                    + Format.padRight("swapped out", 18) + "  va \(Format.hex(base)) -> swap slot \(swapSlot)")
            return
        }
        if entry.leaf {
            lines.append(
                indent + entryLine(level: level, slot, architecture)
                    + "  va \(Format.hex(base)) -> frame \(Format.hex(entry.address))")
            return
        }
        lines.append(
            indent + entryLine(level: level, slot, architecture) + "  -> "
                + "\(architecture.levelName(level - 1)) at \(Format.hex(entry.address))")
        let children =
            level == 2
            ? machine.presentOrSwappedEntries(ofTable: entry.address, level: level - 1)
            : machine.presentEntries(ofTable: entry.address, level: level - 1)
        for child in children {
            appendSubtree(
                level: level - 1, child, base: base | (UInt64(child.index) << architecture.shift(ofLevel: level - 1)),
                depth: depth + 1, machine: machine, into: &lines)
        }
    }

    /// The entry as memory holds it (RISC-V's layout, not the kernel model's view), with its flags' names.
    private static func entryLine(level: Int, _ slot: TableSlot, _ architecture: Architecture) -> String {
        "\(architecture.levelName(level))[\(Format.padLeft(String(slot.index), 3))] \(Format.entryHex(slot.raw, bytes: architecture.entryBytes)) "
            + Format.padRight(architecture.flagNames(slot.raw, level: level).joined(separator: " "), 18)
    }

    /// "TLB 64 entries (16 sets x 4 ways) per core", or the split arrays.
    static func tlbGeometry(_ tlb: TLBHierarchy) -> String {
        if tlb.arrays[0].paired { return "TLB \(MIPS.tlbEntries) entries of page pairs (fully associative) per core" }
        guard !tlb.isUnified else { return "TLB \(tlb.entryCount) entries (\(tlb.sets) sets x \(tlb.ways) ways) per core" }
        return "TLBs per core: "
            + zip(tlb.roles, tlb.arrays).map { "\($0.name) \($1.entryCount) (\($1.sets) x \($1.ways))" }
            .joined(separator: ", ")
    }

    static func tlb(_ core: Core, machine: Machine) -> String {
        if machine.architecture.refillsTLBInSoftware { return MIPSRenderer.tlb(core, machine: machine) }
        let tlb = core.tlb
        var lines = [
            (tlb.isUnified
                ? "TLB of cpu \(core.index): \(tlb.entryCount) entries (\(tlb.sets) sets x \(tlb.ways) ways), "
                : "TLBs of cpu \(core.index): \(tlb.entryCount) entries in \(tlb.arrays.count) arrays, ")
                + "\(tlb.validCount) valid; \(Format.plural(core.tlbHits, "hit")), \(Format.plural(core.tlbMisses, "miss", "misses")), "
                + Format.plural(core.tlbFlushes, "flush", "flushes")
                + (tlb.isUnified ? "" : "; \(core.secondLevelHits) of the hits from the STLB")
        ]
        for (index, array) in tlb.arrays.enumerated() {
            if !tlb.isUnified {
                lines.append(
                    "  \(tlb.roles[index].name): \(array.entryCount) entries (\(array.sets) sets x \(array.ways) ways), "
                        + "\(array.validCount) valid, \(Format.plural(tlb.hits[index], "hit"))")
            }
            lines += entryLines(array, tag: machine.perCPU[core.index].slots.count > 1 ? machine.architecture.tagName : nil)
        }
        let pcids = machine.perCPU[core.index].slots.count > 1
        if pcids {
            let slots = machine.perCPU[core.index].slots.enumerated().map { slot, state -> String in
                let owner = state.process.flatMap(machine.process).map(\.name) ?? "-"
                return "\(machine.architecture.tagName) \(slot + 1) \(owner)"
            }
            lines.append(
                "  \(machine.architecture.tagName) slots: " + slots.joined(separator: ", ")
                    + (machine.configuration.kpti ? " (KPTI user copies add 2048)" : ""))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A textbook machine's TLB as the book prints it: a row per set, and
    /// per way the tag, the PPN and the valid bit (invalid entries too).
    static func bookTLB(_ core: Core, machine: Machine) -> String {
        let array = core.tlb.arrays[0]
        let setBits = UInt64(array.sets.trailingZeroBitCount)
        let pageShift = machine.architecture.pageShift
        var lines = [
            "TLB of cpu \(core.index): \(array.entryCount) entries (\(array.sets) sets x \(array.ways) ways), "
                + "\(array.validCount) valid; \(Format.plural(core.tlbHits, "hit")), \(Format.plural(core.tlbMisses, "miss", "misses"))",
            "  set" + String(repeating: " | tag   PPN   valid", count: array.ways),
        ]
        for set in 0..<array.sets {
            var row = "  " + Format.padLeft(String(set), 3)
            for way in 0..<array.ways {
                let entry = array.entries[set * array.ways + way]
                row += " | " + Format.padRight(entry.wasFilled ? Format.hex(entry.virtualPage >> setBits) : "-", 5) + " "
                    + Format.padRight(entry.valid ? Format.hex(entry.frameBase >> pageShift) : "-", 5) + " "
                    + (entry.valid ? "1    " : "0    ")
            }
            lines.append(row)
        }
        return lines.map { $0.replacingOccurrences(of: " +$", with: "", options: .regularExpression) }
            .joined(separator: "\n") + "\n"
    }

    /// The valid entries of one TLB array, under a header.
    /// `tag`: the column of address-space tags, PCID or ASID, if the machine uses them.
    static func entryLines(_ tlb: TLB, tag: String?) -> [String] {
        let pcids = tag != nil
        guard tlb.validCount > 0 else { return [] }
        var lines = ["  set way  virtual page        physical page       size     " + (tag.map { $0 + "  " } ?? "") + "rights"]
        for (slot, entry) in tlb.entries.enumerated() where entry.valid {
            var rights = [Format.rights(writable: entry.writable, noExecute: entry.noExecute, user: entry.user)]
            if entry.global { rights.append("global") }
            if entry.dirty { rights.append("dirty") }
            lines.append(
                "  " + Format.padLeft(String(slot / tlb.ways), 3) + " " + Format.padLeft(String(slot % tlb.ways), 3)
                    + "  " + Format.padRight(Format.hex(entry.virtualAddress), 18) + "  "
                    + Format.padRight(Format.hex(entry.frameBase), 18) + "  "
                    + Format.padRight(Format.size(entry.pageSize), 7) + "  "
                    + (pcids ? Format.padRight(entry.global ? "any" : String(entry.tag), 4) + "  " : "")
                    + rights.joined(separator: " "))
        }
        return lines
    }

    static func cpu(_ core: Core, machine: Machine) -> String {
        let architecture = machine.architecture
        guard architecture.hasKernel else {
            // A textbook machine: its base register, its last fault, its TLB.
            return """
                cpu \(core.index): \(architecture.baseRegister) \(Format.hex(core.base)) (root table at \(Format.hex(architecture.rootAddress(fromRegister: core.base))))
                  last page fault at \(Format.hex(core.faultAddress))
                  TLB \(core.tlb.validCount) of \(core.tlb.entryCount) entries valid

                """
        }
        let thread = machine.perCPU[core.index].currentThread.flatMap(machine.thread)
        let loaded = machine.perCPU[core.index].loadedProcess.flatMap(machine.process)
        let what: String
        if let thread, let process = thread.process.flatMap(machine.process) {
            what = "running \(process.name).\(thread.name) (pid \(process.pid), tid \(thread.tid))"
        } else if let thread {
            what = "running kernel thread \(thread.name)" + (loaded.map { " on \($0.name)'s page tables (lazy TLB)" } ?? "")
        } else {
            what = "idle (boot page table)"
        }
        let base = architecture.rootAddress(fromRegister: core.base)
        let root = architecture.levelName(architecture.levels)
        let owner: String
        if core.base == machine.idleBaseRegister && architecture.splitBaseRegisters {
            owner = "the empty table: no user half"
        } else if base == machine.kernelRoot {
            owner = "the kernel's master \(root)"
        } else if let loaded {
            owner = loaded.userRoot == base ? "user \(root) of \(loaded.name)" : "\(root) of \(loaded.name)"
        } else {
            owner = "?"
        }
        let pcid = machine.configuration.addressSpaceIDs ? ", \(architecture.tagName) \(core.tag)" : ""
        return """
            cpu \(core.index): \(core.mode.rawValue) mode, \(what)
              \(architecture.baseRegister) \(architecture.baseValueText(core.base)) (\(owner)\(pcid))\(architecture.splitBaseRegisters
                ? "\n  TTBR1_EL1 \(Format.hex(core.ttbr1)) (the kernel's \(root), loaded at boot; with TCR_EL1.A1 = 1 its bits 63:48 are the ASID, rewritten on every switch)" : "")
              \(architecture.faultAddressRegister) \(Format.hex(core.faultAddress)) (address of the last page fault)
              \(tlbOccupancy(core))

            """
    }

    /// "TLB 3 of 64 entries valid"; MIPS's entries hold a pair of pages each.
    static func tlbOccupancy(_ core: Core) -> String {
        core.tlb.arrays[0].paired
            ? "TLB \(core.tlb.validCount / 2) of \(core.tlb.entryCount / 2) entries (page pairs) in use"
            : "TLB \(core.tlb.validCount) of \(core.tlb.entryCount) entries valid"
    }

    static func frames(_ machine: Machine) -> String {
        var lines = [
            "frames: \(machine.framesTotal) total (\(Format.size(machine.framesTotal * AddressLayout.pageSize))), "
                + "\(machine.reservedFrames) reserved for the kernel image, \(machine.framesUsed) used, "
                + "\(machine.framesFree) free",
            "  kernel: \(Format.plural(machine.kernelTableFrames.count, "page table")) at "
                + Format.addressList(machine.kernelTableFrames.map { $0 * AddressLayout.pageSize }),
        ]
        for process in machine.processes {
            lines.append(
                "  \(process.name) (pid \(process.pid)): \(Format.plural(process.tableFrames.count, "page table")), "
                    + Format.plural(process.residentPages, "user page"))
        }
        if let limit = machine.configuration.userFrameLimit {
            let policy = machine.configuration.replacementPolicy
            let ring = policy == .clock || policy == .eclock
            lines.append(
                "  user pages (frames=\(limit), \(policy.rawValue)): \(machine.residentUserPages) resident, "
                    + "\(Format.plural(machine.swapSlotsInUse, "page")) in swap"
                    + (ring ? "; the hand is at slot \(machine.clockHand)" : "; oldest first"))
            for (slot, page) in machine.residentPages.enumerated() {
                let mark = ring && slot == machine.clockHand ? " <- hand" : ""
                guard let page else {
                    lines.append("    slot \(slot): empty\(mark)")
                    continue
                }
                let bits = (page.accessed ? "A" : "-") + (page.dirty ? "D" : "-")
                lines.append(
                    "    \(ring ? "slot \(slot)" : "\(slot + 1).") va \(Format.hex(page.virtualPage)) in frame "
                        + "\(Format.hex(page.frame)) \(bits)\(mark)")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func processes(_ machine: Machine) -> String {
        guard !machine.processes.isEmpty else { return "no processes (spawn NAME creates one)\n" }
        let nameWidth = max(4, machine.processes.map(\.name.count).max() ?? 0)
        var lines = ["  pid  " + Format.padRight("name", nameWidth) + "  PML4        user pages  page tables  threads"]
        for process in machine.processes {
            let threads = process.threads.compactMap(machine.thread).map { thread -> String in
                let cores = machine.perCPU.indices.filter { machine.perCPU[$0].currentThread == thread.tid }.map { "cpu \($0)" }
                return thread.name + (cores.isEmpty ? "" : " (on " + cores.joined(separator: ", ") + ")")
            }
            lines.append(
                "  " + Format.padLeft(String(process.pid.rawValue), 3) + "  " + Format.padRight(process.name, nameWidth)
                    + "  " + Format.padRight(Format.hex(process.root), 10) + "  "
                    + Format.padLeft(String(process.residentPages), 10) + "  "
                    + Format.padLeft(String(process.tableFrames.count), 11) + "  " + threads.joined(separator: ", "))
        }
        let kernelThreads = machine.threads.filter(\.isKernelThread).map(\.name)
        if !kernelThreads.isEmpty { lines.append("  kernel threads: " + kernelThreads.joined(separator: ", ")) }
        return lines.joined(separator: "\n") + "\n"
    }

    static func stats(_ machine: Machine) -> String {
        var lines: [String] = []
        for core in machine.cores {
            let lookups = core.tlbHits + core.tlbMisses
            let rate = lookups == 0 ? "-" : percent(core.tlbHits, of: lookups)
            lines.append(
                "cpu \(core.index): \(Format.plural(core.tlbHits, "TLB hit")), \(Format.plural(core.tlbMisses, "miss", "misses")) (hit rate \(rate)), "
                    + "\(Format.plural(core.tlbFlushes, "flush", "flushes")), "
                    + (machine.architecture.refillsTLBInSoftware
                        // No hardware walker: each "walk" is the kernel's refill handler.
                        ? "\(Format.plural(core.refills, "TLB refill")) by software (\(core.walkMemoryReads) entries read by the handler), "
                        : "\(Format.plural(core.walks, "page walk")) (\(core.walkMemoryReads) entry reads), ")
                    + "\(Format.plural(core.faults, "fault")), \(Format.plural(machine.perCPU[core.index].contextSwitches, "context switch", "context switches")), "
                    + "\(Format.plural(core.baseWrites, "\(machine.architecture.baseRegister) write")), \(Format.plural(core.kernelEntries, "kernel entry", "kernel entries"))"
                    + (machine.cores.count > 1 ? ", \(Format.plural(core.interruptsReceived, "IPI")) received" : ""))
            if !core.tlb.isUnified {
                lines.append(
                    "  TLB hits by array: "
                        + zip(core.tlb.roles, core.tlb.hits).map { "\($0.name) \($1)" }.joined(separator: ", "))
            }
            let cycles = core.cycles
            lines.append(
                "  cycles: \(cycles.total) = translation \(cycles.translation) + faults \(cycles.faults) + flushes \(cycles.flushes)"
                    + " + \(machine.architecture.baseRegister) writes \(cycles.baseWrites) + kernel entries \(cycles.kernelEntries) + IPIs \(cycles.interProcessorInterrupts)"
                    + " + kernel work \(cycles.kernelWork)")
        }
        let faults = machine.faultCounts
        if faults.total > 0 {
            lines.append(
                "faults: \(faults.total) = demand \(faults.demand) + copy-on-write \(faults.copyOnWrite) + segv \(faults.segmentation)"
                    + " + protection \(faults.protection) + unresolved \(faults.unresolved)"
                    + (faults.spurious > 0 ? " + spurious \(faults.spurious)" : "")
                    + (faults.major > 0 ? " + major \(faults.major)" : "")
                    + (faults.exceptionFixups > 0 ? " + -EFAULT \(faults.exceptionFixups)" : ""))
        }
        if machine.architecture.broadcastsTLBInvalidation {
            // ARM's maintenance reaches every core by itself: compare x86's shootdown IPIs.
            lines.append(
                "TLB maintenance: \(Format.plural(machine.broadcastInvalidations, "broadcast TLBI")) (tlbi … is), 0 IPIs")
        } else if machine.cores.count > 1 {
            lines.append("shootdown IPIs: \(machine.interProcessorInterrupts)")
        }
        if let limit = machine.configuration.userFrameLimit {
            let paging = machine.pagingCounts
            lines.append(
                "paging (frames=\(limit), \(machine.configuration.replacementPolicy.rawValue)): "
                    + "\(machine.residentUserPages) user pages resident, \(Format.plural(paging.evictions, "eviction")), "
                    + "\(paging.swapWrites) written to swap, \(paging.swapReads) read back, "
                    + "\(Format.plural(machine.swapSlotsInUse, "page")) in swap")
        }
        if machine.architecture.hasKernel {
            lines.append(
                "memory: \(machine.framesUsed) frames used, \(machine.framesFree) free, "
                    + "\(Format.plural(machine.processes.count, "process", "processes"))")
        } else {
            lines.append(
                "memory: \(machine.physicalBytes) bytes (\(machine.framesTotal) frames of \(machine.architecture.pageSize) bytes), "
                    + "\(machine.memory.touchedFrames) of its 4 KiB storage blocks hold data")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Rows whose default comes from measurements of x86 hardware.
    private static let x86Only: Set<String> = ["cost_stlb", "cost_walk", "cost_dirty"]

    /// The cost table: option, cycles, what it charges, where the default comes from.
    static func costs(_ machine: Machine) -> String {
        let rows = MachineCommands.costOptions
        let nameWidth = rows.map(\.name.count).max() ?? 0
        let values = rows.map { String(machine.configuration.costs[keyPath: $0.path]) }
        let valueWidth = values.map(\.count).max() ?? 0
        let architecture = machine.architecture
        var text = "cycle costs of \(architecture.name) (machine … cost_NAME=N changes one):\n"
        for (row, value) in zip(rows, values) {
            // The architecture's own figure, or x86's, named as such where the row is about x86's hardware.
            let source = architecture.ownCost(row.path)?.source
                ?? (architecture.isCostBaseline || !x86Only.contains(row.name) ? row.source : "x86's figure (\(row.source))")
            var help = row.help
            if !architecture.isCostBaseline {
                if row.name == "cost_cr3" { help = "cycles per \(architecture.baseRegister) write" }
                if row.name == "cost_invlpg" { help = "cycles per TLB invalidation of one address" }
            }
            text += "  " + Format.padRight(row.name, nameWidth) + "  " + Format.padLeft(value, valueWidth) + "  "
                + help + "\n" + String(repeating: " ", count: nameWidth + valueWidth + 6) + "source: " + source + "\n"
        }
        return text
    }

    /// "71.4%", by integer arithmetic so every platform prints the same.
    static func percent(_ part: UInt64, of whole: UInt64) -> String {
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
