import Foundation

/// What the language asks of a grader (`vmlab grade`, in VMGrading): the
/// interpreter knows that `submission`, `expect` and `expect_transcript`
/// exist, the grader decides what they mean for a score.
public protocol GradingContext: AnyObject {
    /// Runs the student's file in `interpreter`, at top level (the `submission` statement).
    func runSubmission(in interpreter: Interpreter, at range: SourceRange) throws
    /// Called for every `expect` and `expect_transcript` that was decided.
    func record(_ expectation: ExpectationRecord)
    /// Compares captured output with the expected transcript `path` (relative
    /// to the tests file); nil when it matches, else a report of the first difference.
    func transcriptMismatch(expectedFile path: String, actual: String, at range: SourceRange) throws -> String?
}

/// One decided `expect`: what a report needs to say about it.
public struct ExpectationRecord: Sendable {
    public let label: String
    public let held: Bool
    /// `expect … points=N`; nil when the expect carries no points of its own.
    public let points: UInt64?
    /// For a failed comparison: the left side's value, and what it was compared with.
    public let got: String?
    public let expected: String?
    /// Further explanation for a failure (a transcript's first difference).
    public let detail: String?
    public let range: SourceRange

    public init(
        label: String, held: Bool, points: UInt64?, got: String?, expected: String?, detail: String?, range: SourceRange
    ) {
        self.label = label
        self.held = held
        self.points = points
        self.got = got
        self.expected = expected
        self.detail = detail
        self.range = range
    }
}

/// What an untrusted submission may reach on the host: `include` of `.vml`
/// files inside its own directory, and nothing that writes. Files are
/// untrusted by origin: the submission and whatever it includes.
public final class Sandbox {
    /// The submission's directory, symbolic links resolved.
    public let root: String
    private var untrusted: Set<String>

    public init(submission path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        root = Self.realPath(directory.isEmpty ? "." : directory) ?? directory
        untrusted = [path]
    }

    /// Whether code from `file` runs under the sandbox's rules.
    public func isUntrusted(_ file: String) -> Bool { untrusted.contains(file) }

    /// The path an `include` from untrusted code may open, or a reason it may not.
    func resolveInclude(_ path: String, from includer: String) -> Result<String, IncludeRefusal> {
        if path.contains("\0") { return .failure(.init("a file name cannot contain a NUL byte")) }
        if path.hasPrefix("/") || path.hasPrefix("~") {
            return .failure(.init("a graded submission may include only files beside it, not '\(path)'"))
        }
        if path.split(separator: "/").contains("..") {
            return .failure(.init("a graded submission may not include files outside its folder ('..')"))
        }
        guard path.hasSuffix(".vml") else { return .failure(.init("only .vml scripts can be included, not '\(path)'")) }
        let directory = (includer as NSString).deletingLastPathComponent
        let joined = directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
        guard let real = Self.realPath(joined) else { return .failure(.init("cannot open '\(path)': no such file")) }
        guard real.hasPrefix(root + "/") else {
            return .failure(.init("'\(path)' leads outside the submission's folder"))
        }
        var info = stat()
        guard stat(real, &info) == 0, info.st_mode & S_IFMT == S_IFREG else {
            return .failure(.init("'\(path)' is not a regular file"))
        }
        untrusted.insert(joined)
        return .success(joined)
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}

struct IncludeRefusal: Error {
    let message: String
    init(_ message: String) { self.message = message }
}
