import Foundation
import Testing
@testable import VMLanguage

@testable import VMGrading

/// `vmlab quiz`: seeded problems from scripts, their answers, and the checker.
@Suite struct QuizTests {
    private func printout(_ quiz: Quiz, seed: UInt64, mode: QuizMode) -> (String, [QuizQuestion]) {
        let sink = TranscriptSink()
        let (status, questions) = QuizRunner.run(quiz, seed: seed, mode: mode, output: sink)
        #expect(status == .success, "\(quiz.name) seed \(seed): \(sink.text)")
        return (sink.text, questions)
    }

    /// The same seed prints the same bytes; another seed another problem.
    @Test(arguments: BuiltinQuizzes.all.map(\.name))
    func theSameSeedGivesTheSameProblem(kind: String) throws {
        let quiz = try Quiz.named(kind)
        let (first, _) = printout(quiz, seed: 42, mode: .problem)
        let (again, _) = printout(quiz, seed: 42, mode: .problem)
        let (other, _) = printout(quiz, seed: 43, mode: .problem)
        #expect(first == again)
        #expect(first != other)
        #expect(first.contains(": ____  # "))
    }

    /// Its own answers check as all right; the blank problem as all wrong;
    /// one changed answer as exactly that one wrong.
    @Test(arguments: BuiltinQuizzes.all.map(\.name))
    func answersAreCheckedOneByOne(kind: String) throws {
        let quiz = try Quiz.named(kind)
        let (problem, questions) = printout(quiz, seed: 7, mode: .problem)
        let (answers, _) = printout(quiz, seed: 7, mode: .answers)
        let sink = TranscriptSink()
        let right = try #require(QuizRunner.check(quiz, seed: 7, sheet: answers, diagnostics: sink))
        #expect(right.allRight && right.score == questions.count)
        let blank = try #require(QuizRunner.check(quiz, seed: 7, sheet: problem, diagnostics: sink))
        #expect(blank.score == 0)
        let first = questions[0]
        let changed = answers.replacingOccurrences(of: first.line(showingAnswer: true), with: "\(first.id): 999")
        let oneWrong = try #require(QuizRunner.check(quiz, seed: 7, sheet: changed, diagnostics: sink))
        #expect(oneWrong.right == [false] + Array(repeating: true, count: questions.count - 1))
        let report = oneWrong.text(sheetName: "sheet", showExpected: false)
        #expect(report.contains("\(first.id): wrong (answered 999)  # \(first.prompt)\n"))
        #expect(!report.contains("expected"))
        #expect(oneWrong.text(sheetName: "sheet", showExpected: true).contains("answered 999; expected \(first.answer)"))
        // Another seed's answers are another problem's: some are wrong.
        let otherSeed = try #require(QuizRunner.check(quiz, seed: 8, sheet: answers, diagnostics: sink))
        #expect(!otherSeed.allRight)
    }

    /// Problems mix the cases a student must tell apart.
    /// A sheet saved with Windows line ends, or with a byte-order mark, grades
    /// as the same sheet with Unix ones (issue 29: it scored 0/21).
    @Test(arguments: BuiltinQuizzes.all.map(\.name))
    func lineEndsAndAByteOrderMarkDoNotChangeTheGrade(kind: String) throws {
        let quiz = try Quiz.named(kind)
        let (answers, questions) = printout(quiz, seed: 7, mode: .answers)
        // A file of bare "ID: answer" lines, so that the byte-order mark sits right before the first ID.
        let lines = questions.map { "\($0.id): \($0.answer)" }.joined(separator: "\n") + "\n"
        let sink = TranscriptSink()
        for sheet in [
            answers.replacingOccurrences(of: "\n", with: "\r\n"), "\u{FEFF}" + answers,
            answers.replacingOccurrences(of: "\n", with: "\r"), "\u{FEFF}" + lines.replacingOccurrences(of: "\n", with: "\r\n"),
        ] {
            let check = try #require(QuizRunner.check(quiz, seed: 7, sheet: sheet, diagnostics: sink))
            #expect(check.score == questions.count && check.warnings.isEmpty, "\(kind): \(check.score)/\(questions.count)")
        }
    }

