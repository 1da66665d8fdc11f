import Foundation

/// An expected transcript in which some text may legitimately differ:
/// `{hex}` stands for a hex number (0x…), `{int}` for a decimal one, a field
/// that is only `*` for any one word, and a line starting with `re:` is a
/// regular expression for the whole line. Everything else is compared byte
/// for byte, so "é" precomposed and decomposed differ, as they do on disk.
///
/// Each line is compiled once, when the transcript is read: `{hex}`, `{int}`
/// and `*` lines become a list of pieces matched by hand (no regular
/// expression), and only a `re:` line holds an `NSRegularExpression`.
public struct TranscriptPattern: Sendable {
    let lines: [LinePattern]
    let sourceLines: [String]

    public init(_ text: String) {
        sourceLines = TranscriptLines.split(text).map { String(decoding: $0, as: UTF8.self) }
        lines = sourceLines.map(LinePattern.init)
    }

    func matches(_ index: Int, _ actual: ArraySlice<UInt8>) -> Bool { lines[index].matches(actual) }

    /// nil when `actual` matches; otherwise where the first difference is,
    /// both lines, and a short unified diff around it.
    public func mismatch(actual text: String, expectedName: String) -> String? {
        let actual = TranscriptLines.split(text)
        let pairs = TranscriptLines.align(expectedCount: lines.count, actualCount: actual.count) {
            matches($0, actual[$1])
        }
        guard let first = pairs.firstIndex(where: { !$0.isMatch }) else { return nil }
        // A line missing on one side is reported at the next line that side has.
        let expectedLine = pairs[first...].lazy.compactMap(\.expected).first ?? lines.count
        let actualLine = pairs[first...].lazy.compactMap(\.actual).first ?? actual.count
        func quote(_ line: String?) -> String { line.map { "\"\($0)\"" } ?? "(nothing: the transcript ends here)" }
        let expectedText = expectedLine < lines.count ? sourceLines[expectedLine] : nil
        let actualText = actualLine < actual.count ? String(decoding: actual[actualLine], as: UTF8.self) : nil
        var report = """
            output differs from \(expectedName) at expected line \(expectedLine + 1), output line \(actualLine + 1)
              expected: \(quote(expectedText))
              got:      \(quote(actualText))
            """
        report += "\n" + unifiedHunk(pairs, around: first, actual: actual, expectedName: expectedName)
        return report
    }

    /// Up to 2 lines of context and 8 changed lines around the first difference.
    private func unifiedHunk(
        _ pairs: [TranscriptLines.Pair], around first: Int, actual: [ArraySlice<UInt8>], expectedName: String
    ) -> String {
        let start = max(0, first - 2)
        var end = first
        var changed = 0
        while end < pairs.count, changed < 8 {
            if !pairs[end].isMatch { changed += 1 } else if end > first + 2, pairs[end - 1].isMatch { break }
            end += 1
        }
        end = min(pairs.count, end + 2)
        let slice = pairs[start..<end]
        let expectedStart = (slice.first { $0.expected != nil }?.expected ?? lines.count) + 1
        let actualStart = (slice.first { $0.actual != nil }?.actual ?? actual.count) + 1
        let expectedCount = slice.filter { $0.expected != nil }.count
        let actualCount = slice.filter { $0.actual != nil }.count
        var hunk = "--- \(expectedName)\n+++ output\n@@ -\(expectedStart),\(expectedCount) +\(actualStart),\(actualCount) @@\n"
        for pair in slice {
            if pair.isMatch, let index = pair.actual {
                hunk += " " + String(decoding: actual[index], as: UTF8.self) + "\n"
                continue
            }
            if let index = pair.expected { hunk += "-" + sourceLines[index] + "\n" }
            if let index = pair.actual { hunk += "+" + String(decoding: actual[index], as: UTF8.self) + "\n" }
        }
        return hunk
    }
}

/// One expected line, compiled: bytes to compare, pieces to match, or a
/// regular expression.
enum LinePattern: Sendable {
    case literal([UInt8])
    case pieces([Piece])
    /// A `re:` line; nil when the expression does not compile (it then matches nothing).
    case expression(RegularExpression?)

    enum Piece: Sendable, Equatable {
        case bytes([UInt8])
        /// `{hex}`: `0x` and at least one hex digit.
        case hex
        /// `{int}`: a digit, then digits, `,` or `_`.
        case int
        /// A field that is only `*`: one or more bytes other than a space.
        case word
    }

