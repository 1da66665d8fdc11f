/// `question`: what makes a script a quiz (Runtime/Quiz.swift).
enum QuizCommands {
    static let all: [CommandSpec] = [question]

    static let question = CommandSpec(
        name: "question",
        summary: "ask a quiz question: its ID, its prompt and the answer the script worked out",
        details: """
            question "2.ppn" "the PPN, or fault" hex(last.pa >> 6) prints "2.ppn: ____  # the
            PPN, or fault" under vmlab quiz, the answer in place of the blank under
            vmlab quiz --answers and vmlab run, and records the question for
            vmlab quiz --check, which compares a student's "2.ppn: 0x2d" with it
            (integers in any base, words ignoring case). IDs are unique in a quiz.
            """,
        parameters: [ParameterSpec("ID"), ParameterSpec("PROMPT"), ParameterSpec("ANSWER")]
    ) { interpreter, call in
        let id = try interpreter.string(call.arguments[0], "the question's ID")
        guard !id.isEmpty, !id.contains(":"), !id.contains("#"), !id.contains("\n"),
            id.trimmingCharacters(in: .whitespaces) == id
        else {
            throw Diagnostic(
                "a question's ID is a word such as \"1.vpn\": no ':', '#', line break or surrounding spaces",
                at: call.arguments[0].range)
        }
        if interpreter.questions.contains(where: { $0.id == id }) {
            throw Diagnostic("question \"\(id)\" was already asked: IDs are unique in a quiz", at: call.arguments[0].range)
        }
        let prompt = try interpreter.string(call.arguments[1], "the question's prompt")
        let answer = try interpreter.value(call.arguments[2]).displayText
        guard !answer.contains("\n"), !answer.contains("#"), !answer.isEmpty else {
            throw Diagnostic("an answer is one line without '#'", at: call.arguments[2].range)
        }
        let question = QuizQuestion(
            id: id, prompt: prompt.replacingOccurrences(of: "\n", with: " "), answer: answer, range: call.range)
        interpreter.questions.append(question)
        switch interpreter.quizMode {
        case .problem: interpreter.output.write(question.line(showingAnswer: false) + "\n")
        case .answers: interpreter.output.write(question.line(showingAnswer: true) + "\n")
        case .collect: break
        }
    }
}
