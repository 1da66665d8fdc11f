import Foundation
import Testing

/// The Jupyter kernel as Jupyter runs it: Tests/Jupyter/run-notebooks.py
/// (ipykernel, nbclient and jupyter_client from PyPI, which scripts/test
/// installs) installs the kernelspec in a temporary Jupyter path, runs the
/// example notebooks headless, an error cell, completion, inspection, an
/// interrupted loop and a restart.
@Suite struct JupyterKernelTests {
    @Test func theNotebooksRunOnTheInstalledKernel() throws {
        let probe = try CLITests.tool(["python3", "-c", "import ipykernel, nbclient, nbformat, jupyter_client"])
        try #require(probe.status == 0, "scripts/test installs ipykernel and nbclient: \(probe.stderr)")
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-jupyter-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        var environment = ProcessInfo.processInfo.environment
        environment["HOME"] = home.path
        environment["PYTHONDONTWRITEBYTECODE"] = "1"
        let run = try CLITests.tool(
            ["timeout", "300", "python3", "Tests/Jupyter/run-notebooks.py", CLITests.binary.path], environment: environment)
        let lines = run.stdout.split(separator: "\n").map(String.init)
        #expect(run.status == 0, "\(run.stdout)\n\(run.stderr)")
        #expect(lines.last == "ok", "\(run.stdout)")
        #expect(!lines.contains { $0.hasPrefix("FAILED") })
        #expect(lines.filter { $0.hasPrefix("passed:") }.count == 17)
    }
}
