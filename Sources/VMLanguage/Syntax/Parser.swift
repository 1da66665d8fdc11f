/// A recursive-descent parser, one method per grammar rule (see
/// Grammar/vmlab.ebnf), with a Pratt parser for expressions
/// (Parser+Expressions.swift). On an error it records a diagnostic, skips to
/// the end of the statement and goes on, so one run reports every error.
public struct Parser {
    public static let maximumNesting = 200
    /// Levels of one expression's tree (operator, member and index chains included).
    public static let maximumExpressionDepth = 1_000
    public static let maximumErrors = 50

    private let file: SourceFile
    let registry: CommandRegistry
    let stream: TokenStream
    let tokens: [Token]
    var position = 0
    var diagnostics: [Diagnostic]
    var nesting = 0
    private var functionDepth = 0
    /// The command whose block is being parsed: `return` cannot leave it.
    private var commandBlock: String?

    /// Thrown after a diagnostic is recorded, to unwind to the statement level.
    struct Abort: Error {}

    public static func parse(_ file: SourceFile, registry: CommandRegistry) -> (
        program: Program, diagnostics: [Diagnostic]
    ) {
        let (stream, lexerDiagnostics) = Lexer.tokenize(file)
        var parser = Parser(file: file, registry: registry, stream: stream, diagnostics: lexerDiagnostics)
        let statements = parser.statementList(until: .endOfInput)
        let sorted = parser.diagnostics.enumerated().sorted {
            ($0.element.range.start, $0.offset) < ($1.element.range.start, $1.offset)
        }.map(\.element)
        return (Program(file: file, statements: statements), Array(sorted.prefix(maximumErrors)))
    }

    /// Whether `file` stops inside something it opened: a `{`, `(` or `[`
    /// without its closer, or a string or comment that runs to the end. An
    /// interactive front end reads another line then; anything else (a
    /// command missing its argument, `let x =`) is an error at once.
    public static func isUnfinished(_ file: SourceFile) -> Bool {
        let (stream, diagnostics) = Lexer.tokenize(file)
        if diagnostics.contains(where: \.atEndOfInput) { return true }
        var depth = 0
        for token in stream.tokens {
            switch token.kind {
            case .leftBrace, .leftParen, .leftBracket: depth += 1
            case .rightBrace, .rightParen, .rightBracket: depth -= 1
            default: break
            }
        }
        return depth > 0
    }

    private init(file: SourceFile, registry: CommandRegistry, stream: TokenStream, diagnostics: [Diagnostic]) {
        self.file = file
        self.registry = registry
        self.stream = stream
        tokens = stream.tokens
        self.diagnostics = diagnostics
    }

    // MARK: Token helpers (match / check / advance / expect)

    var current: Token { tokens[position] }

    func peek(_ ahead: Int = 1) -> Token {
        tokens[min(position + ahead, tokens.count - 1)]
    }

    func check(_ kind: TokenKind) -> Bool { current.kind == kind }

    /// A name's spelling or a string's contents.
    func text(_ token: Token) -> String { stream.text(of: token) }

    @discardableResult
    mutating func advance() -> Token {
        let token = tokens[position]
        if position < tokens.count - 1 { position += 1 }
        return token
    }

    mutating func match(_ kind: TokenKind) -> Bool {
        guard check(kind) else { return false }
        advance()
        return true
    }

    func range(of token: Token) -> SourceRange {
        SourceRange(file: file, start: token.start, end: token.end)
    }

    func range(from start: Token) -> SourceRange {
        let last = tokens[max(0, position - 1)]
        return SourceRange(file: file, start: start.start, end: max(start.end, last.end))
    }

    /// True if only line ends remain: the problem is input that stopped early.
    func isAtEndOfInput(_ index: Int) -> Bool {
        tokens[index...].allSatisfy { $0.kind == .newline || $0.kind == .endOfInput }
    }

    mutating func error(_ message: String, at token: Token, notes: [String] = []) -> Abort {
        let index = tokens.firstIndex { $0.start == token.start && $0.kind == token.kind } ?? position
        // A line end has no text of its own: point just past the line.
        let place =
            token.kind == .newline ? SourceRange(file: file, start: token.start, end: token.start) : range(of: token)
        diagnostics.append(Diagnostic(message, at: place, notes: notes, atEndOfInput: isAtEndOfInput(index)))
        return Abort()
    }

