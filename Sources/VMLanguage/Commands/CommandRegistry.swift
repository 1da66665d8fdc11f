import VMMachine

/// How the parser reads one argument of a command.
public enum ParameterKind: Sendable, Equatable {
    /// Any expression; the handler checks the value's type.
    case expression
    /// A bare name, not evaluated (`spawn A`, `help map`).
    case identifier
    /// One of a fixed set of bare words (`show tlb`, `rw`).
    case word([String])
}

public struct ParameterSpec: Sendable {
    /// The placeholder shown in usage lines (`PROC`, `ADDR`).
    public let placeholder: String
    public let kind: ParameterKind
    public let isOptional: Bool
    /// Takes every remaining argument (`print A, B, C`).
    public let isVariadic: Bool
    /// What completion offers here.
    public let completion: CompletionHint
    /// The name read here becomes a top-level name (`spawn A` binds `A`), so
    /// the resolver counts it as declared.
    public let binds: Bool

    public init(
        _ placeholder: String, _ kind: ParameterKind = .expression, optional: Bool = false,
        variadic: Bool = false, completion: CompletionHint = .none, binds: Bool = false
    ) {
        self.placeholder = placeholder
        self.binds = binds
        self.kind = kind
        self.isOptional = optional || variadic
        self.isVariadic = variadic
        self.completion = completion
    }
}

public struct OptionSpec: Sendable {
    public let name: String
    public let kind: ParameterKind
    public let placeholder: String
    public let help: String

    public init(_ name: String, _ kind: ParameterKind = .expression, placeholder: String, help: String) {
        self.name = name
        self.kind = kind
        self.placeholder = placeholder
        self.help = help
    }
}

/// What tab completion should offer for an argument.
public enum CompletionHint: Sendable, Equatable {
    case none
    case process
    case commandName
    case path
    case words
}

/// Whether a command is followed by a `{ … }` block.
public enum BlockUse: Sendable {
    case none
    case optional
    case required
}

public typealias CommandHandler = @Sendable (Interpreter, BoundCommand) throws -> Void

/// One command, declared once: the parser, `help`, `apropos` and completion
/// all read it from here. A class: every call of the command shares it.
public final class CommandSpec: Sendable {
    public let name: String
    public let summary: String
    public let details: String
    public let parameters: [ParameterSpec]
    public let options: [OptionSpec]
    public let block: BlockUse
    /// Whether it acts through the kernel model (processes, regions, system
    /// calls): refused, with the reason, on a textbook machine.
    public let needsKernel: Bool
    /// The architecture whose instruction the command is (x86's invlpg,
    /// RISC-V's sfence.vma): refused, naming the other's, on the other.
    public let instructionSet: EntryEncoding?
    let handler: CommandHandler

    public init(
        name: String, summary: String, details: String = "", parameters: [ParameterSpec] = [],
        options: [OptionSpec] = [], block: BlockUse = .none, needsKernel: Bool = false,
        instructionSet: EntryEncoding? = nil, handler: @escaping CommandHandler
    ) {
        self.needsKernel = needsKernel
        self.instructionSet = instructionSet
        self.name = name
        self.summary = summary
        self.details = details
        self.parameters = parameters
        self.options = options
        self.block = block
        self.handler = handler
    }

    public func option(named name: String) -> OptionSpec? {
        options.first { $0.name == name }
    }

    /// `map PROC ADDR [PROT] [size=SIZE] [prot=PROT]`
    public var usage: String {
        var parts = [name]
        for parameter in parameters {
            var text = parameter.placeholder
            if parameter.isVariadic { text += ", …" }
            parts.append(parameter.isOptional ? "[\(text)]" : text)
        }
        for option in options { parts.append("[\(option.name)=\(option.placeholder)]") }
        switch block {
        case .none: break
        case .optional: parts.append("[{ … }]")
        case .required: parts.append("{ … }")
        }
        return parts.joined(separator: " ")
    }
}

public struct CommandRegistry: Sendable {
    public let commands: [CommandSpec]
    /// The commands under the headings `help` lists them by.
    public let groups: [(title: String, commands: [CommandSpec])]
    private let byName: [String: Int]

    public init(_ commands: [CommandSpec]) {
        self.init(groups: [("Commands", commands)])
    }

    public init(groups: [(title: String, commands: [CommandSpec])]) {
        self.groups = groups
        let commands = groups.flatMap(\.commands)
        self.commands = commands
        var index: [String: Int] = [:]
        for (position, command) in commands.enumerated() {
            precondition(index[command.name] == nil, "command \(command.name) declared twice")
            index[command.name] = position
        }
        byName = index
    }

    public func command(named name: String) -> CommandSpec? {
        byName[name].map { commands[$0] }
    }

    public var names: [String] { commands.map(\.name) }
}

/// The closest of `candidates` to `word`, if close enough to be a likely
/// typo. Ties go to the candidate of the same length, then to the first.
public func closestMatch(to word: String, in candidates: [String]) -> String? {
    // The edit distance costs the product of the lengths: long names get no suggestion.
    guard word.utf8.count <= maximumSuggestedLength else { return nil }
    let limit = max(1, word.count / 3)
    var best: (name: String, score: (Int, Int))?
    for candidate in candidates where candidate.utf8.count <= maximumSuggestedLength {
        let distance = editDistance(word.lowercased(), candidate.lowercased())
        let score = (distance, abs(candidate.count - word.count))
        if distance <= limit, best == nil || score < best!.score { best = (candidate, score) }
    }
    return best?.name
}

/// Names longer than this (in bytes) are neither given nor offered as "did you mean" suggestions.
public let maximumSuggestedLength = 64

/// Edit distance counting a swap of two neighbours as one edit (optimal
/// string alignment), since "tbl" for "tlb" is one slip of the fingers.
func editDistance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    if a.isEmpty { return b.count }
    if b.isEmpty { return a.count }
    var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
    for i in 0...a.count { table[i][0] = i }
    for j in 0...b.count { table[0][j] = j }
    for i in 1...a.count {
        for j in 1...b.count {
            let cost = a[i - 1] == b[j - 1] ? 0 : 1
            table[i][j] = min(table[i - 1][j] + 1, table[i][j - 1] + 1, table[i - 1][j - 1] + cost)
            if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                table[i][j] = min(table[i][j], table[i - 2][j - 2] + 1)
            }
        }
    }
    return table[a.count][b.count]
}
