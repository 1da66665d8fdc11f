import VMMachine

/// Lines for what the kernel did: process creation, context switches, shootdowns.
enum EventRenderer {
    static func spawned(_ process: Process, machine: Machine) -> String {
        let shared = machine.presentEntries(ofTable: process.root, level: machine.architecture.levels).filter { $0.index >= machine.architecture.firstKernelIndex }
            .map { String($0.index) }
        let root = machine.architecture.levelName(machine.architecture.levels)
        if machine.architecture.kernelIsUnmapped {
            return "spawn \(process.name): pid \(process.pid), \(root) at \(Format.hex(process.root)), its user pages only: "
                + "the kernel runs in kseg0, which no page table maps"
        }
        if machine.architecture.splitBaseRegisters {
            // ARM: nothing of the kernel's is copied; TTBR1 translates the upper half for every process.
            return "spawn \(process.name): pid \(process.pid), \(root) at \(Format.hex(process.root)) for TTBR0_EL1, "
                + "its user half only; the kernel's \(root) at \(Format.hex(machine.kernelRoot)) stays in TTBR1_EL1"
        }
        if machine.configuration.separateKernelTable, machine.architecture.hasXv6Layout, let userRoot = process.userRoot {
            // xv6's proc_pagetable: its own trampoline and trapframe entries, nothing shared with the kernel.
            return "spawn \(process.name): pid \(process.pid), \(root) at \(Format.hex(userRoot)) with TRAMPOLINE at "
                + "\(Format.hex(RISCV.xv6Trampoline)) and its TRAPFRAME at \(Format.hex(RISCV.xv6Trapframe)), as xv6's "
                + "proc_pagetable maps them; in the kernel the core runs on the master \(root) at \(Format.hex(machine.kernelRoot))"
        }
        if machine.configuration.separateKernelTable, let userRoot = process.userRoot {
            // xv6's design: the process's own table; the kernel runs on the master table.
            let trampoline = machine.presentEntries(ofTable: userRoot, level: machine.architecture.levels).map { String($0.index) }
            return "spawn \(process.name): pid \(process.pid), \(root) at \(Format.hex(userRoot)) with only entry "
                + "\(trampoline.joined(separator: ", ")) of the kernel (the entry trampoline); in the kernel the core "
                + "runs on the master \(root) at \(Format.hex(machine.kernelRoot))"
        }
        var text =
            "spawn \(process.name): pid \(process.pid), \(root) at \(Format.hex(process.root)); "
            + "kernel entries \(shared.joined(separator: ", ")) copied from the master \(root)"
        if let userRoot = process.userRoot {
            let trampoline = machine.presentEntries(ofTable: userRoot, level: machine.architecture.levels).map { String($0.index) }
            text += "; user \(root) at \(Format.hex(userRoot)) with only entry \(trampoline.joined(separator: ", ")) (the entry trampoline)"
        }
        return text
    }

    static func switched(_ outcome: SwitchOutcome, interpreter: Interpreter) -> String {
        let machine = interpreter.machine
        let name: String
        if case .thread(let reference) = interpreter.threadValue(outcome.next) { name = reference.name } else { name = "?" }
        var text = "switch cpu \(outcome.core) to \(name): "
        let unchanged = "\(machine.architecture.baseRegister) unchanged, no flush"
        switch outcome.kind {
        case .sameAddressSpace:
            text += "same address space, " + (outcome.writes.isEmpty ? unchanged : writes(outcome, machine.architecture))
        case .kernelThread:
            let borrowed = machine.perCPU[outcome.core].loadedProcess.flatMap(machine.process).map { $0.name }
            text += borrowed.map { "kernel thread borrows \($0)'s page tables (lazy TLB), " } ?? "kernel thread, "
            text += outcome.writes.isEmpty ? unchanged : writes(outcome, machine.architecture)
        case .returnFromLazy:
            text += "back from lazy TLB, " + (outcome.writes.isEmpty ? unchanged : writes(outcome, machine.architecture))
        case .newAddressSpace:
            var note = ""
            if machine.configuration.addressSpaceIDs {
                // ARM: the ASID goes into TTBR1 (TCR_EL1.A1 = 1), written just before TTBR0.
                let tag = "\(machine.architecture.tagName) \(machine.cores[outcome.core].tag)"
                    + (machine.architecture.splitBaseRegisters ? " in TTBR1_EL1" : "")
                if let recycled = outcome.recycledSlotOf.flatMap(machine.process) {
                    note = "\(tag): slot of \(recycled.name) recycled"
                } else if outcome.reusedSlot {
                    note = "\(tag): its entries are still valid"
                } else {
                    note = tag
                }
            }
            text += writes(outcome, machine.architecture, note: note)
        }
        return text
    }