    mutating func error(_ message: String, at range: SourceRange, notes: [String] = []) -> Abort {
        diagnostics.append(Diagnostic(message, at: range, notes: notes))
        return Abort()
    }

    func describe(_ token: Token) -> String {
        switch token.kind {
        case .identifier: return "'\(text(token))'"
        case .integer: return "integer \(file.text(range(of: token)))"
        case .string: return "string"
        default: return token.kind.spelling
        }
    }

    @discardableResult
    mutating func expect(_ kind: TokenKind, _ context: String) throws -> Token {
        guard check(kind) else { throw error("expected \(kind.spelling) \(context), found \(describe(current))", at: current) }
        return advance()
    }

    mutating func enterNesting(at token: Token) throws {
        nesting += 1
        if nesting > Self.maximumNesting {
            throw error("nesting is deeper than \(Self.maximumNesting) levels", at: token)
        }
    }

    var isAtTerminator: Bool {
        switch current.kind {
        case .newline, .semicolon, .rightBrace, .endOfInput: return true
        default: return false
        }
    }

    /// Panic-mode recovery: skip to the end of the current statement, stepping
    /// over whole `{ … }` groups, and stop before a `}` that closes an outer block.
    mutating func synchronize() {
        var depth = 0
        while !check(.endOfInput) {
            switch current.kind {
            case .leftBrace:
                depth += 1
            case .rightBrace:
                if depth == 0 { return }
                depth -= 1
            case .newline, .semicolon:
                if depth == 0 {
                    advance()
                    return
                }
            default: break
            }
            advance()
        }
    }

    // MARK: Statements

    /// statement_list = { statement terminator } ;
    mutating func statementList(until end: TokenKind) -> [Statement] {
        var statements: [Statement] = []
        while !check(end) && !check(.endOfInput) {
            if match(.newline) || match(.semicolon) { continue }
            if end == .endOfInput && check(.rightBrace) {
                diagnostics.append(Diagnostic("unexpected '}' with no block open", at: range(of: current)))
                advance()
                continue
            }
            if diagnostics.count >= Self.maximumErrors { break }
            let savedNesting = nesting
            do {
                statements.append(try statement())
                if !isAtTerminator {
                    throw error("expected end of line after statement, found \(describe(current))", at: current)
                }
            } catch {
                nesting = savedNesting
                synchronize()
            }
        }
        return statements
    }

    mutating func statement() throws -> Statement {
        switch current.kind {
        case .let: return try letStatement()
        case .if: return try ifStatement()
        case .for: return try forStatement()
        case .while: return try whileStatement()
        case .repeat: return try repeatStatement()
        case .def: return try functionDeclaration()
        case .return: return try returnStatement()
        case .leftBrace:
            let start = current
            let body = try block(opener: "block")
            return Statement(kind: .block(body), range: range(from: start))
        case .identifier:
            if let command = registry.command(named: text(current)) { return try commandStatement(command) }
            if peek().kind == .assign { return try assignment() }
            return try expressionStatement()
        default:
            return try expressionStatement()
        }
    }

    /// block = "{" statement_list "}" ;
    mutating func block(opener: String) throws -> Block {
        let open = current
        guard check(.leftBrace) else {
            throw error("expected '{' to start the \(opener) body, found \(describe(current))", at: current)
        }
        try enterNesting(at: open)
        advance()
        let statements = statementList(until: .rightBrace)
        guard check(.rightBrace) else {
            let line = file.position(of: open.start).line
            throw error(
                "expected '}' to close the '{' of the \(opener) at line \(line), found \(describe(current))",
                at: current)
        }
        advance()
        nesting -= 1
        return Block(statements: statements, range: range(from: open))
    }

    /// let = "let" NAME "=" expression ;
    mutating func letStatement() throws -> Statement {
        let start = advance()
        let name = try bindableName("after 'let'")
        try expect(.assign, "after the name in 'let'")
        let value = try expression()
        return Statement(kind: .letBinding(name, value), range: range(from: start))
    }

    /// assignment = NAME "=" expression ;
    mutating func assignment() throws -> Statement {
        let start = current
        let name = try bindableName("")
        advance()  // "="
        let value = try expression()
        return Statement(kind: .assignment(name, value), range: range(from: start))
    }

