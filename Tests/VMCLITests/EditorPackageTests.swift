import Foundation
import Testing

/// The VS Code package (Editors/vscode) names what the repository has: the
/// grammar it copies from Grammar/ under its own scope name, the .vml
/// extension, and `vmlab lsp` as the server it starts.
@Suite struct EditorPackageTests {
    @Test func thePackageNamesTheGrammarAndTheServer() throws {
        let root = CLITests.packageRoot
        let package = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Editors/vscode/package.json")))
                as? [String: Any])
        let contributes = try #require(package["contributes"] as? [String: Any])
        let grammar = try #require((contributes["grammars"] as? [[String: Any]])?.first)
        let ours = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: root.appendingPathComponent("Grammar/vmlab.tmLanguage.json")))
                as? [String: Any])
        #expect(grammar["scopeName"] as? String == ours["scopeName"] as? String)
        #expect((grammar["path"] as? String)?.hasSuffix("vmlab.tmLanguage.json") == true)
        let prepare = (package["scripts"] as? [String: String])?["prepare"] ?? ""
        #expect(prepare.contains("../../Grammar/vmlab.tmLanguage.json"))
        let language = try #require((contributes["languages"] as? [[String: Any]])?.first)
        #expect(language["extensions"] as? [String] == [".vml"])
        let script = try String(contentsOf: root.appendingPathComponent("Editors/vscode/extension.js"), encoding: .utf8)
        #expect(script.contains("args: [\"lsp\"]"))
    }
}
