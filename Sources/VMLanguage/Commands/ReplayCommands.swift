import VMMachine

/// `replay "FILE"`: a real program's memory trace pushed through the
/// machine, reference by reference (TLB, walks, faults), as the process on
/// the current core. `vmlab replay FILE` is the same on a fresh machine.
enum ReplayCommands {
    static let all: [CommandSpec] = [replay]

    static let replay = CommandSpec(
        name: "replay",
        summary: "run a memory trace (valgrind lackey, or a list of addresses) as the current process",
        details: """
            replay "ls.trace" runs every reference of the trace on the current core,
            as the process switched to there: TLB lookups, walks, faults. Gaps in the
            process's address space become read-write regions first, so the trace's
            pages are demand-mapped on first touch. Formats: valgrind
            --tool=lackey --trace-mem=yes output (I, L, S, M lines; ==PID== lines
            skipped) or one address a line (0x hex or decimal, optionally after R
            or W), recognised from the content. A malformed line stops the replay
            before anything runs, at its line and column; skip_bad=on counts and
            skips such lines instead.
            """,
        parameters: [ParameterSpec("FILE", completion: .path)],
        options: [
            OptionSpec(
                "skip_bad", .word(MachineCommands.switches), placeholder: "on|off",
                help: "skip malformed lines and count them (default off: the first one is an error)")
        ], needsKernel: true
    ) { interpreter, call in
        let path = try interpreter.string(call.arguments[0], "the trace file")
        if interpreter.runsForSubmission(call.range) {
            throw Diagnostic("a graded submission may not read trace files", at: call.range)
        }
        let core = interpreter.currentCore
        guard interpreter.machine.cores[core].mode == .user,
            let pid = interpreter.machine.perCPU[core].loadedProcess
        else {
            throw Diagnostic(
                "replay runs the trace as a process: switch to one first (spawn A; switch A)", at: call.range)
        }
        let skipBad = call.option("skip_bad").map { interpreter.word($0.value) == "on" } ?? false
        // As for include: a relative path starts from the script's own folder.
        let resolved = Interpreter.path(path, besideScript: call.range.file.name)
        let loaded: TraceFile.Loaded
        do {
            loaded = try TraceFile.load(HostPath(resolved), skipBad: skipBad)
        } catch let failure as ScriptLoader.Failure {
            throw Diagnostic(failure.message, at: call.arguments[0].range)
        } catch let bad as TraceFile.BadLine {
            throw Diagnostic(
                "\(HostPath(resolved).display):\(bad.line):\(bad.column): \(bad.message)", at: call.arguments[0].range,
                notes: ["nothing was replayed; skip_bad=on skips such lines"])
        }
        let summary = try run(loaded.trace, pid: pid, core: core, interpreter: interpreter, at: call.range)
        interpreter.output.write(describe(summary, loaded: loaded, name: path))
    }

    /// Replays `trace` as `pid` on `core`, stopping with a located error on Ctrl-C or a time limit.
    static func run(
        _ trace: MemoryTrace, pid: ProcessID, core: Int, interpreter: Interpreter, at range: SourceRange,
        progress: (Int) -> Void = { _ in }
    ) throws -> ReplaySummary {
        interpreter.machine.coverUserGaps(of: pid)
        return try interpreter.machine.replay(trace, core: core) { (done: Int) throws(Diagnostic) in
            progress(done)
            if interpreter.interruptRequested() { throw Diagnostic(interpreter.interruptMessage, at: range) }
        }
    }

    static func describe(_ summary: ReplaySummary, loaded: TraceFile.Loaded, name: String) -> String {
        let lookups = summary.tlbHits + summary.tlbMisses
        let rate = lookups == 0 ? "-" : StateRenderer.percent(summary.tlbHits, of: lookups)
        var text = "replay \(name) (\(loaded.format.rawValue)): \(Format.plural(summary.references, "reference"))"
            + (loaded.skipped > 0 ? ", \(Format.plural(loaded.skipped, "malformed line")) skipped" : "") + "\n"
        text += "  \(Format.plural(summary.accesses, "page access", "page accesses")); TLB \(Format.plural(summary.tlbHits, "hit")), "
            + "\(Format.plural(summary.tlbMisses, "miss", "misses")) (hit rate \(rate)); \(Format.plural(summary.walks, "walk"))\n"
        text += "  faults: \(summary.minorFaults) minor, \(summary.majorFaults) major, \(summary.segmentationFaults) segv; "
            + "\(Format.plural(summary.evictions, "eviction")), \(Format.plural(summary.writebacks, "writeback")); "
            + "\(summary.cycles) cycles\n"
        return text
    }

