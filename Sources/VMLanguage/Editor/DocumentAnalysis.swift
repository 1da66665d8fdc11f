import Foundation

/// What an editor asks about one script, worked out without running it: the
/// diagnostics `vmlab check` prints, the names it declares and where each is
/// visible, the uses of names, its includes, and its outline (`def`, `test`,
/// `setup`). The language server and the notebook kernel ask through here,
/// so both say what `vmlab check` says.
public struct DocumentAnalysis {
    public let file: SourceFile
    public let program: Program
    /// Syntax errors, or when the script parses, the resolver's (names nothing defines).
    public let diagnostics: [Diagnostic]
    public private(set) var declarations: [Declaration] = []
    public private(set) var uses: [Use] = []
    public private(set) var symbols: [Symbol] = []
    /// Command names as written, for hover.
    public private(set) var commands: [(command: CommandSpec, range: SourceRange)] = []
    /// Integer literals, for hover.
    public private(set) var integers: [(value: UInt64, range: SourceRange)] = []
    /// `include "PATH"`: the path as written, and its string's range.
    public private(set) var includes: [(path: String, range: SourceRange)] = []
    /// `machine …` statements at the top level, in order (hover reads numbers in the last one's format).
    public private(set) var machineStatements: [SourceRange] = []

    public struct Declaration: Sendable {
        public enum Kind: String, Sendable {
            case variable, function, parameter, loopVariable = "loop variable"
        }
        public let name: String
        public let kind: Kind
        /// The name where it is declared.
        public let range: SourceRange
        /// Offsets where the name means this declaration.
        public let visible: Range<Int>
    }

    public struct Use: Sendable {
        public let name: String
        public let range: SourceRange
    }

    public struct Symbol: Sendable {
        public enum Kind: Sendable { case function, test, setup }
        public let name: String
        public let kind: Kind
        /// The whole statement, and the part that names it.
        public let range: SourceRange
        public let selectionRange: SourceRange
    }

    public init(text: String, name: String, registry: CommandRegistry = .standard) {
        let file = SourceFile(name: name, text: text)
        self.file = file
        let (program, syntaxErrors) = Parser.parse(file, registry: registry)
        self.program = program
        diagnostics =
            syntaxErrors.isEmpty
            ? Resolver.resolve(program.statements, registry: registry).diagnostics : syntaxErrors
        let whole = 0..<(file.bytes.count + 1)
        for statement in program.statements {
            visit(statement, visible: whole, topLevel: true)
        }
    }

    // MARK: Questions

    /// The declaration a use (or the declaration itself) at `offset` refers
    /// to: among those of its name visible there, the innermost, and of
    /// those the last one before it.
    public func definition(at offset: Int) -> Declaration? {
        let name: String
        if let use = uses.first(where: { $0.range.contains(offset) }) {
            name = use.name
        } else if let declaration = declarations.first(where: { $0.range.contains(offset) }) {
            return declaration
        } else {
            return nil
        }
        let candidates = declarations.filter { $0.name == name && $0.visible.contains(offset) }
        guard let innermost = candidates.map({ $0.visible.count }).min() else { return nil }
        let inner = candidates.filter { $0.visible.count == innermost }
        return inner.last { $0.range.start <= offset } ?? inner.first
    }

    /// The include whose path string holds `offset`.
    public func include(at offset: Int) -> (path: String, range: SourceRange)? {
        includes.first { $0.range.contains(offset) }
    }

    /// The names a statement at `offset` can read.
    public func names(visibleAt offset: Int) -> [Declaration] {
        declarations.filter { $0.visible.contains(offset) }
    }

    // MARK: Walking the tree

