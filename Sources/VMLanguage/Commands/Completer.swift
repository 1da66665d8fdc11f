import Foundation

/// Tab completion for the shell, from the command registry and the live
/// session: commands and keywords at the start of a statement, then each
/// argument as its parameter declares it (topics and other word choices,
/// process names, command names, file paths), `key=` options, the values of
/// word options, variables, and members after a `.`.
public enum Completer {
    public struct Result: Equatable, Sendable {
        /// The text being completed (the end of the line before the cursor).
        public let word: String
        /// Whole replacements for `word`, sorted.
        public let candidates: [String]
        /// The word is a file path inside an open string (close the string after a file).
        public var isPath = false
    }

    static let keywords = ["def", "else", "for", "if", "let", "repeat", "return", "while"]

    /// Completions for the end of `line` (the text before the cursor).
    public static func complete(_ line: String, interpreter: Interpreter, fileSystem: FileManager = .default) -> Result {
        let statement = currentStatement(line)
        if let quote = openStringStart(statement) {
            let partial = String(statement[quote...].dropFirst())
            return Result(word: partial, candidates: paths(matching: partial, fileSystem: fileSystem), isPath: true)
        }
        let word = String(statement.reversed().prefix { isWordCharacter($0) }.reversed())
        let before = statement.dropLast(word.count)
        let earlier = before.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "," }).map(String.init)
        let candidates: [String]
        if let dot = word.lastIndex(of: ".") {
            candidates = members(of: String(word[..<dot]), interpreter: interpreter).map { String(word[...dot]) + $0 }
        } else if earlier.isEmpty {
            candidates = interpreter.registry.names + keywords + interpreter.globalNames + Builtins.reservedNames
        } else if let command = interpreter.registry.command(named: earlier[0]) {
            candidates = arguments(of: command, earlier: Array(earlier.dropFirst()), word: word, interpreter: interpreter)
        } else {
            candidates = interpreter.globalNames + Builtins.reservedNames + ["true", "false", "and", "or", "not"]
        }
        return Result(word: word, candidates: Set(candidates.filter { $0.hasPrefix(word) }).sorted())
    }

    /// The characters the completed word may contain.
    private static func isWordCharacter(_ character: Character) -> Bool {
        character.isLetter || character.isNumber || character == "_" || character == "." || character == "="
            || character == "[" || character == "]"
    }

    /// The text after the last statement boundary (`;`, `{`, `}`) outside a string.
    private static func currentStatement(_ line: String) -> Substring {
        var start = line.startIndex
        var inString = false
        var index = line.startIndex
        while index < line.endIndex {
            let character = line[index]
            if character == "\"" { inString.toggle() }
            if !inString && (character == ";" || character == "{" || character == "}") {
                start = line.index(after: index)
            }
            index = line.index(after: index)
        }
        return line[start...].drop { $0 == " " || $0 == "\t" }
    }

    /// Where an unclosed string literal starts, if the line ends inside one.
    private static func openStringStart(_ statement: Substring) -> Substring.Index? {
        var open: Substring.Index?
        var index = statement.startIndex
        while index < statement.endIndex {
            if statement[index] == "\"" { open = open == nil ? index : nil }
            index = statement.index(after: index)
        }
        return open
    }

    private static func arguments(of command: CommandSpec, earlier: [String], word: String, interpreter: Interpreter)
        -> [String]
    {
        if let equals = word.firstIndex(of: "=") {
            let name = String(word[..<equals])
            guard case .word(let choices)? = command.option(named: name)?.kind else { return [] }
            return choices.map { name + "=" + $0 }
        }
        let positional = earlier.filter { !$0.contains("=") }
        let used = Set(earlier.compactMap { $0.split(separator: "=").first.map(String.init) })
        var candidates = command.options.filter { !used.contains($0.name) }.map { $0.name + "=" }
        let parameter =
            positional.count < command.parameters.count
            ? command.parameters[positional.count] : command.parameters.last.flatMap { $0.isVariadic ? $0 : nil }
        guard let parameter else { return candidates }
        if case .word(let choices) = parameter.kind { candidates += choices }
        switch parameter.completion {
        case .process: candidates += processNames(interpreter)
        case .commandName: candidates += interpreter.registry.names
        case .none, .path, .words: break
        }
        if parameter.kind == .expression && parameter.completion != .process {
            candidates += interpreter.globalNames + Builtins.reservedNames
        }
        return candidates
    }

    /// Names bound to live processes and kernel threads.
    private static func processNames(_ interpreter: Interpreter) -> [String] {
        interpreter.globalNames.filter {
            switch interpreter.globalValue($0) {
            case .process(let reference)?: return (try? interpreter.liveProcess(reference)) != nil
            case .thread(let reference)?: return (try? interpreter.liveThread(reference)) != nil
            default: return false
            }
        }
    }

    /// Members of `base`: a name or `cpu[N]`, then members. Getters only read
    /// state, so walking them has no effects; anything else completes to nothing.
    private static func members(of base: String, interpreter: Interpreter) -> [String] {
        let parts = base.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var value: Value?
        if parts[0].hasPrefix("cpu[") && parts[0].hasSuffix("]") {
            value = .object(.cpu(core: Int32(interpreter.currentCore), generation: Int32(truncatingIfNeeded: interpreter.machineGeneration)))
        } else {
            value = interpreter.globalValue(parts[0]) ?? Builtins.object(named: parts[0]).map(Value.object)
        }
        for part in parts.dropFirst() {
            guard let current = value, let getter = Builtins.members(of: current).first(where: { $0.0 == part })?.1
            else { return [] }
            value = try? getter(interpreter, current)
        }
        guard let value else { return [] }
        var names = Builtins.members(of: value).map(\.0)
        if case .process(let reference) = value, let process = try? interpreter.liveProcess(reference) {
            names += process.threads.compactMap { interpreter.machine.thread($0)?.name }
        }
        return names
    }

    /// Files and directories starting with `partial`; directories end in "/".
    private static func paths(matching partial: String, fileSystem: FileManager) -> [String] {
        let slash = partial.lastIndex(of: "/")
        let directory = slash.map { String(partial[...$0]) } ?? ""
        let prefix = slash.map { String(partial[partial.index(after: $0)...]) } ?? partial
        let listed = directory.isEmpty ? "." : directory
        guard let names = try? fileSystem.contentsOfDirectory(atPath: listed) else { return [] }
        return names.filter { $0.hasPrefix(prefix) && (!$0.hasPrefix(".") || prefix.hasPrefix(".")) }.map { name in
            var isDirectory: ObjCBool = false
            let path = directory + name
            _ = fileSystem.fileExists(atPath: directory.isEmpty ? name : path, isDirectory: &isDirectory)
            return isDirectory.boolValue ? path + "/" : path
        }
    }
}
