import Foundation
import Testing

/// The interactive shell, driven through a pseudo-terminal. Every test gets
/// its own XDG_STATE_HOME and HOME, so the user's real history is never touched.
@Suite(.serialized) struct ShellTests {
    let home: URL

    init() throws {
        home = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-shell-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
    }

    var historyPath: String { home.appendingPathComponent("state/vmlab/history").path }

    func shell(_ arguments: [String] = [], color: Bool = false) throws -> Terminal {
        var environment = [
            "TERM": "xterm", "HOME": home.path, "XDG_STATE_HOME": home.appendingPathComponent("state").path,
            "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
        ]
        if !color { environment["NO_COLOR"] = "1" }
        let terminal = try Terminal(CLITests.binary.path, arguments: arguments, environment: environment)
        #expect(terminal.waitFor("vmlab> "), "no prompt: \(terminal.plainOutput)")
        return terminal
    }

    /// Types a line once the prompt has appeared `prompts` times.
    func type(_ terminal: Terminal, _ line: String, afterPrompt prompts: Int) {
        #expect(terminal.waitFor("vmlab> ", count: prompts), "\(terminal.plainOutput)")
        terminal.settle()
        terminal.send(line + "\r")
    }

    /// Presses Ctrl-D once the prompt has appeared `prompts` times, and expects status 0.
    func leave(_ terminal: Terminal, afterPrompt prompts: Int) {
        #expect(terminal.waitFor("vmlab> ", count: prompts), "\(terminal.plainOutput.suffix(600))")
        terminal.settle()
        terminal.send("\u{4}")
        #expect(terminal.waitForExit() == 0)
    }

    @Test func tabCompletesCommandsAndProcessNames() throws {
        let terminal = try shell()
        type(terminal, "spawn Alpha", afterPrompt: 1)
        #expect(terminal.waitFor("vmlab> ", count: 2))
        terminal.settle()
        terminal.send("swi\t")
        #expect(terminal.waitFor("switch "))
        terminal.send("Al\t")
        #expect(terminal.waitFor("switch Alpha "))
        terminal.send("\r")
        #expect(terminal.waitFor("switch cpu 0 to Alpha"), "\(terminal.plainOutput)")
        terminal.send("show p\t")
        #expect(terminal.waitFor("pagetable  processes"))
        terminal.settle()
        terminal.send("\u{15}quit\r")
        #expect(terminal.waitForExit() == 0)
    }

    /// A mistyped line is taken back: undo restores the session as it was
    /// before the line, and redo gives it back.
    @Test func undoTakesBackTheLastLine() throws {
        let terminal = try shell()
        type(terminal, "spawn A", afterPrompt: 1)
        type(terminal, "map A 0x400000 size=1G", afterPrompt: 2)
        type(terminal, "show processes", afterPrompt: 3)
        type(terminal, "undo", afterPrompt: 4)
        #expect(terminal.waitFor("undo 1: back to before 'map A 0x400000 size=1G'"), "\(terminal.plainOutput)")
        type(terminal, "print \"regions:\", A.regions", afterPrompt: 5)
        #expect(terminal.waitFor("regions: 0"), "\(terminal.plainOutput)")
        type(terminal, "redo", afterPrompt: 6)
        #expect(terminal.waitFor("redo: 'map A 0x400000 size=1G' done again"), "\(terminal.plainOutput)")
        leave(terminal, afterPrompt: 7)
    }

    /// Lines come one at a time: a function may use a name a later line
    /// defines (a script may not, and a name nothing defines stays an error).
    @Test func aFunctionMayUseANameALaterLineDefines() throws {
        let terminal = try shell()
        type(terminal, "def twice() { return later * 2 }", afterPrompt: 1)
        type(terminal, "print nothing_defines_this", afterPrompt: 2)
        #expect(terminal.waitFor("'nothing_defines_this' is not defined"), "\(terminal.plainOutput)")
        type(terminal, "let later = 21", afterPrompt: 3)
        type(terminal, "print twice()", afterPrompt: 4)
        #expect(terminal.waitFor("42"), "\(terminal.plainOutput)")
        leave(terminal, afterPrompt: 5)
    }