    init(_ line: String) {
        if line.hasPrefix("re:") {
            self = .expression(RegularExpression("^(?:" + line.dropFirst(3) + ")$"))
            return
        }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard line.contains("{hex}") || line.contains("{int}") || fields.contains("*") else {
            self = .literal(Array(line.utf8))
            return
        }
        var pieces: [Piece] = []
        func literal(_ text: Substring) {
            guard !text.isEmpty else { return }
            if case .bytes(let earlier)? = pieces.last {
                pieces[pieces.count - 1] = .bytes(earlier + Array(text.utf8))
            } else {
                pieces.append(.bytes(Array(text.utf8)))
            }
        }
        for (position, field) in fields.enumerated() {
            if position > 0 { literal(" ") }
            if field == "*" {
                pieces.append(.word)
                continue
            }
            var rest = field
            while let (range, placeholder) = Self.firstPlaceholder(in: rest) {
                literal(rest[..<range.lowerBound])
                pieces.append(placeholder)
                rest = rest[range.upperBound...]
            }
            literal(rest)
        }
        self = .pieces(pieces)
    }

    /// The first `{hex}` or `{int}` in `text`.
    private static func firstPlaceholder(in text: Substring) -> (Range<Substring.Index>, Piece)? {
        let hex = text.range(of: "{hex}")
        let int = text.range(of: "{int}")
        if let hex, int == nil || hex.lowerBound < int!.lowerBound { return (hex, .hex) }
        return int.map { ($0, .int) }
    }

    func matches(_ actual: ArraySlice<UInt8>) -> Bool {
        switch self {
        case .literal(let bytes): return bytes.elementsEqual(actual)
        case .pieces(let pieces): return Self.match(pieces[...], actual)
        case .expression(let expression): return expression?.matchesWhole(actual) ?? false
        }
    }

    /// Whether `pieces` match all of `actual`. Each placeholder is greedy;
    /// none can match a space, so a line's fields bound the backtracking.
    private static func match(_ pieces: ArraySlice<Piece>, _ actual: ArraySlice<UInt8>) -> Bool {
        guard let piece = pieces.first else { return actual.isEmpty }
        let rest = pieces.dropFirst()
        switch piece {
        case .bytes(let bytes):
            guard actual.starts(with: bytes) else { return false }
            return match(rest, actual.dropFirst(bytes.count))
        case .hex, .int, .word:
            var end = actual.startIndex
            let first: Int
            switch piece {
            case .hex:
                guard actual.starts(with: [UInt8(ascii: "0"), UInt8(ascii: "x")]) else { return false }
                end += 2
                first = end + 1
                while end < actual.endIndex, isHexDigit(actual[end]) { end += 1 }
            case .int:
                first = end + 1
                guard end < actual.endIndex, isDigit(actual[end]) else { return false }
                while end < actual.endIndex, isDigit(actual[end]) || actual[end] == UInt8(ascii: ",")
                    || actual[end] == UInt8(ascii: "_")
                {
                    end += 1
                }
            default:
                first = end + 1
                while end < actual.endIndex, actual[end] != UInt8(ascii: " ") { end += 1 }
            }
            // Longest first, as a regular expression would try them.
            while end >= first {
                if match(rest, actual[end...]) { return true }
                end -= 1
            }
            return false
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private static func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte | 0x20 >= 0x61 && byte | 0x20 <= 0x66)
    }
}

/// A `re:` line's expression, compiled once. NSRegularExpression is
/// immutable once made and documented as safe to share between threads.
struct RegularExpression: Sendable {
    private let expression: NSRegularExpression

    init?(_ pattern: String) {
        guard let expression = try? NSRegularExpression(pattern: pattern) else { return nil }
        self.expression = expression
    }

    func matchesWhole(_ bytes: ArraySlice<UInt8>) -> Bool {
        let text = String(decoding: bytes, as: UTF8.self)
        return expression.firstMatch(in: text, options: [], range: NSRange(text.startIndex..., in: text)) != nil
    }
}

