import Foundation
import Testing

/// Runs the real `vmlab` executable, as students and graders do.
@Suite struct CLITests {
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The executable sits beside the test bundle in the build directory.
    static let binary: URL = {
        let beside = Bundle.main.bundleURL.appendingPathComponent("vmlab")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("vmlab")
    }()

    struct Result {
        let stdout: String
        let stderr: String
        let status: Int32
    }

    static func vmlab(_ arguments: [String], stdin: Data? = nil) throws -> Result {
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        return try run(binary, arguments, stdin: stdin, environment: environment)
    }

    /// A tool found on PATH (prove, dot, python3, bash), run from the package root.
    static func tool(_ arguments: [String], stdin: Data? = nil, environment: [String: String]? = nil) throws -> Result {
        try run(
            URL(fileURLWithPath: "/usr/bin/env"), arguments, stdin: stdin,
            environment: environment ?? ProcessInfo.processInfo.environment)
    }

    /// Runs `executable` from the package root and collects everything it writes.
    static func run(_ executable: URL, _ arguments: [String], stdin: Data?, environment: [String: String]) throws
        -> Result
    {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = input
        try process.run()
        input.fileHandleForWriting.write(stdin ?? Data())
        try input.fileHandleForWriting.close()
        // Read standard error on another thread: a child that fills one pipe
        // while the other is not being read would wait forever.
        let errorBox = PipeReader(errors.fileHandleForReading)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errorBox.finish()
        process.waitUntilExit()
        return Result(
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
            status: process.terminationStatus)
    }

    static func temporaryFile(_ text: String, name: String = "script.vml") throws -> String {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let url = directory.appendingPathComponent(name)
        try text.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }

    @Test func runsTheFirstLessonExactlyAsItsTranscript() throws {
        let result = try Self.vmlab(["run", "Examples/01-one-page-table-per-process.vml"])
        let golden = try String(
            contentsOf: Self.packageRoot.appendingPathComponent("Examples/01-one-page-table-per-process.out"),
            encoding: .utf8)
        #expect(result.status == 0)
        #expect(result.stderr == "")
        #expect(result.stdout == golden)
    }

    @Test func aFailedExpectExitsWithOne() throws {
        let path = try Self.temporaryFile("expect 1 == 2 \"math\"\nprint \"after\"\n")
        let result = try Self.vmlab(["run", path])
        #expect(result.status == 1)
        #expect(result.stdout == "after\n")
        #expect(result.stderr.contains(":1:8: expect failed: math"))
        #expect(result.stderr.hasSuffix("vmlab: 1 of 1 expect failed\n"))
    }

    @Test func scriptErrorsExitWithTwo() throws {
        let syntax = try Self.vmlab(["run", try Self.temporaryFile("swich A\nlet = 1\n")])
        #expect(syntax.status == 2)
        #expect(syntax.stderr.contains(":1:1: error: unknown command 'swich'"))
        #expect(syntax.stderr.contains(":2:5: error: expected a name after 'let', found '='"))
        #expect(syntax.stdout == "")
        let runtime = try Self.vmlab(["run", try Self.temporaryFile("print 1\nprint 1 / 0\nprint 2\n")])
        #expect(runtime.status == 2)
        #expect(runtime.stdout == "1\n")
        let missing = try Self.vmlab(["run", "/no/such/file.vml"])
        #expect(missing.status == 2)
        #expect(missing.stderr == "vmlab: cannot open '/no/such/file.vml': no such file or directory\n")
    }

    @Test func usageErrorsExitWithTwoAndHelpWithZero() throws {
        let bogus = try Self.vmlab(["run", "--bogus", "x.vml"])
        #expect(bogus.status == 2)
        #expect(bogus.stderr.contains("--bogus"))
        #expect(try Self.vmlab(["run"]).status == 2)
        let help = try Self.vmlab(["--help"])
        #expect(help.status == 0)
        #expect(help.stdout.contains("run") && help.stdout.contains("check"))
        let version = try Self.vmlab(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout == "0.1.0\n")
    }

