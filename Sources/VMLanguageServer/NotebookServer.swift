import Dispatch
import Foundation
import VMLanguage

#if canImport(Glibc)
    import Glibc
#endif

/// `vmlab serve --stdio`: one long-lived session driven by a program, one
/// JSON request a line on stdin, one JSON reply a line on stdout. The
/// Jupyter kernel (Sources/vmlab/JupyterKernelSource.swift, which `vmlab jupyter install` writes out)
/// speaks it; so can any front end.
///
///     {"id": 1, "op": "execute", "code": "spawn A\nshow pagetable A"}
///     {"id": 1, "status": "ok", "outputs": [{"kind": "text", "text": "…"},
///                                           {"kind": "svg", "svg": "<svg …", "text": "…"}]}
///
/// Ops: `execute` (`code`; status ok, error with `error`: message, line,
/// column and the rendered text, or interrupted), `complete` and `inspect`
/// (`code` and `cursor`, a character offset into it: `matches` with
/// `cursor_start`/`cursor_end`, or `found` and `text`), `reset` (a fresh
/// machine and no variables). SIGINT stops a running cell, as Ctrl-C does in
/// the shell, and the server goes on. A line that is not a request gets
/// `status: "error"` with `id: null`.
public final class NotebookServer {
    private var session: Session
    private let sink = CellSink()
    private var cells = 0
    /// Set by SIGINT, read at every step of the running cell.
    private let interrupted = InterruptFlag()
    private var signalSource: DispatchSourceSignal?

    public init() {
        session = Session(output: sink)
        configure()
    }

    private func configure() {
        let flag = interrupted
        session.interpreter.interruptRequested = { flag.take() }
    }

    /// Serves stdin until it ends.
    public static func serveStandardStreams() -> Int32 {
        let server = NotebookServer()
        server.catchInterrupts()
        while let line = readLine(strippingNewline: true) {
            guard !line.isEmpty else { continue }
            let reply = server.answer(line)
            FileHandle.standardOutput.write(Data((reply + "\n").utf8))
        }
        return 0
    }

    private func catchInterrupts() {
        // A parent may have left SIGINT blocked (test runners do): unblock it, or no interrupt arrives.
        var interrupt = sigset_t()
        sigemptyset(&interrupt)
        sigaddset(&interrupt, SIGINT)
        sigprocmask(SIG_UNBLOCK, &interrupt, nil)
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        let flag = interrupted
        source.setEventHandler { flag.set() }
        source.resume()
        signalSource = source
    }

    /// The reply to one request line, as one line of JSON.
    public func answer(_ line: String) -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)),
            let request = object as? [String: Any], let op = request["op"] as? String
        else {
            return Self.encode(["id": NSNull(), "status": "error", "error": ["message": "not a request: a JSON object with an op"]])
        }
        let id = request["id"] ?? NSNull()
        let code = request["code"] as? String ?? ""
        var reply: [String: Any]
        switch op {
        case "execute": reply = execute(code)
        case "complete": reply = complete(code, cursor: request["cursor"] as? Int ?? code.count)
        case "inspect": reply = inspect(code, cursor: request["cursor"] as? Int ?? code.count)
        case "reset":
            session = Session(output: sink)
            configure()
            cells = 0
            reply = ["status": "ok"]
        default:
            reply = ["status": "error", "error": ["message": "no op '\(op)': execute, complete, inspect or reset"]]
        }
        reply["id"] = id
        return Self.encode(reply)
    }

    private func execute(_ code: String) -> [String: Any] {
        cells += 1
        _ = interrupted.take()  // an interrupt between cells stops nothing
        sink.start()
        let status = session.run(SourceFile(name: "cell \(cells)", text: code))
        var reply: [String: Any] = ["status": "ok", "outputs": sink.outputs]
        if status == .error {
            let error = sink.firstError ?? CellSink.CellError(message: "the cell failed", line: 0, column: 0, text: "")
            reply["status"] = error.message == "interrupted" ? "interrupted" : "error"
            reply["error"] = ["message": error.message, "line": error.line, "column": error.column, "text": error.text]
        }
        if session.quitRequested {
            session = Session(output: sink)
            configure()
        }
        return reply
    }

    /// `cursor` counts characters (Jupyter's code points) into `code`.
    private func byteOffset(_ code: String, _ cursor: Int) -> Int {
        let index = code.unicodeScalars.index(
            code.unicodeScalars.startIndex, offsetBy: max(0, min(cursor, code.unicodeScalars.count)))
        return code.utf8.distance(from: code.utf8.startIndex, to: index)
    }

    private func complete(_ code: String, cursor: Int) -> [String: Any] {
        let analysis = DocumentAnalysis(text: code, name: "cell")
        let result = analysis.completions(at: byteOffset(code, cursor), interpreter: session.interpreter)
        let end = max(0, min(cursor, code.unicodeScalars.count))
        return [
            "status": "ok", "matches": result.candidates, "cursor_start": end - result.word.unicodeScalars.count,
            "cursor_end": end,
        ]
    }

    private func inspect(_ code: String, cursor: Int) -> [String: Any] {
        let analysis = DocumentAnalysis(text: code, name: "cell")
        let architecture = session.interpreter.machine.architecture
        let offset = byteOffset(code, cursor)
        // A cursor just after a word inspects that word.
        let text = analysis.hover(at: offset, architecture: { _ in architecture })
            ?? (offset > 0 ? analysis.hover(at: offset - 1, architecture: { _ in architecture }) : nil)
        return ["status": "ok", "found": text != nil, "text": text ?? ""]
    }

    static func encode(_ object: [String: Any]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else {
            return "{\"id\":null,\"status\":\"error\",\"error\":{\"message\":\"unencodable reply\"}}"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

/// One cell's output in order: text, pictures (with their text), diagnostics.
final class CellSink: OutputSink {
    private(set) var outputs: [[String: Any]] = []
    struct CellError {
        let message: String
        let line: Int
        let column: Int
        let text: String
    }
    private(set) var firstError: CellError?

    func start() {
        outputs = []
        firstError = nil
    }

    func write(_ text: String) {
        if let last = outputs.last, last["kind"] as? String == "text", let earlier = last["text"] as? String {
            outputs[outputs.count - 1]["text"] = earlier + text
        } else {
            outputs.append(["kind": "text", "text": text])
        }
    }

    func writeDiagnostic(_ text: String) {
        outputs.append(["kind": "error", "text": text])
        // "cell 3:2:5: error: message": the first line says where.
        guard firstError == nil, let head = text.split(separator: "\n").first else { return }
        let parts = head.split(separator: ":", maxSplits: 4, omittingEmptySubsequences: false)
        guard parts.count == 5, let line = Int(parts[1]), let column = Int(parts[2]) else {
            firstError = CellError(message: String(head), line: 0, column: 0, text: text)
            return
        }
        firstError = CellError(
            message: parts[4].trimmingCharacters(in: .whitespaces), line: line, column: column, text: text)
    }

    func flush() {}

    func write(_ text: String, figure: () -> Figure) {
        outputs.append(["kind": "svg", "svg": figure().svg, "text": text])
    }
}

/// A flag a signal handler's queue sets and the interpreter takes.
final class InterruptFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var raised = false

    func set() {
        lock.lock()
        raised = true
        lock.unlock()
    }

    /// True once per interrupt.
    func take() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        let was = raised
        raised = false
        return was
    }
}
