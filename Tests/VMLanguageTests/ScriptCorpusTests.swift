import Foundation
import Testing
import VMLanguage

/// Every `Tests/Scripts/*.vml` runs and its transcript (output and
/// diagnostics in order, then `[exit N]` when the run did not succeed) must
/// equal the `.out` beside it byte for byte: adding a regression test is
/// adding a file. `VMLAB_UPDATE_GOLDEN=1` writes the `.out` files instead.
@Suite struct ScriptCorpusTests {
    static let folder = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scripts")

    static var scripts: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".vml") }
            .sorted()
    }

    @Test func thereAreScripts() {
        #expect(Self.scripts.count >= 5)
    }

    @Test(arguments: scripts)
    func scriptMatchesItsTranscript(_ name: String) throws {
        let text = try String(contentsOf: Self.folder.appendingPathComponent(name), encoding: .utf8)
        let transcript = NativeStack.run { () -> String in
            let sink = TranscriptSink()
            let session = Session(output: sink)
            // A relative name keeps diagnostics the same on every machine.
            let status = session.finalStatus(after: session.run(SourceFile(name: "Tests/Scripts/" + name, text: text)))
            return sink.text + (status == .success ? "" : "[exit \(status.rawValue)]\n")
        }
        let golden = Self.folder.appendingPathComponent(name).deletingPathExtension().appendingPathExtension("out")
        if ProcessInfo.processInfo.environment["VMLAB_UPDATE_GOLDEN"] == "1" {
            try transcript.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        // Bytes, not Unicode equivalence; the message shows the first line that differs.
        let identical = Array(transcript.utf8) == Array(expected.utf8)
        #expect(identical, "\(name): \(Self.firstDifference(expected: expected, actual: transcript))")
    }

    static func firstDifference(expected: String, actual: String) -> String {
        let wanted = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let got = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for line in 0..<max(wanted.count, got.count) {
            let left = line < wanted.count ? String(wanted[line]) : "(end)"
            let right = line < got.count ? String(got[line]) : "(end)"
            if Array(left.utf8) != Array(right.utf8) {
                return "line \(line + 1) differs\n  expected: \(left)\n  got:      \(right)"
            }
        }
        return "the lines are equal but the bytes differ"
    }
}
