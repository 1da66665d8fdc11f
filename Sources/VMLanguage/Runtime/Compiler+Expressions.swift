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
        let rightRange = rightExpression.range
        if case .integer(let constant) = rightExpression.kind {
            // `i & 7`, `x + 1`: the right operand is known.
            let right = Value.integer(constant)
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let a = try left(interpreter, scope)
                if case .integer(let x) = a, let result = Interpreter.integerResult(op, x, constant) { return result }
                return try interpreter.combine(op, a, right, at: range, rightRange: rightRange)
            }
        }
        let right = compile(rightExpression, level: level + 1)
        return { interpreter, scope in
            try interpreter.checkDepth(level, range)
            let a = try left(interpreter, scope)
            let b = try right(interpreter, scope)
            if case .integer(let x) = a, case .integer(let y) = b, let result = Interpreter.integerResult(op, x, y) {
                return result
            }
            return try interpreter.combine(op, a, b, at: range, rightRange: rightRange)
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
            return { interpreter, scope in
                try interpreter.checkDepth(level, range)
                let values = try compiled.map { try $0(interpreter, scope) }
                guard let value = cell.value.pointee else {
                    return try Builtins.call(name, values, interpreter: interpreter, at: range, arguments: arguments)
                }
                return try interpreter.invoke(value, name, values, level: level, at: range)
            }
        }
    }
}
