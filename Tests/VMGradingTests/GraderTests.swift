import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// A tests file and, in a folder of its own beside it, a submission (with
/// `files` beside the submission), written into a fresh temporary folder.
struct Exercise {
    let directory: URL
    /// The student's folder, whose files the submission may include.
    var studentDirectory: URL { directory.appendingPathComponent("student") }

    /// `files` go beside the submission, `courseFiles` beside the tests file.
    init(tests: String, submission: String, files: [String: String] = [:], courseFiles: [String: String] = [:]) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-grade-\(UUID().uuidString)")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("student"), withIntermediateDirectories: true)
        try tests.write(to: directory.appendingPathComponent("tests.vml"), atomically: true, encoding: .utf8)
        try submission.write(
            to: directory.appendingPathComponent("student/answer.vml"), atomically: true, encoding: .utf8)
        for (name, text) in files {
            let url = directory.appendingPathComponent("student").appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }
        for (name, text) in courseFiles {
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    var testsPath: String { directory.appendingPathComponent("tests.vml").path }
    var submissionPath: String { studentDirectory.appendingPathComponent("answer.vml").path }

    func grade(_ options: GradingOptions = GradingOptions()) throws -> SubmissionResult {
        let suite = try TestSuite.load(path: testsPath)
        return Grader(suite: suite, options: options).grade(
            submission: submissionPath, name: "answer", folder: studentDirectory.path)
    }

    func loadProblem() -> String? {
        do {
            _ = try TestSuite.load(path: testsPath)
            return nil
        } catch {
            return error.report
        }
    }
}

@Suite struct GraderTests {
    @Test func eachTestRunsOnAFreshMachine() throws {
        let exercise = try Exercise(
            tests: """
                let baseline = frames.used
                test "first" { submission; spawn Extra; expect frames.used > baseline }
                test "second" { expect frames.used == baseline "nothing left from the first test" }
                """,
            submission: "spawn A\nmap A 0x400000 rw\n")
        let result = try exercise.grade()
        #expect(result.tests.map(\.status) == [.passed, .passed])
        #expect(result.score == Points(whole: 2))
    }

    /// A submission's undo reaches its own statements only: not the tests
    /// file's top-level lines (which would unbind what the tests compare with).
    @Test func aSubmissionCannotUndoTheTestsStatements() throws {
        let exercise = try Exercise(
            tests: """
                let expected = 5
                spawn T
                test "undo" { submission; expect expected == 5 "the tests' own value is still there" }
                """,
            submission: "let mine = 1\nundo 3\n")
        let result = try exercise.grade()
        #expect(result.tests[0].error?.contains("undo 3: only 1 statement can be undone") == true, "\(result.tests[0])")
        let own = try Exercise(
            tests: """
                let expected = 5
                test "undo" { submission; expect expected == 5; expect mine == 2 }
                """,
            submission: "let mine = 1\nmine = 2\nmine = 3\nundo\n")
        let undone = try own.grade()
        #expect(undone.tests[0].status == .passed, "its own statements it may undo: \(undone.tests[0])")
        let snapshots = try Exercise(
            tests: """
                spawn T
                test "snapshots" { snapshot "clean"; submission; restore "clean"; expect T.regions == 0 }
                """,
            submission: "map T 0x400000 rw\nrestore \"clean\"\n")
        let restored = try snapshots.grade()
        #expect(restored.tests[0].error?.contains("no snapshot \"clean\"") == true, "the tests' snapshot is not the submission's: \(restored.tests[0])")
        let tests = try Exercise(
            tests: """
                spawn T
                test "snapshots" { snapshot "clean"; submission; expect T.regions == 1; restore "clean"; expect T.regions == 0 }
                """,
            submission: "map T 0x400000 rw\n")
        #expect(try tests.grade().tests[0].status == .passed, "the tests' own snapshot is back after the submission")
    }

    @Test func testsSeeTheSubmissionsVariablesAndFunctions() throws {
        let exercise = try Exercise(
            tests: """
                test "answer" points=3 { submission; expect answer == 42; expect twice(4) == 8 }
                """,
            submission: "let answer = 42\ndef twice(x) { return 2 * x }\n")
        let result = try exercise.grade()
        #expect(result.tests[0].status == .passed)
        #expect(result.score == Points(whole: 3))
    }

