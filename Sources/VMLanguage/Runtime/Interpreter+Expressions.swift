import VMMachine

/// Expression evaluation. Integers are unsigned 64-bit; anything that would
/// wrap (overflow, going below zero, dividing by zero, shifting by 64 or
/// more) is an error that names the operation, never a silent wrap or a crash.
extension Interpreter {
    /// Bytes one string value may hold: doubling a string in a loop stops here.
    static let maximumStringBytes = 1 << 20

    func evaluate(_ expression: Expression) throws -> Value {
        switch expression.kind {
        case .integer(let value): return .integer(value)
        case .string(let value): return .string(value)
        case .boolean(let value): return .boolean(value)
        case .name(let name): return try lookup(name, at: expression.range)
        default: break
        }
        // A compound expression nests on the native stack: it takes a level of the budget.
        try enter(expression.range)
        defer { leave() }
        switch expression.kind {
        case .integer, .string, .boolean, .name: preconditionFailure("handled above")
        case .unary(let op, let operand): return try unary(op, operand, expression.range)
        case .binary(let op, let left, let right): return try binary(op, left, right, expression.range)
        case .member(let base, let name):
            if case .name("faults") = base.kind, environment.lookup("faults") == nil {
                return try member(name, of: .object(.faults), at: expression.range)
            }
            return try member(name, of: try evaluate(base), at: expression.range)
        case .index(let base, let index):
            return try subscriptValue(try evaluate(base), try evaluate(index), at: expression.range)
        case .call(let name, let arguments):
            let values = try arguments.map { try evaluate($0) }
            if let value = environment.lookup(name) {
                guard case .function(let function) = value else {
                    throw Diagnostic("'\(name)' is \(value.typeName), not a function", at: expression.range)
                }
                return try call(function, arguments: values, at: expression.range)
            }
            return try Builtins.call(name, values, interpreter: self, at: expression.range, arguments: arguments)
        }
    }

    func lookup(_ name: String, at range: SourceRange) throws -> Value {
        if let value = environment.lookup(name) { return value }
        if let scalar = Builtins.scalar(named: name, self) { return scalar }
        if let object = Builtins.object(named: name) { return .object(object) }
        var notes: [String] = []
        let candidates = environment.visibleNames() + Builtins.reservedNames
        if let suggestion = closestMatch(to: name, in: candidates) {
            notes.append("did you mean '\(suggestion)'?")
        } else if let command = closestMatch(to: name, in: registry.names) {
            notes.append("'\(command)' is a command; commands start a line")
        }
        throw Diagnostic("'\(name)' is not defined", at: range, notes: notes)
    }

    func integer(_ expression: Expression, _ what: String) throws -> UInt64 {
        let value = try evaluate(expression)
        guard case .integer(let integer) = value else {
            throw Diagnostic("\(what) must be an integer, got \(value.typeName) \(value.debugText)", at: expression.range)
        }
        return integer
    }

    private func unary(_ op: UnaryOperator, _ operand: Expression, _ range: SourceRange) throws -> Value {
        let value = try evaluate(operand)
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

    private func binary(_ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
                        _ range: SourceRange) throws -> Value {
        // `and`/`or` short-circuit.
        if op == .and || op == .or {
            let left = try condition(leftExpression, op.rawValue)
            if op == .and && !left { return .boolean(false) }
            if op == .or && left { return .boolean(true) }
            return .boolean(try condition(rightExpression, op.rawValue))
        }
        let left = try evaluate(leftExpression)
        let right = try evaluate(rightExpression)
        return try combine(op, left, right, at: range, rightRange: rightExpression.range)
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

    private func subscriptValue(_ base: Value, _ index: Value, at range: SourceRange) throws -> Value {
        guard case .object(.cpus) = base else {
            throw Diagnostic("\(base.typeName) cannot be indexed; only cpu[N] can", at: range)
        }
        guard case .integer(let number) = index else {
            throw Diagnostic("a cpu number must be an integer, got \(index.typeName)", at: range)
        }
        guard number < UInt64(machine.cores.count) else {
            throw Diagnostic("no cpu \(number): this machine has \(machine.cores.count) core(s)", at: range)
        }
        return .object(.cpu(core: Int(number), generation: machineGeneration))
    }
}
