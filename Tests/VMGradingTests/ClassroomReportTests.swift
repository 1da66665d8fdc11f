import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// GitHub Classroom's reporter sums `tests[].score` against `max_score`: the
/// file must carry the grader's own points, and hide what a hidden test is.
@Suite struct ClassroomReportTests {
    @Test func pointsStatusesAndHiddenTests() throws {
        let exercise = try Exercise(
            tests: """
                test "passes" points=2 { submission; expect true }
                test "fails" { submission; expect x == 2 "x is 2" }
                test "errs" { submission; print nothing_defines_this }
                test "secret" hidden points=3 { submission; expect false "the secret" }
                """,
            submission: "let x = 1\n")
        let suite = try TestSuite.load(path: exercise.testsPath)
        let result = try exercise.grade()
        let text = ClassroomReport.render(result, suite: suite)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "fail" && (json["max_score"] as? NSNumber)?.intValue == 7)
        let tests = try #require(json["tests"] as? [[String: Any]])
        #expect(tests.map { $0["status"] as? String } == ["pass", "fail", "error", "fail"])
        #expect(tests.compactMap { ($0["score"] as? NSNumber)?.intValue } == [2, 0, 0, 0])
        #expect(tests[3]["name"] as? String == "hidden test 4")
        #expect(!text.contains("the secret"), "a hidden test's expect is not shown to the student")
        #expect(tests.map { $0["line_no"] as? Int } == [1, 2, 3, 4])
    }
}
