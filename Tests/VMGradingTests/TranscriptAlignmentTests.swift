import Testing
import VMMachine

@testable import VMGrading

/// The alignment behind `expect_transcript`: Myers's diff with patterns as
/// line predicates, checked against a textbook LCS on random transcripts.
@Suite struct TranscriptAlignmentTests {
    /// Longest common subsequence by the O(n·m) table: the reference the fast alignment must equal.
    private func lcsLength(_ a: [Int], _ b: [Int]) -> Int {
        var table = Array(repeating: Array(repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in stride(from: a.count - 1, through: 0, by: -1) {
            for j in stride(from: b.count - 1, through: 0, by: -1) {
                table[i][j] = a[i] == b[j] ? table[i + 1][j + 1] + 1 : max(table[i + 1][j], table[i][j + 1])
            }
        }
        return table[0][0]
    }

    @Test func matchesAreALongestCommonSubsequenceInOrder() {
        var random = SplitMix64(seed: 7)
        for _ in 0..<400 {
            let a = (0..<Int(random.next() % 14)).map { _ in Int(random.next() % 4) }
            let b = (0..<Int(random.next() % 14)).map { _ in Int(random.next() % 4) }
            let pairs = TranscriptLines.align(expectedCount: a.count, actualCount: b.count) { a[$0] == b[$1] }
            // Every line of each side appears once, in order.
            #expect(pairs.compactMap(\.expected) == Array(0..<a.count))
            #expect(pairs.compactMap(\.actual) == Array(0..<b.count))
            for pair in pairs where pair.isMatch {
                #expect(a[pair.expected!] == b[pair.actual!])
            }
            for pair in pairs where !pair.isMatch {
                #expect(pair.expected == nil || pair.actual == nil)
            }
            #expect(pairs.filter(\.isMatch).count == lcsLength(a, b), "\(a) vs \(b)")
        }
    }

    @Test func aLongNearlyEqualTranscriptComparesInLinearTime() {
        // 200,000 lines with one changed: the old O(n·m) table would need 4·10^10 cells.
        let count = 200_000
        var comparisons = 0
        let pairs = TranscriptLines.align(expectedCount: count, actualCount: count) {
            comparisons += 1
            return $0 == $1 && $0 != 100_000
        }
        #expect(pairs.filter { !$0.isMatch }.count == 2)
        #expect(comparisons < 4 * count)
    }

    /// A literal line matches only the same bytes, not any line of its length.
    @Test func aLiteralLineMatchesOnlyItsOwnBytes() {
        let pattern = TranscriptPattern("read 0x400000: TLB hit\n")
        #expect(pattern.mismatch(actual: "read 0x400000: TLB hit\n", expectedName: "e") == nil)
        #expect(pattern.mismatch(actual: "read 0x400000: TLB mis\n", expectedName: "e") != nil, "same length, other bytes")
    }

    @Test func placeholdersMatchWhatTheyNameAndNothingElse() {
        let pattern = TranscriptPattern("read {hex}: pa {hex} ({int} cycles) * done")
        func matches(_ line: String) -> Bool { pattern.matches(0, Array(line.utf8)[...]) }
        #expect(matches("read 0x400000: pa 0x1a000 (1,204 cycles) hit done"))
        #expect(!matches("read 400000: pa 0x1a000 (12 cycles) hit done"))
        #expect(!matches("read 0x: pa 0x1a000 (12 cycles) hit done"))
        #expect(!matches("read 0x400000: pa 0x1a000 (x cycles) hit done"))
        #expect(!matches("read 0x400000: pa 0x1a000 (12 cycles) two words done"))
        #expect(!matches("read 0x400000: pa 0x1a000 (12 cycles) hit done!"))
        let glued = TranscriptPattern("{int}{hex}x")
        #expect(glued.matches(0, Array("120x1fx".utf8)[...]))
        let regex = TranscriptPattern("re:TLB (hit|miss)")
        #expect(regex.matches(0, Array("TLB miss".utf8)[...]))
        #expect(!regex.matches(0, Array("a TLB miss".utf8)[...]))
        #expect(!TranscriptPattern("re:(unclosed").matches(0, Array("(unclosed".utf8)[...]))
    }
}
