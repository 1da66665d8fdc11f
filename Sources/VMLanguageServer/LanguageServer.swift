import Foundation
import VMLanguage
import VMMachine

/// `vmlab lsp`: a Language Server Protocol 3.17 server on stdio for .vml
/// scripts. Diagnostics on open and change (the words of `vmlab check`),
/// completion (the shell's, from the command registry, plus the names in
/// scope), hover (a command's help, a name's declaration, a number's fields),
/// go to definition (a `let`, `def`, parameter or loop variable; an included
/// file), formatting (`vmlab fmt`) and document symbols (`def`, `test`,
/// `setup`). Documents are synced whole. Bad input never ends the server:
/// malformed JSON, unknown methods and oversized messages get JSON-RPC errors.
public final class LanguageServer {
    private let channel: MessageChannel
    private var documents: [String: DocumentAnalysis] = [:]
    private var initialized = false
    private var shutdownRequested = false
    /// A session no script runs in, for the completer's registry and members.
    private lazy var scratch = Session(output: TranscriptSink())
    /// The architecture each `machine …` statement builds, by its text.
    private var machines: [String: Architecture] = [:]

    // JSON-RPC's error codes (the specification's, and LSP's).
    enum ErrorCode: Int {
        case parseError = -32700, invalidRequest = -32600, methodNotFound = -32601, invalidParams = -32602
        case internalError = -32603, serverNotInitialized = -32002
    }

    struct Failure: Error {
        let code: ErrorCode
        let message: String
    }

    init(channel: MessageChannel) { self.channel = channel }

    /// Serves stdin and stdout until `exit`; returns the process's exit status.
    public static func serveStandardStreams() -> Int32 {
        LanguageServer(channel: .standardStreams()).serve()
    }

    /// A server run over `input` as its whole stdin: its exit status and all
    /// it wrote (for the fuzzer, and for tools that script a session).
    public static func serve(input: [UInt8]) -> (status: Int32, output: [UInt8]) {
        var output: [UInt8] = []
        var position = 0
        let channel = MessageChannel(
            read: { count in
                let end = min(input.count, position + count)
                defer { position = end }
                return Array(input[position..<end])
            },
            write: { output += $0 })
        let status = LanguageServer(channel: channel).serve()
        return (status, output)
    }

    /// Answers messages until `exit` or the end of input.
    func serve() -> Int32 {
        while true {
            switch channel.next() {
            case .endOfInput:
                return shutdownRequested ? 0 : 1
            case .unreadable(let why):
                reply(id: NSNull(), error: Failure(code: .invalidRequest, message: "unreadable message: \(why)"))
            case .message(let body):
                if let status = handle(body) { return status }
            }
        }
    }

