import Foundation
import Testing

@testable import VMLanguage

/// Grammar/vmlab.tmLanguage.json is generated from the command registry and
/// the lexer's keywords; this keeps the checked-in file equal to what they
/// generate (`VMLAB_UPDATE_GOLDEN=1` rewrites it).
@Suite struct TextMateGrammarTests {
    static let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Grammar/vmlab.tmLanguage.json")

    @Test func theCheckedInGrammarIsWhatTheRegistryGenerates() throws {
        let generated = TextMateGrammar.json()
        if ProcessInfo.processInfo.environment["VMLAB_UPDATE_GOLDEN"] == "1" {
            try generated.write(to: Self.path, atomically: true, encoding: .utf8)
            return
        }
        #expect(try String(contentsOf: Self.path, encoding: .utf8) == generated, "regenerate with VMLAB_UPDATE_GOLDEN=1")
    }

    @Test func everyCommandAndKeywordIsInIt() {
        let grammar = TextMateGrammar.json()
        for name in CommandRegistry.standard.names { #expect(grammar.contains(name), "\(name)") }
        for keyword in TokenKind.keywords.keys { #expect(grammar.contains(keyword), "\(keyword)") }
    }
}