    @Test func pointsOnExpectsArePartialCredit() throws {
        let exercise = try Exercise(
            tests: """
                test "parts" { submission; expect a == 1 points=2; expect b == 2 points=3; expect c == 3 points=5 }
                """,
            submission: "let a = 1\nlet b = 0\nlet c = 3\n")
        let result = try exercise.grade()
        #expect(result.tests[0].status == .failed)
        #expect(result.tests[0].score == Points(whole: 7))
        #expect(result.maximum == Points(whole: 10))
        #expect(result.tests[0].failures.map(\.got) == ["0"])
        #expect(result.tests[0].failures.map(\.expected) == ["2"])
    }

    @Test func partialScoresTheShareOfExpectsThatHeld() throws {
        let exercise = try Exercise(
            tests: """
                test "three" points=2 partial=on { submission; expect x == 1; expect x == 2; expect x == 3 }
                """,
            submission: "let x = 1\n")
        let result = try exercise.grade()
        #expect(result.tests[0].score == Points(hundredths: 66))
        #expect(result.tests[0].score.description == "0.66")
    }

    @Test func aTestThatErrorsScoresOnlyWhatHeldBeforeTheError() throws {
        let exercise = try Exercise(
            tests: """
                test "four" points=4 partial=on { submission; expect x == 1; expect y == 2; expect x == 1; expect x == 1 }
                """,
            submission: "let x = 1\n")
        let result = try exercise.grade()
        #expect(result.tests[0].status == .error)
        // One of four written expects held before 'y' was found undefined.
        #expect(result.tests[0].score == Points(whole: 1))
        #expect(result.tests[0].error?.contains("'y' is not defined") == true)
    }

    @Test func aTestWhoseNeedFailedIsSkippedNotFailed() throws {
        let exercise = try Exercise(
            tests: """
                test "base" { submission; expect x == 2 }
                test "built on it" needs="base" { submission; expect x == 2 }
                test "independent" { submission; expect x == 1 }
                """,
            submission: "let x = 1\n")
        let result = try exercise.grade()
        #expect(result.tests.map(\.status) == [.failed, .skipped, .passed])
        #expect(result.tests[1].skipReason == "needs \"base\"")
    }

    @Test func aSyntaxErrorInTheSubmissionFailsEveryTestThatRunsIt() throws {
        let exercise = try Exercise(
            tests: """
                test "runs it" { submission; expect true }
                test "does not" { expect true }
                """,
            submission: "let = 1\n")
        let result = try exercise.grade()
        #expect(result.tests.map(\.status) == [.error, .passed])
        #expect(result.tests[0].error?.contains("answer.vml:1:5: error: expected a name after 'let'") == true)
    }

    @Test func setupRunsBeforeEachTestAndTopLevelHelpersAreShared() throws {
        let exercise = try Exercise(
            tests: """
                def double(x) { return x * 2 }
                setup { machine x86_64 cores=2 }
                test "one" { expect cpu[1].id == 1; expect double(2) == 4 }
                test "two" { expect cpu[1].id == 1 }
                """,
            submission: "")
        #expect(try exercise.grade().tests.map(\.status) == [.passed, .passed])
    }

    @Test func theSeedFeedsRandom() throws {
        let exercise = try Exercise(
            tests: "test \"r\" { submission; print draws }\n",
            submission: "let draws = random(1000) * 1000 + random(1000)\n")
        var options = GradingOptions()
        options.seed = 1
        let first = try exercise.grade(options).tests[0].output
        let again = try exercise.grade(options).tests[0].output
        options.seed = 2
        let other = try exercise.grade(options).tests[0].output
        #expect(first == again)
        #expect(first != other)
    }

    @Test func transcriptPlaceholdersAndTheirMismatchReport() throws {
        let exercise = try Exercise(
            tests: """
                test "says" { expect_transcript "expected.out" { submission } }
                """,
            submission: "print \"pa\", hex(0x20a000), \"after\", 12, \"steps\"\nprint \"one\"\nprint \"two\"\n",
            courseFiles: ["expected.out": "pa {hex} * {int} steps\nre:o.e\nthree\n"])
        let result = try exercise.grade()
        #expect(result.tests[0].status == .failed)
        let detail = try #require(result.tests[0].failures.first?.detail)
        #expect(detail.hasPrefix("output differs from expected.out at expected line 3, output line 3\n"))
        #expect(detail.contains("  expected: \"three\"\n  got:      \"two\"\n"))
        #expect(detail.contains("-three\n+two\n"))
    }

