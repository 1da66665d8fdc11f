import VMLanguage

/// Points kept exactly, in hundredths, so that partial credit adds up the
/// same way in every report.
public struct Points: Sendable, Comparable, CustomStringConvertible {
    public let hundredths: UInt64

    public init(hundredths: UInt64) { self.hundredths = hundredths }
    public init(whole: UInt64) { hundredths = whole * 100 }

    public static func + (a: Points, b: Points) -> Points { Points(hundredths: a.hundredths + b.hundredths) }
    public static func < (a: Points, b: Points) -> Bool { a.hundredths < b.hundredths }

    /// "7", "2.5", "0.33": what every report prints.
    public var description: String {
        let whole = hundredths / 100
        let fraction = hundredths % 100
        if fraction == 0 { return String(whole) }
        return fraction % 10 == 0 ? "\(whole).\(fraction / 10)" : "\(whole).\(fraction < 10 ? "0" : "")\(fraction)"
    }
}

/// An expect that did not hold, as reports show it.
public struct FailedExpect: Sendable, Codable, Equatable {
    public let label: String
    public let got: String?
    public let expected: String?
    /// Further explanation (a transcript's first difference).
    public let detail: String?

    public init(label: String, got: String?, expected: String?, detail: String?) {
        self.label = label
        self.got = got
        self.expected = expected
        self.detail = detail
    }

    init(_ record: ExpectationRecord) {
        self.init(label: record.label, got: record.got, expected: record.expected, detail: record.detail)
    }
}

public struct TestResult: Sendable {
    public enum Status: String, Sendable {
        case passed, failed
        /// A runtime or syntax error, or a limit reached.
        case error
        /// A test it `needs` did not pass.
        case skipped
    }

    public let test: TestCase
    public let status: Status
    public let score: Points
    /// Why a test that did not pass earned what it did ("2 of 3 expects held").
    public let scoreNote: String?
    /// Everything the test printed, output and diagnostics in order (capped).
    public let output: String
    public let steps: UInt64
    /// Expects that did not hold.
    public let failures: [FailedExpect]
    /// The error that stopped the test, rendered with its location.
    public let error: String?
    public let skipReason: String?
    /// Wall-clock seconds; reported only with --timing.
    public let seconds: Double
    /// The grader failed here, not the submission (exit status 3).
    public let graderFault: Bool

    public var maximum: Points { Points(whole: test.maximumPoints) }
}

/// One submission graded against one suite.
public struct SubmissionResult: Sendable {
    /// The submission's name in a gradebook: the file's or its folder's name.
    public let name: String
    public let path: String
    public let tests: [TestResult]
    public let seed: UInt64
    /// Set when the submission could not be graded at all (no file, say).
    public let problem: String?

    public var score: Points { tests.reduce(Points(hundredths: 0)) { $0 + $1.score } }
    public var maximum: Points { tests.reduce(Points(hundredths: 0)) { $0 + $1.maximum } }
    public var allPassed: Bool { problem == nil && tests.allSatisfy { $0.status == .passed } }
    public var seconds: Double { tests.reduce(0) { $0 + $1.seconds } }
    public var graderFault: Bool { tests.contains { $0.graderFault } }
}
