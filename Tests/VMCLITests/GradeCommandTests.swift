import Foundation
import Testing

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// `vmlab grade` end to end on the example course in Examples/grading:
/// every exercise's submissions in every format against golden files, and
/// each format read by a real consumer. `VMLAB_UPDATE_GOLDEN=1` rewrites them.
@Suite struct GradeCommandTests {
    static let root = CLITests.packageRoot
    static let update = ProcessInfo.processInfo.environment["VMLAB_UPDATE_GOLDEN"] == "1"

    static var exercises: [String] {
        let folder = root.appendingPathComponent("Examples/grading").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter {
            FileManager.default.fileExists(atPath: "\(folder)/\($0)/tests.vml")
        }.sorted()
    }

    static func submissions(of exercise: String) -> [String] {
        let folder = root.appendingPathComponent("Examples/grading/\(exercise)/submissions").path
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".vml") }
            .map { String($0.dropLast(4)) }.sorted()
    }

    /// Submissions that pass every test (hardcoded.vml fails: its tests file
    /// says grading scramble_frames=on).
    static func passes(_ submission: String) -> Bool { submission == "full" }

    static let formats = [("text", "txt"), ("gradescope", "json"), ("tap", "tap"), ("junit", "xml")]

    /// Compares with (or, when updating, writes) `Examples/grading/EXERCISE/expected/NAME`.
    static func checkGolden(_ text: String, _ exercise: String, _ name: String) throws {
        let url = root.appendingPathComponent("Examples/grading/\(exercise)/expected/\(name)")
        if update {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(Array(text.utf8) == Array(expected.utf8), "\(exercise)/expected/\(name) differs:\n\(text)")
    }

    @Test func theCourseHasThreeExercisesEachWithFullPartialAndZero() {
        #expect(Self.exercises.count >= 3)
        for exercise in Self.exercises {
            #expect(Set(["full", "partial", "zero"]).isSubset(of: Self.submissions(of: exercise)), "\(exercise)")
        }
    }

    @Test(arguments: exercises)
    func everyFormatMatchesItsGoldenFile(exercise: String) throws {
        let tests = "Examples/grading/\(exercise)/tests.vml"
        for submission in Self.submissions(of: exercise) {
            let path = "Examples/grading/\(exercise)/submissions/\(submission).vml"
            for (format, fileExtension) in Self.formats {
                let result = try CLITests.vmlab(["grade", tests, path, "--format", format])
                #expect(result.stderr.isEmpty, "\(result.stderr)")
                #expect(result.status == (Self.passes(submission) ? 0 : 1), "\(exercise)/\(submission) \(format)")
                try Self.checkGolden(result.stdout, exercise, "\(submission).\(fileExtension)")
            }
        }
        let folder = "Examples/grading/\(exercise)/submissions"
        for (format, name) in [("text", "gradebook.txt"), ("csv", "gradebook.csv")] {
            let result = try CLITests.vmlab(["grade", tests, folder, "--format", format, "--jobs", "2"])
            #expect(result.status == 1)
            try Self.checkGolden(result.stdout, exercise, name)
        }
    }

    @Test func referenceSolutionsScoreFullMarksAndWrongOnesLess() throws {
        for exercise in Self.exercises {
            let tests = "Examples/grading/\(exercise)/tests.vml"
            func score(_ submission: String) throws -> (Double, Double) {
                let path = "Examples/grading/\(exercise)/submissions/\(submission).vml"
                let result = try CLITests.vmlab(["grade", tests, path, "--format", "gradescope"])
                let json = try #require(
                    try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
                let cases = try #require(json["tests"] as? [[String: Any]])
                let total = cases.reduce(0.0) { $0 + (($1["score"] as? NSNumber)?.doubleValue ?? -1) }
                let maximum = cases.reduce(0.0) { $0 + (($1["max_score"] as? NSNumber)?.doubleValue ?? -1) }
                #expect((json["score"] as? NSNumber)?.doubleValue == total, "the scores add up in \(exercise)")
                return (total, maximum)
            }
            let full = try score("full")
            let partial = try score("partial")
            let zero = try score("zero")
            #expect(full.0 == full.1 && full.1 > 0, "\(exercise): the reference solution scores full marks")
            #expect(partial.0 > 0 && partial.0 < partial.1, "\(exercise): partial scores partially")
            #expect(zero.0 == 0, "\(exercise): zero scores nothing")
        }
    }

    @Test func proveReadsTheTapWithoutParseErrors() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-tap-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for exercise in Self.exercises {
            for submission in Self.submissions(of: exercise) {
                let result = try CLITests.vmlab([
                    "grade", "Examples/grading/\(exercise)/tests.vml",
                    "Examples/grading/\(exercise)/submissions/\(submission).vml", "--format", "tap",
                ])
                let file = directory.appendingPathComponent("\(exercise)-\(submission).tap")
                try result.stdout.write(to: file, atomically: true, encoding: .utf8)
                let prove = try CLITests.tool(["prove", "--exec", "cat", file.path])
                let text = prove.stdout + prove.stderr
                #expect(!text.contains("Parse errors"), "\(exercise)/\(submission): \(text)")
                #expect(text.contains("Tests="), "prove ran: \(text)")
                #expect((prove.status == 0) == Self.passes(submission), "\(text)")
            }
        }
    }

    @Test func theJUnitXmlParsesWithTheCountsItClaims() throws {
        for exercise in Self.exercises {
            for submission in Self.submissions(of: exercise) {
                let result = try CLITests.vmlab([
                    "grade", "Examples/grading/\(exercise)/tests.vml",
                    "Examples/grading/\(exercise)/submissions/\(submission).vml", "--format", "junit",
                ])
                let counter = JUnitCounter()
                let parser = XMLParser(data: Data(result.stdout.utf8))
                parser.delegate = counter
                #expect(parser.parse(), "\(exercise)/\(submission): \(parser.parserError.map { "\($0)" } ?? "")")
                #expect(counter.claimedTests == counter.testcases)
                #expect(counter.claimedFailures == counter.failures)
                #expect(counter.claimedErrors == counter.errors)
                #expect(counter.claimedSkipped == counter.skipped)
            }
        }
    }

    @Test func jobsDoNotChangeTheBytes() throws {
        let tests = "Examples/grading/shared-frame/tests.vml"
        let folder = "Examples/grading/shared-frame/submissions"
        let one = try CLITests.vmlab(["grade", tests, folder, "--jobs", "1"])
        let two = try CLITests.vmlab(["grade", tests, folder, "--jobs", "2"])
        #expect(one.stdout == two.stdout)
        #expect(one.stdout.contains("full"))
    }

    @Test func aFolderWritesOneResultFilePerSubmission() throws {
        let output = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-out-\(UUID().uuidString)")
        let result = try CLITests.vmlab([
            "grade", "Examples/grading/protection-fault/tests.vml", "Examples/grading/protection-fault/submissions",
            "--format", "junit", "--output", output.path,
        ])
        #expect(result.status == 1)
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path).sorted()
        #expect(files == ["full.xml", "partial.xml", "zero.xml"])
        #expect(result.stdout.contains("submission"), "the gradebook goes to standard output too")
    }

    @Test func scrambledFramesCatchAHardCodedAnswer() throws {
        let tests = "Examples/grading/shared-frame/tests.vml"
        let hardcoded = "Examples/grading/shared-frame/submissions/hardcoded.vml"
        let full = "Examples/grading/shared-frame/submissions/full.vml"
        // The tests file scrambles frames itself; a flag picks another order and says it overrides.
        let byTheFile = try CLITests.vmlab(["grade", tests, hardcoded])
        #expect(byTheFile.status == 1 && byTheFile.stdout.contains("the answer names the frame: FAIL"))
        #expect(byTheFile.stderr.isEmpty)
        let scrambled = try CLITests.vmlab(["grade", tests, hardcoded, "--scramble-frames", "7"])
        #expect(scrambled.status == 1)
        #expect(scrambled.stdout.contains("the answer names the frame: FAIL"))
        #expect(scrambled.stderr.contains("--scramble-frames 7 overrides scramble_frames=on (order 0) of the tests file (\(tests):12:1)"), "\(scrambled.stderr)")
        #expect(try CLITests.vmlab(["grade", tests, full, "--scramble-frames", "7"]).status == 0)
        #expect(try CLITests.vmlab(["grade", tests, full]).status == 0)
    }

    @Test func exitStatusesTellTheStudentFromTheGrader() throws {
        let full = "Examples/grading/protection-fault/submissions/full.vml"
        let broken = try CLITests.temporaryFile("test \"a\" needs=\"nothing\" { }\n", name: "tests.vml")
        let wrongTests = try CLITests.vmlab(["grade", broken, full])
        #expect(wrongTests.status == 2)
        #expect(wrongTests.stderr.contains("tests.vml:1:16: error: needs \"nothing\""))
        let tests = "Examples/grading/protection-fault/tests.vml"
        #expect(try CLITests.vmlab(["grade", tests, "no-such.vml"]).status == 2)
        #expect(try CLITests.vmlab(["grade", tests, full, "--jobs", "0"]).status == 2)
        // The report cannot be written where a folder stands: the grader failed, not the student.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-dir-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let unwritable = try CLITests.vmlab(["grade", tests, full, "--output", folder.path])
        #expect(unwritable.status == 3)
        #expect(unwritable.stderr.contains("cannot write"))
    }

    /// Flags override the tests file's grading line and say so; the seed used is in every report.
    @Test func aFlagOverridesTheTestsFilesGradingLineAndSaysSo() throws {
        let tests = try CLITests.temporaryFile(
            "grading seed=5 timeout=3\ntest \"r\" { submission; expect true }\n", name: "tests.vml")
        let answer = try CLITests.temporaryFile("print random(1000)\n", name: "answer.vml")
        let byFile = try CLITests.vmlab(["grade", tests, answer, "--format", "tap"])
        #expect(byFile.stdout.contains("seed 5") && byFile.stderr.isEmpty, "\(byFile.stdout)\(byFile.stderr)")
        let byFlag = try CLITests.vmlab(["grade", tests, answer, "--format", "tap", "--seed", "9"])
        #expect(byFlag.stdout.contains("seed 9"))
        #expect(byFlag.stderr.contains("--seed 9 overrides seed=5 of the tests file (\(tests):1:1)"), "\(byFlag.stderr)")
    }

    @Test func outsideTheGraderTestFilesExplainThemselves() throws {
        let result = try CLITests.vmlab(["run", "Examples/grading/protection-fault/tests.vml"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("'test' declares part of a tests file; grade with: vmlab grade"))
        let settings = try CLITests.vmlab(["run", "Examples/grading/shared-frame/tests.vml"])
        #expect(settings.status == 2)
        #expect(settings.stderr.contains("tests.vml:12:1: error: 'grading' declares part of a tests file; grade with: vmlab grade"))
    }
}

