/// Expressions. A compound node checks the depth budget at its level below
/// the expression's root: evaluating an expression leaves the interpreter's
/// depth alone (only a call adds its level while the function runs), so the
/// check is one comparison, and fails exactly where entering one level per
/// node would.
extension Compiler {
    /// An expression evaluated on its own (a statement's, an argument's).
    func root(_ expression: Expression) -> Evaluator {
        compile(expression, level: 1)
    }

    func compile(_ expression: Expression, level: Int) -> Evaluator {
        let range = expression.range
        switch expression.kind {
        case .integer(let integer):
            let value = Value.integer(integer)
            return { _, _ in value }
        case .string(let string):
            let value = Value.string(string)
            return { _, _ in value }
        case .boolean(let truth):
            let value = Value.boolean(truth)
            return { _, _ in value }
        case .name(let name):
            return read(name, range)
        case .unary(let op, let operand):
            let value = compile(operand, level: level + 1)
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                return try interpreter.unary(op, try value(interpreter, scope), range)
            }
        case .binary(let op, let left, let right):
            return binary(op, left, right, level: level, range)
        case .member(let base, let name):
            if case .name("faults") = base.kind, case .global = binding(at: base.range, "faults") {
                // `faults.demand` counts faults, unless a global named faults hides them.
                let cell = globals.cell("faults")
                return { interpreter, _ in
                    try interpreter.checkDepth(level, range)
                    return try interpreter.member(name, of: cell.value.pointee ?? .object(.faults), at: range)
                }
            }
            let value = compile(base, level: level + 1)
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                return try interpreter.member(name, of: try value(interpreter, scope), at: range)
            }
        case .index(let base, let index):
            let value = compile(base, level: level + 1)
            let position = compile(index, level: level + 1)
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let base = try value(interpreter, scope)
                return try interpreter.subscriptValue(base, try position(interpreter, scope), at: range)
            }
        case .call(let name, let arguments):
            return call(name, arguments, level: level, range)
        }
    }

    private func read(_ name: String, _ range: SourceRange) -> Evaluator {
        switch binding(at: range, name) {
        case .local(0, let slot):
            return { _, scope in
                if let value = scope.slots[slot] { return value }
                throw Interpreter.notDefined(name, at: range)
            }
        case .local(let depth, let slot):
            return { _, scope in
                if let value = scope.outer(depth).slots[slot] { return value }
                throw Interpreter.notDefined(name, at: range)
            }
        case .global(let name):
            let cell = globals.cell(name)
            return { interpreter, _ in
                if let value = cell.value.pointee { return value }
                return try interpreter.unboundGlobal(cell, at: range)
            }
        }
    }

    private func binary(_ op: BinaryOperator, _ leftExpression: Expression, _ rightExpression: Expression,
                        level: Int, _ range: SourceRange) -> Evaluator {
        if op == .and || op == .or {
            // `and`/`or` short-circuit, and each side must be true or false.
            let left = condition(leftExpression, op.rawValue, level: level + 1)
            let right = condition(rightExpression, op.rawValue, level: level + 1)
            let isAnd = op == .and
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                if try left(interpreter, scope) != isAnd { return .boolean(!isAnd) }
                return .boolean(try right(interpreter, scope))
            }
        }
        let left = compile(leftExpression, level: level + 1)
        let right = compile(rightExpression, level: level + 1)
        let rightRange = rightExpression.range
        // Operands that are constants or variables are read in place, with no
        // closure call and no copy of a `Value`; anything unusual (not an
        // integer, an overflow) goes the general way, which explains it.
        switch (direct(leftExpression), direct(rightExpression)) {
        case (let a?, let b?):
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                if let x = a.integer(scope), let y = b.integer(scope), let result = Interpreter.integerResult(op, x, y) {
                    return result
                }
                return try interpreter.combine(
                    op, try left(interpreter, scope), try right(interpreter, scope), at: range, rightRange: rightRange)
            }
        case (nil, let b?):
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let first = try left(interpreter, scope)
                if case .integer(let x) = first, let y = b.integer(scope), let result = Interpreter.integerResult(op, x, y) {
                    return result
                }
                return try interpreter.combine(op, first, try right(interpreter, scope), at: range, rightRange: rightRange)
            }
        default:
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let first = try left(interpreter, scope)
                let second = try right(interpreter, scope)
                if case .integer(let x) = first, case .integer(let y) = second,
                    let result = Interpreter.integerResult(op, x, y)
                {
                    return result
                }
                return try interpreter.combine(op, first, second, at: range, rightRange: rightRange)
            }
        }
    }

    /// An operand read in place: a constant, or a variable of the running scope or a global.
    enum DirectOperand {
        case constant(UInt64)
        case local(slot: Int)
        case global(GlobalCell)

        /// The operand's value if it is an integer.
        @inline(__always)
        func integer(_ scope: Scope) -> UInt64? {
            switch self {
            case .constant(let value):
                return value
            case .local(let slot):
                if case .integer(let value)? = scope.slots[slot] { return value }
                return nil
            case .global(let cell):
                if case .integer(let value)? = cell.value.pointee { return value }
                return nil
            }
        }
    }

    func direct(_ expression: Expression) -> DirectOperand? {
        switch expression.kind {
        case .integer(let value): return .constant(value)
        case .name(let name):
            switch binding(at: expression.range, name) {
            case .local(0, let slot): return .local(slot: slot)
            case .local: return nil
            case .global(let name): return .global(globals.cell(name))
            }
        default: return nil
        }
    }

    /// A condition (`if`, `while`, a side of `and`): a comparison of two
    /// integers is decided without building a boolean value.
    func condition(_ expression: Expression, _ context: String, level: Int = 1) -> (Interpreter, Scope) throws -> Bool {
        let range = expression.range
        if case .binary(let op, let leftExpression, let rightExpression) = expression.kind, op.isComparison {
            let left = compile(leftExpression, level: level + 1)
            let right = compile(rightExpression, level: level + 1)
            let rightRange = rightExpression.range
            if let a = direct(leftExpression), let b = direct(rightExpression) {
                // `i < n`: both sides read in place.
                return { interpreter, scope in
                    try interpreter.checkDepth(level, range)
                    if let x = a.integer(scope), let y = b.integer(scope),
                        case .boolean(let truth)? = Interpreter.integerResult(op, x, y)
                    {
                        return truth
                    }
                    let value = try interpreter.combine(
                        op, try left(interpreter, scope), try right(interpreter, scope), at: range, rightRange: rightRange)
                    return try interpreter.truth(value, context, at: range)
                }
            }
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let a = try left(interpreter, scope)
                let b = try right(interpreter, scope)
                if case .integer(let x) = a, case .integer(let y) = b, case .boolean(let truth)? =
                    Interpreter.integerResult(op, x, y)
                {
                    return truth
                }
                let value = try interpreter.combine(op, a, b, at: range, rightRange: rightRange)
                return try interpreter.truth(value, context, at: range)
            }
        }
        let value = compile(expression, level: level)
        return { interpreter, scope in
            try interpreter.truth(try value(interpreter, scope), context, at: range)
        }
    }

    private func call(_ name: String, _ arguments: [Expression], level: Int, _ range: SourceRange) -> Evaluator {
        let compiled = arguments.map { compile($0, level: level + 1) }
        switch binding(at: range, name) {
        case .local(let depth, let slot):
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let values = try compiled.map { try $0(interpreter, scope) }
                guard let value = scope.outer(depth).slots[slot] else { throw Interpreter.notDefined(name, at: range) }
                return try interpreter.invoke(value, name, values, level: level, at: range)
            }
        case .global(let name):
            let cell = globals.cell(name)
            // Bound now: the call looks no name up while it runs.
            let builtin = Builtins.functions[name]
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let values = try compiled.map { try $0(interpreter, scope) }
                guard let value = cell.value.pointee else {
                    guard let builtin else { throw Builtins.unknownFunction(name, interpreter: interpreter, at: range) }
                    return try builtin(
                        BuiltinCall(name: name, values: values, interpreter: interpreter, range: range, arguments: arguments))
                }
                return try interpreter.invoke(value, name, values, level: level, at: range)
            }
        }
    }
}
