import Foundation
import Testing

@testable import VMLanguage

/// `save transcript` never loses data: an existing file is replaced only when
/// asked, and never one that is not a regular file (issue 12).
@Suite struct SaveTranscriptTests {
    func shellSession() -> (Session, TranscriptSink) {
        let sink = TranscriptSink()
        let session = Session(output: sink)
        session.interpreter.transcript = TranscriptRecorder()
        return (session, sink)
    }

    func folder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-save-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    @Test func anExistingFileIsReplacedOnlyWhenAsked() throws {
        let path = try folder().appendingPathComponent("notes.txt").path
        try "precious\n".write(toFile: path, atomically: true, encoding: .utf8)
        let (session, sink) = shellSession()
        #expect(session.run(SourceFile(name: "<stdin>", text: "save transcript \"\(path)\"\n")) == .error)
        #expect(sink.text.contains("exists; add overwrite=true to replace it"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious\n")
        #expect(session.run(SourceFile(name: "<stdin>", text: "save transcript \"\(path)\" overwrite=true\n")) == .success)
        #expect(try String(contentsOfFile: path, encoding: .utf8) != "precious\n")
    }

    @Test func aLinkIsNeverReplaced() throws {
        let directory = try folder()
        let target = directory.appendingPathComponent("target.txt").path
        try "precious\n".write(toFile: target, atomically: true, encoding: .utf8)
        let link = directory.appendingPathComponent("link.txt").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: target)
        let (session, sink) = shellSession()
        #expect(session.run(SourceFile(name: "<stdin>", text: "save transcript \"\(link)\" overwrite=true\n")) == .error)
        #expect(sink.text.contains("is not a regular file"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == target)
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "precious\n")
    }
}