    /// A name that scripts may bind: not a keyword, command, built-in object or function.
    mutating func bindableName(_ context: String) throws -> String {
        let token = current
        guard token.kind == .identifier else {
            let place = context.isEmpty ? "" : " " + context
            throw error("expected a name\(place), found \(describe(token))", at: token)
        }
        if registry.command(named: text(token)) != nil {
            throw error("'\(text(token))' is a command and cannot be used as a name", at: token)
        }
        if Builtins.reservedNames.contains(text(token)) {
            throw error("'\(text(token))' is a built-in name and cannot be rebound", at: token)
        }
        advance()
        return text(token)
    }

    /// if = "if" expression block [ "else" ( if | block ) ] ;
    /// (`else if` arms are read in a loop, not by recursion: a chain of any length is flat.)
    mutating func ifStatement() throws -> Statement {
        let start = advance()
        var arms: [ConditionalArm] = []
        var elseBlock: Block?
        while true {
            let condition = try expression()
            arms.append(ConditionalArm(condition: condition, body: try block(opener: "if")))
            // `else` may start the next line.
            var lookahead = position
            while tokens[lookahead].kind == .newline { lookahead += 1 }
            guard tokens[lookahead].kind == .else else { break }
            position = lookahead
            advance()
            guard match(.if) else {
                elseBlock = try block(opener: "else")
                break
            }
        }
        return Statement(kind: .ifElse(arms, elseBlock), range: range(from: start))
    }

    /// for = "for" NAME "in" expression block ;
    mutating func forStatement() throws -> Statement {
        let start = advance()
        let name = try bindableName("after 'for'")
        try expect(.in, "after the loop variable")
        let sequence = try expression()
        let body = try block(opener: "for loop")
        return Statement(kind: .forIn(name, sequence, body), range: range(from: start))
    }

    /// while = "while" expression block ;
    mutating func whileStatement() throws -> Statement {
        let start = advance()
        let condition = try expression()
        let body = try block(opener: "while loop")
        return Statement(kind: .whileLoop(condition, body), range: range(from: start))
    }

    /// repeat = "repeat" expression block ;
    mutating func repeatStatement() throws -> Statement {
        let start = advance()
        let count = try expression()
        let body = try block(opener: "repeat loop")
        return Statement(kind: .repeatLoop(count, body), range: range(from: start))
    }

    /// def = "def" NAME "(" [ NAME { "," NAME } ] ")" block ;
    mutating func functionDeclaration() throws -> Statement {
        let start = advance()
        let name = try bindableName("after 'def'")
        try expect(.leftParen, "after the function name")
        var parameters: [String] = []
        if !check(.rightParen) {
            repeat {
                let token = current
                let parameter = try bindableName("for a parameter")
                if parameters.contains(parameter) {
                    throw error("parameter '\(parameter)' appears twice", at: token)
                }
                parameters.append(parameter)
            } while match(.comma)
        }
        try expect(.rightParen, "after the parameters")
        functionDepth += 1
        let savedCommandBlock = commandBlock
        commandBlock = nil
        defer {
            functionDepth -= 1
            commandBlock = savedCommandBlock
        }
        let body = try block(opener: "function '\(name)'")
        let declaration = FunctionDeclaration(
            name: name, parameters: parameters, body: body, range: range(from: start))
        return Statement(kind: .functionDeclaration(declaration), range: range(from: start))
    }

    /// return = "return" [ expression ] ;
    mutating func returnStatement() throws -> Statement {
        let start = advance()
        guard functionDepth > 0 else { throw error("'return' outside a function", at: start) }
        if let commandBlock { throw error("'return' cannot leave a '\(commandBlock)' block", at: start) }
        let value = isAtTerminator ? nil : try expression()
        return Statement(kind: .returnValue(value), range: range(from: start))
    }

