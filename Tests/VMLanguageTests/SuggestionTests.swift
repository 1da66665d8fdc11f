import Testing

@testable import VMLanguage

/// "Did you mean": the edit distance costs the product of two names'
/// lengths, so names past a bound get no suggestion (a submission with two
/// 30,000-character names once aborted the grader).
@Suite struct SuggestionTests {
    @Test func shortNamesGetSuggestions() {
        #expect(closestMatch(to: "tbl", in: ["tlb", "cpu"]) == "tlb")
    }

    @Test func namesPastTheBoundAreNeitherGivenNorOffered() {
        let long = String(repeating: "a", count: maximumSuggestedLength)
        #expect(closestMatch(to: long + "b", in: [long]) == nil)
        #expect(closestMatch(to: long, in: [long + "b"]) == nil)
        #expect(closestMatch(to: String(long.dropLast()) + "b", in: [long]) == long, "at the bound a name still counts")
    }
}
