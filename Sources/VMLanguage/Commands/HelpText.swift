/// `help` output, generated from the command registry.
public enum HelpText {
    public static func overview(_ registry: CommandRegistry) -> String {
        let width = (registry.names.map(\.count).max() ?? 0) + 2
        var text = """
            New here? Start with lesson 1: vmlab run Examples/01-one-page-table-per-process.vml,
            or type: spawn A, then map A 0x400000 rw, switch A, read 0x400000, show pagetable A.

            """
        for group in registry.groups {
            text += "\n\(group.title):\n"
            for command in group.commands {
                text += "  " + Format.padRight(command.name, width) + command.summary + "\n"
            }
        }
        text += """

            Statements: let x = EXPR, x = EXPR, if C { } else { }, for i in 0..<N { },
            while C { }, repeat N { }, def f(a, b) { return a + b }.
            Values: 0x400000, 0b1010, 1_000, 8K, 2M, 1G, "text", true, 0..<4.
            State: last.va last.pa last.value last.tlb_hit last.fault, tlb.hits tlb.misses
            tlb.flushes tlb.entries, cpu.cr3 cpu.mode cpu[0].cr3, frames.used, A.pid A.root,
            and functions pte(A, ADDR, LEVEL), index(ADDR, LEVEL), hex(N).
            'help COMMAND' explains one command.

            """
        return text
    }

    public static func details(_ command: CommandSpec) -> String {
        var text = "usage: \(command.usage)\n  \(command.summary)\n"
        if !command.details.isEmpty {
            text += "\n" + command.details.split(separator: "\n", omittingEmptySubsequences: false)
                .map { "  " + $0 }.joined(separator: "\n") + "\n"
        }
        if !command.options.isEmpty {
            text += "\noptions:\n"
            let width = (command.options.map { $0.name.count + $0.placeholder.count + 1 }.max() ?? 0) + 2
            for option in command.options {
                text += "  " + Format.padRight("\(option.name)=\(option.placeholder)", width) + option.help + "\n"
            }
        }
        return text
    }
}
