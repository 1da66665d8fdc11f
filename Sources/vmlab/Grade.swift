import ArgumentParser
import Foundation
import VMGrading
import VMLanguage

/// `vmlab grade TESTS.vml SUBMISSION.vml|DIR`: runs an instructor's tests
/// against students' scripts and reports scores for people and autograders.
struct Grade: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Grade submissions against a tests file.",
        discussion: """
            Each submission is graded in a process of its own, which Landlock confines
            (where the kernel has it) to reading the submission's own folder. Each test
            runs in a fresh session on a fresh machine, the submission sandboxed (it may
            include only files in a folder of its own, write nothing, and read none of
            the course's files) and limited in steps, frames, output and time.
            Exit status: 0 every test passed, 1 some test failed, 2 the tests file or the
            command line is wrong, 3 the grader itself failed.
            """
    )

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, csv, gradescope, tap, junit, classroom

        var fileExtension: String {
            switch self {
            case .text: return "txt"
            case .csv: return "csv"
            case .gradescope, .classroom: return "json"
            case .tap: return "tap"
            case .junit: return "xml"
            }
        }
    }

    @ArgumentParser.Argument(help: "The tests file (test \"NAME\" points=N { submission; expect … }).")
    var tests: String

    @ArgumentParser.Argument(help: "A submission script, or a folder of them (each a .vml file or a folder holding one).")
    var submission: String

    @Option(help: "text, csv, gradescope (results.json), tap (TAP 13), junit (JUnit XML) or classroom (GitHub Classroom's grading reporter).")
    var format: ReportFormat = .text

    @Option(help: "Write the report to this file (a folder, for one file per submission of a folder).")
    var output: String?

    @Option(help: "Submissions graded at once (default: the number of cores).")
    var jobs: Int = ProcessInfo.processInfo.activeProcessorCount

    // The options a tests file's `grading` line may also set are optional
    // here: unset, the file's value (or the default) holds; set, the flag
    // overrides the file and says so.
    @Option(help: "Seed for random(N) in tests and submissions; printed in the results (default 0, or the tests file's grading seed=).")
    var seed: UInt64?

    @Option(help: "Hand out physical frames in this seed's scrambled order, so hard-coded frame numbers fail (or the tests file's scramble_frames=).")
    var scrambleFrames: UInt64?

    @Option(help: "Steps (statements and loop iterations) per test, unless the test says steps=N (default 1,000,000).")
    var maxSteps: UInt64?

    @Option(help: "Frames that may hold data per test, 4 KiB of host memory each (default 16,384).")
    var maxFrames: Int?

    @Option(help: "Bytes of output kept per test; the rest is cut with a note.")
    var maxOutput: Int = GradingOptions().maximumOutput

    @Option(help: "Seconds of wall-clock time per test (default 10).")
    var timeout: Double?

    @Flag(help: "With one SUBMISSION file: the folder holding it is the student's own, so it may include files there.")
    var ownFolder = false

    @Flag(help: "Show hidden tests' names and output in text, TAP and JUnit reports (the instructor's view).")
    var showHidden = false

    @Flag(help: "Add wall-clock times (execution_time, time=) to Gradescope and JUnit reports.")
    var timing = false

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1") }
        guard (maxSteps ?? 1) >= 1, (maxFrames ?? 1) >= 1, maxOutput >= 1 else {
            throw ValidationError("--max-steps, --max-frames and --max-output must be at least 1")
        }
        if let timeout, timeout <= 0 || timeout > 86_400 {
            throw ValidationError("--timeout must be between 0 and 86400 seconds")
        }
    }

    func run() throws {
        let suite: TestSuite
        do {
            suite = try TestSuite.load(path: tests)
        } catch {
            FileHandle.standardError.write(Data(error.report.utf8))
            throw ExitCode(RunStatus.error.rawValue)
        }
        let options = gradingOptions(suite.settings)
        if case .failure(let unavailable) = KernelSandbox.availability {
            // Said once, here: the workers rely on vmlab's own file rules alone.
            FileHandle.standardError.write(
                Data("vmlab grade: no kernel sandbox (\(unavailable.reason)); relying on vmlab's own file rules\n".utf8))
        }
        let pool = WorkerPool(
            executable: WorkerPool.currentExecutable, commonArguments: workerArguments(options), suite: suite,
            options: options)

        let submissionPath = HostPath(submission)
        guard let type = submissionPath.linkType() else {
            fail("cannot open '\(submissionPath.display)': no such file or folder")
        }
        let results: [SubmissionResult]
        if type == S_IFDIR {
            let entries: [SubmissionEntry]
            do {
                entries = try Submissions.find(in: submissionPath)
            } catch {
                fail("cannot read the folder '\(submissionPath.display)'")
            }
            let bar = ProgressBar(total: entries.count)
            results = pool.grade(entries, jobs: jobs) { done in bar.update(done) }
            bar.finish()
            try report(folder: results, entries: entries, suite: suite)
        } else {
            let file = HostPath(bytes: Array(submissionPath.bytes.split(separator: UInt8(ascii: "/")).last ?? []))
            let stem = file.hasSuffix(".vml") ? HostPath(bytes: Array(file.bytes.dropLast(4))) : file
            let entry: SubmissionEntry
            if type == S_IFREG {
                let parent = HostPath(bytes: Array(submissionPath.bytes.dropLast(file.bytes.count)))
                let folder = ownFolder ? (parent.bytes.isEmpty ? HostPath(".") : parent) : nil
                entry = SubmissionEntry(name: stem, path: submissionPath, folder: folder, problem: nil)
            } else {
                entry = SubmissionEntry(
                    name: stem, path: nil,
                    problem: "'\(submissionPath.display)' is not a regular file (a link, pipe, device or socket)")
            }
            results = pool.grade([entry], jobs: 1)
            try deliver(render(results[0], suite: suite), to: output)
        }
        if results.contains(where: \.graderFault) { throw ExitCode(3) }
        throw ExitCode(results.allSatisfy(\.allPassed) ? 0 : 1)
    }

    /// The defaults, then the tests file's `grading` line, then the flags given;
    /// a flag that overrides the file says so on standard error.
    func gradingOptions(_ settings: SuiteSettings) -> GradingOptions {
        var options = GradingOptions()
        options.maximumOutput = maxOutput
        func pick<T: Equatable>(_ flag: T?, _ file: T?, _ name: String, _ option: String, _ fallback: T) -> T {
            if let flag, let file, flag != file, let place = settings.place {
                FileHandle.standardError.write(
                    Data("vmlab grade: --\(name) \(flag) overrides \(option)=\(file) of the tests file (\(place))\n".utf8))
            }
            return flag ?? file ?? fallback
        }
        options.seed = pick(seed, settings.seed, "seed", "seed", options.seed)
        options.scrambleFrames = scrambleFrames ?? settings.scrambleFrames
        if let flag = scrambleFrames, let file = settings.scrambleFrames, flag != file, let place = settings.place {
            FileHandle.standardError.write(
                Data("vmlab grade: --scramble-frames \(flag) overrides scramble_frames=on (order \(file)) of the tests file (\(place))\n".utf8))
        }
        options.maximumSteps = pick(maxSteps, settings.maximumSteps, "max-steps", "steps", options.maximumSteps)
        options.maximumFrames = pick(maxFrames, settings.maximumFrames.map(Int.init), "max-frames", "frames", options.maximumFrames)
        options.timeout = pick(timeout, settings.timeout.map(Double.init), "timeout", "timeout", options.timeout)
        return options
    }

    /// What every worker is told: the tests file and the limits as this
    /// command settled them (paths as hex: they may not be UTF-8).
    private func workerArguments(_ options: GradingOptions) -> [String] {
        var arguments = ["--tests-hex", WorkerArguments.hex(HostPath(tests).bytes)]
        arguments += ["--seed", String(options.seed), "--step-limit", String(options.maximumSteps)]
        arguments += ["--frame-limit", String(options.maximumFrames)]
        arguments += ["--output-limit", String(options.maximumOutput), "--seconds-limit", String(options.timeout)]
        if let scramble = options.scrambleFrames { arguments += ["--scramble-frames", String(scramble)] }
        return arguments
    }

    private func render(_ result: SubmissionResult, suite: TestSuite) -> String {
        switch format {
        case .text: return TextReport.render(result, suite: suite, showHidden: showHidden)
        case .csv: return Gradebook.csv([result])
        case .gradescope: return GradescopeReport.render(result, suite: suite, timing: timing)
        case .tap: return TAPReport.render(result, suite: suite, showHidden: showHidden)
        case .junit: return JUnitReport.render(result, suite: suite, showHidden: showHidden, timing: timing)
        case .classroom: return ClassroomReport.render(result, suite: suite, timing: timing)
        }
    }

    /// A folder's results: a gradebook, and with a per-submission format one file each in --output,
    /// named by the entry's unique, reversible report name.
    private func report(folder results: [SubmissionResult], entries: [SubmissionEntry], suite: TestSuite) throws {
        switch format {
        case .text: try deliver(Gradebook.text(results, suite: suite), to: output)
        case .csv: try deliver(Gradebook.csv(results), to: output)
        case .gradescope, .tap, .junit, .classroom:
            guard let output else {
                fail("--format \(format.rawValue) writes one file per submission: name a folder with --output")
            }
            do {
                try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true)
            } catch {
                graderFailed("cannot create the folder '\(output)'")
            }
            for (result, entry) in zip(results, entries) {
                let path = (output as NSString).appendingPathComponent("\(entry.reportName).\(format.fileExtension)")
                try deliver(render(result, suite: suite), to: path)
            }
            try deliver(Gradebook.text(results, suite: suite), to: nil)
        }
    }

    /// Writes to the named file (whole or not at all) or to standard output.
    private func deliver(_ text: String, to path: String?) throws {
        guard let path else {
            let output = StandardStreams()
            output.write(text)
            output.flush()
            return
        }
        do {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            graderFailed("cannot write '\(path)': \(error.localizedDescription)")
        }
    }

    private func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("vmlab grade: \(message)\n".utf8))
        Foundation.exit(RunStatus.error.rawValue)
    }

    private func graderFailed(_ message: String) -> Never {
        FileHandle.standardError.write(Data("vmlab grade: \(message)\n".utf8))
        Foundation.exit(3)
    }
}

/// `[#######.........] 120/300` on standard error, only on a terminal.
final class ProgressBar: @unchecked Sendable {
    private let total: Int
    private let enabled: Bool
    private let lock = NSLock()

    init(total: Int) {
        self.total = total
        enabled = isatty(2) == 1 && total > 1 && ProcessInfo.processInfo.environment["CI"] == nil
    }

    func update(_ done: Int) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        let width = 30
        let filled = width * done / max(total, 1)
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data("\r[\(bar)] \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}
