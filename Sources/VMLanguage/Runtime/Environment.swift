/// One lexical scope: a table of names and the scope it sits in.
public final class Environment: @unchecked Sendable {
    // @unchecked: an interpreter and its environments are used from one thread at a time.
    private(set) var values: [String: Value] = [:]
    let parent: Environment?
    /// A function defined here holds this scope as its closure, and the scope
    /// holds the function: a cycle that `breakCycles()` ends when the scope does.
    private(set) var definesFunctions = false

    init(parent: Environment?) {
        self.parent = parent
    }

    func lookup(_ name: String) -> Value? {
        var scope: Environment? = self
        while let current = scope {
            if let value = current.values[name] { return value }
            scope = current.parent
        }
        return nil
    }

    func define(_ name: String, _ value: Value) {
        values[name] = value
        if case .function = value { definesFunctions = true }
    }

    /// Forgets every binding, so that functions defined here and this scope
    /// stop keeping each other alive. Called when the scope's block ends (a
    /// function defined inside a block is used while the block runs).
    func breakCycles() {
        guard definesFunctions else { return }
        values.removeAll()
        definesFunctions = false
    }

    func remove(_ name: String) { values[name] = nil }

    /// Rebinds an existing name in the nearest scope that has it.
    func assign(_ name: String, _ value: Value) -> Bool {
        var scope: Environment? = self
        while let current = scope {
            if current.values[name] != nil {
                current.values[name] = value
                return true
            }
            scope = current.parent
        }
        return false
    }

    /// Empties the scope for the next loop iteration without giving back its storage.
    func reset() {
        values.removeAll(keepingCapacity: true)
    }

    /// All names visible from here, sorted (for "did you mean" and completion).
    func visibleNames() -> [String] {
        var names = Set<String>()
        var scope: Environment? = self
        while let current = scope {
            names.formUnion(current.values.keys)
            scope = current.parent
        }
        return names.sorted()
    }
}
