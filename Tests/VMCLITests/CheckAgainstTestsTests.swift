import Foundation
import Testing

/// `vmlab check --tests TESTS.vml SUBMISSION.vml`: the sealed-names rule of
/// a graded run, found before anything runs.
@Suite struct CheckAgainstTestsTests {
    @Test func assigningATestsNameIsReportedAndReadingOneIsFine() throws {
        let tests = "Tests/Hostile/course/tests.vml"
        let cheat = try CLITests.temporaryFile("answer_key = 1\nlet answer = answer_key\n")
        let checked = try CLITests.vmlab(["check", "--tests", tests, cheat])
        #expect(checked.status == 2)
        #expect(checked.stderr.contains(":1:1: error: 'answer_key' belongs to the tests file"), "\(checked.stderr)")
        #expect(!checked.stderr.contains("not defined"), "the tests file's names are known to the submission")
        let honest = try CLITests.temporaryFile("let answer = answer_key\nlet pa_of = 1\n")
        let fine = try CLITests.vmlab(["check", "--tests", tests, honest])
        #expect(fine.status == 0, "\(fine.stderr)")
        #expect(fine.stdout.hasSuffix(": ok\n"))
    }
}