    /// One write: "CR3 0x208000 -> 0x20d000, TLB flush dropped 1 entry, kept 0".
    /// Several (KPTI): "CR3 A -> B (kernel entry, no flush) -> C (switch, TLB
    /// flush dropped 3 entries) -> D (return to user, no flush), 2 entries kept".
    /// The value shown is the one written: bit 63 set is the no-flush request.
    static func writes(_ outcome: SwitchOutcome, _ architecture: Architecture, note: String = "") -> String {
        let kept = outcome.entriesKept
        let register = architecture.baseRegister
        guard outcome.writes.count > 1, let first = outcome.writes.first else {
            guard let write = outcome.writes.first else { return "\(register) unchanged, no flush" }
            return "\(register) \(architecture.baseValueText(write.previous)) -> "
                + architecture.baseValueText(write.written)
                + (note.isEmpty ? "" : " (\(note))") + ", "
                + (write.refusedPDPTE != nil ? flushText(write, architecture)
                    : write.flushed
                    ? "\(flushText(write, architecture)), kept \(kept)"
                    : "no flush, \(Format.plural(kept, "entry", "entries")) kept")
        }
        var text = "\(register) \(architecture.baseValueText(first.previous))"
        for write in outcome.writes {
            text += " -> \(architecture.baseValueText(write.written)) (\(write.reason.rawValue), "
                + (write.flushed || write.refusedPDPTE != nil ? flushText(write, architecture) : "no flush") + ")"
        }
        return text + (note.isEmpty ? "" : ", " + note) + ", \(Format.plural(kept, "entry", "entries")) kept"
    }

    /// "TLB flush dropped 0 entries": a flush that found nothing is still a
    /// flush. On RISC-V the satp write is followed by "sfence.vma".
    static func flushText(_ write: BaseRegisterWrite, _ architecture: Architecture) -> String {
        if let refused = write.refusedPDPTE {
            return "general protection fault (#GP): PDPTE \(refused) is present with a reserved bit set, "
                + "so nothing was loaded and the switch did not happen (Linux would oops in switch_mm)"
        }
        return "\(architecture.flushName) dropped \(Format.plural(write.dropped, "entry", "entries"))"
    }

    /// "; 2 TLB entries invalidated, IPI to cpu 1", or the stale-TLB warning.
    static func shootdownText(_ outcome: ShootdownOutcome, what: String) -> String {
        var text = outcome.fullFlush ? "; \(what) flushed" : "; \(Format.plural(outcome.entriesInvalidated, "TLB entry", "TLB entries")) invalidated"
        if !outcome.broadcastCores.isEmpty {
            text += ", broadcast (tlbi … is) to " + outcome.broadcastCores.map { "cpu \($0)" }.joined(separator: ", ")
                + ", no IPI"
        }
        if !outcome.interruptedCores.isEmpty {
            text += ", shootdown IPI to " + outcome.interruptedCores.map { "cpu \($0)" }.joined(separator: ", ")
        }
        if !outcome.staleCores.isEmpty {
            text += "; NO shootdown: " + outcome.staleCores.map { "cpu \($0)" }.joined(separator: ", ")
                + " may still use the old translations"
        }
        return text
    }
}
