import VMMachine

/// The session's past, for `undo`, `redo`, `snapshot`, `restore` and
/// `history`: before each top-level statement runs, the session's state is
/// saved as a checkpoint — the machine (MachineState: memory, cores, TLBs,
/// processes, counters, shared copy-on-write with the live machine, so a
/// checkpoint costs only what changes after it), which machine it is, the
/// top-level variables, `last`, the current core, `record`'s series, the
/// `numbers` mode and the random source.
///
/// What is never rewound: the step count (an undo is counted in steps), the
/// expects passed and failed (a grade cannot be undone), questions asked,
/// and what was printed. Only the last `limit` checkpoints are kept; past
/// that the oldest are dropped, and `undo` says how far back it can go.
final class History {
    /// How many statements back `undo` can go.
    static let limit = 1_000
    /// Commands that change nothing `undo` would take back, so that `undo`
    /// after `show` undoes what came before it (restore changes the state: it is recorded).
    static let unrecordedCommands: Set<String> = [
        "undo", "redo", "history", "snapshot", "show", "stats", "print", "help", "apropos", "explain", "expect",
    ]

    struct Checkpoint {
        /// The statement that ran after it, as written (its first line).
        let label: String
        let machine: Machine
        let machineState: MachineState
        let machineGeneration: Int
        let lastAccess: AccessOutcome?
        let currentCore: Int
        /// Every top-level cell with its value then; cells made later are emptied on restore.
        let globals: [(cell: GlobalCell, value: Value?)]
        let series: [String: [(x: UInt64, y: UInt64)]]
        let hexDisplay: HexDisplay
        let random: SplitMix64
    }

    /// Checkpoints before each statement run, oldest first.
    private(set) var past: [Checkpoint] = []
    /// States undone, most recently undone last: what `redo` goes forward to.
    private(set) var future: [Checkpoint] = []
    /// Named by `snapshot`, kept until the session ends (or replaced by the same name).
    private(set) var snapshots: [(name: String, checkpoint: Checkpoint)] = []
    /// Statements run in all, so that `history` numbers them as they ran.
    private(set) var statementsRun = 0
    private(set) var dropped = 0
    /// `history off` stops recording (and forgets what was recorded).
    var isRecording = true
    /// The statement that ran after the state undo or redo went back to (for redo's checkpoint of it).
    private(set) var currentLabel = ""

    func record(_ checkpoint: Checkpoint) {
        statementsRun += 1
        currentLabel = ""
        guard isRecording else { return }
        past.append(checkpoint)
        future.removeAll()
        if past.count > Self.limit {
            past.removeFirst(past.count - Self.limit)
            dropped += 1
        }
    }

    /// The state `count` statements back; `now` is pushed for `redo`. Nil if there are fewer.
    func undo(_ count: Int, now: Checkpoint) -> Checkpoint? {
        guard count >= 1, count <= past.count else { return nil }
        future.append(now)
        for _ in 1..<count { future.append(past.removeLast()) }
        statementsRun -= count
        let target = past.removeLast()
        currentLabel = target.label
        return target
    }

    /// The state undone last, with `now` put back on the past; nil if nothing was undone.
    func redo(now: Checkpoint) -> Checkpoint? {
        guard let next = future.popLast() else { return nil }
        past.append(now)
        statementsRun += 1
        currentLabel = next.label
        return next
    }

    func keep(_ name: String, _ checkpoint: Checkpoint) {
        snapshots.removeAll { $0.name == name }
        snapshots.append((name, checkpoint))
    }

    func snapshot(named name: String) -> Checkpoint? { snapshots.last { $0.name == name }?.checkpoint }

    /// Forgets every checkpoint and snapshot.
    func forget() {
        past.removeAll()
        future.removeAll()
        snapshots.removeAll()
    }

    /// Everything recorded, taken out (empty after), for `putBack`.
    func setAside() -> (past: [Checkpoint], future: [Checkpoint], snapshots: [(name: String, checkpoint: Checkpoint)]) {
        defer { forget() }
        return (past, future, snapshots)
    }

    func putBack(_ saved: (past: [Checkpoint], future: [Checkpoint], snapshots: [(name: String, checkpoint: Checkpoint)])) {
        (past, future, snapshots) = saved
    }
}

extension Interpreter {
    /// Runs `body` (a graded submission) on a history of its own: it can undo
    /// and restore only what it did itself, not the tests file's statements
    /// or snapshots, which come back when it ends.
    public func withOwnHistory<Result>(_ body: () throws -> Result) rethrows -> Result {
        let saved = history.setAside()
        defer { history.putBack(saved) }
        return try body()
    }

    /// The session as it is now.
    func checkpoint(_ label: String) -> History.Checkpoint {
        History.Checkpoint(
            label: label, machine: machine, machineState: machine.saveState(), machineGeneration: machineGeneration,
            lastAccess: lastAccess, currentCore: currentCore, globals: allGlobalCells.map { ($0, $0.value.pointee) },
            series: series, hexDisplay: hexDisplay, random: random)
    }

    /// The session's top-level cells, and while grading the submission's own.
    private var allGlobalCells: [GlobalCell] {
        guard let submission = namespaces?.submission else { return globals.cellsInOrder }
        return globals.cellsInOrder + submission.cellsInOrder
    }

    /// Puts the session back as `checkpoint` found it.
    func rewind(to checkpoint: History.Checkpoint) {
        state.pointee.machine = checkpoint.machine
        checkpoint.machine.restoreState(checkpoint.machineState)
        machineGeneration = checkpoint.machineGeneration
        lastAccess = checkpoint.lastAccess
        currentCore = checkpoint.currentCore
        for (cell, value) in checkpoint.globals { cell.value.pointee = value }
        // Cells are only ever added, in order: those past the checkpoint's count were made after it.
        let cells = allGlobalCells
        if cells.count > checkpoint.globals.count {
            let saved = Set(checkpoint.globals.map { ObjectIdentifier($0.cell) })
            for cell in cells where !saved.contains(ObjectIdentifier(cell)) { cell.value.pointee = nil }
        }
        series = checkpoint.series
        hexDisplay = checkpoint.hexDisplay
        random = checkpoint.random
    }
}
