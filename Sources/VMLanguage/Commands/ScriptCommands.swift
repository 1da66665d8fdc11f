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
            Under 'vmlab grade', points=N makes this expect worth N points of its test.
            Only the tests file's expects score: one in a graded submission prints its
            result as feedback and earns nothing (points= there is an error).
            """,
        parameters: [ParameterSpec("CONDITION"), ParameterSpec("MESSAGE", optional: true)],
        options: [OptionSpec("points", placeholder: "N", help: "points this expect is worth in a graded test")]
    ) { interpreter, call in
        guard case .expression(let condition) = call.arguments[0] else { return }
        let message = try call.argument(1).map { try interpreter.string($0, "the message of 'expect'") }
        let points = try interpreter.expectPoints(call)
        let label = message ?? condition.range.file.text(condition.range)
        let verdict = try interpreter.decide(condition)
        interpreter.recordExpectation(
            label: label, held: verdict.held, points: points, got: verdict.got, expected: verdict.expected,
            detail: verdict.explanation, at: condition.range)
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
    /// What an `expect` found: whether it held and, for a comparison, both
    /// sides. Each side is evaluated exactly once, so reads in a function that
    /// the condition calls happen (and print) once, pass or fail.
    struct Verdict {
        let held: Bool
        let got: String?
        let expected: String?
        /// "tlb.misses is 3, expected 4"
        let explanation: String?
    }

    func decide(_ condition: CompiledExpression) throws -> Verdict {
        func mustBeBoolean(_ value: Value) throws -> Bool {
            guard case .boolean(let holds) = value else {
                throw Diagnostic(
                    "expect needs a condition that is true or false, got \(value.typeName) \(value.debugText)",
                    at: condition.range)
            }
            return holds
        }
        let scope = commandScope
        guard case .binary(let op, _, _) = condition.syntax.kind, op.isComparison, let (left, right) = condition.sides
        else {
            let holds = try mustBeBoolean(try condition.evaluate(self, scope))
            let negated: Bool
            if case .unary(.not, _) = condition.syntax.kind { negated = true } else { negated = false }
            return Verdict(
                held: holds, got: nil, expected: nil, explanation: holds || negated ? nil : "the condition was false")
        }
        let actual = try left.evaluate(self, scope)
        let expected = try right.evaluate(self, scope)
        let holds = try mustBeBoolean(try combine(op, actual, expected, at: condition.range, rightRange: right.range))
        let source = condition.range.file.text(left.range)
        // Two addresses are compared in hex (`shared is 0x20d000, expected 0x209000`).
        let isAddress = NumberDisplay.isAddress(left.syntax) || NumberDisplay.isAddress(right.syntax)
        let got = NumberDisplay.text(actual, isAddress: isAddress, mode: hexDisplay, quoted: true)
        let other = NumberDisplay.text(expected, isAddress: isAddress, mode: hexDisplay, quoted: true)
        let explanation: String
        switch op {
        case .equal: explanation = "\(source) is \(got), expected \(other)"
        case .notEqual: explanation = "\(source) is \(got), expected anything else"
        default: explanation = "\(source) is \(got), expected \(op.rawValue) \(other)"
        }
        let wanted = op == .equal ? other : "\(op.rawValue) \(other)"
        return Verdict(held: holds, got: got, expected: wanted, explanation: holds ? nil : explanation)
    }

    /// Counts, prints and hands to the grader one decided expectation; a
    /// failure's `detail` is printed under it.
    func recordExpectation(
        label: String, held: Bool, points: UInt64?, got: String?, expected: String?, detail: String?,
        at range: SourceRange
    ) {
        // Only the tests file's expects count toward a grade; a submission's are feedback.
        if submissionDepth == 0, !isUntrusted(range) {
            grading?.record(
                ExpectationRecord(
                    label: label, held: held, points: points, got: got, expected: expected, detail: detail,
                    range: range))
        }
        if held {
            expectationsPassed += 1
            output.write("expect ok: \(label)\n")
            return
        }
        expectationsFailed += 1
        let notes = detail.map { [$0] } ?? []
        output.writeDiagnostic(Diagnostic(label, at: range, severity: .expectationFailed, notes: notes).render())
    }

    /// `path` as a script named `script` means it: a relative path starts
    /// from the script's folder; typed or piped code (`<stdin>`) starts from here.
    static func path(_ path: String, besideScript script: String) -> String {
        guard !path.hasPrefix("/"), !script.hasPrefix("<") else { return path }
        let folder = (script as NSString).deletingLastPathComponent
        return folder.isEmpty ? path : (folder as NSString).appendingPathComponent(path)
    }

    /// Runs another file at top level. Relative paths start from the including file's directory.
    func include(_ path: String, from range: SourceRange) throws {
        let includer = range.file.name
        let resolved: String
        let text: String
        if let sandbox, sandbox.isUntrusted(includer) {
            do {
                (resolved, text) = try sandbox.include(path, from: includer)
            } catch {
                throw Diagnostic(error.message, at: range)
            }
        } else {
            guard path.hasSuffix(".vml") else {
                throw Diagnostic("include takes vmlab scripts (.vml files), not '\(path)'", at: range)
            }
            resolved = Self.path(path, besideScript: includer)
            do {
                text = try ScriptLoader.read(resolved)
            } catch let failure as ScriptLoader.Failure {
                throw Diagnostic(failure.message, at: range)
            }
        }
        guard includeStack.count < limits.maximumIncludeDepth else {
            throw Diagnostic("includes nested deeper than \(limits.maximumIncludeDepth)", at: range)
        }
        guard !includeStack.contains(resolved) else {
            throw Diagnostic("'\(path)' includes itself (through \(includeStack.joined(separator: " -> ")))", at: range)
        }
        let file = SourceFile(name: resolved, text: text)
        let (program, diagnostics) = Parser.parse(file, registry: registry)
        guard diagnostics.isEmpty else { throw ProgramErrors(diagnostics: diagnostics) }
        // The included file's lines run at top level: its lets are globals.
        let compiled = try compile(program.statements, unknownNames: unknownNames)
        includeStack.append(resolved)
        defer { includeStack.removeLast() }
        let top = Scope(parent: nil, count: compiled.topLevelSlots)
        let caller = state.pointee.scope
        defer {
            top.clear()
            state.pointee.scope = caller
        }
        for statement in compiled.statements { _ = try statement(self, top) }
    }
}

/// Reads script files with errors a student can act on. Only regular files
/// and standard input are read (a FIFO with no writer would block forever, a
/// device has no end), at most 16 MiB, and text that is not UTF-8 is refused
/// at the line and column of its first bad byte.
public enum ScriptLoader {
    public struct Failure: Error {
        public let message: String
    }

    /// Scripts larger than this are refused rather than read into memory.
    public static let maximumBytes = 16 << 20

    /// Paths that mean standard input.
    static let standardInputNames: Set<String> = ["-", "/dev/stdin"]

    public static func read(_ path: String) throws -> String {
        if standardInputNames.contains(path) { return try readStandardInput(name: path) }
        return try read(HostPath(path))
    }

    /// How messages and diagnostics name the file at `path`.
    public static func displayName(_ path: String) -> String {
        standardInputNames.contains(path) ? path : HostPath(path).display
    }

    public static func read(_ path: HostPath) throws -> String {
        try decode(try readBytes(path, maximumBytes: maximumBytes), name: path.display)
    }

    /// The bytes of a regular file (never a FIFO, device or folder), at
    /// most `maximumBytes`: scripts here, traces for `replay`.
    static func readBytes(_ path: HostPath, maximumBytes: Int) throws(Failure) -> [UInt8] {
        let (descriptor, size) = try openRegularFile(path, maximumBytes: maximumBytes)
        defer { close(descriptor) }
        return try readAll(descriptor, name: path.display, maximumBytes: maximumBytes, expected: size)
    }

    /// Opens a regular file of at most `maximumBytes` for reading: its
    /// descriptor (the caller closes it) and its size.
    static func openRegularFile(_ path: HostPath, maximumBytes: Int) throws(Failure) -> (Int32, Int) {
        let name = path.display
        guard !path.containsNUL else { throw Failure(message: "a file name cannot contain a NUL byte") }
        var info = stat()
        guard path.withCString({ stat($0, &info) }) == 0 else {
            throw Failure(message: "cannot open '\(name)': \(String(cString: strerror(errno)).lowercased())")
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: throw Failure(message: "cannot open '\(name)': it is a directory")
        default: throw Failure(message: "cannot open '\(name)': not a regular file (a pipe, device or socket)")
        }
        guard info.st_size <= maximumBytes else { throw tooLarge(name, maximumBytes) }
        let descriptor = path.withCString { open($0, O_RDONLY | O_NONBLOCK) }
        guard descriptor >= 0 else { throw Failure(message: "cannot read '\(name)'") }
        return (descriptor, Int(info.st_size))
    }

    /// All of standard input, with the same limits as a file.
    public static func readStandardInput(name: String = "<stdin>") throws -> String {
        try decode(try readAll(0, name: name), name: name)
    }

    static func readAll(_ descriptor: Int32, name: String, maximumBytes: Int = maximumBytes, expected: Int = 0)
        throws(Failure) -> [UInt8]
    {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(expected)
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = Foundation.read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw Failure(message: "cannot read '\(name)': \(String(cString: strerror(errno)))") }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > maximumBytes { throw tooLarge(name, maximumBytes) }
        }
    }

    private static func tooLarge(_ name: String, _ maximumBytes: Int) -> Failure {
        maximumBytes == Self.maximumBytes
            ? Failure(message: "'\(name)' is larger than \(maximumBytes >> 20) MiB; is it really a script?")
            : Failure(message: "'\(name)' is larger than \(maximumBytes >> 20) MiB")
    }

    /// The text, or where its first byte that is not UTF-8 is.
    static func decode(_ bytes: [UInt8], name: String) throws -> String {
        if let text = String(validating: bytes, as: UTF8.self) { return text }
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: break loop
            case .error: break loop
            }
        }
        let line = bytes[..<offset].reduce(1) { $0 + ($1 == UInt8(ascii: "\n") ? 1 : 0) }
        let lineStart = bytes[..<offset].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let column = bytes[lineStart..<offset].reduce(1) { $0 + ($1 & 0xC0 == 0x80 ? 0 : 1) }
        let byte = offset < bytes.count ? bytes[offset] : 0
        throw Failure(
            message: "\(name):\(line):\(column): error: not UTF-8 text (byte 0x\(String(byte, radix: 16)) here); vmlab reads UTF-8 only")
    }
}
