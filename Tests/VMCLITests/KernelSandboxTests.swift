import Foundation
import Testing

/// Landlock, the kernel's sandbox behind vmlab's own file rules: a worker
/// that has restricted itself can open nothing, and a grader on a kernel
/// without it says so once.
@Suite struct KernelSandboxTests {
    static var landlockAvailable: Bool {
        (try? CLITests.vmlab(["grade-worker", "--probe-path", "/"]).stdout.hasPrefix("restricted:")) == true
    }

    @Test(.enabled(if: landlockAvailable, "this kernel has no Landlock"))
    func aRestrictedWorkerCannotOpenAnyFile() throws {
        let secret = try CLITests.temporaryFile("secret\n", name: "secret.txt")
        let result = try CLITests.vmlab(["grade-worker", "--probe-path", secret])
        #expect(result.stdout.hasPrefix("restricted: Landlock ABI "))
        #expect(result.stdout.contains("open \(secret): denied (Permission denied)"), "\(result.stdout)")
    }

    @Test func turnedOffTheWorkerOpensFilesAndTheGraderSaysSoOnce() throws {
        let secret = try CLITests.temporaryFile("secret\n", name: "secret.txt")
        var environment = ProcessInfo.processInfo.environment
        environment["VMLAB_LANDLOCK"] = "off"
        let probe = try CLITests.run(CLITests.binary, ["grade-worker", "--probe-path", secret], stdin: nil, environment: environment)
        #expect(probe.stdout.contains("open \(secret): allowed"))
        let tests = try CLITests.temporaryFile("test \"t\" { submission }\n", name: "tests.vml")
        let folder = URL(fileURLWithPath: tests).deletingLastPathComponent().appendingPathComponent("subs")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in ["a", "b", "c"] {
            try "let x = 1\n".write(to: folder.appendingPathComponent("\(name).vml"), atomically: true, encoding: .utf8)
        }
        let graded = try CLITests.run(CLITests.binary, ["grade", tests, folder.path], stdin: nil, environment: environment)
        #expect(graded.status == 0, "\(graded.stdout)\(graded.stderr)")
        #expect(
            graded.stderr
                == "vmlab grade: no kernel sandbox (turned off by VMLAB_LANDLOCK=off); relying on vmlab's own file rules\n")
    }
}