/// Counts what a JUnit file claims and what it holds.
final class JUnitCounter: NSObject, XMLParserDelegate {
    var claimedTests = 0, claimedFailures = 0, claimedErrors = 0, claimedSkipped = 0
    var testcases = 0, failures = 0, errors = 0, skipped = 0

    func parser(
        _ parser: XMLParser, didStartElement element: String, namespaceURI: String?, qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        switch element {
        case "testsuite":
            claimedTests += Int(attributes["tests"] ?? "") ?? -1000
            claimedFailures += Int(attributes["failures"] ?? "") ?? -1000
            claimedErrors += Int(attributes["errors"] ?? "") ?? -1000
            claimedSkipped += Int(attributes["skipped"] ?? "") ?? -1000
        case "testcase": testcases += 1
        case "failure": failures += 1
        case "error": errors += 1
        case "skipped": skipped += 1
        default: break
        }
    }
}

/// Gradescope's entry point, run as Gradescope runs it, in a folder laid out like /autograder.
@Suite struct GradescopeAutograderTests {
    func autograderRoot(submission: [String: String], exercise: String = "thread-switch") throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-autograder-\(UUID().uuidString)")
        let source = root.appendingPathComponent("source")
        let uploaded = root.appendingPathComponent("submission")
        try FileManager.default.createDirectory(at: source, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: uploaded, withIntermediateDirectories: true)
        let course = CLITests.packageRoot.appendingPathComponent("Examples/grading/\(exercise)")
        // A link, not a copy: a copied executable can be "text file busy" when another test forks
        // while the copy's write descriptor is open.
        try FileManager.default.createSymbolicLink(
            at: source.appendingPathComponent("vmlab"), withDestinationURL: CLITests.binary)
        try FileManager.default.copyItem(
            at: course.appendingPathComponent("tests.vml"), to: source.appendingPathComponent("tests.vml"))
        for extra in ["cheap-switch.out"] where FileManager.default.fileExists(atPath: course.appendingPathComponent(extra).path) {
            try FileManager.default.copyItem(at: course.appendingPathComponent(extra), to: source.appendingPathComponent(extra))
        }
        for (name, text) in submission {
            try text.write(to: uploaded.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
        return root
    }

    func runAutograder(_ root: URL) throws -> (status: Int32, results: [String: Any]) {
        var environment = ProcessInfo.processInfo.environment
        environment["AUTOGRADER_ROOT"] = root.path
        let run = try CLITests.tool(["bash", "Examples/grading/gradescope/run_autograder"], environment: environment)
        let data = try Data(contentsOf: root.appendingPathComponent("results/results.json"))
        let results = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        return (run.status, results)
    }

    @Test func gradesTheUploadedScriptIntoResultsJson() throws {
        let solution = try String(
            contentsOf: CLITests.packageRoot.appendingPathComponent("Examples/grading/thread-switch/submissions/partial.vml"),
            encoding: .utf8)
        let (status, results) = try runAutograder(try autograderRoot(submission: ["my-answer.vml": solution]))
        #expect(status == 0, "a low score is still a successful autograder run")
        #expect((results["score"] as? NSNumber)?.doubleValue == 3)
        let tests = try #require(results["tests"] as? [[String: Any]])
        #expect(tests.count == 4)
        #expect(results["execution_time"] != nil, "Gradescope's run asks for --timing")
        #expect(tests.allSatisfy { $0["execution_time"] == nil && ($0["extra_data"] as? [String: Any])?["seconds"] != nil })
        // Only the fields Gradescope's specification lists for a test.
        let specified: Set<String> = [
            "score", "max_score", "status", "name", "name_format", "number", "output", "output_format", "tags",
            "visibility", "extra_data",
        ]
        #expect(tests.allSatisfy { Set($0.keys).isSubset(of: specified) }, "\(tests.map { $0.keys.sorted() })")
    }

    /// The tests file's `grading scramble_frames=on` holds under Gradescope as
    /// locally: a hard-coding answer scores the same through run_autograder
    /// as through vmlab grade (it scored 6/6 there and less here).
    @Test func aHardCodedAnswerScoresTheSameThroughGradescope() throws {
        let exercise = "Examples/grading/shared-frame"
        let hardcoded = try String(
            contentsOf: CLITests.packageRoot.appendingPathComponent("\(exercise)/submissions/hardcoded.vml"), encoding: .utf8)
        let local = try CLITests.vmlab(["grade", "\(exercise)/tests.vml", "\(exercise)/submissions/hardcoded.vml", "--format", "gradescope"])
        let localScore = try #require(
            (try JSONSerialization.jsonObject(with: Data(local.stdout.utf8)) as? [String: Any])?["score"] as? NSNumber)
        #expect(localScore.doubleValue < 6, "scrambled frames catch the hard-coded frame")
        let (status, results) = try runAutograder(try autograderRoot(submission: ["hardcoded.vml": hardcoded], exercise: "shared-frame"))
        #expect(status == 0)
        #expect((results["score"] as? NSNumber)?.doubleValue == localScore.doubleValue, "\(results)")
    }