    /// expression_statement = expression ;   (a call, or a value the REPL shows)
    mutating func expressionStatement() throws -> Statement {
        let start = current
        let next = peek()
        let nextEndsStatement = [.newline, .semicolon, .rightBrace, .endOfInput].contains(next.kind)
        if start.kind == .identifier, !nextEndsStatement, !startsInfixOrPostfix(next, at: min(position + 1, tokens.count - 1)) {
            // A word followed by more words: this was meant as a command.
            var notes: [String] = []
            if let suggestion = closestMatch(to: text(start), in: registry.names) {
                notes.append("did you mean '\(suggestion)'?")
            }
            notes.append("'help' lists the commands")
            throw error("unknown command '\(text(start))'", at: start, notes: notes)
        }
        let value = try expression()
        return Statement(kind: .expression(value), range: range(from: start))
    }

    // MARK: Commands

    /// command = COMMAND { argument [ "," ] } [ block ] ;
    /// argument = NAME "=" option_value | expression | WORD ;
    mutating func commandStatement(_ command: CommandSpec) throws -> Statement {
        let start = advance()
        var arguments: [Argument] = []
        var options: [OptionArgument] = []
        var parameterIndex = 0
        while !isAtTerminator && !check(.leftBrace) {
            if !arguments.isEmpty || !options.isEmpty, match(.comma) { continue }
            if check(.identifier) && peek().kind == .assign {
                options.append(try option(of: command, existing: options))
                continue
            }
            guard parameterIndex < command.parameters.count else {
                throw error(
                    "too many arguments for '\(command.name)'", at: current,
                    notes: ["usage: \(command.usage)"])
            }
            let parameter = command.parameters[parameterIndex]
            arguments.append(try argument(parameter.kind, for: command, placeholder: parameter.placeholder))
            if !parameter.isVariadic { parameterIndex += 1 }
        }
        if let missing = command.parameters.dropFirst(parameterIndex).first(where: { !$0.isOptional }),
            arguments.count < command.parameters.count
        {
            throw error(
                "'\(command.name)' needs \(missing.placeholder)", at: current, notes: ["usage: \(command.usage)"])
        }
        var body: Block?
        if command.block == .required || (command.block == .optional && check(.leftBrace)) {
            let saved = commandBlock
            commandBlock = command.name
            defer { commandBlock = saved }
            body = try block(opener: "'\(command.name)'")
        } else if check(.leftBrace) {
            throw error("'\(command.name)' does not take a block", at: current)
        }
        let call = CommandCall(
            command: command, nameRange: range(of: start), arguments: arguments, options: options, block: body)
        return Statement(kind: .command(call), range: range(from: start))
    }

    private mutating func option(of command: CommandSpec, existing: [OptionArgument]) throws -> OptionArgument {
        let nameToken = advance()
        advance()  // "="
        guard let spec = command.option(named: text(nameToken)) else {
            var notes: [String] = []
            if let suggestion = closestMatch(to: text(nameToken), in: command.options.map(\.name)) {
                notes.append("did you mean '\(suggestion)'?")
            }
            notes.append("usage: \(command.usage)")
            throw error("'\(command.name)' has no option '\(text(nameToken))'", at: nameToken, notes: notes)
        }
        if existing.contains(where: { $0.name == spec.name }) {
            throw error("option '\(spec.name)' given twice", at: nameToken)
        }
        let value = try argument(spec.kind, for: command, placeholder: spec.placeholder)
        return OptionArgument(name: spec.name, nameRange: range(of: nameToken), value: value)
    }

    private mutating func argument(_ kind: ParameterKind, for command: CommandSpec, placeholder: String) throws
        -> Argument
    {
        switch kind {
        case .expression:
            return .expression(try expression())
        case .identifier:
            guard check(.identifier) else {
                throw error(
                    "expected a name for \(placeholder) of '\(command.name)', found \(describe(current))",
                    at: current, notes: ["usage: \(command.usage)"])
            }
            let token = advance()
            return .name(text(token), range(of: token))
        case .word(let choices):
            let token = current
            guard token.kind == .identifier, choices.contains(text(token)) else {
                var notes = ["\(placeholder) is one of: " + choices.joined(separator: ", ")]
                if token.kind == .identifier, let suggestion = closestMatch(to: text(token), in: choices) {
                    notes.insert("did you mean '\(suggestion)'?", at: 0)
                }
                throw error(
                    "expected \(placeholder) for '\(command.name)', found \(describe(token))", at: token,
                    notes: notes)
            }
            advance()
            return .word(text(token), range(of: token))
        }
    }
}
