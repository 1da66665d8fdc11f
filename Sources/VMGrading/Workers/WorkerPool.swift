import Foundation
import VMLanguage

/// Grades each submission in a process of its own (`vmlab grade-worker`),
/// `jobs` at a time: one submission's crash, memory or endless loop cannot
/// touch another's result or the grader. A worker that dies, hangs past its
/// deadline or answers garbage is that submission's failure, with a message.
public struct WorkerPool: Sendable {
    /// The vmlab executable that runs `grade-worker`.
    public let executable: String
    /// The arguments that follow `grade-worker` for every submission (the tests file, the options).
    public let commonArguments: [String]
    public let suite: TestSuite
    public let options: GradingOptions
    /// A worker's exit status when the kernel offers Landlock but it could not confine itself.
    public static let unconfinedStatus: Int32 = 4

    /// Seconds a worker gets beyond its tests' time limits before it is killed.
    public var slack: Double = 10

    public init(executable: String, commonArguments: [String], suite: TestSuite, options: GradingOptions) {
        self.executable = executable
        self.commonArguments = commonArguments
        self.suite = suite
        self.options = options
    }

    /// The running executable's own path (Linux: /proc/self/exe), so that workers are this very vmlab.
    public static var currentExecutable: String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let length = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard length > 0 else { return CommandLine.arguments[0] }
        return String(decoding: buffer[0..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Every entry's result, in the entries' order.
    public func grade(_ entries: [SubmissionEntry], jobs: Int, progress: @escaping @Sendable (Int) -> Void = { _ in })
        -> [SubmissionResult]
    {
        let grader = Grader(suite: suite, options: options)
        return ResultBoard.run(entries.count, jobs: jobs, progress: progress) { index in
            let entry = entries[index]
            guard let path = entry.path else {
                return grader.unreadable(name: entry.name, path: entry.name, problem: entry.problem ?? "cannot grade")
            }
            return run(entry, path: path, grader: grader)
        }
    }

    private func run(_ entry: SubmissionEntry, path: HostPath, grader: Grader) -> SubmissionResult {
        var arguments = [executable, "grade-worker"] + commonArguments
        arguments += ["--name-hex", Self.hex(Array(entry.name.utf8)), "--submission-hex", Self.hex(path.bytes)]
        if let folder = entry.folder { arguments += ["--folder-hex", Self.hex(folder.bytes)] }
        // Each test has its own time limit inside the worker; this backstop catches a worker that ignores it.
        let deadline = options.timeout * Double(max(suite.tests.count, 1)) + slack
        let outcome = ChildProcess.run(arguments, deadline: deadline)
        if outcome.status == 0, let result = WorkerReport.decode(outcome.output, suite: suite) {
            return result
        }
        let why: String
        switch outcome.ending {
        case .exited(0): why = "the grading worker's answer was not a report (it broke while writing it)"
        case .exited(Self.unconfinedStatus):
            why = "the grading worker could not confine itself with Landlock, so the submission was not run"
        case .exited(let code): why = "the grading worker exited with status \(code)"
        case .signalled(let signal): why = "the grading worker was stopped by signal \(signal) (\(Self.signalName(signal)))"
        case .timedOut: why = "the grading worker ran past its deadline of \(Int(deadline)) s and was stopped"
        case .notStarted(let reason): why = "the grading worker could not start: \(reason)"
        }
        return grader.unreadable(name: entry.name, path: path.display, problem: why)
    }

    /// Bytes as hex digits: how paths and names reach a worker intact, UTF-8 or not.
    public static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    public static func bytes(fromHex text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let byte = UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16) else {
                return nil
            }
            bytes.append(byte)
        }
        return bytes
    }

    private static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGSEGV: return "SIGSEGV, a crash"
        case SIGABRT: return "SIGABRT, an abort"
        case SIGILL, SIGTRAP: return "a trap"
        case SIGKILL: return "SIGKILL: out of memory or killed"
        case SIGBUS: return "SIGBUS"
        default: return "signal \(signal)"
        }
    }
}

/// A child process run to its end: its standard output, and how it ended.
struct ChildProcess {
    enum Ending: Equatable {
        case exited(Int32)
        case signalled(Int32)
        case timedOut
        case notStarted(String)
    }

    let output: Data
    let ending: Ending

    var status: Int32? {
        if case .exited(let code) = ending { return code }
        return nil
    }

    /// Output kept from a worker: a report is far smaller (each test's output is capped).
    static let maximumOutput = 256 << 20

    /// Runs `arguments` with an empty standard input, collects standard
    /// output (standard error is dropped), and kills it after `deadline` seconds.
    static func run(_ arguments: [String], deadline: Double) -> ChildProcess {
        var output: [Int32] = [0, 0]
        var input: [Int32] = [0, 0]
        guard pipe(&output) == 0 else { return ChildProcess(output: Data(), ending: .notStarted("no pipe")) }
        guard pipe(&input) == 0 else {
            close(output[0])
            close(output[1])
            return ChildProcess(output: Data(), ending: .notStarted("no pipe"))
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_addclose(&actions, 2)
        for descriptor in input + output { posix_spawn_file_actions_addclose(&actions, descriptor) }
        var environment = ProcessInfo.processInfo.environment
        // A crash is reported by the parent; the backtracer would only slow it.
        environment["SWIFT_BACKTRACE"] = "enable=no"
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.keys.sorted().map { strdup("\($0)=\(environment[$0]!)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, arguments[0], &actions, nil, argv, envp)
        close(input[0])
        close(input[1])
        close(output[1])
        guard spawned == 0 else {
            close(output[0])
            return ChildProcess(output: Data(), ending: .notStarted(String(cString: strerror(spawned))))
        }
        let (data, timedOut) = readAll(output[0], pid: pid, deadline: deadline)
        close(output[0])
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        if timedOut { return ChildProcess(output: data, ending: .timedOut) }
        // WIFEXITED / WTERMSIG, which Swift does not import (they are macros).
        let signal = status & 0x7F
        if signal == 0 { return ChildProcess(output: data, ending: .exited((status >> 8) & 0xFF)) }
        return ChildProcess(output: data, ending: .signalled(signal))
    }

    /// Reads until end of file, killing the child when the deadline passes or it writes too much.
    private static func readAll(_ descriptor: Int32, pid: pid_t, deadline: Double) -> (Data, Bool) {
        var data = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        let end = Date().addingTimeInterval(deadline)
        while true {
            let remaining = end.timeIntervalSinceNow
            if remaining <= 0 || data.count > maximumOutput {
                kill(pid, SIGKILL)
                return (data, true)
            }
            var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            let ready = poll(&poller, 1, Int32(min(remaining, 1) * 1000) + 1)
            if ready < 0 && errno == EINTR { continue }
            if ready <= 0 { continue }
            let count = read(descriptor, &chunk, chunk.count)
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return (data, false) }
            data.append(contentsOf: chunk[0..<count])
        }
    }
}