    @Test func hiddenTestsShowOnlyTheirNumberToStudents() throws {
        let exercise = try Exercise(
            tests: """
                test "secret" hidden { submission; expect x == 2 "the secret check" }
                """,
            submission: "let x = 1\n")
        let result = try exercise.grade()
        let suite = try TestSuite.load(path: exercise.testsPath)
        for report in [
            TextReport.render(result, suite: suite), TAPReport.render(result, suite: suite),
            JUnitReport.render(result, suite: suite),
        ] {
            #expect(report.contains("hidden test 1"))
            #expect(!report.contains("secret"))
        }
        #expect(TextReport.render(result, suite: suite, showHidden: true).contains("the secret check"))
        // Gradescope hides them itself: the visibility field is there, and so is the name for instructors.
        let json = GradescopeReport.render(result, suite: suite)
        #expect(json.contains("\"visibility\": \"hidden\""))
        #expect(json.contains("\"name\": \"secret\""))
    }

    @Test func badTestsFilesAreReportedBeforeGrading() throws {
        let cases: [(String, String)] = [
            ("test \"a\" needs=\"b\" { expect true }\n", "needs \"b\", which is not a test above this one"),
            ("test \"a\" { }\ntest \"a\" { }\n", "two tests are named \"a\""),
            ("test \"a\" points=x { }\n", "points must be a constant"),
            ("test \"a\" { expect_transcript \"missing.out\" { } }\n", "cannot open"),
            ("test \"a\" partial=on { expect true points=1 }\n", "cannot be mixed with points on expects"),
            ("test \"a\" points=1 { expect true points=2 }\n", "more than the test's points=1"),
            ("submission\n", "'submission' runs inside a test"),
            ("let x = 1\n", "no tests in this file"),
        ]
        for (tests, message) in cases {
            let problem = try Exercise(tests: tests, submission: "").loadProblem()
            #expect(problem?.contains(message) == true, "\(tests) should report \(message), got \(problem ?? "nothing")")
        }
    }

    @Test func pointsPrintExactly() {
        #expect(Points(hundredths: 700).description == "7")
        #expect(Points(hundredths: 250).description == "2.5")
        #expect(Points(hundredths: 33).description == "0.33")
        #expect(Points(hundredths: 105).description == "1.05")
    }
}

/// Hostile submissions: each sandbox rule and each limit costs one test, never the grader.
@Suite struct SandboxTests {
    static let probe = "test \"probe\" { submission }\ntest \"after\" { expect true }\n"

    func errorOf(_ submission: String, files: [String: String] = [:], _ options: GradingOptions = GradingOptions())
        throws -> String
    {
        let result = try Exercise(tests: Self.probe, submission: submission, files: files).grade(options)
        #expect(result.tests[1].status == .passed, "the next test still runs")
        return result.tests[0].error ?? ""
    }

    @Test func aSubmissionCannotReadTraceFiles() throws {
        let error = try errorOf(
            "spawn A\nswitch A\nreplay \"/etc/passwd\"\n", files: ["t.trace": "0x1000\n"])
        #expect(error.contains("a graded submission may not read trace files"), "\(error)")
        #expect(try errorOf("spawn A\nswitch A\nreplay \"t.trace\"\n", files: ["t.trace": "0x1000\n"])
            .contains("may not read trace files"))
    }

    @Test func includeReachesOnlyVmlFilesBesideTheSubmission() throws {
        #expect(try errorOf("include \"/etc/passwd\"\n").contains("may include only files beside it"))
        #expect(try errorOf("include \"../tests.vml\"\n").contains("outside its folder"))
        #expect(try errorOf("include \"notes.txt\"\n", files: ["notes.txt": "secret\n"]).contains("only .vml scripts"))
        #expect(!(try errorOf("include \"notes.txt\"\n", files: ["notes.txt": "secret\n"]).contains("secret")))
        #expect(try errorOf("include \"a\\u{0}.vml\"\n").contains("NUL"))
        let fine = try Exercise(
            tests: "test \"t\" { submission; expect helper == 1 }\n", submission: "include \"lib/helper.vml\"\n",
            files: ["lib/helper.vml": "let helper = 1\n"])
        #expect(try fine.grade().tests[0].status == .passed)
    }

    @Test func aSymbolicLinkOutOfTheFolderIsRefused() throws {
        let exercise = try Exercise(tests: Self.probe, submission: "include \"link.vml\"\n")
        let outside = try Exercise(tests: Self.probe, submission: "")
        try FileManager.default.createSymbolicLink(
            atPath: exercise.studentDirectory.appendingPathComponent("link.vml").path,
            withDestinationPath: outside.testsPath)
        let error = try exercise.grade().tests[0].error ?? ""
        #expect(error.contains("'link.vml' is a symbolic link"), "\(error)")
    }

