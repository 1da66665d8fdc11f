import Foundation
import Testing

@testable import VMLanguage

@Suite struct InterpreterTests {
    @Test func arithmeticAndPrinting() {
        let result = run("""
            let a = 0x10
            print a + 1, a * 2, a / 3, a % 3, a << 4, a >> 2, a & 3, a | 1, a ^ 0x11, ~0, hex(255)
            print "s" + "t", true, 1 == 1, 2 != 2, 1 < 2, 2 <= 1, 0..<4, 0...4
            """)
        #expect(result.status == .success)
        #expect(result.output == "17 32 5 1 256 4 0 17 1 18446744073709551615 0xff\nst true true false true false 0..<4 0...4\n")
    }

    @Test(arguments: [
        ("print 18446744073709551615 + 1", "18446744073709551615 + 1 overflows (integers are unsigned 64-bit)"),
        ("print 1 - 2", "1 - 2 is below zero (integers are unsigned 64-bit)"),
        ("print 0x100000000 * 0x100000000", "4294967296 * 4294967296 overflows (integers are unsigned 64-bit)"),
        ("print 1 / 0", "division by zero"),
        ("print 1 % 0", "division by zero"),
        ("print 1 << 64", "shift by 64: shifts must be less than 64"),
        ("print 3 << 63", "3 << 63 overflows (integers are unsigned 64-bit)"),
        ("print -5", "integers are unsigned 64-bit, so -5 does not exist"),
        ("print 1 + true", "'+' needs integers, got boolean true"),
        ("print \"a\" == 1", "cannot compare string with integer using '=='"),
        ("print not 1", "'not' does not apply to integer"),
        ("if 1 { }", "the condition of 'if' must be true or false, got integer 1"),
        ("print 4..<2", "a range cannot run backwards: 4..<2"),
        ("for i in 3 { }", "'for' needs a range such as 0..<4, got integer"),
        ("print nope", "'nope' is not defined"),
        ("x = 1", "'x' is not defined"),
        ("print tlb.bogus", "machine object tlb has no member 'bogus'"),
        ("print last.va", "no memory access yet: 'last' describes the latest read or write"),
        ("print cpu[3].cr3", "no cpu 3: this machine has 1 core(s)"),
        ("print frames[0]", "machine object cannot be indexed; only cpu[N] can"),
        ("print nosuch(1)", "no function named 'nosuch'"),
        ("print pte(1, 2, 3)", "the first argument of 'pte' must be a process, got integer"),
        ("spawn A\nprint pte(A, 0, 5)", "level must be 1 to 4 (4 = PML4, 3 = PDPT, 2 = PD, 1 = PT), got 5"),
        ("def f(a) { }\nf(1, 2)", "'f' takes 1 argument(s), got 2"),
        ("let f = 1\nf(2)", "'f' is integer, not a function"),
        ("switch 5", "expected a process or thread, got integer 5"),
        ("switch A", "'A' is not defined"),
        ("spawn A\nspawn A", "'A' is already process A (pid 1)"),
        ("spawn print", "'print' is a command and cannot name a process or thread"),
        ("read 0xfff", "an 8-byte access at 0xfff would cross a page boundary; vmlab accesses stay inside one 4 KiB page"),
        ("spawn A\nmap A 0x1001", "0x1001 is not aligned to a 4 KiB page"),
        ("spawn A\nmap A 0 size=0", "size must be at least one page (4K)"),
        ("spawn A\nunmap A 0x5000", "0x5000 is not mapped in A"),
        ("spawn A\nmap A 0 rw prot=r", "protection given twice: as a word and as prot="),
        ("machine x86_64 ram=3M", "ram=3 MiB is not allowed: RAM must be a multiple of 2 MiB from 4 MiB to 1 TiB"),
        ("machine x86_64 tlb=48", "tlb / tlb_ways gives 12 sets; the number of sets must be a power of two"),
        ("machine x86_64 tlb=100000", "tlb=100000 is too large (at most 65536)"),
        ("spawn A\nshow tlb A", "'show tlb' takes no process, no format= and no va="),
        ("spawn A\nshow pagetable A va=on", "va= chooses vmprint's form: give format=vmprint too"),
        ("show pagetable", "'show pagetable' needs a process: show pagetable A"),
        ("expect 1", "expect needs a condition that is true or false, got integer 1"),
        ("expect true 5", "the message of 'expect' must be a string, got integer"),
        ("help bogus", "no command named 'bogus'"),
        ("include \"/nonexistent/x.vml\"", "cannot open '/nonexistent/x.vml': no such file or directory"),
    ])
    func runtimeErrors(source: String, message: String) {
        let result = run(source)
        #expect(result.status == .error)
        #expect(result.output.contains("error: " + message + "\n"), "\(result.output)")
    }