    @Test func theUploadFolderIsTheStudentsOwnSoItsFilesMayBeIncluded() throws {
        let solution = try String(
            contentsOf: CLITests.packageRoot.appendingPathComponent("Examples/grading/thread-switch/submissions/partial.vml"),
            encoding: .utf8)
        let root = try autograderRoot(submission: ["submission.vml": "include \"lib/part.vml\"\n"])
        let lib = root.appendingPathComponent("submission/lib")
        try FileManager.default.createDirectory(at: lib, withIntermediateDirectories: true)
        try solution.write(to: lib.appendingPathComponent("part.vml"), atomically: true, encoding: .utf8)
        let (status, results) = try runAutograder(root)
        #expect(status == 0)
        #expect((results["score"] as? NSNumber)?.doubleValue == 3, "\(results)")
    }

    @Test func aSubmissionThatIsNotUTF8StillGetsResultsOfTheRealMaximum() throws {
        let root = try autograderRoot(submission: [:])
        try Data([0x23, 0x20, 0xE9, 0x0A]).write(to: root.appendingPathComponent("submission/submission.vml"))
        let (status, results) = try runAutograder(root)
        #expect(status == 0)
        #expect((results["score"] as? NSNumber)?.doubleValue == 0)
        let tests = try #require(results["tests"] as? [[String: Any]])
        #expect(tests.count == 4, "every test is reported, each 0 of its points")
        #expect((results["output"] as? String)?.contains("submission.vml:1:3: error: not UTF-8 text") == true, "\(results)")
    }

