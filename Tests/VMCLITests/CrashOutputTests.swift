import Foundation
import Testing

/// If vmlab is ever ended by a fatal signal, what it had already printed
/// still reaches standard output (issue 12: "flush before dying"). A signal
/// sent from outside stands in for a crash: the output is still in vmlab's
/// buffer when it arrives, since the script is busy in a long loop. The Swift
/// runtime's backtracer is turned off for the child: it would catch the
/// signal after vmlab's handler and, for a signal that no fault raised, let
/// the process run on.
@Suite struct CrashOutputTests {
    func killedWhileLooping(with signal: Int32) throws -> (stdout: String, reason: Process.TerminationReason, status: Int32) {
        let script = try CLITests.temporaryFile("print \"printed before the crash\"\nrepeat 1000000000 { }\n")
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["run", "--max-steps", "2000000000", script]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        var environment = ProcessInfo.processInfo.environment
        environment["SWIFT_BACKTRACE"] = "enable=no"
        process.environment = environment
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, signal)
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: printed, as: UTF8.self), process.terminationReason, process.terminationStatus)
    }

    @Test(arguments: [SIGSEGV, SIGTERM, SIGABRT])
    func outputPrintedBeforeAFatalSignalIsNotLost(signal: Int32) throws {
        let result = try killedWhileLooping(with: signal)
        #expect(result.stdout == "printed before the crash\n")
        // Still ended by the signal, as it would have been: the handler only flushes.
        #expect(result.reason == .uncaughtSignal)
        #expect(result.status == signal)
    }
}