    @Test func theCoursesFilesAreRefusedEvenInsideTheSubmissionsFolder() throws {
        // An instructor who grades a file beside the tests file as if the folder were the student's.
        let exercise = try Exercise(
            tests: "test \"t\" { expect_transcript \"key.out\" { submission } }\n",
            submission: "", courseFiles: ["key.out": "secret line\n"])
        try "include \"tests.vml\"\n".write(
            to: exercise.directory.appendingPathComponent("beside.vml"), atomically: true, encoding: .utf8)
        try "include \"key.out\"\n".write(
            to: exercise.directory.appendingPathComponent("key.vml"), atomically: true, encoding: .utf8)
        let suite = try TestSuite.load(path: exercise.testsPath)
        let grader = Grader(suite: suite, options: GradingOptions())
        let beside = grader.grade(
            submission: exercise.directory.appendingPathComponent("beside.vml").path, name: "beside",
            folder: exercise.directory.path)
        #expect(beside.tests[0].error?.contains("'tests.vml' is one of the course's files") == true)
        #expect(beside.tests[0].output.contains("expect_transcript") == false)
        let submissionItself = grader.grade(submission: exercise.testsPath.replacingOccurrences(of: "tests.vml", with: "key.vml"), name: "key", folder: exercise.directory.path)
        #expect(submissionItself.tests[0].error?.contains("only .vml scripts can be included") == true)
    }

    @Test func aHardLinkIsRefused() throws {
        let exercise = try Exercise(tests: Self.probe, submission: "include \"lib.vml\"\n")
        let outside = exercise.directory.appendingPathComponent("outside.vml")
        try "let leaked = 1\n".write(to: outside, atomically: true, encoding: .utf8)
        #expect(link(outside.path, exercise.studentDirectory.appendingPathComponent("lib.vml").path) == 0)
        let error = try exercise.grade().tests[0].error ?? ""
        #expect(error.contains("'lib.vml' has other names (hard links)"), "\(error)")
    }

    @Test func aSubmissionThatIsALinkIsRefusedUnread() throws {
        let exercise = try Exercise(tests: Self.probe, submission: "")
        let suite = try TestSuite.load(path: exercise.testsPath)
        let link = exercise.studentDirectory.appendingPathComponent("link.vml").path
        #expect(symlink(exercise.testsPath, link) == 0)
        let result = Grader(suite: suite, options: GradingOptions()).grade(submission: link, name: "link")
        #expect(result.problem?.contains("is a symbolic link") == true)
        #expect(result.tests.allSatisfy { $0.status == .error && $0.score == Points(hundredths: 0) })
        #expect(!TextReport.render(result, suite: suite).contains("probe\" {"))
    }

    @Test func aFifoIsRefusedWithoutOpeningIt() throws {
        let exercise = try Exercise(tests: Self.probe, submission: "include \"pipe.vml\"\n")
        #expect(mkfifo(exercise.studentDirectory.appendingPathComponent("pipe.vml").path, 0o600) == 0)
        let error = try exercise.grade().tests[0].error ?? ""
        #expect(error.contains("is not a regular file"))
    }

    @Test func aSubmissionMustBeAScriptSoItsLinesAreNeverQuoted() throws {
        let exercise = try Exercise(tests: Self.probe, submission: "", files: ["secret.txt": "password = hunter2\n"])
        let suite = try TestSuite.load(path: exercise.testsPath)
        let result = Grader(suite: suite, options: GradingOptions()).grade(
            submission: exercise.studentDirectory.appendingPathComponent("secret.txt").path, name: "secret")
        #expect(result.problem?.contains("is not a .vml script") == true)
        #expect(TextReport.render(result, suite: suite).contains("hunter2") == false)
    }

    @Test func writingFilesIsRefused() throws {
        #expect(try errorOf("save transcript \"out.txt\"\n").contains("may not write files"))
    }

    @Test func anEndlessLoopCostsOneTest() throws {
        var options = GradingOptions()
        options.maximumSteps = 10_000
        #expect(try errorOf("while true { }\n", options).contains("step limit of 10000 reached"))
    }

    @Test func aTestsStepsOptionOverridesTheDefault() throws {
        let exercise = try Exercise(
            tests: "test \"t\" steps=50 { submission }\n", submission: "for i in 0..<100 { }\n")
        #expect(try exercise.grade().tests[0].error?.contains("step limit of 50 reached") == true)
    }

