import Foundation
import Testing

/// A real TextMate engine (textmate-grammar-python, installed by
/// scripts/test) tokenizes every example with Grammar/vmlab.tmLanguage.json
/// and finds no word without a scope.
@Suite struct TextMateEngineTests {
    @Test func everyExampleIsFullyScoped() throws {
        let root = CLITests.packageRoot
        let examples = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Examples").path)
            .filter { $0.hasSuffix(".vml") }.sorted().map { "Examples/" + $0 }
        let result = try CLITests.tool(["python3", "Tests/textmate-check.py", "Grammar/vmlab.tmLanguage.json"] + examples)
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\(examples.count) files tokenized, 0 unscoped"), "\(result.stdout)")
    }
}