    /// An ID answered twice keeps its first answer and says so; an ID the quiz
    /// lacks is named; both reach every report.
    @Test func duplicateAndUnknownIDsAreWarnedAbout() throws {
        let quiz = try Quiz.named("csapp")
        let (answers, questions) = printout(quiz, seed: 7, mode: .answers)
        let first = try #require(questions.first)
        let sheet = answers + "\(first.id): 0xdead\n9.vpn: 4\n"
        let check = try #require(QuizRunner.check(quiz, seed: 7, sheet: sheet, diagnostics: TranscriptSink()))
        #expect(check.score == questions.count, "the first answer counts")
        #expect(check.warnings.count == 2)
        #expect(check.warnings.contains { $0.contains("'\(first.id)' is answered again") })
        #expect(check.warnings.contains { $0.contains("'9.vpn' is not a question of this quiz") })
        #expect(check.text(sheetName: "s.txt", showExpected: false).contains("warning: s.txt: line"))
        let (result, suite) = check.asGradeResult(sheetName: "s.txt", showExpected: false)
        #expect(JUnitReport.render(result, suite: suite).contains("9.vpn"))
        #expect(GradescopeReport.render(result, suite: suite).contains("answered again"))
    }

    @Test func problemsMixHitsMissesAndFaults() throws {
        for seed in UInt64(1)...5 {
            let (_, csapp) = printout(try Quiz.named("csapp"), seed: seed, mode: .collect)
            let hits = csapp.filter { $0.id.hasSuffix(".hit") }.map(\.answer)
            let faults = csapp.filter { $0.id.hasSuffix(".fault") }.map(\.answer)
            #expect(hits.sorted() == ["no", "no", "yes"] && faults.sorted() == ["no", "no", "yes"], "seed \(seed)")
        }
        var tlbVerdicts = Set<String>()
        var ostepResults = Set<String>()
        for seed in UInt64(1)...5 {
            tlbVerdicts.formUnion(printout(try Quiz.named("tlb"), seed: seed, mode: .collect).1.map(\.answer))
            ostepResults.formUnion(
                printout(try Quiz.named("ostep"), seed: seed, mode: .collect).1.filter { $0.id.hasSuffix(".pa") }
                    .map { $0.answer == "fault" ? "fault" : "translated" })
        }
        #expect(tlbVerdicts.isSuperset(of: ["hit", "miss"]))
        #expect(ostepResults == ["fault", "translated"])
    }

    /// An ostep problem's printout is a page dump: load reads it back, and
    /// every page and the PDBR are there.
    @Test func anOSTEPProblemLoadsAsADump() throws {
        let (problem, _) = printout(try Quiz.named("ostep"), seed: 3, mode: .problem)
        let dump = try PageDump.parse(problem, pageSize: 32, pageCount: 128)
        #expect(dump.pages.count == 128 && dump.baseRegister != nil)
    }

    @Test func answersMatchInAnyBaseAndAnyCase() {
        #expect(AnswerSheet.matches("0x1F", "31") && AnswerSheet.matches("0b11111", "0x1f") && AnswerSheet.matches(" 31 ", "0x01f"))
        #expect(AnswerSheet.matches("Hit", "hit") && !AnswerSheet.matches("hit", "miss"))
        #expect(!AnswerSheet.matches("____", "____") && !AnswerSheet.matches("", "0"))
        let sheet = AnswerSheet("# mine\n1.vpn: 0x0f  # VPN\n1.vpn: 3\nother: 5\npage  12:00\n", ids: ["1.vpn", "2.vpn"])
        #expect(sheet.answers == ["1.vpn": "0x0f"])
    }

    @Test func anUnknownKindNamesTheKinds() {
        #expect(throws: UnknownQuiz.self) { try Quiz.named("mips") }
        do {
            _ = try Quiz.named("mips")
        } catch {
            #expect((error as? UnknownQuiz)?.message == "no quiz kind 'mips': the kinds are csapp, ostep, tlb, or give a quiz script's path")
        }
    }
}

/// A problem's bytes are fixed by its seed on every machine: lesson 20 loads
/// the ostep problem of seed 1, kept as it was printed.
@Suite struct QuizGoldenTests {
    @Test func theOSTEPDumpOfLesson20IsSeedOnesProblem() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let kept = try String(contentsOf: root.appendingPathComponent("Examples/dumps/ostep-seed-1.txt"), encoding: .utf8)
        let sink = TranscriptSink()
        _ = QuizRunner.run(try Quiz.named("ostep"), seed: 1, mode: .problem, output: sink)
        #expect(sink.text == kept)
    }
}
