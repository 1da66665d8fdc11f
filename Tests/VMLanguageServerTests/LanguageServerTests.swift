import Foundation
import Testing

@testable import VMLanguageServer

/// The server driven as an editor drives it, through framed bytes in and
/// out: every request answered, every notification it sends read back.
@Suite struct LanguageServerTests {
    /// A client: frames it sends, and what the server wrote, split into messages.
    final class Client {
        var input: [UInt8] = []
        var output: [UInt8] = []
        var readAt = 0

        func frame(_ object: [String: Any]) {
            let body = try! JSONSerialization.data(withJSONObject: object)
            input += Array("Content-Length: \(body.count)\r\n\r\n".utf8) + [UInt8](body)
        }

        func raw(_ bytes: String) { input += Array(bytes.utf8) }

        func request(_ id: Int, _ method: String, _ params: [String: Any] = [:]) {
            frame(["jsonrpc": "2.0", "id": id, "method": method, "params": params])
        }

        func notify(_ method: String, _ params: [String: Any]) {
            frame(["jsonrpc": "2.0", "method": method, "params": params])
        }

        /// Runs the server over everything sent; its exit status and its messages.
        func run() -> (Int32, [[String: Any]]) {
            let channel = MessageChannel(
                read: { [self] count in
                    // A few bytes at a time, as pipes deliver them (then faster, through a huge body).
                    let end = min(input.count, readAt + (readAt < 100_000 ? min(count, 7) : count))
                    defer { readAt = end }
                    return Array(input[readAt..<end])
                },
                write: { [self] bytes in output += bytes })
            let status = LanguageServer(channel: channel).serve()
            var messages: [[String: Any]] = []
            var rest = output[...]
            while let header = rest.firstRange(of: Array("\r\n\r\n".utf8)) {
                let text = String(decoding: rest[..<header.lowerBound], as: UTF8.self)
                let length = Int(text.replacingOccurrences(of: "Content-Length: ", with: ""))!
                let body = rest[header.upperBound..<header.upperBound + length]
                messages.append(try! JSONSerialization.jsonObject(with: Data(body)) as! [String: Any])
                rest = rest[(header.upperBound + length)...]
            }
            return (status, messages)
        }
    }

    static let uri = "file:///tmp/lesson.vml"

    func opened(_ text: String) -> Client {
        let client = Client()
        client.request(1, "initialize", ["capabilities": [String: Any]()])
        client.notify("initialized", [:])
        client.notify("textDocument/didOpen", ["textDocument": ["uri": Self.uri, "languageId": "vml", "version": 1, "text": text]])
        return client
    }

    func finish(_ client: Client) -> (Int32, [[String: Any]]) {
        client.request(99, "shutdown")
        client.notify("exit", [:])
        return client.run()
    }

    func response(_ messages: [[String: Any]], _ id: Int) -> [String: Any]? {
        messages.first { ($0["id"] as? Int) == id }
    }

    func position(_ line: Int, _ character: Int) -> [String: Any] {
        ["textDocument": ["uri": Self.uri], "position": ["line": line, "character": character]]
    }

    @Test func initializeNamesEveryCapability() throws {
        let (status, messages) = finish(opened(""))
        #expect(status == 0)
        let capabilities = try #require((response(messages, 1)?["result"] as? [String: Any])?["capabilities"] as? [String: Any])
        for name in ["textDocumentSync", "completionProvider", "hoverProvider", "definitionProvider",
                     "documentFormattingProvider", "documentSymbolProvider"] {
            #expect(capabilities[name] != nil, "\(name)")
        }
    }

    @Test func diagnosticsHaveCheckWordsAndRanges() throws {
        let client = opened("spawn A\nprint undefinedName + 1\n")
        client.notify("textDocument/didChange", [
            "textDocument": ["uri": Self.uri, "version": 2], "contentChanges": [["text": "spawn A\nmap A 0x400000 rw\n"]],
        ])
        let (_, messages) = finish(client)
        let published = messages.filter { $0["method"] as? String == "textDocument/publishDiagnostics" }
        #expect(published.count == 2)
        let first = try #require((published[0]["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]])
        #expect(first.count == 1)
        #expect((first[0]["message"] as? String)?.contains("undefinedName") == true)
        let range = try #require(first[0]["range"] as? [String: [String: Int]])
        #expect(range["start"] == ["line": 1, "character": 6])
        #expect(range["end"] == ["line": 1, "character": 19])
        #expect(first[0]["severity"] as? Int == 1)
        let second = try #require((published[1]["params"] as? [String: Any])?["diagnostics"] as? [[String: Any]])
        #expect(second.isEmpty, "the edit fixed it")
    }

