import ArgumentParser
import Foundation
import VMGrading
import VMLanguage

/// `vmlab grade-worker`: grades one submission and writes its result as
/// JSON on standard output; `vmlab grade` runs one per submission
/// (WorkerPool). Not for people: it is not listed in `vmlab --help`.
///
/// Everything the worker needs is read first (the tests file, its
/// transcripts, the submission); then it gives up, through Landlock, every
/// file access but reading the submission's own folder, and runs the tests.
struct GradeWorker: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grade-worker", abstract: "Grade one submission for vmlab grade (internal).",
        shouldDisplay: false)

    @Option var testsHex: String = ""
    @Option var submissionHex: String = ""
    @Option var nameHex: String = ""
    @Option var folderHex: String?
    @Option var seed: UInt64 = 0
    @Option var scrambleFrames: UInt64?
    // Not --max-steps: the root command's option of that name would take it.
    @Option var stepLimit: UInt64 = GradingOptions().maximumSteps
    @Option var frameLimit: Int = GradingOptions().maximumFrames
    @Option var outputLimit: Int = GradingOptions().maximumOutput
    @Option var secondsLimit: Double = GradingOptions().timeout
    /// A self-test of the kernel sandbox: restrict as a worker without a
    /// folder does, then try to open this file, and say what happened.
    @Option var probePath: String?

    func run() throws {
        if let probePath {
            probe(probePath)
            return
        }
        guard let testsPath = WorkerArguments.path(testsHex), let submission = WorkerArguments.path(submissionHex),
            let nameBytes = WorkerArguments.bytes(nameHex)
        else { throw ExitCode(2) }
        let folder = folderHex.flatMap(WorkerArguments.path)
        let suite: TestSuite
        do {
            suite = try TestSuite.load(path: String(decoding: testsPath.bytes, as: UTF8.self))
        } catch {
            throw ExitCode(2)
        }
        let options = GradingOptions(
            maximumSteps: stepLimit, maximumFrames: frameLimit, maximumOutput: outputLimit, timeout: secondsLimit,
            seed: seed, scrambleFrames: scrambleFrames)
        let grader = Grader(suite: suite, options: options)
        let name = String(decoding: nameBytes, as: UTF8.self)
        let result: SubmissionResult = NativeStack.run {
            grader.grade(submission: submission, name: name, folder: folder) {
                // The submission is read and parsed: from here on, nothing but its own folder.
                // Where the kernel offers Landlock and it refuses, fail closed: never run unconfined.
                guard case .success = KernelSandbox.availability else { return }
                do {
                    _ = try KernelSandbox.restrict(readingOnly: folder.map { [$0] } ?? [])
                } catch {
                    Foundation.exit(WorkerPool.unconfinedStatus)
                }
            }
        }
        FileHandle.standardOutput.write(WorkerReport.encode(result))
    }
}

extension GradeWorker {
    func probe(_ path: String) {
        let output = StandardStreams()
        do {
            let abi = try KernelSandbox.restrict(readingOnly: [])
            output.write("restricted: Landlock ABI \(abi)\n")
        } catch {
            output.write("not restricted: \(error.reason)\n")
        }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK)
        if descriptor >= 0 {
            close(descriptor)
            output.write("open \(path): allowed\n")
        } else {
            output.write("open \(path): denied (\(String(cString: strerror(errno))))\n")
        }
        output.flush()
    }
}

/// Paths and names travel to a worker as hex, so that bytes that are not UTF-8 arrive intact.
enum WorkerArguments {
    static func hex(_ bytes: [UInt8]) -> String { WorkerPool.hex(bytes) }
    static func bytes(_ text: String) -> [UInt8]? { WorkerPool.bytes(fromHex: text) }
    static func path(_ text: String) -> HostPath? { bytes(text).map(HostPath.init(bytes:)) }
}
