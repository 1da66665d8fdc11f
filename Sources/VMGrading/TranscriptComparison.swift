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
            difference = Difference(
                line: index + 1, expected: expectedLines[index].description, actual: actualLines[index].description)
        } else if expectedLines.count != actualLines.count {
            difference = Difference(
                line: common + 1,
                expected: common < expectedLines.count ? expectedLines[common].description : nil,
                actual: common < actualLines.count ? actualLines[common].description : nil)
        } else {
            difference = nil
        }
    }

    /// Lines as bytes (see `TranscriptLines.split`): Unicode-equivalent but
    /// different bytes differ, and "\r\n" ends a line as "\n" does.
    private static func lines(_ text: String) -> [Line] {
        TranscriptLines.split(text).map(Line.init)
    }

    /// A line compared by its bytes; shown as text.
    private struct Line: Equatable, CustomStringConvertible {
        let bytes: ArraySlice<UInt8>
        init(_ bytes: ArraySlice<UInt8>) { self.bytes = bytes }
        static func == (a: Line, b: Line) -> Bool { a.bytes.elementsEqual(b.bytes) }
        var description: String { String(decoding: bytes, as: UTF8.self) }
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
