import VMMachine

/// The memory system calls: regions and their page-table entries.
enum MemoryCommands {
    static let all: [CommandSpec] = [map, mmap, unmap, munmap, mprotect, poke]

    static let poke = CommandSpec(
        name: "poke",
        summary: "write physical memory directly, as a kernel bug or a debugger would",
        details: """
            poke PADDR VALUE stores VALUE at physical address PADDR, bypassing the MMU
            and the kernel's records. Nothing is flushed: a TLB entry made from an
            old page-table entry stays usable until it goes. Use it to corrupt a
            page-table entry (pte(A, ADDR, LEVEL) and phys(ADDR) to find one) and
            watch the walker's reserved-bit check fire, or to type a textbook
            machine's tables in (table_entry(PPN) builds a valid entry). bytes=N writes N
            bytes (1, 2, 4 or 8); the default is the machine's word.
            """,
        parameters: [ParameterSpec("PADDR"), ParameterSpec("VALUE")],
        options: [OptionSpec("bytes", placeholder: "N", help: "bytes to write: 1, 2, 4 or 8 (default 8; 1 on textbook machines)")]
    ) { interpreter, call in
        let address = try interpreter.integer(call.arguments[0], "the physical address")
        let value = try interpreter.integer(call.arguments[1], "the value")
        let machine = interpreter.machine
        var bytes = machine.architecture.accessBytes
        if let option = call.option("bytes") {
            bytes = try interpreter.integer(option.value, "bytes")
            guard [1, 2, 4, 8].contains(bytes) else {
                throw Diagnostic("bytes=\(bytes) must be 1, 2, 4 or 8", at: option.value.range)
            }
        }
        guard bytes == 8 || value >> (8 * bytes) == 0 else {
            throw Diagnostic("\(Format.hex(value)) does not fit in \(Format.plural(Int(bytes), "byte"))", at: call.arguments[1].range)
        }
        let old = try interpreter.machineOperation(at: call.range) { () throws(MachineError) -> UInt64 in
            let old = try machine.hardware.peek(address, bytes: bytes)
            try machine.hardware.poke(address, value, bytes: bytes)
            return old
        }
        interpreter.report("poke \(Format.hex(address)): \(Format.hex(old)) -> \(Format.hex(value)) (no TLB flush)")
    }

    static let protections = Protection.spellings.map(\.name)

    static let sizeOption = OptionSpec("size", placeholder: "SIZE", help: "bytes, a multiple of the page size (default one page)")
    static let protOption = OptionSpec("prot", .word(protections), placeholder: "PROT", help: "r, rw, rx or rwx (default rw)")
    static let pageOption = OptionSpec("page", placeholder: "SIZE", help: "page size: 4K, 2M or 1G (default 4K)")
    static let populateOption = OptionSpec(
        "populate", .word(MachineCommands.switches), placeholder: "on|off",
        help: "on: frames and entries now (MAP_POPULATE), at most \(Machine.maximumPopulatedPages) pages; off: on first touch")
    static let mapParameters = [
        ParameterSpec("PROC", completion: .process),
        ParameterSpec("ADDR"),
        ParameterSpec("PROT", .word(protections), optional: true, completion: .words),
    ]

    static let map = mapCommand(
        name: "map", summary: "map user pages into a process now, writing its page-table entries",
        details: """
            Records a region and allocates zeroed frames and writes its leaf entries
            (and any missing page tables) at once, like mmap with MAP_POPULATE. ADDR
            must be aligned to the page size and in the user half. page=2M or page=1G
            makes huge pages: one entry (PS bit) in the PD or PDPT maps them.
            A region of more than \(Machine.maximumPopulatedPages) pages is only recorded, and each
            page is mapped on its first touch as with mmap: mapping 512 GiB costs
            what is touched. populate=on insists on mapping all now (refused past
            that many pages); populate=off never does.
            """, populate: true)

    static let mmap = mapCommand(
        name: "mmap", summary: "record a region only: its pages are mapped on first touch (demand paging)",
        details: """
            The kernel notes the region (a VMA); the page tables do not change. The
            first access to each page faults, and the kernel maps a zeroed frame.
            An access outside every region is a segmentation fault. populate=on maps
            every page now, as MAP_POPULATE does (at most \(Machine.maximumPopulatedPages) pages).
            """, populate: false)

    static let unmap = unmapCommand(
        name: "unmap", summary: "remove user pages from a process: entries, frames and TLB entries go")

    static let munmap = unmapCommand(name: "munmap", summary: "the same as unmap (the system call's name)")

    static func mapCommand(name: String, summary: String, details: String, populate: Bool) -> CommandSpec {
        CommandSpec(
            name: name, summary: summary, details: details, parameters: mapParameters,
            options: [sizeOption, protOption, pageOption, populateOption], needsKernel: true
        ) { interpreter, call in
            try perform(interpreter, call, populate: populate)
        }
    }

    static func unmapCommand(name: String, summary: String) -> CommandSpec {
        CommandSpec(
            name: name, summary: summary,
            details: """
                Removes the region, clears the entries, frees frames no one else maps, and
                shoots down the TLB entries on every core running the process.
                """,
            parameters: [ParameterSpec("PROC", completion: .process), ParameterSpec("ADDR")],
            options: [sizeOption], needsKernel: true
        ) { interpreter, call in
            try performUnmap(interpreter, call)
        }
    }

