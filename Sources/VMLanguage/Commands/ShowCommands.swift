import VMMachine

/// Commands that print machine state. They print even inside `quiet`: the
/// script asked for this output.
enum ShowCommands {
    static let all: [CommandSpec] = [show, stats]

    static let topics = ["pagetable", "tlb", "cpu", "frames", "processes", "costs", "memory"]

    static let show = CommandSpec(
        name: "show",
        summary: "print the state of a page table, the TLB, the cores, frames or processes",
        details: """
            show pagetable PROC   every present entry of PROC's page table, as a tree
            show pagetable A B format=dot   the tables of A and B as one Graphviz graph:
                                  a table page they share (the kernel half) is one node
            show pagetable A format=vmprint   as xv6's vmprint() prints it
            show pagetable A format=vmprint va=on   the 2024 pgtbl lab's form: each
                                  entry's virtual address instead of its index
            show tlb              the valid entries of the current core's TLB
            show cpu              each core's mode, CR3 and CR2
            show frames           how physical frames are used, by owner
            show processes        every process with its PML4, sizes and threads
            show costs            the cycle costs in force, each with its source
            show memory           a textbook machine's memory, a page a line in hex
                                  (past 256 pages: only pages holding data, at most 256)
                                  (OSTEP's page-dump format, which load reads)
            """,
        parameters: [
            ParameterSpec("TOPIC", .word(topics), completion: .words),
            ParameterSpec("PROC", variadic: true, completion: .process),
        ],
        options: [
            OptionSpec(
                "format", .word(["text", "dot", "vmprint"]), placeholder: "text|dot|vmprint",
                help: "pagetable: a text tree (default), Graphviz DOT, or xv6's vmprint"),
            OptionSpec(
                "va", .word(["on", "off"]), placeholder: "on|off",
                help: "with format=vmprint: each entry's virtual address, as the 2024 pgtbl lab prints it (default off)"),
        ]
    ) { interpreter, call in
        let topic = interpreter.word(call.arguments[0])
        let machine = interpreter.machine
        if topic != "pagetable", let extra = call.argument(1) ?? call.option("format").map(\.value) ?? call.option("va").map(\.value) {
            throw Diagnostic("'show \(topic)' takes no process, no format= and no va=", at: extra.range)
        }
        let format = call.option("format").map { interpreter.word($0.value) }
        if let va = call.option("va"), format != "vmprint" {
            throw Diagnostic("va= chooses vmprint's form: give format=vmprint too", at: va.nameRange)
        }
        let virtualAddresses = call.option("va").map { interpreter.word($0.value) == "on" } ?? false
        let text: String
        var figure: (() -> Figure)?
        switch topic {
        case "pagetable" where !machine.architecture.hasKernel, "processes" where !machine.architecture.hasKernel,
            "frames" where !machine.architecture.hasKernel:
            throw Diagnostic(
                "'show \(topic)' shows the kernel's records, and machine \(machine.architecture.name) has no kernel; "
                    + "show memory prints its memory and explain ADDR a walk", at: call.range)
        case "memory":
            guard !machine.architecture.hasKernel else {
                throw Diagnostic(
                    "'show memory' prints a textbook machine's memory; x86_64's is too large: use phys(ADDR) or show pagetable",
                    at: call.range)
            }
            let pageSize = machine.architecture.pageSize
            text = PageDump.lines(
                pageSize: Int(pageSize), pageCount: machine.framesTotal, touched: { machine.memory.touchedFrameNumbers() }
            ) { address in
                UInt8(truncatingIfNeeded: machine.memory.load(address))
            }.joined(separator: "\n") + "\n"
        case "pagetable":
            guard call.arguments.count > 1 else {
                throw Diagnostic("'show pagetable' needs a process: show pagetable A", at: call.range)
            }
            let processes = try call.arguments.dropFirst().map { try interpreter.process($0).1 }
            figure = { Figure(content: .pageTables(PageTableGraph(processes, machine: machine))) }
            switch format {
            case "dot": text = DotRenderer.pageTables(processes, machine: machine)
            case "vmprint":
                text = processes.map { VMPrint.pageTable($0, machine: machine, virtualAddresses: virtualAddresses) }.joined()
            default:
                text = processes.map { StateRenderer.pageTable($0, machine: machine) }.joined()
            }
        case "tlb":
            let core = machine.cores[interpreter.currentCore]
            text = machine.architecture.hasKernel ? StateRenderer.tlb(core, machine: machine) : StateRenderer.bookTLB(core, machine: machine)
            // A textbook machine's TLB is drawn as the book (and the text above) lays it out.
            let title = "TLB of cpu \(core.index)"
            figure = {
                Figure(
                    content: .tlb(
                        machine.architecture.hasKernel
                            ? TLBPicture(core, title: title, tagName: machine.architecture.tagName, tagged: machine.configuration.addressSpaceIDs)
                            : TLBPicture(book: core, title: title, pageShift: machine.architecture.pageShift)))
            }
        case "cpu":
            text = machine.cores.map { StateRenderer.cpu($0, machine: machine) }.joined()
        case "frames":
            text = StateRenderer.frames(machine)
        case "costs":
            text = StateRenderer.costs(machine)
        default:
            text = StateRenderer.processes(machine)
        }
        if let figure {
            interpreter.output.write(text, figure: figure)
        } else {
            interpreter.output.write(text)
        }
    }

    static let stats = CommandSpec(
        name: "stats",
        summary: "print counters: TLB hits and misses, flushes, walks, faults, frames"
    ) { interpreter, _ in
        interpreter.output.write(StateRenderer.stats(interpreter.machine))
    }
}