    /// One message; an exit status once `exit` arrives.
    func handle(_ body: [UInt8]) -> Int32? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)), let message = object as? [String: Any] else {
            reply(id: NSNull(), error: Failure(code: .parseError, message: "the message is not a JSON object"))
            return nil
        }
        let id = message["id"]
        guard let method = message["method"] as? String else {
            // A response to a request of ours (we send none), or nonsense.
            if id != nil, message["result"] == nil, message["error"] == nil {
                reply(id: id!, error: Failure(code: .invalidRequest, message: "a request needs a method"))
            }
            return nil
        }
        let params = message["params"] as? [String: Any] ?? [:]
        if method == "exit" { return shutdownRequested ? 0 : 1 }
        do {
            let result = try dispatch(method, params, isRequest: id != nil)
            if let id { reply(id: id, result: result ?? NSNull()) }
        } catch let failure as Failure {
            if let id { reply(id: id, error: failure) }
        } catch {
            if let id { reply(id: id, error: Failure(code: .internalError, message: "\(error)")) }
        }
        return nil
    }

    private func dispatch(_ method: String, _ params: [String: Any], isRequest: Bool) throws -> Any? {
        if method == "initialize" {
            initialized = true
            return [
                "capabilities": [
                    "textDocumentSync": ["openClose": true, "change": 1],
                    "completionProvider": ["triggerCharacters": [".", "="]],
                    "hoverProvider": true,
                    "definitionProvider": true,
                    "documentFormattingProvider": true,
                    "documentSymbolProvider": true,
                ] as [String: Any],
                "serverInfo": ["name": "vmlab", "version": VMLabVersion.current],
            ]
        }
        guard initialized else {
            throw Failure(code: .serverNotInitialized, message: "initialize first")
        }
        if shutdownRequested && isRequest {
            throw Failure(code: .invalidRequest, message: "the server is shutting down")
        }
        switch method {
        case "initialized", "$/cancelRequest", "$/setTrace", "workspace/didChangeConfiguration", "textDocument/didSave":
            return nil
        case "shutdown":
            shutdownRequested = true
            return nil
        case "textDocument/didOpen":
            let document = try dictionary(params, "textDocument")
            open(try string(document, "uri"), text: try string(document, "text"))
            return nil
        case "textDocument/didChange":
            let uri = try string(try dictionary(params, "textDocument"), "uri")
            guard let changes = params["contentChanges"] as? [[String: Any]], let text = changes.last?["text"] as? String
            else { throw Failure(code: .invalidParams, message: "contentChanges needs the whole text") }
            open(uri, text: text)
            return nil
        case "textDocument/didClose":
            let uri = try string(try dictionary(params, "textDocument"), "uri")
            documents[uri] = nil
            notify("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": [Any]()])
            return nil
        case "textDocument/completion": return try completion(params)
        case "textDocument/hover": return try hover(params)
        case "textDocument/definition": return try definition(params)
        case "textDocument/formatting": return try formatting(params)
        case "textDocument/documentSymbol": return try symbols(params)
        default:
            guard isRequest else { return nil }  // unknown notifications are ignored, as the protocol says
            throw Failure(code: .methodNotFound, message: "vmlab's server has no method '\(method)'")
        }
    }

    // MARK: Documents and diagnostics

    private func open(_ uri: String, text: String) {
        let analysis = DocumentAnalysis(text: text, name: Self.displayName(uri))
        documents[uri] = analysis
        let positions = TextPositions(analysis.file)
        let diagnostics: [[String: Any]] = analysis.diagnostics.map { diagnostic in
            var message = diagnostic.message
            if !diagnostic.notes.isEmpty { message += "\n" + diagnostic.notes.joined(separator: "\n") }
            return [
                "range": Self.range(diagnostic.range, positions),
                "severity": diagnostic.severity == .note ? 3 : 1,
                "source": "vmlab",
                "message": message,
            ]
        }
        notify("textDocument/publishDiagnostics", ["uri": uri, "diagnostics": diagnostics])
    }

    /// What `vmlab check` would call the file: its path for a file: URI.
    static func displayName(_ uri: String) -> String {
        guard let url = URL(string: uri), url.isFileURL else { return uri }
        return url.path
    }

    private func document(_ params: [String: Any]) throws -> (DocumentAnalysis, TextPositions, Int) {
        let uri = try string(try dictionary(params, "textDocument"), "uri")
        guard let analysis = documents[uri] else {
            throw Failure(code: .invalidParams, message: "'\(uri)' is not open")
        }
        let positions = TextPositions(analysis.file)
        guard let position = params["position"] as? [String: Any] else { return (analysis, positions, 0) }
        let line = position["line"] as? Int ?? 0
        let character = position["character"] as? Int ?? 0
        return (analysis, positions, positions.offset(line: line, character: character))
    }

    // MARK: Requests

    private func completion(_ params: [String: Any]) throws -> Any {
        let (analysis, positions, offset) = try document(params)
        let result = analysis.completions(at: offset, interpreter: scratch.interpreter)
        let end = positions.position(of: offset)
        let start = (end.line, max(0, end.character - result.word.utf16.count))
        let items: [[String: Any]] = result.candidates.map { candidate in
            [
                "label": candidate,
                "kind": Self.completionKind(candidate, analysis, offset),
                "textEdit": [
                    "range": ["start": ["line": start.0, "character": start.1], "end": ["line": end.line, "character": end.character]],
                    "newText": candidate,
                ] as [String: Any],
            ]
        }
        return ["isIncomplete": false, "items": items]
    }

    /// LSP's CompletionItemKind: Keyword 14, Function 3, Variable 6, Property 10 (a member), Text 1.
    private static func completionKind(_ candidate: String, _ analysis: DocumentAnalysis, _ offset: Int) -> Int {
        if candidate.contains(".") { return 10 }
        if CommandRegistry.standard.command(named: candidate) != nil { return 14 }
        if let declaration = analysis.names(visibleAt: offset).first(where: { $0.name == candidate }) {
            return declaration.kind == .function ? 3 : 6
        }
        return candidate.hasSuffix("=") ? 5 : 1
    }

    private func hover(_ params: [String: Any]) throws -> Any? {
        let (analysis, _, offset) = try document(params)
        guard let text = analysis.hover(at: offset, architecture: { [self] statement in architecture(of: statement) })
        else { return nil }
        return ["contents": ["kind": "plaintext", "value": text]]
    }

    /// What a `machine …` statement builds, run on a session of its own (x86-64 without one).
    private func architecture(of statement: SourceRange?) -> Architecture {
        guard let statement else { return .x86_64 }
        let text = statement.file.text(statement)
        if let known = machines[text] { return known }
        let session = Session(output: TranscriptSink())
        session.run(SourceFile(name: "<machine>", text: text))
        let architecture = session.interpreter.machine.architecture
        machines[text] = architecture
        return architecture
    }

    private func definition(_ params: [String: Any]) throws -> Any? {
        let (analysis, positions, offset) = try document(params)
        let uri = try string(try dictionary(params, "textDocument"), "uri")
        if let include = analysis.include(at: offset) {
            let base = URL(string: uri).flatMap { $0.isFileURL ? $0.deletingLastPathComponent() : nil }
            let target = include.path.hasPrefix("/") ? URL(fileURLWithPath: include.path)
                : base.map { $0.appendingPathComponent(include.path) } ?? URL(fileURLWithPath: include.path)
            return [
                "uri": target.standardizedFileURL.absoluteString,
                "range": ["start": ["line": 0, "character": 0], "end": ["line": 0, "character": 0]],
            ]
        }
        guard let declaration = analysis.definition(at: offset) else { return nil }
        return ["uri": uri, "range": Self.range(declaration.range, positions)]
    }

    private func formatting(_ params: [String: Any]) throws -> Any? {
        let (analysis, positions, _) = try document(params)
        let text = String(decoding: analysis.file.bytes, as: UTF8.self)
        // A script with syntax errors is not formatted (vmlab fmt refuses it too).
        guard let formatted = Formatter.format(text), formatted != text else { return [Any]() }
        let end = positions.position(of: analysis.file.bytes.count)
        return [
            [
                "range": ["start": ["line": 0, "character": 0], "end": ["line": end.line, "character": end.character]],
                "newText": formatted,
            ] as [String: Any]
        ]
    }

    private func symbols(_ params: [String: Any]) throws -> Any {
        let (analysis, positions, _) = try document(params)
        // SymbolKind: Function 12, Method 6 (a test), Constructor 9 (a setup).
        return analysis.symbols.map { symbol -> [String: Any] in
            let kind: Int
            switch symbol.kind {
            case .function: kind = 12
            case .test: kind = 6
            case .setup: kind = 9
            }
            return [
                "name": symbol.name, "kind": kind, "range": Self.range(symbol.range, positions),
                "selectionRange": Self.range(symbol.selectionRange, positions),
            ]
        }
    }

    // MARK: Replies

    static func range(_ range: SourceRange, _ positions: TextPositions) -> [String: Any] {
        let start = positions.position(of: range.start)
        let end = positions.position(of: max(range.start, range.end))
        return [
            "start": ["line": start.line, "character": start.character],
            "end": ["line": end.line, "character": end.character],
        ]
    }

    private func reply(id: Any, result: Any) {
        channel.send(["jsonrpc": "2.0", "id": id, "result": result])
    }

    private func reply(id: Any, error: Failure) {
        channel.send(["jsonrpc": "2.0", "id": id, "error": ["code": error.code.rawValue, "message": error.message]])
    }

    private func notify(_ method: String, _ params: [String: Any]) {
        channel.send(["jsonrpc": "2.0", "method": method, "params": params])
    }

    private func dictionary(_ params: [String: Any], _ key: String) throws -> [String: Any] {
        guard let value = params[key] as? [String: Any] else {
            throw Failure(code: .invalidParams, message: "params need '\(key)'")
        }
        return value
    }

    private func string(_ params: [String: Any], _ key: String) throws -> String {
        guard let value = params[key] as? String else { throw Failure(code: .invalidParams, message: "params need '\(key)'") }
        return value
    }
}
