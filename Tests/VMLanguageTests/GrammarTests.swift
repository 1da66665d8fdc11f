import Foundation
import Testing

@testable import VMLanguage

/// Keeps Grammar/vmlab.ebnf true: every `(*> … *)` example parses and every
/// `(*! … *)` example is rejected.
@Suite struct GrammarTests {
    static let grammarPath = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Grammar/vmlab.ebnf").path

    /// Examples may span lines: an example runs from its marker to the next "*)".
    static func examples(marker: String) -> [String] {
        guard let text = try? String(contentsOfFile: grammarPath, encoding: .utf8) else { return [] }
        var found: [String] = []
        var rest = Substring(text)
        while let start = rest.range(of: marker) {
            rest = rest[start.upperBound...]
            guard let end = rest.range(of: "*)") else { break }
            found.append(rest[..<end.lowerBound].trimmingCharacters(in: .whitespaces))
            rest = rest[end.upperBound...]
        }
        return found
    }

    @Test func theGrammarHasExamples() {
        #expect(Self.examples(marker: "(*>").count >= 35)
        #expect(Self.examples(marker: "(*!").count >= 15)
    }

    @Test(arguments: examples(marker: "(*>"))
    func acceptedExample(_ example: String) {
        #expect(syntaxErrors(example).isEmpty, "\(syntaxErrors(example).map { $0.render() })")
    }

    @Test(arguments: examples(marker: "(*!"))
    func rejectedExample(_ example: String) {
        #expect(!syntaxErrors(example).isEmpty)
    }
}