    @Test func checkParsesWithoutRunning() throws {
        let good = try Self.temporaryFile("spawn A\nswitch A\n")
        let ok = try Self.vmlab(["check", good])
        #expect(ok.status == 0)
        #expect(ok.stdout == "\(good): ok\n")
        let bad = try Self.vmlab(["check", try Self.temporaryFile("read\n")])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("'read' needs ADDR"))
    }

    /// `vmlab check` reports names nothing defines, every one, located, and runs nothing.
    @Test func checkReportsUndefinedNames() throws {
        let script = try Self.temporaryFile("print 1\nprint totl\ndef f() { return nope }\nlet total = 2\n")
        let result = try Self.vmlab(["check", script])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains(":2:7: error: 'totl' is not defined"), "\(result.stderr)")
        #expect(result.stderr.contains("note: did you mean 'total'?"))
        #expect(result.stderr.contains(":3:18: error: 'nope' is not defined"))
        let ok = try Self.vmlab(["check", try Self.temporaryFile("def f() { return later }\nlet later = 1\nprint f()\n")])
        #expect(ok.status == 0, "\(ok.stderr)")
    }

    @Test func pipedInputRunsAsAScript() throws {
        let result = try Self.vmlab([], stdin: Data("spawn A\nprint A.pid\nexpect false\n".utf8))
        #expect(result.status == 1)
        #expect(result.stdout.contains("1\n"))
        #expect(!result.stdout.contains("vmlab>"))  // no prompt when stdin is not a terminal
        #expect(result.stderr.contains("<stdin>:3:8: expect failed"))
        let garbage = try Self.vmlab([], stdin: Data([0xFF, 0xFE, 0x00, 0x80]))
        #expect(garbage.status == 2)
        #expect(garbage.stderr == "vmlab: <stdin>:1:1: error: not UTF-8 text (byte 0xff here); vmlab reads UTF-8 only\n")
    }

    @Test func quitStopsTheRunIncludingLaterFiles() throws {
        let first = try Self.temporaryFile("print 1\nquit\nprint 2\n")
        let second = try Self.temporaryFile("print 3\n")
        let result = try Self.vmlab(["run", first, second])
        #expect(result.status == 0)
        #expect(result.stdout == "1\n")
    }

    @Test func saveTranscriptBelongsToTheShell() throws {
        let result = try Self.vmlab(["run", try Self.temporaryFile("save transcript \"x.txt\"\n")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("save transcript works in the interactive shell"))
    }

    @Test func stepLimitStopsEndlessLoops() throws {
        let result = try Self.vmlab(["run", "--max-steps", "1000", try Self.temporaryFile("while true { }\n")])
        #expect(result.status == 2)
        #expect(result.stderr.contains("step limit of 1000 reached"))
    }

    @Test func quietFlagSilencesAccessLines() throws {
        let path = try Self.temporaryFile("spawn A\nmap A 0x1000\nswitch A\nread 0x1000\nprint last.value\n")
        let result = try Self.vmlab(["run", "--quiet", path])
        #expect(result.stdout == "0\n")
    }

    @Test func transcriptsCanBeCheckedAgainstAnExpectedFile() throws {
        let script = try Self.temporaryFile("print 1\nprint 2\n")
        let right = try Self.temporaryFile("1\n2\n", name: "right.out")
        let wrong = try Self.temporaryFile("1\n3\n", name: "wrong.out")
        let match = try Self.vmlab(["run", script, "--expect-transcript", right])
        #expect(match.status == 0)
        #expect(match.stdout == "transcript matches \(right)\n")
        let mismatch = try Self.vmlab(["run", script, "--expect-transcript", wrong])
        #expect(mismatch.status == 1)
        #expect(mismatch.stdout.contains("at line 2:\n  expected: \"3\"\n  actual:   \"2\""))
    }
}

/// Reads a pipe to its end on a thread of its own.
final class PipeReader: @unchecked Sendable {
    private var data = Data()
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread { [self] in
            data = handle.readDataToEndOfFile()
            done.signal()
        }.start()
    }

    func finish() -> Data {
        done.wait()
        return data
    }
}
