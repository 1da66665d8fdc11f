import Testing

@testable import VMLanguage

@Suite struct ExpressionParsingTests {
    @Test(arguments: [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("1 << 2 * 3", "(* (<< 1 2) 3)"),
        ("a & 0xfff == 0", "(== (& a 4095) 0)"),
        ("a | b ^ c & d", "(^ (| a b) (& c d))"),
        ("0..<n + 1", "(..< 0 (+ n 1))"),
        ("not a == b and c or d", "(or (and (not (== a b)) c) d)"),
        ("-~x", "(- (~ x))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a-b", "(- a b)"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("cpu[1].tlb.hits", "cpu[1].tlb.hits"),
        ("pte(A, 0x400000, 1)", "pte(A, 4194304, 1)"),
        ("f(g(1), (2))", "f(g(1), 2)"),
        ("true != false", "(!= true false)"),
        ("\"s\" + \"t\"", "(+ \"s\" \"t\")"),
    ])
    func precedenceFollowsSwift(source: String, expected: String) {
        #expect(tree(source) == expected)
    }

    @Test func comparisonsAndRangesDoNotChain() {
        #expect(tree("a < b < c") == "error: '<' and '<' cannot be chained; add parentheses")
        #expect(tree("0..<1..<2") == "error: '..<' and '..<' cannot be chained; add parentheses")
    }

    @Test func unbalancedWhitespaceAroundAnOperatorIsAnError() {
        #expect(tree("a- b") == "error: '-' needs whitespace on both sides or on neither")
        #expect(tree("a *b") == "error: '*' needs whitespace on both sides or on neither")
        #expect(messages("let x = a -b") == ["expected end of line after statement, found '-'"])
    }

    @Test func aPrefixMinusStartsTheNextCommandArgument() {
        // `write 0x1000 -1` has two arguments; -1 then fails at run time as a negative number.
        let result = run("write 0x1000 -1")
        #expect(result.output.contains("integers are unsigned 64-bit, so -1 does not exist"))
        #expect(messages("write 0x1000 - 1") == ["'write' needs VALUE"])
    }

    @Test func callsIndexingAndMembersNeedNoSpaceBefore() {
        #expect(messages("print f (1)").isEmpty)  // two arguments: f and (1)
        #expect(tree("a .b") == "error: expected end of line after statement, found '.'")
        #expect(tree("A.pid(1)") == "error: only a function name can be called")
    }
}

@Suite struct StatementParsingTests {
    @Test func everyStatementForm() {
        let source = """
            let a = 1; a = 2
            if a == 2 { print a } else if a == 3 { print 3 }
            else { print 4 }
            for i in 0...3 { print i }
            while false { }
            repeat 2 { }
            def f(x, y) { return x + y }
            { let inner = f(1, 2) }
            quiet { read 0 }
            f(1, 2)
            """
        #expect(syntaxErrors(source).isEmpty)
    }

    @Test func commandsTakeOptionsWordsAndCommas() {
        #expect(messages("map A 0x400000 size=8K prot=rw").isEmpty)
        #expect(messages("map A 0x400000 rx").isEmpty)
        #expect(messages("print 1, \"two\", 3").isEmpty)
        #expect(messages("machine x86_64 tlb=16 tlb_ways=4 ram=64M").isEmpty)
        #expect(messages("show pagetable A").isEmpty)
    }