    @Test func historyIsRecalledInTheNextSession() throws {
        let first = try shell()
        type(first, "print 4242 + 1", afterPrompt: 1)
        #expect(first.waitFor("4243"))
        leave(first, afterPrompt: 2)
        let saved = try String(contentsOfFile: historyPath, encoding: .utf8)
        #expect(saved.contains("print\\0404242\\040+\\0401"))

        let second = try shell()
        second.settle()
        second.send("\u{1B}[A")  // up arrow
        #expect(second.waitFor("print 4242 + 1"), "\(second.plainOutput)")
        second.send("\r")
        #expect(second.waitFor("4243"))
        leave(second, afterPrompt: 2)
    }

    @Test func controlRSearchesHistory() throws {
        let terminal = try shell()
        type(terminal, "print 111", afterPrompt: 1)
        type(terminal, "print 222", afterPrompt: 2)
        #expect(terminal.waitFor("vmlab> ", count: 3))
        terminal.settle()
        terminal.send("\u{12}11")  // Ctrl-R, then part of the line to find
        terminal.settle()
        terminal.send("\r")
        #expect(terminal.waitFor("vmlab> ", count: 4), "\(terminal.plainOutput)")
        // The search found and ran `print 111` again; had Ctrl-R not searched, `11` would have run and printed 11.
        let lines = terminal.plainOutput.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(lines.filter { $0 == "111" }.count == 2, "\(terminal.plainOutput)")
        #expect(!lines.contains("11"), "\(terminal.plainOutput)")
        leave(terminal, afterPrompt: 4)
    }

