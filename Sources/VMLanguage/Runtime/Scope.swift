/// Run-time storage for variables, laid out by the resolver.
///
/// A `Scope` is a fixed array of slots: one per name the resolver placed in
/// it. Only blocks that can be captured (function bodies, blocks that define
/// functions) get a scope of their own; every other block's names live in the
/// enclosing scope's slots, so entering such a block, or running a loop
/// iteration, allocates nothing. Slots sit in raw memory reached through a
/// `let` pointer: reading or writing one is a load or a store, with none of
/// the run-time exclusivity checks that a class's `var` array would need.
final class Scope {
    let parent: Scope?
    let slots: UnsafeMutablePointer<Value?>
    let count: Int

    init(parent: Scope?, count: Int) {
        self.parent = parent
        self.count = count
        slots = .allocate(capacity: max(count, 1))
        slots.initialize(repeating: nil, count: max(count, 1))
    }

    /// The scope `depth` levels out.
    @inline(__always)
    func outer(_ depth: Int) -> Scope {
        var scope = self
        for _ in 0..<depth { scope = scope.parent! }
        return scope
    }

    /// Forgets every value, so that functions defined here and this scope stop
    /// keeping each other alive. Called when the scope's block ends (a
    /// function defined inside a block is used while the block runs).
    func clear() {
        slots.update(repeating: nil, count: max(count, 1))
    }

    deinit {
        slots.deinitialize(count: max(count, 1))
        slots.deallocate()
    }
}

/// One top-level name. Compiled code holds the cell itself, so reading a
/// global is a load through a pointer: no name is hashed while a script runs.
final class GlobalCell {
    let name: String
    let value: UnsafeMutablePointer<Value?>
    /// What the name means when no global holds it (`tlb`, `faults`, …).
    let builtin: BuiltinName?
    /// Bound by a `let`, `def` or naming command of some compiled program, so
    /// that later code (a REPL line, an included file) may use it.
    var isDeclared = false

    init(name: String) {
        self.name = name
        builtin = BuiltinName(rawValue: name)
        value = .allocate(capacity: 1)
        value.initialize(to: nil)
    }

    deinit {
        value.deinitialize(count: 1)
        value.deallocate()
    }
}

/// The names a script gets for free; a global of the same name hides one.
enum BuiltinName: String {
    case cpu, cycles, faults, frames, ipis, last, tlb
}

/// Every global of a session, found by name only while compiling.
final class GlobalTable {
    private var cells: [String: GlobalCell] = [:]
    /// The same cells in the order they were made (a checkpoint saves them all, unsorted).
    private(set) var cellsInOrder: [GlobalCell] = []

    func cell(_ name: String) -> GlobalCell {
        if let cell = cells[name] { return cell }
        let cell = GlobalCell(name: name)
        cells[name] = cell
        cellsInOrder.append(cell)
        return cell
    }

    func value(_ name: String) -> Value? { cells[name]?.value.pointee }

    /// Whether `cell` is this table's.
    func holds(_ cell: GlobalCell) -> Bool { cells[cell.name] === cell }

    func define(_ name: String, _ value: Value) {
        let cell = cell(name)
        cell.isDeclared = true
        cell.value.pointee = value
    }

    /// Names that hold a value now, sorted (for completion and "did you mean").
    var boundNames: [String] {
        cells.values.filter { $0.value.pointee != nil }.map(\.name).sorted()
    }

    /// Names declared by some compiled program or bound now.
    func isKnown(_ name: String) -> Bool {
        guard let cell = cells[name] else { return false }
        return cell.isDeclared || cell.value.pointee != nil
    }

    /// Every cell, in name order.
    var allCells: [GlobalCell] { cells.keys.sorted().map { cells[$0]! } }

    /// Empties every cell: top-level functions hold code that holds cells.
    func clear() {
        for cell in cells.values { cell.value.pointee = nil }
    }
}

/// While grading, the tests file and the submission keep their top-level
/// names apart. The tests file's names are sealed: the submission may read
/// them (a helper, a constant the tests hand it) but never rebind them; a
/// submission's `let` or `def` of such a name makes a name of its own that
/// the tests never see. The tests read every other name from the
/// submission's table, which is how they see what the student defined.
public final class SealedNamespaces {
    /// Names the tests file declares: its top-level `let`s and `def`s and the
    /// names its naming commands (`spawn A`) bind anywhere.
    public let sealed: Set<String>
    /// The submission's own top-level names.
    let submission = GlobalTable()

    public init(sealed: Set<String>) { self.sealed = sealed }
}

/// Where the top-level names of one program being compiled live.
struct GlobalNamespace {
    /// The session's table (the tests file's, while grading).
    let session: GlobalTable
    let namespaces: SealedNamespaces?
    /// The program is the submission's (or a file it included).
    let isSubmission: Bool
    /// Names the program itself declares at top level.
    let declared: Set<String>

    /// The cell a top-level name of this program reads and writes.
    func cell(_ name: String) -> GlobalCell { table(for: name).cell(name) }

    func table(for name: String) -> GlobalTable {
        guard let namespaces else { return session }
        if isSubmission {
            let own = declared.contains(name) || namespaces.submission.isKnown(name)
            return !own && namespaces.sealed.contains(name) ? session : namespaces.submission
        }
        // Built-in names (`cpu`, `tlb`, `hex(…)`) always mean what the tests mean.
        let builtin = BuiltinName(rawValue: name) != nil || (Builtins.functions[name] != nil)
        return namespaces.sealed.contains(name) || builtin ? session : namespaces.submission
    }
}