    @Test(arguments: [
        ("swich A", "unknown command 'swich'", ["did you mean 'switch'?", "'help' lists the commands"]),
        ("map A 0x1000 sise=8K", "'map' has no option 'sise'", ["did you mean 'size'?", "usage: map PROC ADDR [PROT] [size=SIZE] [prot=PROT] [page=SIZE] [populate=on|off]"]),
        ("map A 0x1000 size=4K size=8K", "option 'size' given twice", []),
        ("switch A B", "too many arguments for 'switch'", ["usage: switch TARGET [cpu=N]"]),
        ("switch", "'switch' needs TARGET", ["usage: switch TARGET [cpu=N]"]),
        ("show tbl", "expected TOPIC for 'show', found 'tbl'", ["did you mean 'tlb'?", "TOPIC is one of: pagetable, tlb, cpu, frames, processes, costs, memory"]),
        ("map A 0 prot=rwz", "expected PROT for 'map', found 'rwz'", ["did you mean 'rwx'?", "PROT is one of: r, rw, rx, rwx"]),
        ("spawn 5", "expected a name for NAME of 'spawn', found integer 5", ["usage: spawn NAME"]),
        ("read 1 { }", "'read' does not take a block", []),
        ("quiet", "expected '{' to start the 'quiet' body, found end of input", []),
        ("let = 3", "expected a name after 'let', found '='", []),
        ("let read = 3", "'read' is a command and cannot be used as a name", []),
        ("let tlb = 3", "'tlb' is a built-in name and cannot be rebound", []),
        ("let x 3", "expected '=' after the name in 'let', found integer 3", []),
        ("for 3 in x { }", "expected a name after 'for', found integer 3", []),
        ("for i of x { }", "expected 'in' after the loop variable, found 'of'", []),
        ("def f(a, a) { }", "parameter 'a' appears twice", []),
        ("def f(a b) { }", "expected ')' after the parameters, found 'b'", []),
        ("def f { }", "expected '(' after the function name, found '{'", []),
        ("return 1", "'return' outside a function", []),
        ("def f() { quiet { return 1 } }", "'return' cannot leave a 'quiet' block", []),
        ("}", "unexpected '}' with no block open", []),
        ("let x = )", "expected an expression, found ')'", []),
        ("let x = a.3", "expected a member name after '.', found integer 3", []),
        ("let x = cpu[0", "expected ']' to close the '[' at line 1, found end of input", []),
        ("let x = f(1", "expected ')' to close the '(' at line 1, found end of input", []),
        ("let x = (1", "expected ')' to close the '(' at line 1, found end of input", []),
        ("if true { print 1", "expected '}' to close the '{' of the if at line 1, found end of input", []),
        ("if true print 1", "expected '{' to start the if body, found 'print'", []),
        ("print 1 print 2", "'print' is a command; a command starts a statement", []),
        ("let x = read", "'read' is a command; a command starts a statement", []),
    ])
    func errorMessages(source: String, message: String, notes: [String]) {
        let diagnostics = syntaxErrors(source)
        #expect(diagnostics.map(\.message) == [message])
        #expect(diagnostics.first?.notes == notes)
    }

    @Test func everyErrorInAFileIsReportedInOnePass() {
        let source = """
            spawn A
            swich A
            map A 0x1000 sise=1
            let x = 1 +
            print "ok"
            read 0x1000 0x2000
            """
        let diagnostics = syntaxErrors(source)
        #expect(diagnostics.map { $0.range.position.line } == [2, 3, 4, 6])
    }

    @Test func openInputIsMarkedIncompleteForTheShell() {
        #expect(syntaxErrors("for i in 0..<3 {\n  read i").allSatisfy { $0.atEndOfInput })
        #expect(syntaxErrors("let x = 1 +\n").allSatisfy { $0.atEndOfInput })
        #expect(syntaxErrors("let y = pte(A,\n").allSatisfy { $0.atEndOfInput })
        #expect(!syntaxErrors("let x = )").contains { $0.atEndOfInput })
        #expect(!syntaxErrors("swich A").contains { $0.atEndOfInput })
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let parens = String(repeating: "(", count: 100_000) + "1" + String(repeating: ")", count: 100_000)
        #expect(messages("let x = " + parens) == ["nesting is deeper than 200 levels"])
        let braces = String(repeating: "{", count: 50_000) + String(repeating: "}", count: 50_000)
        #expect(messages(braces) == ["nesting is deeper than 200 levels"])
        let minuses = "let x = " + String(repeating: "-", count: 100_000) + "1"
        #expect(messages(minuses) == ["nesting is deeper than 200 levels"])
        let nots = "let x = " + String(repeating: "not ", count: 100_000) + "true"
        #expect(messages(nots) == ["nesting is deeper than 200 levels"])
    }

    @Test func errorsStopAtFifty() {
        #expect(syntaxErrors(String(repeating: "swich A\n", count: 500)).count == 50)
    }

    @Test func diagnosticsRenderWithACaret() {
        let rendered = syntaxErrors("spawn A\n\tswich A").first?.render()
        #expect(rendered == """
            test.vml:2:2: error: unknown command 'swich'
              \tswich A
              \t^~~~~
              note: did you mean 'switch'?
              note: 'help' lists the commands

            """)
    }
}
