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
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "Tests/textmate-check.py", "Grammar/vmlab.tmLanguage.json"] + examples
        process.currentDirectoryURL = root
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.contains("\(examples.count) files tokenized, 0 unscoped"), "\(text)")
    }
}
