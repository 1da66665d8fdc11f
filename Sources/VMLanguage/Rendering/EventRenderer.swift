import VMMachine

/// Lines for what the kernel did: process creation, context switches, shootdowns.
enum EventRenderer {
    static func spawned(_ process: Process, machine: Machine) -> String {
        let shared = machine.presentEntries(ofTable: process.root).map { String($0.index) }
        var text =
            "spawn \(process.name): pid \(process.pid), PML4 at \(Format.hex(process.root)); "
            + "kernel entries \(shared.joined(separator: ", ")) copied from the master PML4"
        if let userRoot = process.userRoot {
            let trampoline = machine.presentEntries(ofTable: userRoot).map { String($0.index) }
            text += "; user PML4 at \(Format.hex(userRoot)) with only entry \(trampoline.joined(separator: ", ")) (the entry trampoline)"
        }
        return text
    }

    static func switched(_ outcome: SwitchOutcome, interpreter: Interpreter) -> String {
        let machine = interpreter.machine
        let name: String
        if case .thread(let reference) = interpreter.threadValue(outcome.next) { name = reference.name } else { name = "?" }
        var text = "switch cpu \(outcome.core) to \(name): "
        let cr3 = "CR3 \(Format.hex(outcome.oldCR3)) -> \(Format.hex(outcome.newCR3))"
        let flush =
            outcome.entriesFlushed > 0 || (!machine.configuration.pcid && outcome.cr3Writes > 0)
            ? "TLB flush dropped \(Format.plural(outcome.entriesFlushed, "entry", "entries")), kept \(outcome.entriesKept)"
            : "no flush, \(Format.plural(outcome.entriesKept, "entry", "entries")) kept"
        switch outcome.kind {
        case .sameAddressSpace:
            text += "same address space, "
                + (outcome.cr3Writes > 0 ? "\(cr3) (KPTI: back to the user copy), \(flush)" : "CR3 unchanged, no flush")
        case .kernelThread:
            let borrowed = machine.cores[outcome.core].loadedProcess.flatMap(machine.process).map { $0.name }
            text += borrowed.map { "kernel thread borrows \($0)'s page tables (lazy TLB), " } ?? "kernel thread, "
            text += outcome.cr3Writes > 0 ? "\(cr3) (KPTI: kernel copy), \(flush)" : "CR3 unchanged, no flush"
        case .returnFromLazy:
            text += "back from lazy TLB, " + (outcome.cr3Writes > 0 ? "\(cr3), \(flush)" : "CR3 unchanged, no flush")
        case .newAddressSpace:
            text += cr3
            if machine.configuration.pcid {
                let pcid = outcome.newCR3 & 0xFFF
                if let recycled = outcome.recycledSlotOf.flatMap(machine.process) {
                    text += " (PCID \(pcid): slot of \(recycled.name) recycled)"
                } else if outcome.reusedSlot {
                    text += " (PCID \(pcid): its entries are still valid)"
                } else {
                    text += " (PCID \(pcid))"
                }
            }
            text += ", " + flush
        }
        return text
    }

    /// "; 2 TLB entries invalidated, IPI to cpu 1", or the stale-TLB warning.
    static func shootdownText(_ outcome: ShootdownOutcome, what: String) -> String {
        var text = outcome.fullFlush ? "; \(what) flushed" : "; \(Format.plural(outcome.entriesInvalidated, "TLB entry", "TLB entries")) invalidated"
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