    static let mprotect = CommandSpec(
        name: "mprotect",
        summary: "change the protection of a range; every changed entry is shot down from the TLBs, granted rights too",
        parameters: mapParameters,
        options: [sizeOption, protOption], needsKernel: true
    ) { interpreter, call in
        let (reference, _) = try interpreter.process(call.arguments[0])
        let address = try interpreter.integer(call.arguments[1], "the address")
        let size = try call.option("size").map { try interpreter.integer($0.value, "size") } ?? AddressLayout.pageSize
        let protection = try protectionArgument(interpreter, call)
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.protect(reference.pid, at: address, size: size, protection: protection, from: core)
        }
        interpreter.report(
            "mprotect \(reference.name) \(Format.hex(address)) (\(Format.size(size)), \(protection.spelling)): "
                + splitText(outcome.splitPages) + "\(Format.plural(outcome.changedEntries, "entry", "entries")) changed"
                + (outcome.shootdown.map { EventRenderer.shootdownText($0, what: "old entries") } ?? ", no flush needed"))
    }

    /// "split the 2 MiB page at 0x40000000 into 512 entries; "
    private static func splitText(_ pages: [UInt64]) -> String {
        guard !pages.isEmpty else { return "" }
        return "split the 2 MiB page" + (pages.count == 1 ? "" : "s") + " at " + Format.addressList(pages)
            + " into 512 entries each (THP); "
    }

    static func protectionArgument(_ interpreter: Interpreter, _ call: BoundCommand) throws -> Protection {
        if call.argument(2) != nil, let option = call.option("prot") {
            throw Diagnostic("protection given twice: as a word and as prot=", at: option.nameRange)
        }
        let spelling = (call.argument(2) ?? call.option("prot")?.value).map(interpreter.word) ?? "rw"
        return Protection(spelling: spelling) ?? .readWrite
    }

    private static func perform(_ interpreter: Interpreter, _ call: BoundCommand, populate: Bool) throws {
        let (reference, _) = try interpreter.process(call.arguments[0])
        let address = try interpreter.integer(call.arguments[1], "the address")
        let pageSize = try call.option("page").map { try interpreter.integer($0.value, "page") } ?? AddressLayout.pageSize
        let size = try call.option("size").map { try interpreter.integer($0.value, "size") } ?? pageSize
        let protection = try protectionArgument(interpreter, call)
        let asked = call.option("populate")
        // map populates by default, but not past the limit: a huge region is recorded and filled on first touch.
        let count = pageSize == 0 ? 0 : size / pageSize
        let limit = Machine.maximumPopulatedPages
        var populate = asked.map { interpreter.word($0.value) == "on" } ?? populate
        let deferred = populate && asked == nil && count > limit
        if deferred { populate = false }
        if populate, count > limit, let asked {
            throw Diagnostic(
                "populate=on maps at most \(limit) pages at once; this region has \(count)", at: asked.nameRange,
                notes: ["leave populate= out (or write populate=off): the pages are then mapped as they are first touched"])
        }
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.map(
                reference.pid, at: address, size: size, protection: protection, pageSize: pageSize, populate: populate,
                core: interpreter.currentCore)
        }
        var pages = Format.plural(count, "page")
        if pageSize != AddressLayout.pageSize { pages += " of \(Format.size(pageSize))" }
        if deferred {
            interpreter.report(
                "map \(reference.name) \(Format.hex(address)) (\(pages), \(protection.spelling)): "
                    + "region recorded; more than \(limit) pages, so each is mapped on first touch (as mmap)")
        } else if populate {
            interpreter.report(
                "\(call.command.name) \(reference.name) \(Format.hex(address)) (\(pages), \(protection.spelling)): "
                    + MachineCommands.framesText(outcome.frames)
                    + "; \(Format.plural(outcome.newTables.count, "new page table"))")
        } else {
            interpreter.report(
                "\(call.command.name) \(reference.name) \(Format.hex(address)) (\(pages), \(protection.spelling)): "
                    + "region recorded, no page-table entry yet")
        }
    }

    private static func performUnmap(_ interpreter: Interpreter, _ call: BoundCommand) throws {
        let (reference, _) = try interpreter.process(call.arguments[0])
        let address = try interpreter.integer(call.arguments[1], "the address")
        let size = try call.option("size").map { try interpreter.integer($0.value, "size") } ?? AddressLayout.pageSize
        let core = interpreter.currentCore
        let outcome = try interpreter.machineOperation(at: call.range) { () throws(MachineError) in
            try interpreter.machine.unmap(reference.pid, at: address, size: size, from: core)
        }
        var text = "\(call.command.name) \(reference.name) \(Format.hex(address)) (\(Format.size(size))): "
        text += splitText(outcome.splitPages)
        text += outcome.unmappedPages == 0 ? "no page was mapped yet" : "freed " + MachineCommands.framesText(outcome.freedFrames)
        text += EventRenderer.shootdownText(outcome.shootdown, what: "TLB entries")
        interpreter.report(text)
    }
}