    /// The summary as one JSON object with exactly the keys scripts rely on.
    static func json(_ summary: ReplaySummary) -> String {
        let fields: [(String, UInt64)] = [
            ("references", summary.references), ("tlb_hits", summary.tlbHits), ("tlb_misses", summary.tlbMisses),
            ("walks", summary.walks), ("minor_faults", summary.minorFaults), ("major_faults", summary.majorFaults),
            ("evictions", summary.evictions), ("writebacks", summary.writebacks), ("cycles", summary.cycles),
        ]
        return "{" + fields.map { "\"\($0.0)\": \($0.1)" }.joined(separator: ", ") + "}\n"
    }
}

/// `vmlab replay FILE [--OPTION VALUE …]`: a fresh machine (the options are
/// those of `machine`), one process named `trace`, the trace replayed in it.
public enum ReplayTool {
    public enum Format: String, Sendable {
        case text, json
    }

    /// The machine options `vmlab replay` accepts as `--name value`, `_` written `-`.
    public static var machineOptionNames: [String] { MachineCommands.replayOptions.map(\.name) }

    /// Runs the replay; writes the summary to `output` and problems to its
    /// diagnostics. Returns the exit status (0, or 2 for any error).
    public static func run(
        trace path: String, architecture: String, machineOptions: [(name: String, value: String)], skipBad: Bool,
        format: Format, output: OutputSink, progress: @escaping (_ done: Int, _ total: Int) -> Void = { _, _ in }
    ) -> Int32 {
        // The setup runs quiet: its diagnostics reach `output`, its report lines do not.
        let session = Session(output: output)
        session.interpreter.alwaysQuiet = true
        let options = machineOptions.map { " \($0.name)=\($0.value)" }.joined()
        let source = "machine \(architecture)\(options)\nspawn trace\nswitch trace\n"
        guard session.run(SourceFile(name: "<vmlab replay options>", text: source)) == .success else {
            return RunStatus.error.rawValue
        }
        let loaded: TraceFile.Loaded
        do {
            loaded = try TraceFile.load(HostPath(path), skipBad: skipBad)
        } catch let failure as ScriptLoader.Failure {
            output.writeDiagnostic("vmlab replay: \(failure.message)\n")
            return RunStatus.error.rawValue
        } catch let bad as TraceFile.BadLine {
            output.writeDiagnostic(
                "\(HostPath(path).display):\(bad.line):\(bad.column): error: \(bad.message)\n"
                    + "  note: nothing was replayed; --skip-bad skips such lines\n")
            return RunStatus.error.rawValue
        } catch {
            output.writeDiagnostic("vmlab replay: \(error)\n")
            return RunStatus.error.rawValue
        }
        let interpreter = session.interpreter
        guard let pid = interpreter.machine.perCPU[0].loadedProcess else { return RunStatus.error.rawValue }
        let place = SourceRange(file: SourceFile(name: "<vmlab replay>", text: ""), start: 0, end: 0)
        do {
            let total = loaded.trace.count
            let summary = try ReplayCommands.run(
                loaded.trace, pid: pid, core: 0, interpreter: interpreter, at: place, progress: { progress($0, total) })
            switch format {
            case .text: output.write(ReplayCommands.describe(summary, loaded: loaded, name: HostPath(path).display))
            case .json: output.write(ReplayCommands.json(summary))
            }
        } catch {
            output.writeDiagnostic("vmlab replay: \((error as? Diagnostic)?.message ?? "\(error)")\n")
            return RunStatus.error.rawValue
        }
        return 0
    }
}
