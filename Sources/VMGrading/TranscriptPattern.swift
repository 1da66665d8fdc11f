import Foundation

/// An expected transcript in which some text may legitimately differ:
/// `{hex}` stands for a hex number (0x…), `{int}` for a decimal one, a field
/// that is only `*` for any one word, and a line starting with `re:` is a
/// regular expression for the whole line. Everything else is compared byte
/// for byte, so "é" precomposed and decomposed differ, as they do on disk.
public struct TranscriptPattern: Sendable {
    enum Line: Sendable {
        case literal([UInt8])
        /// The pattern's text and the compiled expression (nil if it does not compile).
        case pattern(String, String)
    }

    let lines: [Line]
    let sourceLines: [String]

    public init(_ text: String) {
        sourceLines = TranscriptLines.split(text).map { String(decoding: $0, as: UTF8.self) }
        lines = sourceLines.map(Self.compile)
    }

    private static func compile(_ line: String) -> Line {
        if line.hasPrefix("re:") { return .pattern(line, String(line.dropFirst(3))) }
        let fields = line.split(separator: " ", omittingEmptySubsequences: false)
        guard line.contains("{hex}") || line.contains("{int}") || fields.contains("*") else {
            return .literal(Array(line.utf8))
        }
        var expression = ""
        for (position, field) in fields.enumerated() {
            if position > 0 { expression += " " }
            if field == "*" {
                expression += "\\S+"
                continue
            }
            var rest = Substring(field)
            while !rest.isEmpty {
                if rest.hasPrefix("{hex}") {
                    expression += "0x[0-9a-fA-F]+"
                    rest = rest.dropFirst(5)
                } else if rest.hasPrefix("{int}") {
                    expression += "[0-9][0-9,_]*"
                    rest = rest.dropFirst(5)
                } else {
                    let literalEnd = rest.range(of: "{hex}")?.lowerBound ?? rest.endIndex
                    let intEnd = rest.range(of: "{int}")?.lowerBound ?? rest.endIndex
                    let end = min(literalEnd, intEnd)
                    let literal = rest[rest.startIndex..<(end == rest.startIndex ? rest.index(after: end) : end)]
                    expression += NSRegularExpression.escapedPattern(for: String(literal))
                    rest = rest[literal.endIndex...]
                }
            }
        }
        return .pattern(line, expression)
    }

    func matches(_ index: Int, _ actual: ArraySlice<UInt8>) -> Bool {
        switch lines[index] {
        case .literal(let bytes): return bytes.elementsEqual(actual)
        case .pattern(_, let expression):
            guard let regex = try? NSRegularExpression(pattern: "^(?:" + expression + ")$") else { return false }
            let text = String(decoding: actual, as: UTF8.self)
            let range = NSRange(text.startIndex..., in: text)
            return regex.firstMatch(in: text, options: [], range: range) != nil
        }
    }

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

/// Line splitting and alignment shared by transcript comparisons: bytes, not
/// characters (a CRLF file has as many lines as its LF twin).
enum TranscriptLines {
    /// Lines split on "\n", keeping the empty piece after a final newline, so
    /// that "a\n" and "a" differ (the byte-for-byte rule).
    static func split(_ text: String) -> [ArraySlice<UInt8>] {
        Array(text.utf8).split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
    }

    struct Pair {
        let expected: Int?
        let actual: Int?
        let isMatch: Bool
    }

    /// Matches lines in order with a longest-common-subsequence table, so a
    /// missing or extra line shows as one and the rest still line up. Past a
    /// size where the table would cost too much, lines are paired one to one.
    static func align(expectedCount: Int, actualCount: Int, _ equal: (Int, Int) -> Bool) -> [Pair] {
        guard expectedCount * actualCount <= 4_000_000 else {
            return (0..<max(expectedCount, actualCount)).map { index in
                let expected = index < expectedCount ? index : nil
                let actual = index < actualCount ? index : nil
                let same = expected != nil && actual != nil && equal(index, index)
                return Pair(expected: expected, actual: actual, isMatch: same)
            }
        }
        let width = actualCount + 1
        var equalCache = [Bool](repeating: false, count: expectedCount * max(actualCount, 1))
        var table = [Int32](repeating: 0, count: (expectedCount + 1) * width)
        if expectedCount > 0 && actualCount > 0 {
            for i in stride(from: expectedCount - 1, through: 0, by: -1) {
                for j in stride(from: actualCount - 1, through: 0, by: -1) {
                    let same = equal(i, j)
                    equalCache[i * actualCount + j] = same
                    table[i * width + j] =
                        same ? table[(i + 1) * width + j + 1] + 1 : max(table[(i + 1) * width + j], table[i * width + j + 1])
                }
            }
        }
        var pairs: [Pair] = []
        var (i, j) = (0, 0)
        while i < expectedCount || j < actualCount {
            if i < expectedCount, j < actualCount, equalCache[i * actualCount + j] {
                pairs.append(Pair(expected: i, actual: j, isMatch: true))
                i += 1
                j += 1
            } else if j < actualCount, i == expectedCount || table[i * width + j + 1] > table[(i + 1) * width + j] {
                pairs.append(Pair(expected: nil, actual: j, isMatch: false))
                j += 1
            } else {
                pairs.append(Pair(expected: i, actual: nil, isMatch: false))
                i += 1
            }
        }
        return pairs
    }
}