    @Test func noScriptUploadedIsAZeroWithAnExplanation() throws {
        let (status, results) = try runAutograder(try autograderRoot(submission: ["notes.txt": "hello"]))
        #expect(status == 0)
        #expect((results["score"] as? NSNumber)?.doubleValue == 0)
        #expect((results["output"] as? String)?.contains("Upload one .vml file") == true)
    }
}

/// On a terminal, grading a folder shows a progress bar on standard error;
/// in CI (CI set) or into a pipe it does not.
@Suite struct GradeProgressBarTests {
    @Test func aFolderShowsProgressOnATerminal() throws {
        let environment = ["TERM": "xterm", "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "NO_COLOR": "1"]
        let course = CLITests.packageRoot.appendingPathComponent("Examples/grading/shared-frame")
        let terminal = try Terminal(
            CLITests.binary.path,
            arguments: [
                "grade", course.appendingPathComponent("tests.vml").path, course.appendingPathComponent("submissions").path,
                "--jobs", "1",
            ],
            environment: environment)
        #expect(terminal.waitFor("] 4/4"), "\(terminal.plainOutput)")
        #expect(terminal.waitForExit() == 1)
        #expect(terminal.plainOutput.contains("[#"))
        let piped = try CLITests.vmlab([
            "grade", "Examples/grading/shared-frame/tests.vml", "Examples/grading/shared-frame/submissions",
        ])
        #expect(!piped.stderr.contains("[#"), "no bar when standard error is not a terminal")
    }
}

/// `vmlab quiz --roster`: a problem per student, then their sheets into one gradebook.
@Suite struct ClassQuizTests {
    @Test func eachStudentGetsTheirOwnProblemAndOneGradebookGradesThemAll() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-class-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let roster = folder.appendingPathComponent("roster.csv").path
        try "id,name\r\nann,Ann\r\nbob,Bob\r\ncat,Cat\r\n".write(toFile: roster, atomically: true, encoding: .utf8)
        let problems = folder.appendingPathComponent("problems").path
        let keys = folder.appendingPathComponent("keys").path
        let sheets = folder.appendingPathComponent("sheets").path
        var made = try CLITests.vmlab(["quiz", "tlb", "--roster", roster, "--secret", "course-secret", "--output", problems])
        #expect(made.status == 0 && made.stdout.contains("wrote 3 problems"), "\(made.stderr)")
        made = try CLITests.vmlab(["quiz", "tlb", "--roster", roster, "--secret", "course-secret", "--output", keys, "--answers"])
        #expect(made.status == 0)
        let ann = try String(contentsOfFile: problems + "/ann.txt", encoding: .utf8)
        let bob = try String(contentsOfFile: problems + "/bob.txt", encoding: .utf8)
        #expect(ann != bob, "each student has a problem of their own")
        // Ann hands in her own key (with Windows line ends), Bob hands in Ann's, Cat hands in nothing.
        try FileManager.default.createDirectory(atPath: sheets, withIntermediateDirectories: true)
        let annKey = try String(contentsOfFile: keys + "/ann.txt", encoding: .utf8)
        try annKey.replacingOccurrences(of: "\n", with: "\r\n").write(toFile: sheets + "/ann.txt", atomically: true, encoding: .utf8)
        try annKey.write(toFile: sheets + "/bob.txt", atomically: true, encoding: .utf8)
        var environment = ProcessInfo.processInfo.environment
        environment["VMLAB_QUIZ_SECRET"] = "course-secret"
        let graded = try CLITests.run(
            CLITests.binary, ["quiz", "tlb", "--roster", roster, "--check", sheets, "--format", "csv"], stdin: nil,
            environment: environment)
        #expect(graded.status == 1)
        let rows = graded.stdout.split(separator: "\n").map { $0.split(separator: ",", maxSplits: 3).map(String.init) }
        #expect(rows.first == ["submission", "score", "max_score", "failed"])
        let byName = Dictionary(uniqueKeysWithValues: rows.dropFirst().map { ($0[0], $0) })
        #expect(byName["ann"]?[1] == byName["ann"]?[2], "Ann's own key scores full marks")
        #expect(byName["bob"].map { $0[1] != $0[2] } == true, "Ann's answers are not Bob's")
        #expect(byName["cat"]?[1] == "0" && byName["cat"]?[3].contains("no sheet cat.txt") == true)
        #expect(byName["cat"]?[2] == byName["ann"]?[2], "a missing sheet is 0 of the real maximum")
        let wrongSecret = try CLITests.vmlab(["quiz", "tlb", "--roster", roster, "--secret", "another", "--check", sheets, "--format", "csv"])
        let annRow = wrongSecret.stdout.split(separator: "\n").first { $0.hasPrefix("ann,") }.map { $0.split(separator: ",").map(String.init) }
        #expect(annRow.map { $0[1] != $0[2] } == true, "another secret, other problems: \(wrongSecret.stdout)")
    }
}
