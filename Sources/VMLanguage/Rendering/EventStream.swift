import Foundation
import VMMachine

/// `vmlab run --events FILE.jsonl`: what each top-level statement changed,
/// one JSON object a line (MachineChange, worked out from the machine's
/// states before and after the statement). Every line has `step` (the
/// statement's number), `at` (file:line:column) and `type`; addresses and
/// entries are hex strings, since a JSON number cannot hold 64 bits. Types:
///
///     statement       {"statement": text}, first for each statement that changed something
///     machine         {"name"}: the statement built a new machine
///     process_created, process_exited  {"pid", "name"}
///     base_register   {"core", "register", "old", "new"}
///     entry_written   {"table", "index", "old", "new"}: a table's physical address and an entry's index in it
///     tlb_fill, tlb_drop  {"core", "page", "frame", "size", "tag", "global", "writable", "user", "nx"}
///     faults          {"demand", "cow", "major", "segv", "protection", "unresolved", "spurious", "fixups"}: counts added
///     frames          {"old", "new"}: frames in use
public final class EventStreamWriter {
    private var lines: [String] = []
    public private(set) var count = 0

    public init() {}

    /// The stream so far, each event a line.
    public var text: String { lines.map { $0 + "\n" }.joined() }

    func statement(
        _ step: Int, _ label: String, at range: SourceRange, before: Machine, _ beforeState: MachineState, after: Machine
    ) {
        let (line, column) = range.position
        let at = "\(range.file.name):\(line):\(column)"
        var events: [[String: Any]] = []
        if before !== after {
            events.append(["type": "machine", "name": after.architecture.name])
        } else {
            let architecture = after.architecture
            for change in beforeState.changes(to: after.saveState(), architecture: architecture) {
                events.append(Self.fields(change, architecture))
            }
        }
        guard !events.isEmpty else { return }
        emit(["step": step, "at": at, "type": "statement", "statement": label])
        for var event in events {
            event["step"] = step
            event["at"] = at
            emit(event)
        }
    }

    private func emit(_ event: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: event, options: [.sortedKeys, .withoutEscapingSlashes])
        else { return }
        lines.append(String(decoding: data, as: UTF8.self))
        count += 1
    }

    private static func fields(_ change: MachineChange, _ architecture: Architecture) -> [String: Any] {
        switch change {
        case .entryWritten(let table, let index, let old, let new):
            return [
                "type": "entry_written", "table": Format.hex(table), "index": index, "old": Format.hex(old),
                "new": Format.hex(new),
            ]
        case .baseRegister(let core, let old, let new):
            return [
                "type": "base_register", "core": core, "register": architecture.baseRegister, "old": Format.hex(old),
                "new": Format.hex(new),
            ]
        case .tlbFilled(let core, let entry), .tlbDropped(let core, let entry):
            let filled = if case .tlbFilled = change { true } else { false }
            return [
                "type": filled ? "tlb_fill" : "tlb_drop", "core": core,
                "page": Format.hex(entry.virtualPage << UInt64(entry.pageShift)), "frame": Format.hex(entry.frameBase),
                "size": 1 << Int(entry.pageShift), "tag": Int(entry.tag), "global": entry.global,
                "writable": entry.writable, "user": entry.user, "nx": entry.noExecute,
            ]
        case .faults(let before, let after):
            let counts: [(String, UInt64, UInt64)] = [
                ("demand", before.demand, after.demand), ("cow", before.copyOnWrite, after.copyOnWrite),
                ("major", before.major, after.major), ("segv", before.segmentation, after.segmentation),
                ("protection", before.protection, after.protection), ("unresolved", before.unresolved, after.unresolved),
                ("spurious", before.spurious, after.spurious), ("fixups", before.exceptionFixups, after.exceptionFixups),
            ]
            var event: [String: Any] = ["type": "faults"]
            for (name, old, new) in counts where new != old { event[name] = new &- old }
            return event
        case .frames(let old, let new):
            return ["type": "frames", "old": old, "new": new]
        case .processCreated(let pid, let name):
            return ["type": "process_created", "pid": pid.rawValue, "name": name]
        case .processExited(let pid, let name):
            return ["type": "process_exited", "pid": pid.rawValue, "name": name]
        }
    }
}