    private mutating func visit(_ statement: Statement, visible: Range<Int>, topLevel: Bool) {
        let range = statement.range
        // What a name declared here is visible over: a global everywhere, a local from here to its block's end.
        let local = range.start..<visible.upperBound
        switch statement.kind {
        case .letBinding(let name, let expression):
            visit(expression)
            declare(name, .variable, after: "let", in: range, visible: topLevel ? visible : local)
        case .assignment(let name, let expression):
            if let nameRange = nameRange(name, after: nil, in: range) { uses.append(Use(name: name, range: nameRange)) }
            visit(expression)
        case .ifElse(let arms, let otherwise):
            for arm in arms {
                visit(arm.condition)
                visit(arm.body)
            }
            if let otherwise { visit(otherwise) }
        case .forIn(let name, let sequence, let body):
            visit(sequence)
            declare(name, .loopVariable, after: "for", in: range, visible: body.range.start..<body.range.end)
            visit(body)
        case .whileLoop(let condition, let body), .repeatLoop(let condition, let body):
            visit(condition)
            visit(body)
        case .functionDeclaration(let declaration):
            // A function may call itself and be called from above it: its name is visible over its whole block.
            declare(declaration.name, .function, after: "def", in: range, visible: visible)
            if let nameRange = nameRange(declaration.name, after: "def", in: range) {
                symbols.append(Symbol(name: declaration.name, kind: .function, range: range, selectionRange: nameRange))
            }
            let body = declaration.body.range.start..<declaration.body.range.end
            var searchFrom = nameRange(declaration.name, after: "def", in: range)?.end ?? range.start
            for parameter in declaration.parameters {
                if let parameterRange = nameRange(parameter, from: searchFrom, before: declaration.body.range.start) {
                    declarations.append(
                        Declaration(name: parameter, kind: .parameter, range: parameterRange, visible: body))
                    searchFrom = parameterRange.end
                }
            }
            visit(declaration.body)
        case .returnValue(let value):
            if let value { visit(value) }
        case .block(let block):
            visit(block)
        case .command(let call):
            visit(call, statement: range, topLevel: topLevel)
        case .expression(let expression):
            visit(expression)
        }
    }

    private mutating func visit(_ block: Block) {
        let visible = block.range.start..<block.range.end
        for statement in block.statements { visit(statement, visible: visible, topLevel: false) }
    }

    private mutating func visit(_ call: CommandCall, statement: SourceRange, topLevel: Bool) {
        commands.append((call.command, call.nameRange))
        for argument in call.arguments {
            if case .expression(let expression) = argument { visit(expression) }
        }
        for option in call.options {
            if case .expression(let expression) = option.value { visit(expression) }
        }
        switch call.command.name {
        case "include":
            if case .expression(let expression)? = call.arguments.first, case .string(let path) = expression.kind {
                includes.append((path, expression.range))
            }
        case "machine" where topLevel:
            machineStatements.append(statement)
        case "test", "setup":
            let kind: Symbol.Kind = call.command.name == "test" ? .test : .setup
            var title = call.command.name
            if case .expression(let expression)? = call.arguments.first, case .string(let name) = expression.kind {
                title += " \"\(name)\""
            }
            symbols.append(Symbol(name: title, kind: kind, range: statement, selectionRange: call.nameRange))
        default:
            break
        }
        if let block = call.block { visit(block) }
    }

    private mutating func visit(_ expression: Expression) {
        switch expression.kind {
        case .integer(let value):
            integers.append((value, expression.range))
        case .string, .boolean:
            break
        case .name(let name):
            uses.append(Use(name: name, range: expression.range))
        case .unary(_, let operand), .member(let operand, _):
            visit(operand)
        case .binary(_, let left, let right), .index(let left, let right):
            visit(left)
            visit(right)
        case .call(let name, let arguments):
            if let nameRange = nameRange(name, after: nil, in: expression.range) {
                uses.append(Use(name: name, range: nameRange))
            }
            for argument in arguments { visit(argument) }
        }
    }

    private mutating func declare(
        _ name: String, _ kind: Declaration.Kind, after keyword: String, in statement: SourceRange, visible: Range<Int>
    ) {
        guard let range = nameRange(name, after: keyword, in: statement) else { return }
        declarations.append(Declaration(name: name, kind: kind, range: range, visible: visible))
    }

    /// Where `name` is written in `statement`: the first whole word after `keyword` (or from its start).
    private func nameRange(_ name: String, after keyword: String?, in statement: SourceRange) -> SourceRange? {
        var from = statement.start
        if let keyword, let keywordRange = nameRange(keyword, from: from, before: statement.end) {
            from = keywordRange.end
        }
        return nameRange(name, from: from, before: statement.end)
    }

    private func nameRange(_ name: String, from start: Int, before end: Int) -> SourceRange? {
        let bytes = file.bytes
        let word = Array(name.utf8)
        guard !word.isEmpty, end <= bytes.count else { return nil }
        func isWordByte(_ byte: UInt8) -> Bool {
            byte == UInt8(ascii: "_") || (byte >= 0x30 && byte <= 0x39) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x7A)
                || byte >= 0x80
        }
        var offset = start
        while offset + word.count <= end {
            if bytes[offset..<offset + word.count].elementsEqual(word),
                offset == 0 || !isWordByte(bytes[offset - 1]),
                offset + word.count == bytes.count || !isWordByte(bytes[offset + word.count])
            {
                return SourceRange(file: file, start: offset, end: offset + word.count)
            }
            offset += 1
        }
        return nil
    }
}

extension SourceRange {
    /// Whether `offset` is inside the range or just at its end (where a cursor after a word is).
    public func contains(_ offset: Int) -> Bool { offset >= start && offset <= end }
}
