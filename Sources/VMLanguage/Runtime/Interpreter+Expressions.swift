import VMMachine

/// Expression evaluation. Integers are unsigned 64-bit; anything that would
/// wrap (overflow, going below zero, dividing by zero, shifting by 64 or
/// more) is an error that names the operation, never a silent wrap or a crash.
extension Interpreter {
    /// Bytes one string value may hold: doubling a string in a loop stops here.
    static let maximumStringBytes = 1 << 20

    /// A block's name read by a function while the name holds nothing: its
    /// `let` has not run yet in this pass of the block (a loop's body starts
    /// each iteration empty), or the block has ended.
    static func notDefined(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic(
            "'\(name)' has no value yet", at: range,
            notes: ["a function sees its block's '\(name)' only after that block's 'let \(name)' has run, and only while the block runs"])
    }

    static func notAssignable(_ name: String, at range: SourceRange) -> Diagnostic {
        Diagnostic("'\(name)' is not defined", at: range, notes: ["declare it first: let \(name) = …"])
    }

    /// A global that holds no value: the built-in of that name, or an error.
    func unboundGlobal(_ cell: GlobalCell, at range: SourceRange) throws -> Value {
        if cell.builtin != nil {
            if let scalar = Builtins.scalar(named: cell.name, self) { return scalar }
            if let object = Builtins.object(named: cell.name) { return .object(object) }
        }
        var notes: [String] = []
        // A submission's name is never answered with the tests file's names.
        let submission = namespaces?.submission.boundNames ?? []
        let visible = namespaces?.submission.holds(cell) == true ? submission : globals.boundNames + submission
        if let suggestion = closestMatch(to: cell.name, in: visible + Builtins.reservedNames) {
            notes.append("did you mean '\(suggestion)'?")
        } else if let command = closestMatch(to: cell.name, in: registry.names) {
            notes.append("'\(command)' is a command; commands start a line")
        }
        throw Diagnostic("'\(cell.name)' is not defined", at: range, notes: notes)
    }

    func integer(_ value: Value, _ what: String, at range: SourceRange) throws -> UInt64 {
        guard case .integer(let integer) = value else {
            throw Diagnostic("\(what) must be an integer, got \(value.typeName) \(value.debugText)", at: range)
        }
        return integer
    }

    func truth(_ value: Value, _ context: String, at range: SourceRange) throws -> Bool {
        guard case .boolean(let truth) = value else {
            throw Diagnostic(
                "the condition of '\(context)' must be true or false, got \(value.typeName) \(value.debugText)",
                at: range)
        }
        return truth
    }

    func unary(_ op: UnaryOperator, _ value: Value, _ range: SourceRange) throws -> Value {
        switch (op, value) {
        case (.not, .boolean(let truth)): return .boolean(!truth)
        case (.bitwiseNot, .integer(let integer)): return .integer(~integer)
        case (.negate, .integer(let integer)):
            guard integer == 0 else {
                throw Diagnostic(
                    "integers are unsigned 64-bit, so -\(integer) does not exist", at: range,
                    notes: ["for all ones write ~0; for two's complement write ~\(integer) + 1"])
            }
            return .integer(0)
        default:
            throw Diagnostic("'\(op.rawValue)' does not apply to \(value.typeName)", at: range)
        }
    }

    /// The value of `a op b` when both are integers and nothing goes wrong;
    /// nil leaves the case (overflow, division by zero, …) to `combine`,
    /// which explains it.
    @inline(__always)
    static func integerResult(_ op: BinaryOperator, _ a: UInt64, _ b: UInt64) -> Value? {
        switch op {
        case .add:
            let (sum, over) = a.addingReportingOverflow(b)
            return over ? nil : .integer(sum)
        case .subtract: return a >= b ? .integer(a - b) : nil
        case .multiply:
            let (product, over) = a.multipliedReportingOverflow(by: b)
            return over ? nil : .integer(product)
        case .divide: return b == 0 ? nil : .integer(a / b)
        case .remainder: return b == 0 ? nil : .integer(a % b)
        case .bitwiseAnd: return .integer(a & b)
        case .bitwiseOr: return .integer(a | b)
        case .bitwiseXor: return .integer(a ^ b)
        case .shiftRight: return b < 64 ? .integer(a >> b) : nil
        case .shiftLeft: return b < 64 && (a == 0 || a.leadingZeroBitCount >= Int(b)) ? .integer(a << b) : nil
        case .equal: return .boolean(a == b)
        case .notEqual: return .boolean(a != b)
        case .less: return .boolean(a < b)
        case .lessEqual: return .boolean(a <= b)
        case .greater: return .boolean(a > b)
        case .greaterEqual: return .boolean(a >= b)
        case .halfOpenRange, .closedRange, .and, .or: return nil
        }
    }

