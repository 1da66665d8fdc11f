import Foundation
import Testing

/// `vmlab quiz` as an instructor and a student run it.
@Suite struct QuizCLITests {
    @Test func aStudentChecksAFilledInCopyOfTheProblem() throws {
        let problem = try CLITests.vmlab(["quiz", "csapp", "--seed", "11"])
        #expect(problem.status == 0 && problem.stderr == "")
        let answers = try CLITests.vmlab(["quiz", "csapp", "--seed", "11", "--answers"])
        #expect(answers.status == 0)
        // The answers are the problem with its blanks filled in.
        #expect(problem.stdout.split(separator: "\n").count == answers.stdout.split(separator: "\n").count)
        let right = try CLITests.vmlab(["quiz", "csapp", "--seed", "11", "--check", try CLITests.temporaryFile(answers.stdout, name: "a.txt")])
        #expect(right.status == 0, "\(right.stdout)\(right.stderr)")
        #expect(right.stdout.hasSuffix("Score: 21/21\n"))
        let blank = try CLITests.vmlab(["quiz", "csapp", "--seed", "11", "--check", try CLITests.temporaryFile(problem.stdout, name: "p.txt")])
        #expect(blank.status == 1 && blank.stdout.hasSuffix("Score: 0/21\n"))
        let tap = try CLITests.vmlab(
            ["quiz", "tlb", "--seed", "2", "--check", try CLITests.temporaryFile("1: miss\n", name: "t.txt"), "--format", "tap"])
        #expect(tap.status == 1 && tap.stdout.hasPrefix("TAP version 13\n1..13\n") && tap.stdout.contains("\nok 1 - 1: "))
    }

    @Test func kindsAreListedAndAnUnknownOneIsAnError() throws {
        let list = try CLITests.vmlab(["quiz", "--list"])
        #expect(list.status == 0 && list.stdout.hasPrefix("csapp  ") && list.stdout.contains("\nostep  ") && list.stdout.contains("\ntlb  "))
        let unknown = try CLITests.vmlab(["quiz", "mips"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no quiz kind 'mips'"))
        // An instructor's own kind is a script: --source prints one to start from.
        let source = try CLITests.vmlab(["quiz", "tlb", "--source"])
        let copy = try CLITests.temporaryFile(source.stdout, name: "mine.vml")
        let mine = try CLITests.vmlab(["quiz", copy, "--seed", "2"])
        let builtin = try CLITests.vmlab(["quiz", "tlb", "--seed", "2"])
        #expect(mine.status == 0 && mine.stdout == builtin.stdout)
    }
}
