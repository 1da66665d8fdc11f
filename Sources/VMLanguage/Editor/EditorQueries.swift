import VMMachine

/// The answers an editor shows beside a script: hover text and completions.
/// Completion is the shell's (Completer: the command registry, options,
/// members after `last.` or `cpu.`) plus the names the document declares
/// where the cursor is; hover is a command's `help` text, a name's
/// declaration, or a number in hex and binary with its fields in the
/// address format of the document's machine.
extension DocumentAnalysis {
    /// Completions at `offset`: the text being completed and its candidates, sorted.
    public func completions(at offset: Int, interpreter: Interpreter) -> Completer.Result {
        let lineStart = file.bytes[..<min(offset, file.bytes.count)].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        let before = String(decoding: file.bytes[lineStart..<min(offset, file.bytes.count)], as: UTF8.self)
        let shell = Completer.complete(before, interpreter: interpreter)
        guard !shell.isPath, !shell.word.contains(".") else { return shell }
        let declared = names(visibleAt: offset).map(\.name).filter { $0.hasPrefix(shell.word) && $0 != shell.word }
        return Completer.Result(word: shell.word, candidates: Set(shell.candidates + declared).sorted())
    }

    /// Hover text at `offset`, or nil where there is nothing to say.
    public func hover(at offset: Int, architecture: (SourceRange?) -> Architecture) -> String? {
        if let command = commands.first(where: { $0.range.contains(offset) }) {
            return HelpText.details(command.command)
        }
        if let number = integers.first(where: { $0.range.contains(offset) }) {
            let machine = machineStatements.last { $0.end <= number.range.start }
            return Self.describe(number.value, in: architecture(machine))
        }
        if let declaration = definition(at: offset) {
            let (line, column) = declaration.range.position
            return "\(declaration.kind.rawValue) \(declaration.name), declared at \(file.name):\(line):\(column)"
        }
        return nil
    }

    /// A number in decimal, hex and binary, and as a virtual address of
    /// `architecture`: each level's table index and the page offset.
    public static func describe(_ value: UInt64, in architecture: Architecture) -> String {
        var text = "\(value) = \(Format.hex(value)) = 0b\(String(value, radix: 2))\n"
        let bits = architecture.virtualBits
        guard bits >= 64 || value < 1 << UInt64(bits) || architecture.signExtended else {
            return text + "wider than \(architecture.name)'s \(bits)-bit virtual addresses\n"
        }
        let fields = (1...architecture.levels).reversed().map {
            "\(architecture.levelName($0)) \(architecture.index(of: value, level: $0))"
        }
        text += "as a \(architecture.name) virtual address: " + fields.joined(separator: ", ")
            + ", offset \(Format.hex(value & (architecture.pageSize - 1)))\n"
        return text
    }
}
