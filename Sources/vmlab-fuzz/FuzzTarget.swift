// A libFuzzer target: arbitrary bytes through the lexer, the parser and the
// interpreter, through the page-dump reader of `load` and the quiz
// answers-sheet reader, and through `vmlab lsp` (as raw protocol input, and
// as a document it analyses, hovers and completes in), with small step, frame and output limits. Built by
// scripts/fuzz with -sanitize=fuzzer,address and -DFUZZING; in an ordinary
// build it runs the inputs named on its command line once (a smoke test).
import Foundation
import VMLanguage
import VMLanguageServer

/// Output is counted and dropped: the fuzzer looks for crashes, leaks and hangs.
final class DiscardingSink: OutputSink {
    var bytes = 0
    func write(_ text: String) { bytes += text.utf8.count }
    func writeDiagnostic(_ text: String) { bytes += text.utf8.count }
    func flush() {}
}

func runOne(_ data: UnsafeBufferPointer<UInt8>) {
    guard let text = String(validating: data, as: UTF8.self) else { return }
    var limits = Limits()
    limits.maximumSteps = 20_000
    limits.maximumFrames = 2_048
    let session = Session(output: DiscardingSink(), limits: limits)
    // Fuzzed code is untrusted, as a submission is: it may not read host files
    // (include, replay) or write any, so a run never touches the machine it runs on.
    session.interpreter.sandbox = Sandbox(submission: "fuzz.vml")
    _ = session.run(SourceFile(name: "fuzz.vml", text: text))
    // The same bytes as a page dump (load's parser), for OSTEP's machine and CS:APP's.
    _ = try? PageDump.parse(text, pageSize: 32, pageCount: 128)
    _ = try? PageDump.parse(text, pageSize: 64, pageCount: 64)
    // As the language server's stdin, and as a document it is asked about.
    _ = LanguageServer.serve(input: Array(data))
    // The editor's questions cost several times a run under the sanitizer:
    // asked for one input in four (by length, so the fuzzer can reach either).
    if data.count % 4 == 0 { fuzzEditor(text) }
    // And as a quiz's answers sheet.
    for (id, given) in AnswerSheet(text, ids: ["1.vpn", "2", "misses"]).answers.sorted(by: { $0.key < $1.key }) {
        _ = AnswerSheet.matches(given, id)
    }
}

/// The editor's questions at a few places in `text`, from its start to past its end.
func fuzzEditor(_ text: String) {
    func frame(_ object: [String: Any]) -> [UInt8] {
        guard let body = try? JSONSerialization.data(withJSONObject: object) else { return [] }
        return Array("Content-Length: \(body.count)\r\n\r\n".utf8) + [UInt8](body)
    }
    let uri = "file:///fuzz.vml"
    var input = frame(["jsonrpc": "2.0", "id": 1, "method": "initialize", "params": [String: Any]()])
    input += frame([
        "jsonrpc": "2.0", "method": "textDocument/didOpen",
        "params": ["textDocument": ["uri": uri, "languageId": "vml", "version": 1, "text": text]],
    ])
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
    var id = 2
    for line in Set([0, lines / 2, lines + 1]).sorted() {
        for character in [2, 1000] {
            // Completion once: it may list files (after include), which is slow under the fuzzer.
            let completes = line == 0 && character == 2
            for method in (completes ? ["textDocument/completion"] : []) + ["textDocument/hover", "textDocument/definition"] {
                input += frame([
                    "jsonrpc": "2.0", "id": id, "method": method,
                    "params": ["textDocument": ["uri": uri], "position": ["line": line, "character": character]],
                ])
                id += 1
            }
        }
    }
    for method in ["textDocument/formatting", "textDocument/documentSymbol"] {
        input += frame(["jsonrpc": "2.0", "id": id, "method": method, "params": ["textDocument": ["uri": uri]]])
        id += 1
    }
    _ = LanguageServer.serve(input: input)
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    runOne(UnsafeBufferPointer(start: data, count: size))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func LLVMFuzzerRunDriver(
    _ argc: UnsafeMutablePointer<Int32>, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
    _ callback: @convention(c) (UnsafePointer<UInt8>, Int) -> Int32
) -> Int32

/// SwiftPM links an executable's entry point under this name; libFuzzer's
/// driver does the rest (flags, corpus, mutation, crash files).
@_cdecl("vmlab_fuzz_main")
public func fuzzMain(_ argc: Int32, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Int32 {
    var count = argc
    var arguments = argv
    return LLVMFuzzerRunDriver(&count, &arguments) { data, size in fuzzOne(data, size) }
}
#else
@main
struct SmokeRun {
    static func main() {
        for path in CommandLine.arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            data.withUnsafeBytes { runOne($0.bindMemory(to: UInt8.self)) }
        }
    }
}
#endif
