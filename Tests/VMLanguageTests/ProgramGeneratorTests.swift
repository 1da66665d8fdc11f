import Foundation
import Testing

@testable import VMLanguage

/// Grammar-aware fuzzing with a fixed seed: random well-formed programs that
/// use every command of the registry (arguments by their declared kinds) and
/// every expression form, with deep nesting and huge numbers. Whatever they
/// do, the interpreter finishes with output or a located error, never a crash.
@Suite struct ProgramGeneratorTests {
    struct ProgramGenerator {
        var random: FuzzTests.Generator
        // redo and restore fail unless an undo or a snapshot of that name came first, which a
        // random program almost never has: left out so that some programs still run to the end.
        let commands = CommandRegistry.standard.commands.filter {
            !["quit", "include", "save", "test", "setup", "redo", "restore"].contains($0.name)
        }
        let names = ["A", "B", "x", "y", "f", "worker"]

        mutating func pick<T>(_ choices: [T]) -> T { choices[random.below(choices.count)] }

        mutating func number() -> String {
            pick(["0", "1", "7", "0x400000", "0x600000", "4K", "2M", "1G", "0xffff888000000000", "18446744073709551615",
                  "0b1011", "1_000", String(random.next() % 4096)])
        }

        mutating func expression(_ depth: Int) -> String {
            guard depth > 0 else { return pick([number(), pick(names), "true", "\"s\"", "tlb.hits", "last.fault", "cpu.cr3"]) }
            switch random.below(9) {
            case 0: return "(" + expression(depth - 1) + ")"
            case 1: return pick(["-", "~", "not "]) + expression(depth - 1)
            case 2: return expression(depth - 1) + " " + pick(["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>", "==", "!=", "<", ">=", "and", "or", "..<"]) + " " + expression(depth - 1)
            case 3: return pick(["hex", "random"]) + "(" + expression(depth - 1) + ")"
            case 4: return "pte(A, " + expression(depth - 1) + ", " + pick(["1", "2", "4", "9"]) + ")"
            case 5: return "cpu[" + expression(depth - 1) + "]." + pick(["id", "cr3", "tlb", "pcid", "mode"])
            case 6: return pick(["A", "B"]) + "." + pick(["pid", "root", "resident", "main", "nothing"])
            case 7: return "f(" + expression(depth - 1) + ")"
            default: return number()
            }
        }

        mutating func argument(_ kind: ParameterKind) -> String {
            switch kind {
            case .expression: return expression(random.below(3))
            case .identifier: return pick(names)
            case .word(let choices): return pick(choices)
            }
        }

        mutating func command(_ depth: Int) -> String {
            let command = pick(commands)
            var parts = [command.name]
            for parameter in command.parameters where !parameter.isOptional || random.below(2) == 0 {
                parts.append(argument(parameter.kind))
            }
            for option in command.options where random.below(4) == 0 {
                parts.append(option.name + "=" + argument(option.kind))
            }
            if command.block == .required || (command.block == .optional && random.below(2) == 0) {
                parts.append(block(depth - 1))
            }
            return parts.joined(separator: " ")
        }

        mutating func block(_ depth: Int) -> String {
            "{\n" + (0..<random.below(4)).map { _ in statement(depth) }.joined(separator: "\n") + "\n}"
        }

        mutating func statement(_ depth: Int) -> String {
            guard depth > 0 else { return command(0) }
            switch random.below(10) {
            case 0: return "let " + pick(["x", "y", "z"]) + " = " + expression(3)
            case 1: return "if " + expression(2) + " " + block(depth - 1) + " else if " + expression(2) + " " + block(depth - 1)
                + " else " + block(depth - 1)
            case 2: return "for i in 0..<" + String(random.below(5)) + " " + block(depth - 1)
            case 3: return "repeat " + String(random.below(4)) + " " + block(depth - 1)
            case 4: return "while " + expression(2) + " " + block(depth - 1)
            case 5: return "def f(n) " + block(depth - 1)
            case 6: return String(repeating: "{ ", count: 30) + statement(0) + String(repeating: " }", count: 30)
            default: return command(depth)
            }
        }

        mutating func program() -> String {
            "spawn A\nspawn B\nmap A 0x400000 size=8K\nswitch A\n"
                + (0..<(3 + random.below(10))).map { _ in statement(3) }.joined(separator: "\n") + "\n"
        }
    }

    @Test func generatedProgramsNeverCrash() {
        var generator = ProgramGenerator(random: FuzzTests.Generator(state: 20_261_125))
        var limits = Limits()
        limits.maximumSteps = 5_000
        limits.maximumFrames = 4_096
        var ran = 0
        var failedWithALocatedError = 0
        for _ in 0..<400 {
            let source = generator.program()
            let outcome = NativeStack.run { () -> (RunStatus, String) in
                let sink = TranscriptSink()
                let session = Session(output: sink, limits: limits)
                return (session.run(SourceFile(name: "generated.vml", text: source)), sink.text)
            }
            ran += 1
            if outcome.0 == .error {
                failedWithALocatedError += 1
                #expect(outcome.1.contains("generated.vml:"), "an error names its place:\n\(source)\n\(outcome.1)")
            }
        }
        #expect(ran == 400)
        #expect(failedWithALocatedError < 400, "some programs run to the end")
    }
}
