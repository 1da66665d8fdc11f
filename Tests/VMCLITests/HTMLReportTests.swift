import Foundation
import Testing

/// `vmlab run LESSON --html FILE`, read back by a real HTML5 parser
/// (Tests/html-check.py, PyPI html5lib, which scripts/test installs).
@Suite struct HTMLReportTests {
    static func check(_ page: String, texts: [String] = []) throws -> CLITests.Result {
        try CLITests.tool(["python3", "Tests/html-check.py", page] + texts.flatMap { ["--text", $0] })
    }

    static func folder() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test func aLessonsReportIsValidHTML5WithItsPicturesAndNothingFromOutside() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html").path
        let run = try CLITests.vmlab(["run", "Examples/15-the-answer-on-one-page.vml", "--html", page])
        #expect(run.status == 0, "\(run.stderr)")
        // The terminal gets the same text as without --html.
        #expect(run.stdout == (try String(contentsOfFile: "\(CLITests.packageRoot.path)/Examples/15-the-answer-on-one-page.out", encoding: .utf8)))
        let parsed = try Self.check(page)
        #expect(parsed.status == 0, "\(parsed.stdout)\(parsed.stderr)")
        // Two SVG pictures (the page tables, the plot), three figures (with the TLB), and the
        // TLB grid of `show tlb` plus the one at the end; no script, nothing fetched.
        #expect(parsed.stdout == "svg 2\nfigure 3\ntlb-grid 2\nscript 0\nexternal 0\n")
    }

    /// Every place a script's text reaches the page: printed output, a diagnostic,
    /// an expect's label, a plot's title and series names, the file's own name.
    /// A picture names the tag as the machine's manual does: ASID on RISC-V, ARM and MIPS, PCID on x86.
    @Test(arguments: [("riscv64 asid=on", "ASID"), ("aarch64 asid=on", "ASID"), ("x86_64 pcid=on", "PCID")])
    func theTLBPictureNamesTheTagAsTheMachineDoes(machine: String, tag: String) throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("tags.vml")
        try "machine \(machine)\nspawn A\nspawn B\nmap A 0x400000 rw\nswitch A\nread 0x400000\nswitch B\nshow tlb\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let page = directory.appendingPathComponent("tags.html").path
        let run = try CLITests.vmlab(["run", script.path, "--html", page])
        #expect(run.status == 0, "\(run.stderr)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains(" · \(tag) "), "\(machine)")
        #expect(!html.contains(" · \(tag == "PCID" ? "ASID" : "PCID") "), "\(machine): the other name never")
    }

    /// xv6's separate kernel table: the picture draws the process's one table,
    /// the one the text names, not a KPTI pair (issue 29).
    @Test func aSeparateKernelTablesProcessIsDrawnWithItsOneTable() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("xv6.vml")
        try "machine riscv64 kernel=separate\nspawn A\nmap A 0x400000 rw\nshow pagetable A\n"
            .write(to: script, atomically: true, encoding: .utf8)
        let page = directory.appendingPathComponent("xv6.html").path
        let run = try CLITests.vmlab(["run", script.path, "--html", page])
        #expect(run.status == 0)
        let root = try #require(run.stdout.split(separator: "\n").first { $0.hasPrefix("page table of A") }?.split(separator: " ").last)
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("class=\"title\">L2 of A \(root)"), "the table the text names, \(root)")
        #expect(!html.contains("(KPTI) 0x"), "no KPTI pair")
    }

    /// A textbook TLB is drawn as CS:APP draws it and the terminal prints it:
    /// a row per set, tag, PPN and valid for each way, invalid ways included.
    @Test func aTextbookTLBIsDrawnAsTheBookDrawsIt() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("csapp.vml")
        try "machine csapp\ntlbset 1 2 tag=0x3 ppn=0x2d valid=1\nshow tlb\n".write(to: script, atomically: true, encoding: .utf8)
        let page = directory.appendingPathComponent("csapp.html").path
        let run = try CLITests.vmlab(["run", script.path, "--html", page])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stdout.contains("    1 | -     -     0     | -     -     0     | 0x3   0x2d  1"), "\(run.stdout)")
        let html = try String(contentsOfFile: page, encoding: .utf8)
        #expect(html.contains("<th>set</th><th>tag</th><th>PPN</th><th>valid</th>"))
        #expect(html.contains("<td class=\"entry\">0x3</td><td class=\"entry\">0x2d</td><td class=\"entry\">1</td>"), "the same way as the text")
        #expect(!html.contains("→"), "no page → frame cells on a textbook machine")
    }

    @Test func everyStringAScriptCanPrintIsEscaped() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let hostile = #"<script>alert('x')</script> & "q""#
        let quoted = hostile.replacingOccurrences(of: "\"", with: "\\\"")
        let script = directory.appendingPathComponent("<b>&'\".vml")
        try """
            print "\(quoted)"
            record "\(quoted)" 1 2
            record "\(quoted)" 2 3
            plot "\(quoted)" title="\(quoted)"
            plot "\(quoted)" style=line title="\(quoted)"
            spawn A
            show pagetable A
            expect 1 == 2 "\(quoted)"
            print "\(quoted)" + hex(1 / 0)
            """.write(to: script, atomically: true, encoding: .utf8)
        let page = directory.appendingPathComponent("report.html").path
        let run = try CLITests.vmlab(["run", script.path, "--html", page])
        #expect(run.status == 2)
        let parsed = try Self.check(page, texts: [hostile, "<b>&'\".vml"])
        #expect(parsed.status == 0, "\(parsed.stdout)\(parsed.stderr)")
        let lines = parsed.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("script 0"))
        // Decoded back to the very string 11 times: the printed line; the text charts' two
        // titles and the line chart's series name; the SVG charts' two titles and four
        // point tooltips; the failed expect's label. (The quoted source line spells \".)
        #expect(lines.contains("text 11 " + hostile), "\(parsed.stdout)")
        #expect(lines.contains { $0.hasPrefix("text ") && $0.hasSuffix("<b>&'\".vml") && !$0.hasPrefix("text 0 ") })
    }

    @Test func theReportReplacesOnlyARegularFile() throws {
        let directory = try Self.folder()
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("link.html")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: "/dev/null")
        let script = try CLITests.temporaryFile("print 1\n")
        let run = try CLITests.vmlab(["run", script, "--html", link.path])
        #expect(run.status == 2)
        #expect(run.stderr.contains("it is a symbolic link; vmlab replaces only regular files"), "\(run.stderr)")
        let folder = try CLITests.vmlab(["run", script, "--html", directory.path])
        #expect(folder.stderr.contains("it is a directory"), "\(folder.stderr)")
    }
}
