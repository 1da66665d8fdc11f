/// Compares a run's transcript with an expected one and finds the first line
/// that differs: what golden tests and `vmlab run --expect-transcript` report.
public struct TranscriptComparison: Sendable, Equatable {
    public struct Difference: Sendable, Equatable {
        /// 1-based line number of the first difference.
        public let line: Int
        /// nil when that side has no such line.
        public let expected: String?
        public let actual: String?
    }

    public let difference: Difference?

    public var matches: Bool { difference == nil }

    public init(expected: String, actual: String) {
        let expectedLines = Self.lines(expected)
        let actualLines = Self.lines(actual)
        let common = min(expectedLines.count, actualLines.count)
        if let index = (0..<common).first(where: { expectedLines[$0] != actualLines[$0] }) {
            difference = Difference(line: index + 1, expected: expectedLines[index], actual: actualLines[index])
        } else if expectedLines.count != actualLines.count {
            difference = Difference(
                line: common + 1,
                expected: common < expectedLines.count ? expectedLines[common] : nil,
                actual: common < actualLines.count ? actualLines[common] : nil)
        } else {
            difference = nil
        }
    }

    /// Lines split on "\n", keeping a final empty piece when the text lacks a
    /// trailing newline, so that "a\n" and "a" differ (byte-for-byte rule).
    private static func lines(_ text: String) -> [String] {
        text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    /// A report a student can act on: where, and both versions of the line.
    public func report(expectedName: String) -> String {
        guard let difference else { return "transcript matches \(expectedName)\n" }
        func show(_ line: String?) -> String { line.map { "\"\($0)\"" } ?? "(no line: the transcript ends here)" }
        return """
            transcript differs from \(expectedName) at line \(difference.line):
              expected: \(show(difference.expected))
              actual:   \(show(difference.actual))

            """
    }
}
