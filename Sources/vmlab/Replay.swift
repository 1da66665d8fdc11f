import ArgumentParser
import Foundation
import VMLanguage

/// `vmlab replay FILE`: a memory trace through a fresh machine, with the
/// machine's options as flags (`--tlb 64 --tlb-ways 4 --pcid on`).
struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Replay a memory trace (valgrind lackey, or a list of addresses) through a fresh machine.",
        discussion: """
            Every reference goes through the TLB, the page walk and the fault handler of one
            process whose pages are demand-mapped. Machine options are flags with the names
            of the machine command's options, '_' written '-': \(ReplayTool.machineOptionNames.map { "--" + $0.replacingOccurrences(of: "_", with: "-") }.joined(separator: ", ")).
            Exit status: 0 success, 2 a bad trace, option or file.
            """
    )

    @ArgumentParser.Argument(help: "The trace: valgrind --tool=lackey --trace-mem=yes output, or one address a line.")
    var file: String

    @Option(help: "text, or json: one object with references, tlb_hits, tlb_misses, walks, minor_faults, major_faults, evictions, writebacks, cycles.")
    var format: ReplayTool.Format = .text

    @Option(help: "The architecture (as the machine command's first argument).")
    var arch = "x86_64"

    @Flag(help: "Skip malformed lines and count them, instead of stopping at the first.")
    var skipBad = false

    @ArgumentParser.Argument(parsing: .allUnrecognized, help: ArgumentHelp("Machine options: --tlb 64 --tlb-ways 4 …", valueName: "machine-option"))
    var machineOptions: [String] = []

    func validate() throws { _ = try pairs() }

    /// `--tlb-ways 4` and `--tlb-ways=4` as ("tlb_ways", "4"), in the order given.
    func pairs() throws -> [(name: String, value: String)] {
        var result: [(name: String, value: String)] = []
        var index = 0
        while index < machineOptions.count {
            let word = machineOptions[index]
            guard word.hasPrefix("--"), word.count > 2 else {
                throw ValidationError("unexpected argument '\(word)'")
            }
            var name = String(word.dropFirst(2))
            var value: String
            if let equals = name.firstIndex(of: "=") {
                value = String(name[name.index(after: equals)...])
                name = String(name[..<equals])
            } else {
                guard index + 1 < machineOptions.count else { throw ValidationError("--\(name) needs a value") }
                value = machineOptions[index + 1]
                index += 1
            }
            name = name.replacingOccurrences(of: "-", with: "_")
            guard ReplayTool.machineOptionNames.contains(name) else {
                throw ValidationError("unknown option '--\(name.replacingOccurrences(of: "_", with: "-"))'; see vmlab replay --help")
            }
            // Values become part of a machine line: only what an option value can be.
            guard !value.isEmpty, value.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
                throw ValidationError("--\(name.replacingOccurrences(of: "_", with: "-")) takes a number or a word, not '\(value)'")
            }
            result.append((name, value))
            index += 1
        }
        return result
    }

    func run() throws {
        let options = try pairs()
        guard arch.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else {
            throw ValidationError("--arch takes a name such as x86_64")
        }
        let output = StandardStreams()
        let bar = TraceProgress()
        let status = NativeStack.run {
            ReplayTool.run(
                trace: file, architecture: arch, machineOptions: options, skipBad: skipBad, format: format,
                output: output, progress: { bar.update($0, of: $1) })
        }
        bar.finish()
        output.flush()
        throw ExitCode(status)
    }
}

extension ReplayTool.Format: ExpressibleByArgument {}

/// A progress bar on standard error, for a terminal, once a replay has run a second.
final class TraceProgress: @unchecked Sendable {
    private let start = Date()
    private let enabled = isatty(2) == 1 && ProcessInfo.processInfo.environment["CI"] == nil
    private var shown = false

    func update(_ done: Int, of total: Int) {
        guard enabled, total > 0, Date().timeIntervalSince(start) > 1 else { return }
        shown = true
        let width = 30
        let filled = width * done / total
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total) references".utf8))
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
