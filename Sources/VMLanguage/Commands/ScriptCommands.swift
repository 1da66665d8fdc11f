import Foundation
import VMMachine

/// Commands about the script itself: output, assertions, help, other files.
enum ScriptCommands {
    static let all: [CommandSpec] = [printValues, expect, quiet, include, help]

    static let printValues = CommandSpec(
        name: "print",
        summary: "print values separated by spaces (integers in decimal; hex(x) for hex)",
        parameters: [ParameterSpec("VALUE", variadic: true)]
    ) { interpreter, call in
        let texts = try call.arguments.map { try interpreter.value($0).displayText }
        interpreter.output.write(texts.joined(separator: " ") + "\n")
    }

    static let expect = CommandSpec(
        name: "expect",
        summary: "check that a condition holds; report it and go on if it does not",
        details: """
            A failed expect prints where it is, the message, and what the compared
            sides were; the script goes on and `vmlab run` exits with status 1.
            """,
        parameters: [ParameterSpec("CONDITION"), ParameterSpec("MESSAGE", optional: true)]
    ) { interpreter, call in
        guard case .expression(let condition) = call.arguments[0] else { return }
        let message = try call.argument(1).map { try interpreter.string($0, "the message of 'expect'") }
        let label = message ?? condition.range.file.text(condition.range)
        let value = try interpreter.evaluate(condition)
        guard case .boolean(let holds) = value else {
            throw Diagnostic(
                "expect needs a condition that is true or false, got \(value.typeName) \(value.debugText)",
                at: condition.range)
        }
        if holds {
            interpreter.expectationsPassed += 1
            interpreter.output.write("expect ok: \(label)\n")
            return
        }
        interpreter.expectationsFailed += 1
        let detail = try interpreter.explainFailure(condition)
        let failure = Diagnostic(
            label, at: condition.range, severity: .expectationFailed, notes: detail.map { [$0] } ?? [])
        interpreter.output.writeDiagnostic(failure.render())
    }

    static let quiet = CommandSpec(
        name: "quiet",
        summary: "run a block without printing access and kernel lines",
        details: "State, 'last', counters, print, show and expect all work as usual inside.",
        block: .required
    ) { interpreter, call in
        guard let block = call.block else { return }
        interpreter.quietDepth += 1
        defer { interpreter.quietDepth -= 1 }
        _ = try interpreter.execute(block)
    }

    static let include = CommandSpec(
        name: "include",
        summary: "run another script file here, in this session",
        details: "A relative path is taken from the directory of the file that includes it.",
        parameters: [ParameterSpec("FILE", completion: .path)]
    ) { interpreter, call in
        let path = try interpreter.string(call.arguments[0], "the file name")
        try interpreter.include(path, from: call.nameRange)
    }

    static let help = CommandSpec(
        name: "help",
        summary: "list the commands, or explain one",
        parameters: [ParameterSpec("COMMAND", .identifier, optional: true, completion: .commandName)]
    ) { interpreter, call in
        guard let argument = call.argument(0) else {
            interpreter.output.write(HelpText.overview(interpreter.registry))
            return
        }
        let name = interpreter.word(argument)
        guard let command = interpreter.registry.command(named: name) else {
            var notes: [String] = []
            if let suggestion = closestMatch(to: name, in: interpreter.registry.names) {
                notes.append("did you mean '\(suggestion)'?")
            }
            throw Diagnostic("no command named '\(name)'", at: argument.range, notes: notes)
        }
        interpreter.output.write(HelpText.details(command))
    }
}

extension Interpreter {
    /// "tlb.misses is 3, expected 4" for a failed comparison.
    func explainFailure(_ condition: Expression) throws -> String? {
        guard case .binary(let op, let left, let right) = condition.kind, op.isComparison else {
            if case .unary(.not, _) = condition.kind { return nil }
            return "the condition was false"
        }
        let actual = try evaluate(left)
        let expected = try evaluate(right)
        let source = condition.range.file.text(left.range)
        switch op {
        case .equal: return "\(source) is \(actual.debugText), expected \(expected.debugText)"
        case .notEqual: return "\(source) is \(actual.debugText), expected anything else"
        default: return "\(source) is \(actual.debugText), expected \(op.rawValue) \(expected.debugText)"
        }
    }

    /// Runs another file at top level. Relative paths start from the including file's directory.
    func include(_ path: String, from range: SourceRange) throws {
        let includer = range.file.name
        var resolved = path
        if !path.hasPrefix("/"), !includer.hasPrefix("<") {
            let directory = (includer as NSString).deletingLastPathComponent
            if !directory.isEmpty { resolved = (directory as NSString).appendingPathComponent(path) }
        }
        guard includeStack.count < limits.maximumIncludeDepth else {
            throw Diagnostic("includes nested deeper than \(limits.maximumIncludeDepth)", at: range)
        }
        guard !includeStack.contains(resolved) else {
            throw Diagnostic("'\(path)' includes itself (through \(includeStack.joined(separator: " -> ")))", at: range)
        }
        let text: String
        do {
            text = try ScriptLoader.read(resolved)
        } catch let failure as ScriptLoader.Failure {
            throw Diagnostic(failure.message, at: range)
        }
        let file = SourceFile(name: resolved, text: text)
        let (program, diagnostics) = Parser.parse(file, registry: registry)
        guard diagnostics.isEmpty else { throw IncludedSyntaxErrors(diagnostics: diagnostics) }
        includeStack.append(resolved)
        defer { includeStack.removeLast() }
        let saved = environment
        environment = globals
        defer { environment = saved }
        for statement in program.statements { _ = try execute(statement) }
    }
}

/// Syntax errors in an included file, reported together.
public struct IncludedSyntaxErrors: Error {
    public let diagnostics: [Diagnostic]
}

/// Reads script files with errors a student can act on.
public enum ScriptLoader {
    public struct Failure: Error {
        public let message: String
    }

    /// Scripts larger than this are refused rather than read into memory.
    public static let maximumBytes = 16 << 20

    public static func read(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw Failure(message: "cannot open '\(path)': no such file")
        }
        guard !isDirectory.boolValue else { throw Failure(message: "cannot open '\(path)': it is a directory") }
        // FileHandle rather than FileManager.contents, so that pipes (/dev/stdin, <(…)) work too.
        guard let handle = FileHandle(forReadingAtPath: path) else { throw Failure(message: "cannot read '\(path)'") }
        defer { try? handle.close() }
        let data: Data
        do {
            data = try handle.read(upToCount: maximumBytes + 1) ?? Data()
        } catch {
            throw Failure(message: "cannot read '\(path)'")
        }
        guard data.count <= maximumBytes else {
            throw Failure(message: "'\(path)' is larger than \(maximumBytes >> 20) MiB; is it really a script?")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw Failure(message: "'\(path)' is not UTF-8 text")
        }
        return text
    }
}
