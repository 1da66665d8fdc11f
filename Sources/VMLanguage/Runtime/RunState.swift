import VMMachine

/// The interpreter's counters that every statement touches, in raw memory
/// behind a `let` pointer so that updating them needs no exclusivity check.
struct RunState {
    var steps: UInt64 = 0
    var maximumSteps: UInt64
    /// Levels of the depth budget in use (see `Limits.maximumDepth`).
    var depth = 0
    var maximumDepth: Int
    var callDepth = 0
    var maximumCallDepth: Int
    /// The scope the running command's arguments are evaluated in. Not
    /// retained: the statement that set it holds it while the command runs,
    /// and it is read only then (a stale one is only ever saved and restored).
    var scope: Unmanaged<Scope>?
    var machine: Machine
    /// The core that `read`, `write` and `switch` act on.
    var currentCore = 0
    var quietDepth = 0
    /// Set by `--quiet`.
    var alwaysQuiet = false

    init(maximumSteps: UInt64, maximumDepth: Int, maximumCallDepth: Int, machine: Machine) {
        self.maximumSteps = maximumSteps
        self.maximumDepth = maximumDepth
        self.maximumCallDepth = maximumCallDepth
        self.machine = machine
    }
}
