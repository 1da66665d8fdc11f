import VMMachine

/// Helpers that command handlers use to read their arguments with clear errors.
extension Interpreter {
    func value(_ argument: Operand) throws -> Value {
        switch argument {
        case .expression(let expression): return try expression.evaluate(self, commandScope)
        case .word(let word, _), .name(let word, _): return .string(word)
        }
    }

    func integer(_ argument: Operand, _ what: String) throws -> UInt64 {
        let value = try value(argument)
        if case .integer(let integer) = value { return integer }
        // The range (which retains its file) is worked out only for the message.
        return try integer(value, what, at: argument.range)
    }

    func process(_ argument: Operand) throws -> (ProcessReference, Process) {
        let value = try value(argument)
        guard case .process(let reference) = value else {
            var notes: [String] = []
            if case .expression(let expression) = argument, case .name(let name) = expression.syntax.kind {
                notes.append("create it first: spawn \(name)")
            }
            throw Diagnostic(
                "expected a process, got \(value.typeName) \(value.debugText)", at: argument.range, notes: notes)
        }
        return (reference, try liveProcess(reference, at: argument.range))
    }

    /// The integer option `name` of `call`, if given, at most `limit`.
    func option(_ name: String, of call: BoundCommand, atMost limit: UInt64) throws -> Int? {
        guard let option = call.option(name) else { return nil }
        let value = try integer(option.value, name)
        guard value <= limit else {
            throw Diagnostic("\(name)=\(value) is too large (at most \(limit))", at: option.value.range)
        }
        return Int(value)
    }

    func word(_ argument: Operand) -> String {
        switch argument {
        case .word(let word, _), .name(let word, _): return word
        case .expression: preconditionFailure("the parser reads words for word parameters")
        }
    }

    func string(_ argument: Operand, _ what: String) throws -> String {
        let value = try value(argument)
        guard case .string(let text) = value else {
            throw Diagnostic("\(what) must be a string, got \(value.typeName)", at: argument.range)
        }
        return text
    }

    /// Runs a machine operation, turning a refusal into a diagnostic at `range`.
    func machineOperation<Result>(at range: SourceRange, _ operation: () throws(MachineError) -> Result) throws
        -> Result
    {
        do {
            return try operation()
        } catch {
            throw Diagnostic(error.message, at: range)
        }
    }

    /// Writes a command's account of what it did, unless `quiet` or `--quiet` silences it.
    func report(_ line: String) {
        if !isQuiet { output.write(line + "\n") }
    }
}
