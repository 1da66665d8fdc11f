@testable import VMLanguage

/// Runs `source` in a fresh session and returns everything it printed.
func run(_ source: String, limits: Limits = Limits(), quiet: Bool = false) -> (output: String, status: RunStatus) {
    let sink = TranscriptSink()
    let session = Session(output: sink, limits: limits)
    session.interpreter.alwaysQuiet = quiet
    let status = session.finalStatus(after: session.run(SourceFile(name: "test.vml", text: source)))
    return (sink.text, status)
}

/// The syntax errors in `source`, rendered.
func syntaxErrors(_ source: String) -> [Diagnostic] {
    Parser.parse(SourceFile(name: "test.vml", text: source), registry: .standard).diagnostics
}

func messages(_ source: String) -> [String] { syntaxErrors(source).map(\.message) }

func tokens(_ source: String) -> [Token] {
    Lexer.tokenize(SourceFile(name: "test.vml", text: source)).stream.tokens
}

/// An S-expression of the parsed expression in `let x = SOURCE`, to check precedence.
func tree(_ source: String) -> String {
    let (program, diagnostics) = Parser.parse(SourceFile(name: "t", text: "let x = " + source), registry: .standard)
    guard diagnostics.isEmpty, case .letBinding(_, let expression) = program.statements.first?.kind else {
        return "error: " + diagnostics.map(\.message).joined(separator: "; ")
    }
    return render(expression)
}

func render(_ expression: Expression) -> String {
    switch expression.kind {
    case .integer(let value): return String(value)
    case .string(let value): return "\"\(value)\""
    case .boolean(let value): return String(value)
    case .name(let name): return name
    case .unary(let op, let operand): return "(\(op.rawValue) \(render(operand)))"
    case .binary(let op, let left, let right): return "(\(op.rawValue) \(render(left)) \(render(right)))"
    case .member(let base, let name): return "\(render(base)).\(name)"
    case .index(let base, let index): return "\(render(base))[\(render(index))]"
    case .call(let name, let arguments): return "\(name)(\(arguments.map(render).joined(separator: ", ")))"
    }
}