/// Line splitting and alignment shared by transcript comparisons: bytes, not
/// characters (a CRLF file has as many lines as its LF twin).
enum TranscriptLines {
    /// Lines split on "\n", keeping the empty piece after a final newline, so
    /// that "a\n" and "a" differ (the byte-for-byte rule).
    static func split(_ text: String) -> [ArraySlice<UInt8>] {
        Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    struct Pair: Equatable {
        let expected: Int?
        let actual: Int?
        let isMatch: Bool
    }

    /// Differences searched for before the rest is paired line by line:
    /// at most 1,000, fewer for long transcripts, so that a transcript with
    /// nothing in common costs about 20 million line comparisons at most.
    static func maximumDifferences(_ lines: Int) -> Int { max(64, min(1_000, 20_000_000 / max(lines, 1))) }

    /// Matches lines in order with Myers's O((N+M)·D) algorithm (the one
    /// behind `diff`), lines compared only through `equal`, so a missing or
    /// extra line shows as one and the rest still line up. The common case,
    /// a transcript that matches or nearly does, costs time linear in its
    /// length. Past `maximumDifferences` the rest is paired one to one.
    static func align(expectedCount: Int, actualCount: Int, _ equal: (Int, Int) -> Bool) -> [Pair] {
        var prefix = 0
        while prefix < expectedCount, prefix < actualCount, equal(prefix, prefix) { prefix += 1 }
        var suffix = 0
        while suffix < expectedCount - prefix, suffix < actualCount - prefix,
            equal(expectedCount - 1 - suffix, actualCount - 1 - suffix)
        {
            suffix += 1
        }
        var pairs = (0..<prefix).map { Pair(expected: $0, actual: $0, isMatch: true) }
        let n = expectedCount - prefix - suffix
        let m = actualCount - prefix - suffix
        if let middle = myers(n, m, { equal(prefix + $0, prefix + $1) }) {
            pairs += middle.map {
                Pair(expected: $0.expected.map { prefix + $0 }, actual: $0.actual.map { prefix + $0 }, isMatch: $0.isMatch)
            }
        } else {
            pairs += (0..<max(n, m)).map { index in
                let expected = index < n ? prefix + index : nil
                let actual = index < m ? prefix + index : nil
                let same = expected != nil && actual != nil && equal(prefix + index, prefix + index)
                return Pair(expected: expected, actual: actual, isMatch: same)
            }
        }
        pairs += (0..<suffix).map {
            Pair(expected: expectedCount - suffix + $0, actual: actualCount - suffix + $0, isMatch: true)
        }
        return pairs
    }

    /// The shortest edit script between n expected and m actual lines, or
    /// nil when it needs more than `maximumDifferences` edits.
    private static func myers(_ n: Int, _ m: Int, _ equal: (Int, Int) -> Bool) -> [Pair]? {
        if n == 0 || m == 0 {
            return (0..<n).map { Pair(expected: $0, actual: nil, isMatch: false) }
                + (0..<m).map { Pair(expected: nil, actual: $0, isMatch: false) }
        }
        let limit = min(n + m, maximumDifferences(n + m))
        let offset = limit + 1
        var frontier = [Int](repeating: 0, count: 2 * limit + 3)
        // trace[d] is the frontier before step d, for walking back.
        var trace: [[Int]] = []
        for d in 0...limit {
            trace.append(Array(frontier[(offset - d - 1)...(offset + d + 1)]))
            for k in stride(from: -d, through: d, by: 2) {
                var x =
                    k == -d || (k != d && frontier[offset + k - 1] < frontier[offset + k + 1])
                    ? frontier[offset + k + 1] : frontier[offset + k - 1] + 1
                var y = x - k
                while x < n, y < m, equal(x, y) {
                    x += 1
                    y += 1
                }
                frontier[offset + k] = x
                if x >= n, y >= m { return backtrack(trace, d: d, n: n, m: m) }
            }
        }
        return nil
    }

    private static func backtrack(_ trace: [[Int]], d final: Int, n: Int, m: Int) -> [Pair] {
        var reversed: [Pair] = []
        var (x, y) = (n, m)
        for d in stride(from: final, through: 0, by: -1) {
            let saved = trace[d]
            // saved[i] holds diagonal i - d - 1.
            func at(_ k: Int) -> Int { saved[k + d + 1] }
            let k = x - y
            let previousK: Int
            if d == 0 {
                previousK = k
            } else {
                previousK = k == -d || (k != d && at(k - 1) < at(k + 1)) ? k + 1 : k - 1
            }
            let previousX = d == 0 ? 0 : at(previousK)
            let previousY = previousX - previousK
            while x > previousX, y > previousY {
                x -= 1
                y -= 1
                reversed.append(Pair(expected: x, actual: y, isMatch: true))
            }
            if d > 0 {
                if x == previousX {
                    reversed.append(Pair(expected: nil, actual: previousY, isMatch: false))
                } else {
                    reversed.append(Pair(expected: previousX, actual: nil, isMatch: false))
                }
            }
            (x, y) = (previousX, previousY)
        }
        return reversed.reversed()
    }
}
