import Foundation
import Testing

/// `vmlab run --events`: what each statement changed, as JSON lines, checked
/// against what the same run prints.
@Suite struct EventStreamTests {
    @Test func eachStatementsChangesAreItsEvents() throws {
        let script = try CLITests.temporaryFile(
            """
            spawn A
            map A 0x400000 rw
            switch A
            read 0x400000
            show tlb
            mmap A 0x800000 size=4K prot=rw
            write 0x800000 1
            read 0x900000

            """, name: "events.vml")
        let directory = URL(fileURLWithPath: script).deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("events.jsonl").path
        let run = try CLITests.vmlab(["run", "--events", file, script])
        #expect(run.status == 0, "\(run.stderr)")
        let lines = try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n")
        let events = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        func of(_ step: Int) -> [String] {
            events.filter { $0["step"] as? Int == step }.compactMap { $0["type"] as? String }
        }
        #expect(events.allSatisfy { ($0["at"] as? String)?.contains("events.vml:") == true })
        // spawn: the process, its PML4's three kernel entries (as the line says), one frame.
        #expect(of(1) == ["statement", "process_created", "entry_written", "entry_written", "entry_written", "frames"])
        let kernel = events.filter { $0["step"] as? Int == 1 && $0["type"] as? String == "entry_written" }
        #expect(kernel.compactMap { $0["index"] as? Int } == [273, 508, 511])
        #expect(run.stdout.contains("kernel entries 273, 508, 511 copied"))
        // switch: CR3, as the line prints it.
        let cr3 = try #require(events.first { $0["type"] as? String == "base_register" })
        #expect(cr3["step"] as? Int == 3 && cr3["register"] as? String == "CR3")
        #expect(run.stdout.contains("CR3 \(cr3["old"] as! String) -> \(cr3["new"] as! String)"))
        // read: a TLB fill and the accessed bits the walk set; show changes nothing.
        #expect(of(4).contains("tlb_fill") && of(4).contains("entry_written"))
        #expect(of(5).isEmpty)
        // write to a fresh mmap page: a demand fault, a frame, the leaf written.
        let faults = try #require(events.first { $0["step"] as? Int == 7 && $0["type"] as? String == "faults" })
        #expect(faults["demand"] as? Int == 1)
        #expect(of(7).contains("frames"))
        // the read past every region: a segmentation fault and nothing mapped.
        let segv = try #require(events.first { $0["step"] as? Int == 8 && $0["type"] as? String == "faults" })
        #expect(segv["segv"] as? Int == 1)
        #expect(!of(8).contains("frames"))
    }
}
