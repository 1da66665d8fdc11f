import ArgumentParser
import Foundation
import VMGrading
import VMLanguage

/// `vmlab quiz KIND --seed N`: a seeded problem, its answers, or a check of a
/// student's answers sheet.
struct QuizCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "quiz",
        abstract: "Print a seeded quiz problem, its answers, or check a student's answers.",
        discussion: """
            KIND is csapp, ostep or tlb (--list describes them), or a quiz script's path.
            The same seed gives the same problem everywhere. A problem's question lines
            read "ID: ____  # prompt"; a student fills in the blanks (in a copy of the
            whole printout, or a file of "ID: answer" lines) and --check grades it:
            integers in any base, words ignoring case.
            A class: --roster roster.csv (a header row with an id column) --secret S
            --output DIR writes DIR/ID.txt, each student's own problem (seeded from the
            quiz, the ID and the course's secret, which may also come from
            VMLAB_QUIZ_SECRET); --roster … --check DIR grades DIR/ID.txt for everyone into
            one gradebook (text or csv), or one file each into --output (gradescope,
            tap, junit).
            Exit status: 0 (with --check: every answer right), 1 some answer wrong, 2 an
            error.
            """
    )

    enum ReportFormat: String, ExpressibleByArgument, CaseIterable {
        case text, csv, gradescope, tap, junit
    }

    @ArgumentParser.Argument(help: "The quiz: csapp, ostep, tlb, or a quiz script's path.")
    var kind: String?

    @Option(help: "The problem's seed: the same seed, the same problem.")
    var seed: UInt64 = 0

    @Flag(help: "Print the problem with its answers filled in.")
    var answers = false

    @Option(help: "Grade this answers sheet (ID: ANSWER lines) against the problem of --seed.")
    var check: String?

    @Flag(help: "With --check: show the expected answer of each wrong one.")
    var showExpected = false

    @Option(help: "With --check: text, csv, gradescope (results.json), tap or junit, as vmlab grade writes them.")
    var format: ReportFormat = .text

    @Option(help: "A class's roster (CSV with an id column): one problem per student, or with --check one gradebook.")
    var roster: String?

    @Option(help: "The course's secret that seeds each student's problem with --roster (or VMLAB_QUIZ_SECRET).")
    var secret: String?

    @Option(help: "With --roster: the folder to write each student's problem into (or, with --check, their reports).")
    var output: String?

    @Flag(help: "List the built-in quiz kinds.")
    var list = false

    @Flag(help: "Print the quiz's script (to start a new kind from).")
    var source = false

    func validate() throws {
        guard list || kind != nil else { throw ValidationError("name a quiz kind (vmlab quiz --list names them)") }
        if roster != nil {
            guard courseSecret != nil else {
                throw ValidationError("--roster needs the course's secret: --secret S or VMLAB_QUIZ_SECRET")
            }
            guard check != nil || output != nil else {
                throw ValidationError("--roster writes problems into --output DIR, or grades sheets with --check DIR")
            }
        } else if output != nil {
            throw ValidationError("--output goes with --roster")
        }
        guard check != nil || (!showExpected && format == .text) else {
            throw ValidationError("--show-expected and --format go with --check")
        }
        guard !(answers && check != nil) else { throw ValidationError("--answers prints a solution; --check grades one: give one of them") }
    }

    func run() throws {
        let output = StandardStreams()
        defer { output.flush() }
        if list {
            let width = BuiltinQuizzes.all.map(\.name.count).max() ?? 0
            for quiz in BuiltinQuizzes.all {
                output.write(quiz.name + String(repeating: " ", count: width - quiz.name.count + 2) + quiz.summary + "\n")
            }
            return
        }
        let quiz: Quiz
        do {
            quiz = try Quiz.named(kind ?? "")
        } catch let unknown as UnknownQuiz {
            output.writeDiagnostic("vmlab quiz: \(unknown.message)\n")
            throw ExitCode(RunStatus.error.rawValue)
        } catch let failure as ScriptLoader.Failure {
            output.writeDiagnostic("vmlab quiz: \(failure.message)\n")
            throw ExitCode(RunStatus.error.rawValue)
        }
        if source {
            output.write(String(decoding: quiz.source.bytes, as: UTF8.self))
            return
        }
        if let roster { try runClass(quiz, rosterPath: roster, output: self.output) }
        let (seed, showExpected, format, mode) = (seed, showExpected, format, answers ? QuizMode.answers : .problem)
        guard let check else {
            let (status, _) = NativeStack.run { QuizRunner.run(quiz, seed: seed, mode: mode, output: output) }
            throw ExitCode(status == .error ? RunStatus.error.rawValue : 0)
        }
        let sheet: String
        do {
            sheet = try ScriptLoader.read(check)
        } catch {
            output.writeDiagnostic("vmlab quiz: \((error as? ScriptLoader.Failure)?.message ?? "\(error)")\n")
            throw ExitCode(RunStatus.error.rawValue)
        }
        guard let result = NativeStack.run({ QuizRunner.check(quiz, seed: seed, sheet: sheet, diagnostics: output) }) else {
            throw ExitCode(RunStatus.error.rawValue)
        }
        let name = ScriptLoader.displayName(check)
        let (graded, suite) = result.asGradeResult(sheetName: name, showExpected: showExpected)
        switch format {
        case .text: output.write(result.text(sheetName: name, showExpected: showExpected))
        case .csv: output.write(Gradebook.csv([graded]))
        case .gradescope, .tap, .junit: output.write(sheetReport(graded, suite: suite).text)
        }
        output.flush()
        throw ExitCode(result.allRight ? 0 : 1)
    }

    var courseSecret: String? { secret ?? ProcessInfo.processInfo.environment["VMLAB_QUIZ_SECRET"] }

    /// `--roster`: each student's problem into a folder, or a folder of sheets into one gradebook.
    private func runClass(_ quiz: Quiz, rosterPath: String, output folder: String?) throws -> Never {
        let streams = StandardStreams()
        func fail(_ message: String, status: Int32 = RunStatus.error.rawValue) -> Never {
            streams.writeDiagnostic("vmlab quiz: \(message)\n")
            streams.flush()
            Foundation.exit(status)
        }
        let roster: ClassRoster
        do {
            roster = try ClassRoster(csv: try ScriptLoader.read(rosterPath), name: ScriptLoader.displayName(rosterPath))
        } catch let problem as ClassRoster.Problem {
            fail(problem.message)
        } catch {
            fail((error as? ScriptLoader.Failure)?.message ?? "\(error)")
        }
        let secret = courseSecret ?? ""
        guard let sheets = check else {
            let folder = folder ?? "."
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                fail("cannot create the folder '\(folder)'", status: 3)
            }
            let mode = answers ? QuizMode.answers : .problem
            for student in roster.students {
                let seed = ClassRoster.seed(secret: secret, kind: quiz.name, student: student.id)
                let sink = TranscriptSink()
                let (status, _) = NativeStack.run { QuizRunner.run(quiz, seed: seed, mode: mode, output: sink) }
                guard status != .error else { fail("the quiz failed for \(student.id):\n\(sink.text)") }
                let path = (folder as NSString).appendingPathComponent(student.fileName + ".txt")
                guard FileManager.default.createFile(atPath: path, contents: Data(sink.text.utf8)) else {
                    fail("cannot write '\(path)'", status: 3)
                }
            }
            streams.write("wrote \(roster.students.count) \(answers ? "answer keys" : "problems") of \(quiz.name) into \(folder)\n")
            streams.flush()
            Foundation.exit(0)
        }
        let showExpected = showExpected
        guard
            let (results, suite) = NativeStack.run({
                QuizRunner.checkClass(
                    quiz, roster: roster, secret: secret,
                    sheets: { student in try? ScriptLoader.read((sheets as NSString).appendingPathComponent(student.fileName + ".txt")) },
                    showExpected: showExpected, diagnostics: streams)
            })
        else { fail("the quiz failed to run") }
        switch format {
        case .text: streams.write(Gradebook.text(results, suite: suite))
        case .csv: streams.write(Gradebook.csv(results))
        case .gradescope, .tap, .junit:
            guard let folder else { fail("--format \(format.rawValue) writes one file per student: name a folder with --output") }
            do {
                try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            } catch {
                fail("cannot create the folder '\(folder)'", status: 3)
            }
            for (result, student) in zip(results, roster.students) {
                let (text, suffix) = sheetReport(result, suite: suite)
                let path = (folder as NSString).appendingPathComponent("\(student.fileName).\(suffix)")
                guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8)) else { fail("cannot write '\(path)'", status: 3) }
            }
            streams.write(Gradebook.text(results, suite: suite))
        }
        streams.flush()
        Foundation.exit(results.allSatisfy(\.allPassed) ? 0 : 1)
    }

    /// One sheet's report in a per-sheet format (Gradescope, TAP, JUnit) and its file suffix.
    private func sheetReport(_ result: SubmissionResult, suite: TestSuite) -> (text: String, suffix: String) {
        switch format {
        case .gradescope: return (GradescopeReport.render(result, suite: suite), "json")
        case .tap: return (TAPReport.render(result, suite: suite), "tap")
        default: return (JUnitReport.render(result, suite: suite), "xml")
        }
    }
}
