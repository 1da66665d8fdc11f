import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// A submission cannot change its own grade: the tests file's names are
/// sealed, and only the tests file's expects score.
@Suite struct SealedNamespaceTests {
    static let helperTests = """
        def pa_of(process, address) {
            switch process
            quiet { read address }
            return last.pa
        }
        let answer = 42
        test "the helper" points=5 { submission; expect pa_of(A, 0x400000) == 0x1234 "the page is at 0x1234" }
        test "the answer" points=3 { submission; expect student == answer }
        """

    @Test func redefiningTheTestsHelperChangesOnlyTheSubmissionsOwnName() throws {
        let exercise = try Exercise(
            tests: Self.helperTests,
            submission: """
                spawn A
                map A 0x400000 rw
                def pa_of(process, address) { return 0x1234 }
                let answer = 7
                let student = 7
                expect pa_of(A, 0x400000) == 0x1234 "the submission sees its own pa_of"
                """)
        let result = try exercise.grade()
        #expect(result.tests.map(\.status) == [.failed, .failed])
        #expect(result.score == Points(whole: 0))
        // The submission's own expect printed as feedback, and earned nothing.
        #expect(result.tests[0].output.contains("expect ok: the submission sees its own pa_of"))
    }

    @Test func assigningATestsGlobalIsAnErrorBeforeTheSubmissionRuns() throws {
        let exercise = try Exercise(tests: Self.helperTests, submission: "answer = 7\nlet student = 7\n")
        let result = try exercise.grade()
        #expect(result.score == Points(whole: 0))
        let error = try #require(result.tests[1].error)
        #expect(error.contains("answer.vml:1:1: error: 'answer' belongs to the tests file"), "\(error)")
    }

    @Test func theSubmissionReadsWhatTheTestsHandIt() throws {
        let exercise = try Exercise(tests: Self.helperTests, submission: "let student = answer\n")
        let result = try exercise.grade()
        #expect(result.tests[1].status == .passed)
    }

    @Test func aSubmissionsExpectsEarnNothingEvenThroughTheTestsHelpers() throws {
        let exercise = try Exercise(
            tests: """
                def check(x) { expect x == 1 }
                test "share" points=4 partial=on { submission; expect right == 1; expect also == 1; expect third == 1 }
                test "plain" points=2 { submission; expect right == 1 }
                """,
            submission: """
                let right = 1
                let also = 0
                let third = 0
                repeat 100 { expect true }
                repeat 100 { check(1) }
                """)
        let result = try exercise.grade()
        #expect(result.tests[0].score == Points(hundredths: 133), "1 of the tests' 3 expects held")
        #expect(result.tests[1].status == .passed)
    }

    @Test func pointsInASubmissionAreALocatedError() throws {
        let exercise = try Exercise(
            tests: "test \"t\" points=1 { submission }\n", submission: "expect true points=100\n")
        let result = try exercise.grade()
        #expect(result.score == Points(whole: 0))
        #expect(result.tests[0].error?.contains("answer.vml:1:20: error: only the tests file's expects earn points") == true)
    }

    @Test func expectTranscriptInASubmissionIsRefusedAndQuotesNothing() throws {
        let exercise = try Exercise(
            tests: "test \"t\" points=1 { submission }\n",
            submission: "expect_transcript \"tests.vml\" { print 1 }\n")
        let result = try exercise.grade()
        let error = try #require(result.tests[0].error)
        #expect(error.contains("expect_transcript belongs in a tests file"))
        #expect(!result.tests[0].output.contains("test \"t\""), "no line of tests.vml is quoted")
    }

    @Test func theTestsReadTheSubmissionsProcessesAndFunctions() throws {
        let exercise = try Exercise(
            tests: "test \"t\" points=1 { submission; expect twice(A.pid) == 2 }\n",
            submission: "spawn A\ndef twice(x) { return x * 2 }\n")
        #expect(try exercise.grade().tests[0].status == .passed)
    }

    @Test func aSubmissionCannotRebindABuiltInName() throws {
        let exercise = try Exercise(
            tests: "test \"t\" points=1 { submission; expect hex(16) == \"0x10\" }\n",
            submission: "def hex(x) { return \"0x10\" }\n")
        let result = try exercise.grade()
        #expect(result.score == Points(whole: 0))
        #expect(result.tests[0].error?.contains("'hex' is a built-in name and cannot be rebound") == true)
    }
}