    /// Applies a binary operator (not `and`/`or`) to two evaluated operands;
    /// `expect` uses it too, so that each side of a comparison is evaluated once.
    func combine(_ op: BinaryOperator, _ left: Value, _ right: Value, at range: SourceRange,
                 rightRange: SourceRange) throws -> Value {
        if op == .equal || op == .notEqual {
            guard let equal = left.isEqual(to: right) else {
                throw Diagnostic(
                    "cannot compare \(left.typeName) with \(right.typeName) using '\(op.rawValue)'", at: range,
                    notes: left.typeName == "string" || right.typeName == "string"
                        ? ["fault names are strings: last.fault == \"not_present\""] : [])
            }
            return .boolean(op == .equal ? equal : !equal)
        }
        if op == .add, case .string(let a) = left, case .string(let b) = right {
            guard a.utf8.count + b.utf8.count <= Self.maximumStringBytes else {
                throw Diagnostic(
                    "a string may hold at most \(Self.maximumStringBytes >> 20) MiB; this one would be longer", at: range)
            }
            return .string(a + b)
        }
        guard case .integer(let a) = left, case .integer(let b) = right else {
            let culprit = left.typeName == "integer" ? right : left
            throw Diagnostic(
                "'\(op.rawValue)' needs integers, got \(culprit.typeName) \(culprit.debugText)", at: range)
        }
        func overflow(_ description: String) -> Diagnostic {
            Diagnostic("\(description) (integers are unsigned 64-bit)", at: range)
        }
        switch op {
        case .add:
            let (sum, over) = a.addingReportingOverflow(b)
            if over { throw overflow("\(a) + \(b) overflows") }
            return .integer(sum)
        case .subtract:
            guard a >= b else { throw overflow("\(a) - \(b) is below zero") }
            return .integer(a - b)
        case .multiply:
            let (product, over) = a.multipliedReportingOverflow(by: b)
            if over { throw overflow("\(a) * \(b) overflows") }
            return .integer(product)
        case .divide, .remainder:
            guard b != 0 else { throw Diagnostic("division by zero", at: rightRange) }
            return .integer(op == .divide ? a / b : a % b)
        case .bitwiseAnd: return .integer(a & b)
        case .bitwiseOr: return .integer(a | b)
        case .bitwiseXor: return .integer(a ^ b)
        case .shiftLeft, .shiftRight:
            guard b < 64 else { throw Diagnostic("shift by \(b): shifts must be less than 64", at: rightRange) }
            if op == .shiftRight { return .integer(a >> b) }
            guard a == 0 || a.leadingZeroBitCount >= Int(b) else { throw overflow("\(a) << \(b) overflows") }
            return .integer(a << b)
        case .less: return .boolean(a < b)
        case .lessEqual: return .boolean(a <= b)
        case .greater: return .boolean(a > b)
        case .greaterEqual: return .boolean(a >= b)
        case .halfOpenRange, .closedRange:
            guard a <= b else {
                throw Diagnostic("a range cannot run backwards: \(a)\(op.rawValue)\(b)", at: range)
            }
            return .range(lower: a, upper: b, closed: op == .closedRange)
        case .equal, .notEqual, .and, .or:
            preconditionFailure("handled above")
        }
    }

    func subscriptValue(_ base: Value, _ index: Value, at range: SourceRange) throws -> Value {
        guard case .object(.cpus) = base else {
            throw Diagnostic("\(base.typeName) cannot be indexed; only cpu[N] can", at: range)
        }
        guard case .integer(let number) = index else {
            throw Diagnostic("a cpu number must be an integer, got \(index.typeName)", at: range)
        }
        guard number < UInt64(machine.cores.count) else {
            throw Diagnostic("no cpu \(number): this machine has \(machine.cores.count) core(s)", at: range)
        }
        return .object(.cpu(core: Int32(number), generation: Int32(truncatingIfNeeded: machineGeneration)))
    }
}
