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

    @Flag(help: "List the built-in quiz kinds.")
    var list = false

    @Flag(help: "Print the quiz's script (to start a new kind from).")
    var source = false

    func validate() throws {
        guard list || kind != nil else { throw ValidationError("name a quiz kind (vmlab quiz --list names them)") }
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
        case .gradescope: output.write(GradescopeReport.render(graded, suite: suite))
        case .tap: output.write(TAPReport.render(graded, suite: suite))
        case .junit: output.write(JUnitReport.render(graded, suite: suite))
        }
        output.flush()
        throw ExitCode(result.allRight ? 0 : 1)
    }
}