    @Test func runawayFramesAreStopped() throws {
        var options = GradingOptions()
        options.maximumFrames = 64
        // Mapped zero pages cost the host nothing; pages that hold data do.
        let error = try errorOf(
            "spawn A\nmap A 0x400000 size=1M\nswitch A\nquiet { for i in 0..<256 { write 0x400000 + i * 4K 1 } }\n",
            options)
        #expect(error.contains("64 frames"), "\(error)")
    }

    @Test func deepRecursionIsStopped() throws {
        #expect(try errorOf("def f(n) { return f(n + 1) }\nf(0)\n").contains("calls nested deeper than 200"))
    }

    @Test func outputIsCutAtTheLimit() throws {
        var options = GradingOptions()
        options.maximumOutput = 1_000
        let result = try Exercise(tests: Self.probe, submission: "repeat 1000 { print \"0123456789\" }\n")
            .grade(options)
        let output = result.tests[0].output
        #expect(output.hasSuffix("[output truncated after 1000 bytes]\n"))
        #expect(output.utf8.count < 1_100)
    }

    @Test func theWallClockBackstopStopsATest() throws {
        var options = GradingOptions()
        options.maximumSteps = .max
        options.timeout = 0.2
        let started = Date()
        let error = try errorOf("while true { }\n", options)
        #expect(error.contains("time limit of 0.2 s reached"))
        #expect(Date().timeIntervalSince(started) < 5)
    }

    @Test func scrambledFramesChangeWithTheSeedAndStayDeterministic() throws {
        let exercise = try Exercise(
            tests: "test \"t\" { submission; print hex(last.pa) }\n",
            submission: "spawn A\nmap A 0x400000 rw\nswitch A\nquiet { read 0x400000 }\n")
        func frame(_ seed: UInt64?) throws -> String {
            var options = GradingOptions()
            options.scrambleFrames = seed
            return try exercise.grade(options).tests[0].output
        }
        #expect(try frame(nil).contains("0x209000"))
        #expect(try frame(1) == frame(1))
        #expect(try frame(1) != frame(nil))
        #expect(try frame(1) != frame(2))
    }
}

/// A student's folder: hidden files (an editor's `.answer.vml` backup) are
/// not submissions, so the one visible script is graded.
@Suite struct SubmissionFolderTests {
    @Test func aHiddenScriptInAStudentsFolderIsIgnored() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-folder-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let alice = root.appendingPathComponent("alice")
        try FileManager.default.createDirectory(at: alice, withIntermediateDirectories: true)
        try "print 1\n".write(to: alice.appendingPathComponent("answer.vml"), atomically: true, encoding: .utf8)
        try "print 2\n".write(to: alice.appendingPathComponent(".answer.vml"), atomically: true, encoding: .utf8)
        let entries = try Submissions.find(in: HostPath(root.path))
        #expect(entries.count == 1 && entries[0].problem == nil, "\(entries.map { $0.problem ?? "ok" })")
        #expect(entries[0].path.map { String(decoding: $0.bytes, as: UTF8.self).hasSuffix("/alice/answer.vml") } == true)
    }
}

/// A tests file's `grading` line: every grader of the file uses it.
@Suite struct SuiteSettingsTests {
    @Test func theGradingLineIsRead() throws {
        let suite = try TestSuite.load(
            SourceFile(name: "t.vml", text: "grading seed=7 scramble_frames=on timeout=5 steps=2000 frames=64\ntest \"a\" { }\n"))
        #expect(suite.settings.seed == 7 && suite.settings.scrambleFrames == 7)
        #expect(suite.settings.timeout == 5 && suite.settings.maximumSteps == 2000 && suite.settings.maximumFrames == 64)
        #expect(suite.settings.place == "t.vml:1:1")
        #expect(suite.prelude.isEmpty, "a declaration, not a line each test runs")
    }

    @Test func aSecondGradingLineOrABadValueIsTheInstructorsError() {
        #expect(throws: TestSuite.Invalid.self) {
            try TestSuite.load(SourceFile(name: "t.vml", text: "grading seed=1\ngrading seed=2\ntest \"a\" { }\n"))
        }
        do {
            _ = try TestSuite.load(SourceFile(name: "t.vml", text: "grading timeout=0\ntest \"a\" { }\n"))
            Issue.record("timeout=0 was accepted")
        } catch {
            #expect(error.report.contains("t.vml:1:17: error: timeout must be from 1 to 86,400, not 0"), "\(error.report)")
        }
    }
}
