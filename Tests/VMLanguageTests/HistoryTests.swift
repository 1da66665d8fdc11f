import Testing

@testable import VMLanguage

/// undo, redo, snapshot and restore put back the whole session, byte for
/// byte as `show` prints it, on every architecture and after fork,
/// copy-on-write, replacement and shootdowns.
@Suite struct HistoryTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let machine: String
        /// What runs between the snapshot and the restore (and is undone).
        let work: String
        var testDescription: String { machine }
    }

    static let everything = "show pagetable A\nshow pagetable B\nshow tlb\nshow cpu\nshow frames\nshow processes\nstats\nprint last.pa, cycles\n"

    static let cases: [Case] = [
        Case(machine: "machine x86_64 cores=2", work: "fork A as C\nwrite 0x400000 9\nswitch B cpu=1\nmunmap B 0x500000\nmprotect A 0x400000 size=4K prot=r"),
        Case(machine: "machine x86_64 kpti=on pcid=on", work: "syscall getpid\nswitch B\nwrite 0x500000 3\nfork B as C"),
        Case(machine: "machine x86_64 frames=3 policy=lru", work: "write 0x400000 1\nwrite 0x401000 2\nwrite 0x402000 3\nwrite 0x403000 4\nread 0x400000"),
        Case(machine: "machine i386 pae=on", work: "write 0x400000 5\nfork A as C\nswitch C\nwrite 0x400000 6"),
        Case(machine: "machine riscv64 mode=sv48 asid=on", work: "switch B\nwrite 0x500000 7\nfork B as C\nswitch C\nwrite 0x500000 8"),
        Case(machine: "machine riscv64 kernel=separate", work: "syscall getpid\nwrite 0x400000 1\nfork A as C"),
        Case(machine: "machine aarch64 cores=2 asid=on", work: "switch B cpu=1\nwrite 0x500000 2\nmunmap B 0x500000\nfork A as C"),
        Case(machine: "machine mips32 asid=on", work: "write 0x400000 3\nswitch B\nread 0x500000\nfork A as C"),
    ]

    static func setup(_ machine: String) -> String {
        """
        \(machine)
        spawn A
        spawn B
        mmap A 0x400000 size=16K prot=rw
        mmap B 0x500000 size=16K prot=rw
        switch A
        write 0x400000 1
        read 0x401000

        """
    }

    func transcript(_ session: Session, _ code: String) -> String {
        let sink = session.interpreter.output as! TranscriptSink
        let before = sink.text.count
        _ = session.run(SourceFile(name: "t.vml", text: code))
        return String(sink.text.dropFirst(before))
    }

    @Test(arguments: cases) func restoreGivesBackTheSnapshotByteForByte(_ test: Case) {
        let session = Session(output: TranscriptSink())
        let setup = transcript(session, Self.setup(test.machine) + "let x = 1\nsnapshot \"s\"")
        #expect(!setup.contains(": error:"), "\(setup)")
        let before = transcript(session, Self.everything)
        let work = transcript(session, test.work + "\nx = 2\nlet y = 3")
        #expect(!work.contains(": error:"), "\(work)")
        #expect(transcript(session, Self.everything) != before, "the work changed something")
        let restored = transcript(session, "restore \"s\"")
        #expect(!restored.contains(": error:"), "\(restored)")
        #expect(transcript(session, Self.everything) == before)
        #expect(transcript(session, "print x") == "1\n")
        #expect(transcript(session, "print y").contains("error: 'y'"), "a name bound after the snapshot is unbound again")
    }

    @Test(arguments: cases) func undoAndRedoStepThroughEachStatement(_ test: Case) {
        let session = Session(output: TranscriptSink())
        _ = transcript(session, Self.setup(test.machine))
        let statements = test.work.split(separator: "\n").map(String.init)
        // The state before each statement, as show prints it.
        var states: [String] = []
        for statement in statements {
            // show, stats and print are not recorded: undo steps over them.
            states.append(transcript(session, Self.everything))
            _ = transcript(session, statement)
        }
        let after = transcript(session, Self.everything)
        for back in (0..<statements.count).reversed() {
            let undo = transcript(session, "undo")
            #expect(undo.hasPrefix("undo 1: back to before '\(statements[back])'"), "\(undo)")
            #expect(transcript(session, Self.everything) == states[back], "after undoing '\(statements[back])'")
        }
        for _ in statements { _ = transcript(session, "redo") }
        #expect(transcript(session, Self.everything) == after, "redo goes forward to where the work ended")
    }

    /// A page in swap when the snapshot was taken comes back with its data,
    /// though swap was reused in between.
    @Test func swappedPagesComeBackWithTheirData() {
        let session = Session(output: TranscriptSink())
        let setup = transcript(
            session,
            "machine x86_64 frames=2\nspawn A\nmmap A 0x400000 size=16K prot=rw\nswitch A\n"
                + "write 0x400000 1\nwrite 0x401000 2\nwrite 0x402000 3\nsnapshot \"s\"")
        #expect(!setup.contains(": error:"), "\(setup)")
        let churn = transcript(session, "write 0x400000 9\nwrite 0x401000 8\nwrite 0x402000 7\nwrite 0x403000 6\nwrite 0x400000 5")
        #expect(churn.contains("swap"), "the work went through swap: \(churn)")
        _ = transcript(session, "restore \"s\"")
        #expect(transcript(session, "quiet { read 0x400000 }\nprint last.value\nquiet { read 0x401000 }\nprint last.value") == "1\n2\n")
    }

    @Test func undoCannotGoFurtherThanItRecordedNorEraseAnExpect() {
        let session = Session(output: TranscriptSink())
        let text = transcript(session, "spawn A\nlet z = 1\nexpect 1 == 2\nundo 5")
        #expect(text.contains("undo 5: only 2 statements can be undone"))
        _ = transcript(session, "undo 2")
        #expect(session.interpreter.expectationsFailed == 1, "a failed expect stays failed")
        #expect(transcript(session, "print A").contains("error: 'A'"), "spawn was undone")
        #expect(transcript(session, "redo\nredo\nprint A").hasSuffix("A (pid 1)\n"))
        #expect(transcript(session, "switch A\nsyscall { undo }").contains("cannot replace the machine inside syscall"))
    }
}
