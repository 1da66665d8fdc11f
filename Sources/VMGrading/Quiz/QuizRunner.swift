import VMLanguage

/// A quiz: a script that prints a problem and asks `question`s (see
/// VMLanguage's Quiz.swift). Built-in kinds live in BuiltinQuizzes.swift; an
/// instructor's own is any script file.
public struct Quiz: Sendable {
    public let name: String
    public let summary: String
    public let source: SourceFile

    public init(name: String, summary: String, source: SourceFile) {
        self.name = name
        self.summary = summary
        self.source = source
    }

    /// The built-in kind of that name, else the script at that path.
    public static func named(_ kind: String) throws -> Quiz {
        if let quiz = BuiltinQuizzes.all.first(where: { $0.name == kind }) { return quiz }
        guard kind.hasSuffix(".vml") || kind.contains("/") else {
            throw UnknownQuiz(
                message: "no quiz kind '\(kind)': the kinds are "
                    + BuiltinQuizzes.all.map { $0.name }.joined(separator: ", ") + ", or give a quiz script's path")
        }
        let text = try ScriptLoader.read(kind)
        return Quiz(name: ScriptLoader.displayName(kind), summary: "", source: SourceFile(name: ScriptLoader.displayName(kind), text: text))
    }
}

/// A quiz kind that is neither built in nor a script's path.
public struct UnknownQuiz: Error, Sendable {
    public let message: String
}

/// Runs a quiz with a seed, as a problem, with its answers, or to check a sheet.
public enum QuizRunner {
    /// Runs `quiz` in a fresh session seeded with `seed`: the script's
    /// random(N) draws the same numbers everywhere for the same seed.
    /// Returns how the run ended and the questions it asked.
    public static func run(_ quiz: Quiz, seed: UInt64, mode: QuizMode, output: OutputSink)
        -> (status: RunStatus, questions: [QuizQuestion])
    {
        let session = Session(output: output, randomSeed: seed)
        session.interpreter.quizMode = mode
        let status = session.finalStatus(after: session.run(quiz.source))
        output.flush()
        return (status, session.interpreter.questions)
    }

    /// Checks an answers sheet against the quiz run with `seed`. The quiz's
    /// own output is dropped; its errors go to `diagnostics`.
    public static func check(_ quiz: Quiz, seed: UInt64, sheet: String, diagnostics: OutputSink) -> QuizCheck? {
        let silent = DiagnosticsOnly(diagnostics)
        let (status, questions) = run(quiz, seed: seed, mode: .collect, output: silent)
        guard status != .error else { return nil }
        let answers = AnswerSheet(sheet, ids: Set(questions.map(\.id)))
        return QuizCheck(
            quiz: quiz, seed: seed, questions: questions, given: questions.map { answers.answers[$0.id] },
            warnings: answers.warnings)
    }
}

/// What a check found: for each question, the answer given (nil: none) and whether it is right.
public struct QuizCheck: Sendable {
    public let quiz: Quiz
    public let seed: UInt64
    public let questions: [QuizQuestion]
    public let given: [String?]
    /// The sheet's own problems (an ID twice, an ID the quiz lacks), by line.
    public let warnings: [String]

    public var right: [Bool] { zip(questions, given).map { question, given in given.map { AnswerSheet.matches($0, question.answer) } ?? false } }
    public var allRight: Bool { right.allSatisfy { $0 } }
    public var score: Int { right.filter { $0 }.count }

    /// One line a question, right or wrong, the expected answer only when asked.
    public func text(sheetName: String, showExpected: Bool) -> String {
        var text = "== vmlab quiz \(quiz.name) --seed \(seed): checking \(sheetName)\n"
        for warning in warnings { text += "warning: \(sheetName): \(warning)\n" }
        for (index, question) in questions.enumerated() {
            if right[index] {
                text += "\(question.id): right\n"
                continue
            }
            text += "\(question.id): wrong (\(verdict(index, showExpected: showExpected)))  # \(question.prompt)\n"
        }
        text += "Score: \(score)/\(questions.count)\n"
        return text
    }

    /// "answered 15; expected 0x04", "left blank", "no answer".
    func verdict(_ index: Int, showExpected: Bool) -> String {
        var text = given[index].map { $0.isEmpty || $0.allSatisfy { $0 == "_" } ? "left blank" : "answered \($0)" } ?? "no answer"
        if showExpected { text += "; expected \(questions[index].answer)" }
        return text
    }

    /// The check as a graded submission, one test a question worth a point,
    /// for the grader's machine formats (Gradescope, TAP, JUnit, CSV).
    public func asGradeResult(sheetName: String, showExpected: Bool) -> (SubmissionResult, TestSuite) {
        let file = quiz.source
        let empty = SourceRange(file: file, start: 0, end: 0)
        var cases: [TestCase] = []
        var results: [TestResult] = []
        for (index, question) in questions.enumerated() {
            let test = TestCase(
                number: index + 1, name: "\(question.id): \(question.prompt)", visibility: .visible, maximumPoints: 1,
                expectPoints: 0, expectCount: 1, steps: nil, needs: nil, partial: false, tags: [],
                body: Block(statements: [], range: empty))
            cases.append(test)
            let failures =
                right[index]
                ? []
                : [FailedExpect(
                    label: verdict(index, showExpected: showExpected), got: given[index] ?? "(no answer)",
                    expected: showExpected ? question.answer : nil, detail: nil)]
            results.append(
                TestResult(
                    test: test, status: right[index] ? .passed : .failed, score: Points(whole: right[index] ? 1 : 0),
                    scoreNote: nil, output: "", steps: 0, failures: failures, error: nil, skipReason: nil, seconds: 0, graderFault: false))
        }
        let suite = TestSuite(file: file, prelude: [], setup: nil, tests: cases, transcripts: [:], sealedNames: [])
        // The sheet's warnings ride on the first question's output, which every format carries.
        if !warnings.isEmpty, !results.isEmpty {
            let first = results[0]
            results[0] = TestResult(
                test: first.test, status: first.status, score: first.score, scoreNote: first.scoreNote,
                output: warnings.map { "warning: \($0)\n" }.joined(), steps: 0, failures: first.failures, error: nil,
                skipReason: nil, seconds: 0, graderFault: false)
        }
        return (SubmissionResult(name: sheetName, path: sheetName, tests: results, seed: seed, problem: nil), suite)
    }
}

/// Drops a quiz's output while it is checked, keeping its errors.
final class DiagnosticsOnly: OutputSink {
    private let target: OutputSink
    init(_ target: OutputSink) { self.target = target }
    func write(_ text: String) {}
    func write(_ text: String, figure: () -> Figure) {}
    func writeDiagnostic(_ text: String) { target.writeDiagnostic(text) }
    func flush() { target.flush() }
}