    @Test func aHistoryFileBehindALinkIsWrittenThroughIt() throws {
        let directory = (historyPath as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let target = home.appendingPathComponent("dotfiles-history").path
        try "_HiStOrY_V2_\nprint\\0401\n".write(toFile: target, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: historyPath, withDestinationPath: target)
        let terminal = try shell()
        type(terminal, "print 2", afterPrompt: 1)
        leave(terminal, afterPrompt: 2)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: historyPath) == target, "still a link")
        #expect(try String(contentsOfFile: target, encoding: .utf8) == "_HiStOrY_V2_\nprint\\0401\nprint\\0402\n")
    }

    @Test func aLineWithAControlByteIsNotKept() throws {
        let terminal = try shell()
        terminal.settle()
        terminal.send("print 7 \u{16}\u{01}\r")  // Ctrl-V quotes the next key: a raw 0x01 in the line
        #expect(terminal.waitFor("vmlab> ", count: 2), "\(terminal.plainOutput)")
        type(terminal, "print 8", afterPrompt: 2)
        leave(terminal, afterPrompt: 3)
        #expect(try String(contentsOfFile: historyPath, encoding: .utf8) == "_HiStOrY_V2_\nprint\\0408\n")
    }

    @Test func consecutiveDuplicatesAreKeptOnce() throws {
        let terminal = try shell()
        type(terminal, "print 5", afterPrompt: 1)
        type(terminal, "print 5", afterPrompt: 2)
        leave(terminal, afterPrompt: 3)
        #expect(try String(contentsOfFile: historyPath, encoding: .utf8) == "_HiStOrY_V2_\nprint\\0405\n")
    }

    @Test func historyKeepsTheLatestThousandLines() throws {
        try FileManager.default.createDirectory(
            atPath: (historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        let old = (0..<1_005).map { "print\\040\($0)\n" }.joined()
        try ("_HiStOrY_V2_\n" + old).write(toFile: historyPath, atomically: true, encoding: .utf8)
        let terminal = try shell()
        type(terminal, "print 9999", afterPrompt: 1)
        leave(terminal, afterPrompt: 2)
        let lines = try String(contentsOfFile: historyPath, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 1 + 1_000, "the header and 1,000 entries")
        #expect(lines.last == "print\\0409999")
        #expect(lines[1] == "print\\0406", "the oldest went first")
    }

    @Test func twoShellsAtOnceKeepEachOthersHistory() throws {
        let first = try shell()
        let second = try shell()
        type(first, "print 101", afterPrompt: 1)
        type(second, "print 202", afterPrompt: 1)
        type(first, "print 103", afterPrompt: 2)
        leave(second, afterPrompt: 2)
        leave(first, afterPrompt: 3)
        let saved = try String(contentsOfFile: historyPath, encoding: .utf8)
        // Each save merges with the file as it is now, so neither shell overwrites the other.
        #expect(saved == "_HiStOrY_V2_\nprint\\040101\nprint\\040202\nprint\\040103\n")
    }

    /// Two shells saving at the same moment: each save is a load, a merge
    /// and a rename, so without the lock one shell's rename drops lines the
    /// other had just saved. Each shell gets 150 lines in one burst.
    @Test func twoShellsSavingAtOnceLoseNoLine() throws {
        let shells = try [shell(), shell()]
        for (index, terminal) in shells.enumerated() {
            terminal.settle()
            terminal.send((0..<150).map { "print \(index * 1000 + $0)\r" }.joined() + "print \"done\" + \"-\(index)\"\r")
        }
        for (index, terminal) in shells.enumerated() {
            #expect(terminal.waitFor("done-\(index)"), "\(terminal.plainOutput.suffix(300))")
            // A line, not Ctrl-D: under load a Ctrl-D can land mid-line, where it deletes a character.
            terminal.send("quit\r")
            #expect(terminal.waitForExit() == 0)
        }
        let saved = try String(contentsOfFile: historyPath, encoding: .utf8)
        let lines = Set(saved.split(separator: "\n").map(String.init))
        let missing = (0..<2).flatMap { index in (0..<150).map { "print\\040\(index * 1000 + $0)" } }.filter { !lines.contains($0) }
        #expect(missing.isEmpty, "lost \(missing.count) of 300 lines, e.g. \(missing.prefix(3))")
    }

    /// The XDG base-directory spec: a relative XDG_STATE_HOME is invalid and
    /// ignored, so history goes to ~/.local/state, never into the current folder.
    @Test func aRelativeXDGStateHomeIsIgnored() throws {
        let environment = [
            "TERM": "xterm", "HOME": home.path, "XDG_STATE_HOME": "relative-state", "PATH": "/usr/bin:/bin",
            "LANG": "C.UTF-8", "NO_COLOR": "1",
        ]
        // Run in the test's own folder: were the relative path used, it would land there.
        let terminal = try Terminal(CLITests.binary.path, arguments: [], environment: environment, directory: home.path)
        #expect(terminal.waitFor("vmlab> "))
        type(terminal, "print 31", afterPrompt: 1)
        leave(terminal, afterPrompt: 2)
        let fallback = home.appendingPathComponent(".local/state/vmlab/history").path
        #expect(try String(contentsOfFile: fallback, encoding: .utf8).contains("print\\04031"))
        #expect(!FileManager.default.fileExists(atPath: home.appendingPathComponent("relative-state").path))
    }

    @Test func noHistoryLeavesNoFile() throws {
        let terminal = try shell(["--no-history"])
        type(terminal, "print 1", afterPrompt: 1)
        leave(terminal, afterPrompt: 2)
        #expect(!FileManager.default.fileExists(atPath: historyPath))
    }

    @Test func aHistoryFileOfAnotherFormatIsLeftAlone() throws {
        try FileManager.default.createDirectory(
            atPath: (historyPath as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try "not a libedit history\n".write(toFile: historyPath, atomically: true, encoding: .utf8)
        let terminal = try shell()
        #expect(terminal.waitFor("is not a vmlab history file"))
        type(terminal, "print 1", afterPrompt: 1)
        leave(terminal, afterPrompt: 2)
        #expect(try String(contentsOfFile: historyPath, encoding: .utf8) == "not a libedit history\n")
    }

    @Test func anOpenBlockContinuesOnASecondPrompt() throws {
        let terminal = try shell()
        type(terminal, "for i in 0..<2 {", afterPrompt: 1)
        #expect(terminal.waitFor("...> "))
        terminal.send("print i + 10\r")
        #expect(terminal.waitFor("...> ", count: 2))
        terminal.send("}\r")
        #expect(terminal.waitFor("10\n11\n"), "\(terminal.plainOutput)")
        // A blank line inside a block is part of it, as in pasted lesson code.
        type(terminal, "if true {", afterPrompt: 2)
        #expect(terminal.waitFor("...> ", count: 3))
        terminal.send("\r")
        #expect(terminal.waitFor("...> ", count: 4), "still in the block")
        terminal.send("print 99\r")
        #expect(terminal.waitFor("...> ", count: 5))
        terminal.send("}\r")
        #expect(terminal.waitFor("99\n"))
        leave(terminal, afterPrompt: 3)
    }

    /// In the shell: an address a student asks for reads in hex, a count in
    /// decimal, `numbers hex` turns every integer to hex; help opens with where
    /// to start and lists commands by group.
    @Test func addressesReadInHexAndHelpIsGrouped() throws {
        let terminal = try shell()
        type(terminal, "spawn A", afterPrompt: 1)
        type(terminal, "A.root", afterPrompt: 2)
        #expect(terminal.waitFor("0x208000"), "\(terminal.plainOutput)")
        type(terminal, "A.pid", afterPrompt: 3)
        #expect(terminal.waitFor("vmlab> ", count: 4))
        #expect(terminal.plainOutput.contains("A.pid\n1\n"), "a count in decimal: \(terminal.plainOutput)")
        type(terminal, "numbers hex", afterPrompt: 4)
        type(terminal, "A.pid + 15", afterPrompt: 5)
        #expect(terminal.waitFor("0x10"), "\(terminal.plainOutput)")
        type(terminal, "help", afterPrompt: 6)
        #expect(terminal.waitFor("New here? Start with lesson 1"))
        #expect(terminal.waitFor("Processes and threads:"))
        leave(terminal, afterPrompt: 7)
    }

    /// A command missing its argument is an error at once: the next line is
    /// a new statement, not the argument (issue 29).
    @Test func aCommandMissingItsArgumentIsAnErrorAtOnce() throws {
        let terminal = try shell()
        type(terminal, "spawn", afterPrompt: 1)
        #expect(terminal.waitFor("'spawn' needs"), "\(terminal.plainOutput)")
        type(terminal, "print 5 + 5", afterPrompt: 2)
        #expect(terminal.waitFor("10\n"), "\(terminal.plainOutput)")
        #expect(!terminal.plainOutput.contains("...> "), "never a continuation prompt")
        leave(terminal, afterPrompt: 3)
    }

    /// An error inside a block is reported once, when the block ends, and the
    /// block's other lines do not become errors of their own.
    @Test func anErrorInsideABlockIsReportedOnceWhenTheBlockEnds() throws {
        let terminal = try shell()
        type(terminal, "repeat 2 {", afterPrompt: 1)
        #expect(terminal.waitFor("...> "))
        terminal.send("let = 3\r")
        #expect(terminal.waitFor("...> ", count: 2), "the error waits for the block's end")
        terminal.send("print 1\r")
        #expect(terminal.waitFor("...> ", count: 3))
        terminal.send("}\r")
        #expect(terminal.waitFor("vmlab> ", count: 2))
        terminal.settle()
        let errors = terminal.plainOutput.components(separatedBy: "error:").count - 1
        #expect(errors == 1, "one error, not a cascade: \(terminal.plainOutput)")
        #expect(!terminal.plainOutput.contains("1\r\n1"), "nothing in the block ran")
        leave(terminal, afterPrompt: 2)
    }

    @Test func controlCStopsALoopAndTheShellGoesOn() throws {
        let terminal = try shell()
        type(terminal, "spawn A; map A 0x400000; switch A", afterPrompt: 1)
        type(terminal, "while true { read 0x400000 }", afterPrompt: 2)
        #expect(terminal.waitFor("TLB hit"))
        terminal.send("\u{3}")  // while the loop runs: the line discipline turns it into SIGINT
        #expect(terminal.waitFor("error: interrupted"), "\(terminal.plainOutput.suffix(500))")
        terminal.send("print tlb.hits > 0\r")
        #expect(terminal.waitFor("true\n"))
        // Ctrl-C at an empty prompt does not leave.
        #expect(terminal.waitFor("vmlab> ", count: 4))
        terminal.settle()
        terminal.send("\u{3}")
        type(terminal, "print 5 * 5", afterPrompt: 5)
        #expect(terminal.waitFor("25\n"))
        leave(terminal, afterPrompt: 6)
    }

    @Test func controlDLeavesWithStatusZero() throws {
        let terminal = try shell()
        type(terminal, "expect false", afterPrompt: 1)
        #expect(terminal.waitFor("expect failed"))
        leave(terminal, afterPrompt: 2)
    }

    @Test func colourOnlyWithoutNoColor() throws {
        let plain = try shell()
        type(plain, "read 0", afterPrompt: 1)
        #expect(plain.waitFor("page fault"))
        #expect(!plain.output.contains("\u{1B}[33mTLB miss"))
        #expect(!plain.output.contains("\u{1B}[1;31m"))
        leave(plain, afterPrompt: 2)

        let coloured = try shell(color: true)
        type(coloured, "read 0", afterPrompt: 1)
        #expect(coloured.waitFor("page fault"))
        #expect(coloured.output.contains("\u{1B}[33mTLB miss"))
        leave(coloured, afterPrompt: 2)

        let refused = try shell(["--no-color"], color: true)
        type(refused, "read 0", afterPrompt: 1)
        #expect(refused.waitFor("page fault"))
        #expect(!refused.output.contains("\u{1B}[33mTLB miss"))
        leave(refused, afterPrompt: 2)
    }

    @Test func saveTranscriptWritesInputAndOutput() throws {
        let terminal = try shell()
        let path = home.appendingPathComponent("session.txt").path
        type(terminal, "print 6 * 7", afterPrompt: 1)
        type(terminal, "save transcript \"\(path)\"", afterPrompt: 2)
        #expect(terminal.waitFor("saved the transcript"))
        leave(terminal, afterPrompt: 3)
        let saved = try String(contentsOfFile: path, encoding: .utf8)
        #expect(saved.hasPrefix("vmlab> print 6 * 7\n42\nvmlab> save transcript"))
    }

    /// A picture of the session so far: an HTML page (read back by html5lib)
    /// and the page tables as DOT (drawn by Graphviz's dot), from the shell.
    @Test func saveHTMLAndDotDrawTheSessionSoFar() throws {
        let terminal = try shell(color: true)
        let page = home.appendingPathComponent("session.html").path
        let graph = home.appendingPathComponent("tables.dot").path
        type(terminal, "spawn A", afterPrompt: 1)
        type(terminal, "map A 0x400000 rw", afterPrompt: 2)
        type(terminal, "switch A", afterPrompt: 3)
        type(terminal, "read 0x400000", afterPrompt: 4)
        type(terminal, "show pagetable A", afterPrompt: 5)
        type(terminal, "save html \"\(page)\"", afterPrompt: 6)
        #expect(terminal.waitFor("saved the session as a page"), "\(terminal.plainOutput)")
        type(terminal, "save dot \"\(graph)\"", afterPrompt: 7)
        #expect(terminal.waitFor("saved the page tables of 1 process"), "\(terminal.plainOutput)")
        leave(terminal, afterPrompt: 8)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("read 0x400000: TLB miss"), "the session's output")
        #expect(!html.contains("\u{1B}["), "no colour codes in the page")
        let parsed = try CLITests.tool(["python3", "Tests/html-check.py", page])
        #expect(parsed.status == 0 && parsed.stdout.contains("svg "), "\(parsed.stdout)\(parsed.stderr)")
        let drawn = try CLITests.tool(["dot", "-Tsvg", graph])
        #expect(drawn.status == 0 && drawn.stdout.contains("<svg"), "\(drawn.stderr)")
    }
}
