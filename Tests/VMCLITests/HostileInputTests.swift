import Foundation
import Testing

/// Input that used to hang, crash or leak a host file (issue 12).
@Suite struct HostileInputTests {
    @Test func aFifoIsRefusedInsteadOfWaitedOn() throws {
        let script = try CLITests.temporaryFile("print 1\n")
        let fifo = (script as NSString).deletingLastPathComponent + "/pipe.vml"
        #expect(mkfifo(fifo, 0o600) == 0)
        for arguments in [["run", fifo], ["check", fifo], ["run", script, "--expect-transcript", fifo]] {
            let result = try CLITests.vmlab(arguments)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("not a regular file"), "\(arguments): \(result.stderr)")
        }
    }

    @Test func invalidUTF8IsLocated() throws {
        let path = try CLITests.temporaryFile("")
        try Data("print 1\nprint \"\u{e9}\"\nx \u{01}".utf8 + [0xFF]).write(to: URL(fileURLWithPath: path))
        let result = try CLITests.vmlab(["run", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("script.vml:3:4: error: not UTF-8 text (byte 0xff here)"), "\(result.stderr)")
    }

    @Test func aFileThatIsNotVmlabSourceIsNeverQuoted() throws {
        let path = try CLITests.temporaryFile("root:x:0:0:secret-looking text\n", name: "passwd")
        let result = try CLITests.vmlab(["run", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("passwd:1:5: error"))
        #expect(!result.stderr.contains("secret-looking"), "\(result.stderr)")
        let include = try CLITests.vmlab(["run", try CLITests.temporaryFile("include \"\(path)\"\n")])
        #expect(include.stderr.contains("include takes vmlab scripts (.vml files)"))
        #expect(!include.stderr.contains("secret-looking"))
    }

    @Test func standardInputHasTheSameSizeLimitAsAFile() throws {
        let result = try CLITests.vmlab([], stdin: Data(repeating: UInt8(ascii: "\n"), count: (16 << 20) + 1))
        #expect(result.status == 2)
        #expect(result.stderr.contains("larger than 16 MiB"))
    }

    @Test func aHugeSizeCannotOverflow() throws {
        let path = try CLITests.temporaryFile("spawn A\nmmap A 0x200000 page=2M size=0xffffffffffffffff\n")
        let result = try CLITests.vmlab(["run", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("script.vml:2:1: error: 0xffffffffffffffff is not in the user half"))
    }
}

@Suite struct ClosedOutputTests {
    /// A reader that goes away (`| head -1`) stops vmlab with status 2, not a SIGPIPE death.
    @Test func aClosedPipeEndsTheRunWithStatusTwo() throws {
        let script = try CLITests.temporaryFile("repeat 200000 { print \"a line of output to fill the pipe\" }\n")
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["run", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        try output.fileHandleForReading.close()
        process.waitUntilExit()
        #expect(process.terminationReason == .exit, "not killed by a signal")
        #expect(process.terminationStatus == 2)
    }
}

@Suite struct StepLimitTests {
    /// The step limit counts exactly: one step per statement and one per loop
    /// iteration, so this script takes 22 (1 + 1 + 10 × 2); K - 1 fails where K passes.
    @Test func theStepLimitStopsAtExactlyN() throws {
        let script = try CLITests.temporaryFile("let x = 0\nfor i in 0..<10 { x = x + 1 }\n")
        #expect(try CLITests.vmlab(["run", "--max-steps", "22", script]).status == 0)
        let stopped = try CLITests.vmlab(["run", "--max-steps", "21", script])
        #expect(stopped.status == 2)
        #expect(stopped.stderr.contains("step limit of 21 reached"))
    }
}

@Suite struct FmtCommandTests {
    @Test func fmtRewritesInPlaceAndCheckOnlyReports() throws {
        let path = try CLITests.temporaryFile("let x=1\nif x==1 {\nprint x\n}\n")
        let checked = try CLITests.vmlab(["fmt", "--check", path])
        #expect(checked.status == 1 && checked.stdout.contains("not formatted"))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "let x=1\nif x==1 {\nprint x\n}\n", "--check changes nothing")
        #expect(try CLITests.vmlab(["fmt", path]).status == 0)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "let x = 1\nif x == 1 {\n    print x\n}\n")
        #expect(try CLITests.vmlab(["fmt", "--check", path]).status == 0)
    }

    @Test func aBrokenFileIsLeftAlone() throws {
        let path = try CLITests.temporaryFile("let = 1\n")
        let result = try CLITests.vmlab(["fmt", path])
        #expect(result.status == 2 && result.stderr.contains("has syntax errors"))
        #expect(result.stderr.contains(path + ":1:5: error:"), "the error at its FILE:LINE:COLUMN: \(result.stderr)")
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "let = 1\n")
    }

    /// A chain of 100,000 terms is too deep to format: exit 2 with the place (issue 23).
    @Test func aTooDeepChainIsLocated() throws {
        let path = try CLITests.temporaryFile("let x = " + String(repeating: "1+", count: 100_000) + "1\n")
        let result = try CLITests.vmlab(["fmt", "--check", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(path + ":1:") && result.stderr.contains("nested more than"), "\(result.stderr.prefix(300))")
    }
}