    @Test func aSyntaxErrorIsReportedWhereCheckReportsIt() throws {
        let (_, messages) = finish(opened("let x = (1 +\n"))
        let diagnostics = try #require(
            (messages.first { $0["method"] as? String == "textDocument/publishDiagnostics" }?["params"] as? [String: Any])?[
                "diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        // vmlab check says test.vml:2:1 (the input ended there): line 1, character 0 counted from 0.
        #expect((diagnostics.first?["range"] as? [String: [String: Int]])?["start"] == ["line": 1, "character": 0])
        #expect((diagnostics.first?["message"] as? String) == "expected an expression, found end of input")
    }

    @Test func completionOffersCommandsOptionsMembersAndNamesInScope() throws {
        let client = opened("let heapBase = 0x400000\nsw\nread heapBase\nprint last.\nmap A 0x1000 si\nprint hea\n")
        client.request(2, "textDocument/completion", position(1, 2))
        client.request(3, "textDocument/completion", position(3, 11))
        client.request(4, "textDocument/completion", position(4, 15))
        client.request(5, "textDocument/completion", position(5, 9))
        let (_, messages) = finish(client)
        func labels(_ id: Int) -> [String] {
            ((response(messages, id)?["result"] as? [String: Any])?["items"] as? [[String: Any]] ?? []).compactMap { $0["label"] as? String }
        }
        #expect(labels(2) == ["switch"])
        #expect(labels(3).contains("last.fault") && labels(3).contains("last.value"))
        #expect(labels(4) == ["size="])
        #expect(labels(5).contains("heapBase"))
    }

    @Test func hoverShowsHelpAndAnAddressesFields() throws {
        let client = opened("machine riscv64\nread 0x400000\n")
        client.request(2, "textDocument/hover", position(1, 1))
        client.request(3, "textDocument/hover", position(1, 8))
        let (_, messages) = finish(client)
        func text(_ id: Int) -> String {
            ((response(messages, id)?["result"] as? [String: Any])?["contents"] as? [String: Any])?["value"] as? String ?? ""
        }
        #expect(text(2).hasPrefix("usage: read"))
        #expect(text(3).contains("4194304 = 0x400000 = 0b10000000000000000000000"))
        #expect(text(3).contains("riscv64"), "the document's machine, not x86-64: \(text(3))")
    }

    @Test func definitionFindsTheLetTheParameterAndTheInclude() throws {
        let text = "let base = 1\ndef f(base) {\n    return base + 1\n}\nprint base\ninclude \"lib/helpers.vml\"\n"
        let client = opened(text)
        client.request(2, "textDocument/definition", position(2, 12))  // base inside f: the parameter
        client.request(3, "textDocument/definition", position(4, 7))  // base at top level: the let
        client.request(4, "textDocument/definition", position(5, 12))
        let (_, messages) = finish(client)
        func start(_ id: Int) -> [String: Int]? {
            ((response(messages, id)?["result"] as? [String: Any])?["range"] as? [String: [String: Int]])?["start"]
        }
        #expect(start(2) == ["line": 1, "character": 6])
        #expect(start(3) == ["line": 0, "character": 4])
        #expect((response(messages, 4)?["result"] as? [String: Any])?["uri"] as? String == "file:///tmp/lib/helpers.vml")
    }

    @Test func formattingAndSymbols() throws {
        let client = opened("def f(x) {\nreturn x\n}\ntest \"first\" {\nexpect f(1) == 1\n}\n")
        client.request(2, "textDocument/formatting", ["textDocument": ["uri": Self.uri], "options": ["tabSize": 4]])
        client.request(3, "textDocument/documentSymbol", ["textDocument": ["uri": Self.uri]])
        let (_, messages) = finish(client)
        let edits = try #require(response(messages, 2)?["result"] as? [[String: Any]])
        #expect(edits.first?["newText"] as? String == "def f(x) {\n    return x\n}\ntest \"first\" {\n    expect f(1) == 1\n}\n")
        let symbols = try #require(response(messages, 3)?["result"] as? [[String: Any]])
        #expect(symbols.compactMap { $0["name"] as? String } == ["f", "test \"first\""])
        #expect(symbols.compactMap { $0["kind"] as? Int } == [12, 6])
    }

    @Test func badInputGetsErrorsAndTheServerGoesOn() throws {
        let client = Client()
        client.request(1, "textDocument/hover", position(0, 0))  // before initialize
        client.request(2, "initialize", [:])
        client.raw("Content-Length: 9\r\n\r\n{not json")
        client.raw("Content-Type: nothing\r\n\r\n")  // no length
        client.raw("Content-Length: \(MessageChannel.maximumBody + 1)\r\n\r\n" + String(repeating: " ", count: MessageChannel.maximumBody + 1))
        client.request(3, "workspace/noSuchThing")
        client.request(4, "textDocument/hover", position(0, 0))  // a document never opened
        client.frame(["jsonrpc": "2.0", "id": 5])  // no method
        let (status, messages) = finish(client)
        func code(_ message: [String: Any]) -> Int? { (message["error"] as? [String: Any])?["code"] as? Int }
        #expect(code(response(messages, 1)!) == -32002)
        let unidentified = messages.filter { $0["id"] is NSNull }.compactMap(code)
        #expect(unidentified == [-32700, -32600, -32600])
        #expect(code(response(messages, 3)!) == -32601)
        #expect(code(response(messages, 4)!) == -32602)
        #expect(code(response(messages, 5)!) == -32600)
        #expect(response(messages, 99)?["result"] is NSNull)
        #expect(status == 0)
    }

    @Test func inputThatEndsWithoutExitIsStatusOne() {
        let client = Client()
        client.request(1, "initialize", [:])
        #expect(client.run().0 == 1)
    }
}
