// Closures or bytecode? vmlab compiles the syntax tree to closures
// (VMLanguage/Runtime/Compiler.swift). This file holds the other candidate,
// a register bytecode loop in the style of Lua's VM, for the part of the
// language the benchmark loops use (let, assignment, for, while, integer
// + & <), over the same `Value` type and with the same checked arithmetic
// and step count. It exists only to measure the choice (scripts/bench).
import VMLanguage

/// One instruction: operands are register numbers or constants.
enum Instruction {
    case loadConstant(register: Int, value: UInt64)
    case move(target: Int, source: Int)
    case add(target: Int, left: Int, right: Int)
    case andConstant(target: Int, left: Int, constant: UInt64)
    case addConstant(target: Int, left: Int, constant: UInt64)
    /// Jumps by `offset` unless register left < register right.
    case jumpUnlessLess(left: Int, right: Int, offset: Int)
    case jump(offset: Int)
    case step
}

struct BytecodeError: Error { let message: String }

/// Compiles the benchmark's subset: globals get registers, loops become jumps.
struct BytecodeCompiler {
    var code: [Instruction] = []
    var registers: [String: Int] = [:]
    var registerCount = 0

    mutating func register(_ name: String) -> Int {
        if let existing = registers[name] { return existing }
        registers[name] = registerCount
        registerCount += 1
        return registerCount - 1
    }

    mutating func temporary() -> Int {
        registerCount += 1
        return registerCount - 1
    }

    /// Leaves the value of `expression` in a register and returns it.
    mutating func expression(_ expression: Expression) throws -> Int {
        switch expression.kind {
        case .integer(let value):
            let target = temporary()
            code.append(.loadConstant(register: target, value: value))
            return target
        case .name(let name):
            return register(name)
        case .binary(.add, let left, let right):
            let leftRegister = try self.expression(left)
            let target = temporary()
            if case .integer(let constant) = right.kind {
                code.append(.addConstant(target: target, left: leftRegister, constant: constant))
            } else {
                code.append(.add(target: target, left: leftRegister, right: try self.expression(right)))
            }
            return target
        case .binary(.bitwiseAnd, let left, let right):
            guard case .integer(let constant) = right.kind else { throw BytecodeError(message: "& needs a constant") }
            let target = temporary()
            code.append(.andConstant(target: target, left: try self.expression(left), constant: constant))
            return target
        default:
            throw BytecodeError(message: "not in the benchmark subset")
        }
    }

    mutating func statement(_ statement: Statement) throws {
        code.append(.step)
        switch statement.kind {
        case .letBinding(let name, let value), .assignment(let name, let value):
            let source = try expression(value)
            code.append(.move(target: register(name), source: source))
        case .forIn(let name, let sequence, let body):
            guard case .binary(.halfOpenRange, let lower, let upper) = sequence.kind else {
                throw BytecodeError(message: "for needs a ..< range")
            }
            let index = register(name)
            code.append(.move(target: index, source: try expression(lower)))
            let limit = try expression(upper)
            let top = code.count
            code.append(.jumpUnlessLess(left: index, right: limit, offset: 0))
            code.append(.step)
            for inner in body.statements { try self.statement(inner) }
            code.append(.addConstant(target: index, left: index, constant: 1))
            code.append(.jump(offset: top - code.count))
            code[top] = .jumpUnlessLess(left: index, right: limit, offset: code.count - top)
        case .whileLoop(let condition, let body):
            guard case .binary(.less, let left, let right) = condition.kind else {
                throw BytecodeError(message: "while needs a <")
            }
            let top = code.count
            let leftRegister = try expression(left)
            let rightRegister = try expression(right)
            let test = code.count
            code.append(.jumpUnlessLess(left: leftRegister, right: rightRegister, offset: 0))
            code.append(.step)
            for inner in body.statements { try self.statement(inner) }
            code.append(.jump(offset: top - code.count))
            code[test] = .jumpUnlessLess(left: leftRegister, right: rightRegister, offset: code.count - test)
        default:
            throw BytecodeError(message: "not in the benchmark subset")
        }
    }
}

/// Runs bytecode: one `switch` per instruction, registers in a buffer.
func runBytecode(_ code: [Instruction], registerCount: Int, maximumSteps: UInt64) throws -> [Value] {
    var registers = [Value](repeating: .integer(0), count: registerCount)
    var steps: UInt64 = 0
    var pc = 0
    try code.withUnsafeBufferPointer { code in
        try registers.withUnsafeMutableBufferPointer { registers in
            while pc < code.count {
                switch code[pc] {
                case .loadConstant(let register, let value):
                    registers[register] = .integer(value)
                case .move(let target, let source):
                    registers[target] = registers[source]
                case .add(let target, let left, let right):
                    guard case .integer(let a) = registers[left], case .integer(let b) = registers[right] else {
                        throw BytecodeError(message: "'+' needs integers")
                    }
                    let (sum, overflow) = a.addingReportingOverflow(b)
                    if overflow { throw BytecodeError(message: "overflow") }
                    registers[target] = .integer(sum)
                case .addConstant(let target, let left, let constant):
                    guard case .integer(let a) = registers[left] else { throw BytecodeError(message: "'+' needs integers") }
                    let (sum, overflow) = a.addingReportingOverflow(constant)
                    if overflow { throw BytecodeError(message: "overflow") }
                    registers[target] = .integer(sum)
                case .andConstant(let target, let left, let constant):
                    guard case .integer(let a) = registers[left] else { throw BytecodeError(message: "'&' needs integers") }
                    registers[target] = .integer(a & constant)
                case .jumpUnlessLess(let left, let right, let offset):
                    guard case .integer(let a) = registers[left], case .integer(let b) = registers[right] else {
                        throw BytecodeError(message: "'<' needs integers")
                    }
                    if !(a < b) {
                        pc += offset
                        continue
                    }
                case .jump(let offset):
                    pc += offset
                    continue
                case .step:
                    steps += 1
                    if steps > maximumSteps { throw BytecodeError(message: "step limit") }
                }
                pc += 1
            }
        }
    }
    return registers
}
