import VMMachine

/// A process as scripts hold it. `generation` ties it to the machine it was
/// spawned on, so a value that outlives `machine` gives a clear error.
public struct ProcessReference: Sendable, Equatable {
    public let pid: ProcessID
    public let name: String
    public let generation: Int
}

/// A thread as scripts hold it: `A.worker`, `A.main`, or a kernel thread's name.
public struct ThreadReference: Sendable, Equatable {
    public let tid: ThreadID
    /// "A.worker", or "kswapd" for a kernel thread.
    public let name: String
    public let generation: Int
}

/// Read-only views of machine state that scripts reach by name.
/// A `tlb` or `cpu` of a numbered core carries the machine's generation, as
/// process values do, so that one kept across `machine` or `reset` is refused.
/// Core and generation are 32-bit so that a `Value` stays small (see `Value`).
public enum MachineObject: Sendable, Equatable {
    /// core -1: the current core's, whatever machine runs.
    case tlb(core: Int32, generation: Int32)
    case cpu(core: Int32, generation: Int32)
    /// `cpu` itself: the current core, indexable as `cpu[N]`.
    case cpus
    case last
    case frames
    /// Page faults: its value is the total; members count each kind.
    case faults
}

public final class FunctionValue: @unchecked Sendable {
    // @unchecked: an interpreter and the values it makes are used from one thread at a time.
    public let declaration: FunctionDeclaration
    let code: CompiledFunction
    /// The scope the `def` ran in: what the body's outer names refer to.
    let closure: Scope

    init(declaration: FunctionDeclaration, code: CompiledFunction, closure: Scope) {
        self.declaration = declaration
        self.code = code
        self.closure = closure
    }
}

/// A script's value. The large cases are boxed (`indirect`) so that a value
/// is 17 bytes, not 33: small enough to travel in registers between the
/// compiled closures, where most values are integers.
public enum Value: Sendable {
    case integer(UInt64)
    case boolean(Bool)
    case string(String)
    indirect case range(lower: UInt64, upper: UInt64, closed: Bool)
    indirect case process(ProcessReference)
    indirect case thread(ThreadReference)
    case function(FunctionValue)
    case object(MachineObject)
    /// What a function without `return` gives back.
    case nothing

    public var typeName: String {
        switch self {
        case .integer: return "integer"
        case .boolean: return "boolean"
        case .string: return "string"
        case .range: return "range"
        case .process: return "process"
        case .thread: return "thread"
        case .function: return "function"
        case .object: return "machine object"
        case .nothing: return "nothing"
        }
    }

    /// How `print` shows the value: integers in decimal (`hex(x)` for hex).
    public var displayText: String {
        switch self {
        case .integer(let value): return String(value)
        case .boolean(let value): return value ? "true" : "false"
        case .string(let value): return value
        case .range(let lower, let upper, let closed): return "\(lower)\(closed ? "..." : "..<")\(upper)"
        case .process(let process): return "\(process.name) (pid \(process.pid))"
        case .thread(let thread): return "thread \(thread.name) (tid \(thread.tid))"
        case .function(let function): return "function \(function.declaration.name)"
        case .object(let object):
            switch object {
            case .tlb(let core, _): return core < 0 ? "tlb" : "tlb of cpu \(core)"
            case .cpu(let core, _): return "cpu \(core)"
            case .cpus: return "cpu"
            case .last: return "last access"
            case .frames: return "frames"
            case .faults: return "faults"
            }
        case .nothing: return "nothing"
        }
    }

    /// How a value reads inside a message ("got …"): strings quoted.
    public var debugText: String {
        if case .string(let value) = self { return "\"" + value + "\"" }
        return displayText
    }

    public func isEqual(to other: Value) -> Bool? {
        switch (self, other) {
        case (.integer(let a), .integer(let b)): return a == b
        case (.boolean(let a), .boolean(let b)): return a == b
        case (.string(let a), .string(let b)): return a == b
        case (.range(let a, let b, let c), .range(let d, let e, let f)): return a == d && b == e && c == f
        case (.process(let a), .process(let b)): return a == b
        case (.thread(let a), .thread(let b)): return a == b
        case (.object(let a), .object(let b)): return a == b
        case (.nothing, .nothing): return true
        case (.function(let a), .function(let b)): return a === b
        default: return nil
        }
    }
}
