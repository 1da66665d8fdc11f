import Foundation
import Testing

@testable import VMLanguageServer

/// `vmlab serve --stdio`'s replies, one request line at a time.
@Suite struct NotebookServerTests {
    func ask(_ server: NotebookServer, _ request: [String: Any]) throws -> [String: Any] {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self)
        let reply = server.answer(line)
        #expect(!reply.contains("\n"), "one reply, one line")
        return try #require(try JSONSerialization.jsonObject(with: Data(reply.utf8)) as? [String: Any])
    }

    @Test func cellsShareOneSessionAndPicturesComeAsSVG() throws {
        let server = NotebookServer()
        let first = try ask(server, ["id": 1, "op": "execute", "code": "spawn A\nmap A 0x400000 rw\nlet page = 0x400000"])
        #expect(first["status"] as? String == "ok" && first["id"] as? Int == 1)
        let second = try ask(server, ["id": 2, "op": "execute", "code": "switch A\nread page\nshow pagetable A\nshow tlb"])
        let outputs = try #require(second["outputs"] as? [[String: Any]])
        #expect(outputs.map { $0["kind"] as? String } == ["text", "svg", "svg"])
        let pictures = outputs.filter { $0["kind"] as? String == "svg" }
        #expect(pictures.allSatisfy { ($0["svg"] as? String)?.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\"") == true })
        #expect(pictures.allSatisfy { ($0["svg"] as? String)?.contains("<style>") == true }, "standalone: its rules inside")
        #expect((pictures[0]["text"] as? String)?.contains("PML4") == true, "the text stays beside the picture")
        #expect((pictures[1]["svg"] as? String)?.contains("0x400") == true, "the TLB's entry is drawn")
    }

    @Test func anErrorNamesItsLineAndColumn() throws {
        let server = NotebookServer()
        _ = try ask(server, ["id": 1, "op": "execute", "code": "print 1"])
        let reply = try ask(server, ["id": 2, "op": "execute", "code": "print 2\nread missing"])
        #expect(reply["status"] as? String == "error")
        let error = try #require(reply["error"] as? [String: Any])
        #expect(error["line"] as? Int == 2 && error["column"] as? Int == 6)
        #expect(error["message"] as? String == "'missing' is not defined")
        #expect((error["text"] as? String)?.hasPrefix("cell 2:2:6: error:") == true)
        let runtime = try ask(server, ["id": 3, "op": "execute", "code": "print 3\nprint 1 / 0"])
        #expect(runtime["status"] as? String == "error")
        #expect((runtime["outputs"] as? [[String: Any]])?.first?["text"] as? String == "3\n", "what ran before it printed")
    }

    @Test func completeInspectResetAndBadLines() throws {
        let server = NotebookServer()
        _ = try ask(server, ["id": 1, "op": "execute", "code": "spawn Alpha\nlet heap = 1"])
        let completion = try ask(server, ["id": 2, "op": "complete", "code": "switch Al", "cursor": 9])
        #expect(completion["matches"] as? [String] == ["Alpha"], "the live session's processes")
        #expect(completion["cursor_start"] as? Int == 7 && completion["cursor_end"] as? Int == 9)
        let names = try ask(server, ["id": 3, "op": "complete", "code": "print he", "cursor": 8])
        #expect((names["matches"] as? [String])?.contains("heap") == true)
        let inspection = try ask(server, ["id": 4, "op": "inspect", "code": "map A 0x1000", "cursor": 1])
        #expect((inspection["text"] as? String)?.hasPrefix("usage: map") == true)
        _ = try ask(server, ["id": 5, "op": "reset"])
        let after = try ask(server, ["id": 6, "op": "execute", "code": "print heap"])
        #expect(after["status"] as? String == "error", "reset forgets the variables")
        #expect(server.answer("{not json").contains("\"status\":\"error\""))
        let unknown = try ask(server, ["id": 7, "op": "fly"])
        #expect(unknown["status"] as? String == "error" && unknown["id"] as? Int == 7)
    }
}
