import Foundation
import Testing

/// Input within every other limit must not exhaust the native stack: deep
/// input is a located error (exit status 2), never a signal (issue 12).
@Suite struct DepthBudgetTests {
    static let cases: [(name: String, source: String, message: String)] = [
        ("a 10,000-term sum", "let x = " + Array(repeating: "1", count: 10_000).joined(separator: "+") + "\n",
         "this expression is nested more than 1000 levels deep"),
        ("100,000 or", "let x = " + Array(repeating: "false", count: 100_000).joined(separator: " or ") + "\n",
         "this expression is nested more than 1000 levels deep"),
        ("a member chain", "print tlb" + String(repeating: ".x", count: 50_000) + "\n",
         "this expression is nested more than 1000 levels deep"),
        ("an index chain", "print cpu" + String(repeating: "[0]", count: 5_000) + "\n",
         "this expression is nested more than 1000 levels deep"),
        ("deep parentheses", "let x = " + String(repeating: "(", count: 5_000) + "1" + String(repeating: ")", count: 5_000) + "\n",
         "nesting is deeper than 200 levels"),
        ("recursion inside 190 nested blocks",
         "def f(n) {\n" + String(repeating: "{", count: 190) + "\nif n > 0 { f(n - 1) }\n" + String(repeating: "}", count: 190)
            + "\n}\nf(199)\n",
         "nested deeper than 5000 levels (blocks, calls and expressions together)"),
        ("a recursive call at the bottom of a deep expression",
         "def f(n) {\n  if n == 0 { return 0 }\n  return f(n - 1)" + String(repeating: " + 1", count: 990) + "\n}\nprint f(10)\n",
         "nested deeper than 5000 levels"),
    ]

    @Test(arguments: cases.indices)
    func deepInputIsALocatedError(_ index: Int) throws {
        let (name, source, message) = Self.cases[index]
        let path = try CLITests.temporaryFile(source)
        let result = try CLITests.vmlab(["run", "--quiet", path])
        #expect(result.status == 2, "\(name): \(result.stderr.prefix(300))")
        #expect(result.stderr.contains(message), "\(name): \(result.stderr.prefix(300))")
        #expect(result.stderr.contains("script.vml:"), "\(name) names the file and position")
        #expect(result.stderr.utf8.count < 2_000, "\(name): a long line is quoted as a window, not whole")
    }

    @Test func aLongElseIfChainRunsFlat() throws {
        var source = "let x = 99999\nlet hit = 0\nif x == 0 { hit = 0 }\n"
        for value in 1..<100_000 { source += "else if x == \(value) { hit = \(value) }\n" }
        source += "print hit\n"
        let result = try CLITests.vmlab(["run", try CLITests.temporaryFile(source)])
        #expect(result.status == 0, "\(result.stderr.prefix(300))")
        #expect(result.stdout == "99999\n")
    }

    @Test func aDeepSubmissionCostsOneTestNotTheGrader() throws {
        let source = "def f(n) {\n" + String(repeating: "{", count: 190) + "\nif n > 0 { f(n - 1) }\n"
            + String(repeating: "}", count: 190) + "\n}\nf(199)\n"
        let submission = try CLITests.temporaryFile(source, name: "deep.vml")
        let tests = (submission as NSString).deletingLastPathComponent + "/tests.vml"
        try "test \"runs it\" { submission }\ntest \"still graded\" { expect true }\n"
            .write(toFile: tests, atomically: true, encoding: .utf8)
        let result = try CLITests.vmlab(["grade", tests, submission])
        #expect(result.status == 1)
        #expect(result.stdout.contains("runs it: ERROR") && result.stdout.contains("still graded: OK"))
    }
}
