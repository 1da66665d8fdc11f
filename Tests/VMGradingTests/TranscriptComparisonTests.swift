import Testing
@testable import VMGrading

@Suite struct TranscriptComparisonTests {
    @Test func identicalTranscriptsMatch() {
        let comparison = TranscriptComparison(expected: "a\nb\n", actual: "a\nb\n")
        #expect(comparison.matches)
        #expect(comparison.report(expectedName: "x.out") == "transcript matches x.out\n")
    }

    @Test func reportsTheFirstDifferingLine() {
        let comparison = TranscriptComparison(expected: "a\nb\nc\n", actual: "a\nB\nC\n")
        #expect(comparison.difference == .init(line: 2, expected: "b", actual: "B"))
        #expect(comparison.report(expectedName: "x.out") == """
            transcript differs from x.out at line 2:
              expected: "b"
              actual:   "B"

            """)
    }

    @Test func aMissingOrExtraLineIsADifference() {
        #expect(TranscriptComparison(expected: "a\nb\n", actual: "a\n").difference == .init(line: 2, expected: "b", actual: ""))
        #expect(TranscriptComparison(expected: "a\n", actual: "a\nb\n").difference == .init(line: 2, expected: "", actual: "b"))
        let short = TranscriptComparison(expected: "a\nb", actual: "a")
        #expect(short.difference == .init(line: 2, expected: "b", actual: nil))
        #expect(short.report(expectedName: "x").contains("actual:   (no line: the transcript ends here)"))
    }

    @Test func aMissingFinalNewlineIsADifference() {
        #expect(!TranscriptComparison(expected: "a\n", actual: "a").matches)
    }
}
