import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// The grader's own correctness: a failing test never scores its full
/// points, in any report, and instructor input never crashes it.
@Suite struct ScoringRuleTests {
    /// Every per-submission format, rendered, so that one rule is seen in all of them.
    private func reports(_ result: SubmissionResult, _ suite: TestSuite) -> [String: String] {
        [
            "text": TextReport.render(result, suite: suite),
            "gradescope": GradescopeReport.render(result, suite: suite),
            "tap": TAPReport.render(result, suite: suite),
            "junit": JUnitReport.render(result, suite: suite),
            "csv": Gradebook.csv([result]),
        ]
    }

    @Test func aFailingTestNeverEarnsItsFullPointsWhateverItsExpectsCarry() throws {
        // The expects' points are declared as 1 each, but the loop runs the held one three times.
        let exercise = try Exercise(
            tests: """
                test "loop" points=2 {
                    submission
                    for i in 0..<3 { expect true points=1 "held" }
                    expect answer == 1 points=1 "the answer"
                }
                """,
            submission: "let answer = 2\n")
        let suite = try TestSuite.load(path: exercise.testsPath)
        let result = try exercise.grade()
        #expect(result.tests[0].status == .failed)
        #expect(result.tests[0].score == Points(whole: 1), "capped at 2 less the failed expect's 1")
        let rendered = reports(result, suite)
        #expect(rendered["text"]!.contains("loop: FAIL [1/2]"))
        #expect(rendered["text"]!.contains("points: expects that held carry 3 points; 1 failed, losing 1"))
        #expect(rendered["gradescope"]!.contains("\"score\": 1,"))
        #expect(rendered["tap"]!.contains("not ok 1 - loop (1/2 points)"))
        #expect(rendered["junit"]!.contains("<property name=\"score\" value=\"1\"/>"))
        #expect(rendered["csv"]!.contains("answer,1,2,loop"))
    }

    @Test func partialCreditIsNeverFullWhileAnExpectFailed() throws {
        // Ten expects run where two are written: 9 of 10 held.
        let exercise = try Exercise(
            tests: """
                test "share" points=1 partial=on {
                    submission
                    for i in 0..<9 { expect true }
                    expect answer == 1
                }
                """,
            submission: "let answer = 2\n")
        let result = try exercise.grade()
        #expect(result.tests[0].score == Points(hundredths: 90))
        #expect(result.tests[0].scoreNote == "partial=on: 9 of 10 expects held")
    }

    @Test func aFailedExpectWithoutPointsStillKeepsTheTestBelowFull() throws {
        let exercise = try Exercise(
            tests: """
                def check(x) { expect x == 1 "helper" }
                test "mixed" points=1 { submission; expect true points=1; check(answer) }
                """,
            submission: "let answer = 2\n")
        let result = try exercise.grade()
        #expect(result.tests[0].status == .failed)
        #expect(result.tests[0].score < Points(whole: 1))
    }

    @Test(arguments: [
        ("test \"t\" points=0xffffffffffffffff { expect true }", "points must be from 0 to 100,000"),
        ("test \"t\" steps=0 { expect true }", "steps must be from 1 to 10,000,000,000"),
        ("test \"t\" steps=0xffffffffffffffff { expect true }", "steps must be from 1 to 10,000,000,000"),
        ("test \"t\" { expect true points=0xffffffffffffffff }", "an expect's points must be from 1 to 100,000"),
        ("test \"t\" { expect true points=0 }", "an expect's points must be from 1 to 100,000"),
    ])
    func outOfRangeNumbersInATestsFileAreLocatedErrors(tests: String, message: String) throws {
        let exercise = try Exercise(tests: tests, submission: "")
        let problem = try #require(exercise.loadProblem())
        #expect(problem.contains("tests.vml:1:"), "\(problem)")
        #expect(problem.contains(message), "\(problem)")
    }

    @Test func aComputedPointsValueIsBoundedWhenItRuns() throws {
        let sink = TranscriptSink()
        let session = Session(output: sink)
        let file = SourceFile(name: "p.vml", text: "let big = 0xffffffffffffffff\nexpect true points=big\n")
        #expect(throws: Diagnostic.self) { _ = try session.interpreter.run(source: file) }
        do {
            _ = try session.interpreter.run(source: file)
        } catch let diagnostic as Diagnostic {
            #expect(diagnostic.render().contains("p.vml:2:20: error: points must be at most 100000"))
        }
    }

    /// A test stopped by an error keeps at most its maximum, however many
    /// points the expects that held before the error carry.
    @Test func anErrorAfterRichExpectsStillScoresAtMostTheMaximum() throws {
        let exercise = try Exercise(
            tests: """
                test "rich" points=2 {
                    submission
                    for i in 0..<5 { expect true points=1 "held, five times" }
                    print not_defined_anywhere
                }
                """,
            submission: "")
        let result = try exercise.grade()
        #expect(result.tests[0].status == .error)
        #expect(result.tests[0].score <= Points(whole: 2), "\(result.tests[0].score)")
        #expect(result.score <= result.maximum)
    }
}
