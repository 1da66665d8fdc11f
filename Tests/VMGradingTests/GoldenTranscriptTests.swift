import Foundation
import Testing
import VMGrading
import VMLanguage

/// Runs every lesson in Examples/ and compares its transcript (output and
/// diagnostics, in order) with the checked-in `.out` file byte for byte.
/// `VMLAB_UPDATE_GOLDEN=1 swift test` rewrites the `.out` files instead.
@Suite struct GoldenTranscriptTests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var lessons: [String] {
        let examples = packageRoot.appendingPathComponent("Examples").path
        let names = (try? FileManager.default.contentsOfDirectory(atPath: examples)) ?? []
        return names.filter { $0.hasSuffix(".vml") }.sorted()
    }

    @Test func thereAreLessons() {
        #expect(!Self.lessons.isEmpty)
    }

    @Test(arguments: lessons)
    func lessonMatchesItsTranscript(lesson: String) throws {
        let script = Self.packageRoot.appendingPathComponent("Examples/" + lesson)
        let golden = script.deletingPathExtension().appendingPathExtension("out")
        let sink = TranscriptSink()
        // Every lesson also runs through the HTML report, which must pass the text on unchanged.
        let report = HTMLReportSink(forwardingTo: sink)
        let session = Session(output: report)
        // A relative name keeps paths in diagnostics the same on every machine.
        let text = try String(contentsOf: script, encoding: .utf8)
        let status = session.finalStatus(after: session.run(SourceFile(name: "Examples/" + lesson, text: text)))
        #expect(status == .success, "lessons prove their claims: \(lesson) must pass all its expects")
        // A lesson with an .html file beside it has its report compared too (touch one to add it).
        let page = script.deletingPathExtension().appendingPathExtension("html")
        let hasPage = FileManager.default.fileExists(atPath: page.path)
        let html = report.document(title: "Examples/" + lesson, machine: session.interpreter.machine)
        if ProcessInfo.processInfo.environment["VMLAB_UPDATE_GOLDEN"] == "1" {
            try sink.text.write(to: golden, atomically: true, encoding: .utf8)
            if hasPage { try html.write(to: page, atomically: true, encoding: .utf8) }
            return
        }
        let expected = try String(contentsOf: golden, encoding: .utf8)
        let comparison = TranscriptComparison(expected: expected, actual: sink.text)
        #expect(comparison.matches, "\(comparison.report(expectedName: golden.lastPathComponent))")
        if hasPage {
            let pageComparison = TranscriptComparison(expected: try String(contentsOf: page, encoding: .utf8), actual: html)
            #expect(pageComparison.matches, "\(pageComparison.report(expectedName: page.lastPathComponent))")
        }
    }
}
