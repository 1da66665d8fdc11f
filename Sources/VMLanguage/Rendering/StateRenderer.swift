import VMMachine

/// Text for `show` and `stats`: what the hardware and the kernel hold right now.
enum StateRenderer {
    static func pageTable(_ process: Process, machine: Machine) -> String {
        var lines = ["page table of \(process.name) (pid \(process.pid)): PML4 at \(Format.hex(process.root))"]
        var userEntries = 0
        for (index, entry) in machine.presentEntries(ofTable: process.root) {
            let isKernelHalf = index >= AddressLayout.firstKernelPML4Index
            if isKernelHalf {
                lines.append(
                    "  " + entryLine(level: 4, index: index, entry: entry)
                        + "  kernel half, same entry in every process")
                continue
            }
            userEntries += 1
            appendSubtree(
                level: 4, index: index, entry: entry, base: UInt64(index) << 39, depth: 1,
                machine: machine, into: &lines)
        }
        if userEntries == 0 { lines.insert("  (user half empty)", at: 1) }
        return lines.joined(separator: "\n") + "\n"
    }

    private static func appendSubtree(
        level: Int, index: Int, entry: PageTableEntry, base: UInt64, depth: Int, machine: Machine,
        into lines: inout [String]
    ) {
        let indent = String(repeating: "  ", count: depth)
        let isLeaf = level == 1 || entry.isLargePage
        if isLeaf {
            lines.append(
                indent + entryLine(level: level, index: index, entry: entry)
                    + "  va \(Format.hex(base)) -> frame \(Format.hex(entry.physicalAddress))")
            return
        }
        lines.append(
            indent + entryLine(level: level, index: index, entry: entry) + "  -> "
                + "\(AddressLayout.levelName(level - 1)) at \(Format.hex(entry.physicalAddress))")
        for (childIndex, child) in machine.presentEntries(ofTable: entry.physicalAddress) {
            appendSubtree(
                level: level - 1, index: childIndex, entry: child,
                base: base | (UInt64(childIndex) << (12 + 9 * UInt64(level - 2))), depth: depth + 1,
                machine: machine, into: &lines)
        }
    }

    private static func entryLine(level: Int, index: Int, entry: PageTableEntry) -> String {
        "\(AddressLayout.levelName(level))[\(Format.padLeft(String(index), 3))] \(Format.hex16(entry.raw)) "
            + Format.padRight(entry.flagNames.joined(separator: " "), 18)
    }

    static func tlb(_ core: Core) -> String {
        let tlb = core.tlb
        var lines = [
            "TLB of cpu \(core.index): \(tlb.entryCount) entries (\(tlb.sets) sets x \(tlb.ways) ways), "
                + "\(tlb.validCount) valid; \(Format.plural(core.tlbHits, "hit")), \(Format.plural(core.tlbMisses, "miss", "misses")), "
                + Format.plural(core.tlbFlushes, "flush", "flushes")
        ]
        if tlb.validCount > 0 {
            lines.append("  set way  virtual page        physical page       size     rights")
        }
        for (slot, entry) in tlb.entries.enumerated() where entry.valid {
            var rights = [entry.writable ? "rw" : "r"]
            if !entry.noExecute { rights[0] += "x" }
            rights.append(entry.user ? "user" : "kernel")
            if entry.global { rights.append("global") }
            if entry.dirty { rights.append("dirty") }
            lines.append(
                "  " + Format.padLeft(String(slot / tlb.ways), 3) + " " + Format.padLeft(String(slot % tlb.ways), 3)
                    + "  " + Format.padRight(Format.hex(entry.virtualAddress), 18) + "  "
                    + Format.padRight(Format.hex(entry.frameBase), 18) + "  "
                    + Format.padRight(Format.size(entry.pageSize), 7) + "  " + rights.joined(separator: " "))
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func cpu(_ core: Core, machine: Machine) -> String {
        let running = core.currentProcess.flatMap(machine.process)
        let what = running.map { "running \($0.name) (pid \($0.pid))" } ?? "running no process (boot page table)"
        let owner =
            core.cr3 == machine.kernelRoot
            ? "the kernel's master PML4" : running.map { "PML4 of \($0.name)" } ?? "?"
        return """
            cpu \(core.index): \(core.mode.rawValue) mode, \(what)
              CR3 \(Format.hex(core.cr3)) (\(owner))
              CR2 \(Format.hex(core.cr2)) (address of the last page fault)
              TLB \(core.tlb.validCount) of \(core.tlb.entryCount) entries valid

            """
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
        return lines.joined(separator: "\n") + "\n"
    }

    static func processes(_ machine: Machine) -> String {
        guard !machine.processes.isEmpty else { return "no processes (spawn NAME creates one)\n" }
        let nameWidth = max(4, machine.processes.map(\.name.count).max() ?? 0)
        var lines = ["  pid  " + Format.padRight("name", nameWidth) + "  PML4        user pages  page tables  running on"]
        for process in machine.processes {
            let cores = machine.cores.filter { $0.currentProcess == process.pid }.map { "cpu \($0.index)" }
            lines.append(
                "  " + Format.padLeft(String(process.pid.rawValue), 3) + "  " + Format.padRight(process.name, nameWidth)
                    + "  " + Format.padRight(Format.hex(process.root), 10) + "  "
                    + Format.padLeft(String(process.residentPages), 10) + "  "
                    + Format.padLeft(String(process.tableFrames.count), 11) + "  "
                    + (cores.isEmpty ? "-" : cores.joined(separator: ", ")))
        }
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
                    + "\(Format.plural(core.walks, "page walk")) (\(core.walkMemoryReads) entry reads), "
                    + "\(Format.plural(core.faults, "fault")), \(Format.plural(core.contextSwitches, "context switch", "context switches"))")
        }
        lines.append(
            "memory: \(machine.framesUsed) frames used, \(machine.framesFree) free, "
                + "\(Format.plural(machine.processes.count, "process", "processes"))")
        return lines.joined(separator: "\n") + "\n"
    }

    /// "71.4%", by integer arithmetic so every platform prints the same.
    static func percent(_ part: UInt64, of whole: UInt64) -> String {
        let tenths = (part * 1000 + whole / 2) / whole
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
