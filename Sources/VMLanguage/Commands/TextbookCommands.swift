import VMMachine

/// What a textbook exercise does by hand on a machine without a kernel: set
/// the base register, type TLB entries in, load a page dump.
enum TextbookCommands {
    static let all: [CommandSpec] = [ptbr, pdbr, tlbset, load]

    static let ptbr = baseRegisterCommand(
        name: "ptbr",
        summary: "set the page-table base register of a textbook machine (a frame number); flushes the TLB")

    static let pdbr = baseRegisterCommand(name: "pdbr", summary: "the same as ptbr (OSTEP's name for it)")

    static func baseRegisterCommand(name: String, summary: String) -> CommandSpec {
        CommandSpec(
            name: name, summary: summary,
            details: """
                \(name) N makes frame N the root table of the current core's walks (cpu=N
                for another core). As a CR3 write without PCIDs does, it flushes that
                core's TLB, so set it before typing TLB entries in. x86_64's CR3 belongs
                to its kernel: switch loads it.
                """,
            parameters: [ParameterSpec("FRAME")],
            options: [OptionSpec("cpu", placeholder: "N", help: "the core whose register to set (default the current one)")]
        ) { interpreter, call in
            let value = try interpreter.integer(call.arguments[0], "the frame number")
            let core = try interpreter.coreOption(call)
            let dropped = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
                try interpreter.machine.hardware.setBaseRegister(value, core: core)
            }
            let architecture = interpreter.machine.architecture
            interpreter.report(
                "\(architecture.baseRegister) = \(Format.hex(value)) (root table at "
                    + "\(Format.hex(architecture.rootAddress(fromRegister: value)))); TLB flushed"
                    + (dropped == 0 ? "" : " (\(Format.plural(dropped, "entry", "entries")) dropped)"))
        }
    }

    static let tlbset = CommandSpec(
        name: "tlbset",
        summary: "type one TLB entry in by hand on a textbook machine: set, way, tag, PPN, valid",
        details: """
            tlbset SET WAY tag=T ppn=P valid=1 fills way WAY of set SET as a book's TLB
            table shows it (the tag is the VPN without its set bits: VPN / sets). An
            invalid entry keeps its tag and PPN for show tlb but never hits.
            """,
        parameters: [ParameterSpec("SET"), ParameterSpec("WAY")],
        options: [
            OptionSpec("tag", placeholder: "T", help: "the TLB tag (TLBT)"),
            OptionSpec("ppn", placeholder: "P", help: "the physical page number (default 0)"),
            OptionSpec("valid", placeholder: "0|1", help: "1 (default) or 0"),
            OptionSpec("writable", placeholder: "0|1", help: "where the entry format has a writable bit: 1 (default) or 0"),
            OptionSpec("user", placeholder: "0|1", help: "where the entry format has a user bit: 1 (default) or 0"),
            OptionSpec("dirty", placeholder: "0|1", help: "where the entry format has a dirty bit: 1 (default) or 0"),
        ]
    ) { interpreter, call in
        let machine = interpreter.machine
        guard !machine.architecture.hasKernel else {
            throw Diagnostic(
                "tlbset types in a textbook machine's TLB (csapp, ostep, custom); x86_64's TLB fills from walks",
                at: call.range)
        }
        let set = try interpreter.integer(call.arguments[0], "the set")
        let way = try interpreter.integer(call.arguments[1], "the way")
        guard let tagOption = call.option("tag") else {
            throw Diagnostic("tlbset needs the entry's tag: tlbset \(set) \(way) tag=0x3 ppn=0xd", at: call.range)
        }
        let tag = try interpreter.integer(tagOption.value, "tag")
        let ppn = try call.option("ppn").map { try interpreter.integer($0.value, "ppn") } ?? 0
        let format = machine.architecture.format
        /// A 0|1 option; the rights bits only where the entry format has them.
        func bit(_ name: String, present: Bool = true) throws -> Bool {
            guard let option = call.option(name) else { return true }
            guard present else {
                throw Diagnostic(
                    "a \(machine.architecture.name) entry has no \(name) bit, so its TLB entries have none", at: option.nameRange)
            }
            let value = try interpreter.integer(option.value, name)
            guard value <= 1 else { throw Diagnostic("\(name)= is 1 or 0, got \(value)", at: option.value.range) }
            return value == 1
        }
        let valid = try bit("valid")
        let writable = try bit("writable", present: format.writable != 0)
        let user = try bit("user", present: format.user != 0)
        let dirty = try bit("dirty", present: format.dirty != 0)
        let core = interpreter.currentCore
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try machine.hardware.setTLBEntry(
                core: core, set: Int(min(set, UInt64(Int.max))), way: Int(min(way, UInt64(Int.max))), tag: tag, ppn: ppn,
                valid: valid, writable: writable, user: user, dirty: dirty)
        }
        interpreter.report(
            "TLB set \(set) way \(way): tag \(Format.hex(tag)), PPN \(Format.hex(ppn)), " + (valid ? "valid" : "invalid")
                + (format.writable != 0 && !writable ? ", read-only" : "") + (format.user != 0 && !user ? ", kernel only" : ""))
    }

    static let load = CommandSpec(
        name: "load",
        summary: "fill a textbook machine's memory from a page dump (OSTEP's format); its PDBR line sets the base register",
        details: """
            load "dump.txt" reads lines like "page  12:1b1d05…" (the page's bytes in
            hex; spaces allowed) into physical memory and a "PDBR: 108 (decimal)" line
            into the base register. Other lines are ignored, so the homework
            simulator's whole printout loads as it is. A page past the machine's
            memory, a line of the wrong length or a bad digit is an error at its line
            and column, and nothing is loaded. show memory prints the same format.
            """,
        parameters: [ParameterSpec("FILE", completion: .path)]
    ) { interpreter, call in
        let machine = interpreter.machine
        let architecture = machine.architecture
        guard !architecture.hasKernel else {
            throw Diagnostic(
                "load fills a textbook machine's memory (csapp, ostep, custom); x86_64's memory belongs to its kernel",
                at: call.range)
        }
        let path = try interpreter.string(call.arguments[0], "the dump file")
        if interpreter.runsForSubmission(call.range) {
            throw Diagnostic("a graded submission may not read files", at: call.range)
        }
        let resolved = Interpreter.path(path, besideScript: call.range.file.name)
        let text: String
        do {
            text = try ScriptLoader.read(HostPath(resolved))
        } catch let failure as ScriptLoader.Failure {
            throw Diagnostic(failure.message, at: call.arguments[0].range)
        }
        let dump: PageDump
        do {
            dump = try PageDump.parse(text, pageSize: Int(architecture.pageSize), pageCount: machine.framesTotal)
        } catch let error as PageDump.BadLine {
            throw Diagnostic(
                "\(HostPath(resolved).display):\(error.line):\(error.column): \(error.message)", at: call.arguments[0].range,
                notes: ["nothing was loaded"])
        }
        let core = interpreter.currentCore
        try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            for page in dump.pages {
                for (offset, byte) in page.bytes.enumerated() {
                    try machine.hardware.poke(page.number * architecture.pageSize + UInt64(offset), UInt64(byte), bytes: 1)
                }
            }
            if let base = dump.baseRegister { try machine.hardware.setBaseRegister(base, core: core) }
        }
        interpreter.report(
            "load \"\(path)\": \(Format.plural(dump.pages.count, "page")) (\(dump.pages.count * Int(architecture.pageSize)) bytes)"
                + (dump.baseRegister.map {
                    ", \(architecture.baseRegister) \($0) (root table at \(Format.hex(architecture.rootAddress(fromRegister: $0))))"
                } ?? ""))
    }
}