    @Test func runtimeErrorsNameTheLocation() {
        let result = run("spawn A\nswitch A\nread 1 - 2")
        #expect(result.output.hasSuffix("""
            test.vml:3:6: error: 1 - 2 is below zero (integers are unsigned 64-bit)
              read 1 - 2
                   ^~~~~

            """))
    }

    @Test func scopesFunctionsAndRecursion() {
        let result = run("""
            let x = 1
            def fib(n) { if n < 2 { return n }; return fib(n - 1) + fib(n - 2) }
            def shadow() { let x = 2; return x }
            { let x = 3; print x }
            if true { x = 10 }
            print fib(15), shadow(), x
            def counter() { }
            print counter()
            """)
        #expect(result.output == "3\n610 2 10\nnothing\n")
    }

    @Test func loopsAndShortCircuit() {
        let result = run("""
            let total = 0
            for i in 0..<5 { total = total + i }
            for i in 1...3 { total = total + i }
            let n = 0
            while n < 3 { n = n + 1 }
            repeat 4 { n = n + 1 }
            print total, n
            print false and 1 / 0 == 0, true or 1 / 0 == 0
            if false { print 1 } else if true { print 2 } else { print 3 }
            for i in 18446744073709551614...18446744073709551615 { print i }
            """)
        #expect(result.output == "16 7\nfalse true\n2\n18446744073709551614\n18446744073709551615\n")
    }

    @Test func endlessLoopsHitTheStepLimit() {
        var limits = Limits()
        limits.maximumSteps = 10_000
        let result = run("while true { }", limits: limits)
        #expect(result.status == .error)
        #expect(result.output.contains("step limit of 10000 reached; is this an endless loop?"))
        #expect(result.output.contains("note: raise the limit with --max-steps N"))
    }

    @Test func runawayRecursionHitsTheDepthLimit() {
        let result = run("def f(n) { return f(n + 1) }\nf(0)")
        #expect(result.status == .error)
        #expect(result.output.contains("calls nested deeper than 200; is the recursion missing a base case?"))
    }

    @Test func expectReportsPassesAndFailuresAndGoesOn() {
        let result = run("""
            expect 1 + 1 == 2 "arithmetic works"
            expect 3 == 4 "wrong"
            expect 2 < 1
            expect not true
            print "still running"
            """)
        #expect(result.status == .expectationFailed)
        #expect(result.output == """
            expect ok: arithmetic works
            test.vml:2:8: expect failed: wrong
              expect 3 == 4 "wrong"
                     ^~~~~~
              note: 3 is 3, expected 4
            test.vml:3:8: expect failed: 2 < 1
              expect 2 < 1
                     ^~~~~
              note: 2 is 2, expected < 1
            test.vml:4:8: expect failed: not true
              expect not true
                     ^~~~~~~~
            still running

            """)
    }

    @Test func quietSilencesAccessLinesButNotState() {
        let result = run("""
            spawn A
            map A 0x1000 size=16K
            switch A
            quiet {
                for i in 0..<4 { read 0x1000 + i * 4K }
                print "inside", tlb.misses
            }
            read 0x1000
            expect last.tlb_hit
            """)
        #expect(result.status == .success)
        let lines = result.output.split(separator: "\n")
        #expect(lines.filter { $0.hasPrefix("read") }.count == 1)
        #expect(lines.contains("inside 4"))
        let quietAll = run("spawn A\nmap A 0x1000\nswitch A\nread 0x1000\nprint tlb.misses", quiet: true)
        #expect(quietAll.output == "1\n")
    }

    @Test func machineObjectsReflectState() {
        let result = run("""
            machine x86_64 tlb=8 tlb_ways=2 ram=16M
            print tlb.size, tlb.ways, tlb.sets, frames.total, frames.reserved, cpu.mode, cpu.id
            spawn A
            map A 0x400000 rw
            switch A
            write 0x400000 7
            print last.kind, last.value, last.fault, last.tlb_hit, last.page_size, last.walk_steps, hex(last.pa & 0xfff)
            print cpu.mode, cpu.process, cpu[0].cr3 == A.root, cpu.tlb.entries, A.resident, A.tables, A.pid, A.name
            read 0x999000
            print last.fault, hex(last.error_code), hex(cpu.cr2), cpu.faults
            print index(0xffff888000000000, 4), index(0x400000, 2)
            """)
        #expect(result.status == .success, "\(result.output)")
        let printed = result.output.split(separator: "\n").filter { !$0.contains(":") }
        #expect(printed == [
            "8 2 4 4096 512 kernel 0",
            "write 7 none false 4096 4 0x0",
            "user A (pid 1) true 1 1 4 1 A",
            "segv 0x4 0x999000 1",
            "273 2",
        ])
        let faulted = run("spawn A\nswitch A\nread 0\nprint last.pa")
        #expect(faulted.output.contains("the last access faulted, so it has no physical address; check last.fault"))
    }

    @Test func processValuesDoNotOutliveTheirMachine() {
        // Top-level names of processes are unbound by 'machine'; a copy in an inner scope is refused.
        let result = run("spawn A\n{ let p = A; machine x86_64; switch p }")
        #expect(result.output.contains("A is gone: it exited, or a later 'machine' or 'reset' replaced its machine"))
        #expect(run("spawn A\nmachine x86_64\nswitch A").output.contains("'A' is not defined"))
        let respawn = run("spawn A\nmachine x86_64\nspawn A\nprint A.pid")
        #expect(respawn.output.hasSuffix("1\n"))
    }

    @Test func bareValuesArePrinted() {
        let result = run("let x = 5\nx\ntlb.hits\nx + 1")
        #expect(result.output == "5\n0\n6\n")
    }

    @Test func includeRunsAFileRelativeToTheIncluder() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-include-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "spawn A\nlet shared = 42\n".write(to: directory.appendingPathComponent("setup.vml"), atomically: true, encoding: .utf8)
        try "include \"main.vml\"\n".write(to: directory.appendingPathComponent("loop.vml"), atomically: true, encoding: .utf8)
        try "include \"loop.vml\"\n".write(to: directory.appendingPathComponent("main.vml"), atomically: true, encoding: .utf8)
        try "print 1 +\n".write(to: directory.appendingPathComponent("broken.vml"), atomically: true, encoding: .utf8)
        let sink = TranscriptSink()
        let session = Session(output: sink)
        let main = directory.appendingPathComponent("top.vml").path
        #expect(session.run(SourceFile(name: main, text: "include \"setup.vml\"\nprint shared, A.pid")) == .success)
        #expect(sink.text.hasSuffix("42 1\n"))
        #expect(session.runFile(directory.appendingPathComponent("main.vml").path) == .error)
        #expect(sink.text.contains("includes itself"))
        #expect(session.run(SourceFile(name: main, text: "include \"broken.vml\"")) == .error)
        #expect(sink.text.contains("broken.vml:1:10: error: expected an expression, found end of line"))
    }

    @Test func helpIsGeneratedFromTheRegistry() {
        let overview = run("help").output
        for command in CommandRegistry.standard.commands {
            #expect(overview.contains("  " + command.name))
            #expect(overview.contains(command.summary))
        }
        let map = run("help map").output
        #expect(map.hasPrefix("usage: map PROC ADDR [PROT] [size=SIZE] [prot=PROT] [page=SIZE] [populate=on|off]\n"))
        #expect(map.contains("size=SIZE"))
    }

    @Test func theSameScriptGivesTheSameBytes() {
        let script = "spawn A\nspawn B\nmap A 0 size=64K\nswitch A\nfor i in 0..<16 { write i * 4K i }\nshow pagetable A\nshow tlb\nshow frames\nshow processes\nstats"
        #expect(run(script).output == run(script).output)
    }
}

/// The depth budget's edge: with `maximumDepth` = 40, blocks nested exactly
/// as deep as the budget allows run, and one more level is the located
/// error (a mutation of `>` to one past it survived every other test).
@Suite struct DepthBudgetEdgeTests {
    func nested(_ levels: Int) -> String { String(repeating: "{ ", count: levels) + "print 1" + String(repeating: " }", count: levels) }

    @Test func theLastLevelTheBudgetAllowsRunsAndTheNextIsRefused() {
        var limits = Limits()
        limits.maximumDepth = 40
        let deepest = (1...60).last { run(nested($0), limits: limits).status == .success }
        #expect(deepest == 40, "40 blocks in a budget of 40 levels")
        let refused = run(nested(41), limits: limits)
        #expect(refused.status == .error && refused.output.contains("nested deeper than 40 levels"), "\(refused.output)")
    }
}
