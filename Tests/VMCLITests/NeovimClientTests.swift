import Foundation
import Testing

/// `vmlab lsp` as a real editor uses it: Neovim's built-in LSP client
/// (Debian's neovim, which scripts/test installs) runs headless with
/// Tests/Editors/neovim-lsp.lua, opens a script with an error and asks for
/// a completion and a hover.
@Suite struct NeovimClientTests {
    @Test func neovimShowsTheDiagnosticAndCompletes() throws {
        let which = try CLITests.tool(["sh", "-c", "command -v nvim"])
        try #require(which.status == 0, "nvim is not installed: scripts/test installs Debian's neovim")
        let script = try CLITests.temporaryFile("spawn A\nsw\nread missingName\n", name: "lesson.vml")
        let directory = URL(fileURLWithPath: script).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let resultFile = directory.appendingPathComponent("result.json").path
        var environment = ProcessInfo.processInfo.environment
        environment["VMLAB"] = CLITests.binary.path
        environment["VML_FILE"] = script
        environment["RESULT_FILE"] = resultFile
        // Neovim writes its state (shada, logs) under XDG folders: keep them in the temporary directory.
        for variable in ["XDG_STATE_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_CONFIG_HOME"] {
            environment[variable] = directory.appendingPathComponent(variable).path
        }
        environment["HOME"] = directory.path
        let lua = CLITests.packageRoot.appendingPathComponent("Tests/Editors/neovim-lsp.lua").path
        let run = try CLITests.tool(
            ["timeout", "60", "nvim", "--headless", "--clean", "-n", "-i", "NONE", "-c", "luafile \(lua)"],
            environment: environment)
        let data = try Data(contentsOf: URL(fileURLWithPath: resultFile))
        let result = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any], "nvim: \(run.stderr)")
        #expect(result["failure"] == nil, "\(result["failure"] ?? "")")
        #expect(result["arrived"] as? Bool == true)
        let diagnostics = try #require(result["diagnostics"] as? [[String: Any]])
        // The words and places vmlab check prints: lesson.vml:2:1 and 3:6 (Neovim counts from 0).
        let check = try CLITests.vmlab(["check", script])
        #expect((check.stdout + check.stderr).contains("lesson.vml:2:1: error: 'sw' is not defined"))
        #expect(diagnostics.count == 2, "\(diagnostics)")
        let sorted = diagnostics.sorted { ($0["lnum"] as? Int ?? 0) < ($1["lnum"] as? Int ?? 0) }
        #expect(sorted.map { $0["lnum"] as? Int } == [1, 2])
        #expect(sorted.map { $0["col"] as? Int } == [0, 5])
        #expect(sorted.map { $0["end_col"] as? Int } == [2, 16])
        #expect(sorted.map { $0["message"] as? String } == ["'sw' is not defined", "'missingName' is not defined"])
        #expect(sorted.allSatisfy { $0["source"] as? String == "vmlab" })
        let labels = try #require(result["completion"] as? [String])
        #expect(labels == ["switch"])
        #expect((result["hover"] as? String)?.hasPrefix("usage: spawn") == true)
    }
}
