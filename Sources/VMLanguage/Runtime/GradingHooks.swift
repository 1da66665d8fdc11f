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
