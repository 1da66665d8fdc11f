import Foundation
import Testing

@testable import VMLanguage

@Suite struct CompleterTests {
    func session(_ setup: String = "spawn Alpha\nspawn Beta\nthread Alpha worker\nlet heap = 1\ndef helper() { }") -> Interpreter {
        let session = Session(output: TranscriptSink())
        session.run(SourceFile(name: "setup", text: setup))
        return session.interpreter
    }

    func complete(_ line: String) -> [String] {
        Completer.complete(line, interpreter: session()).candidates
    }

    @Test func commandNamesAtTheStartOfAStatement() {
        #expect(complete("sw") == ["switch"])
        #expect(complete("s") == ["save", "setup", "sfence_vma", "show", "snapshot", "spawn", "stac", "stats", "str", "submission", "switch", "syscall"])
        #expect(complete("for i in 0..<2 { re") == ["read", "record", "redo", "repeat", "replay", "reset", "restore", "return"])
        #expect(complete("print 1; he") == ["heap", "help", "helper", "hex"])
    }

    @Test func processNamesWhereAProcessGoes() {
        #expect(complete("switch ") == ["Alpha", "Beta", "cpu="])
        #expect(complete("switch A") == ["Alpha"])
        #expect(complete("map B") == ["Beta"])
        #expect(complete("show pagetable ") == ["Alpha", "Beta", "format=", "va="])
    }

    @Test func wordChoicesAndOptions() {
        #expect(complete("show ") == ["costs", "cpu", "format=", "frames", "memory", "pagetable", "processes", "tlb", "va="])
        #expect(complete("show p") == ["pagetable", "processes"])
        #expect(complete("map Alpha 0x1000 ") == ["page=", "populate=", "prot=", "r", "rw", "rwx", "rx", "size="])
        #expect(complete("map Alpha 0x1000 s") == ["size="])
        #expect(complete("map Alpha 0x1000 size=8K pr") == ["prot="])
        #expect(complete("map Alpha 0x1000 prot=r") == ["prot=r", "prot=rw", "prot=rwx", "prot=rx"])
        #expect(complete("machine x86_64 t") == ["thp=", "tlb=", "tlb_model=", "tlb_ways="])
        #expect(complete("machine k") == ["kernel=", "kpti="])
        #expect(complete("machine pcid=") == ["pcid=off", "pcid=on"])
        #expect(complete("help sp") == ["spawn"])
    }

    @Test func membersAfterADot() {
        #expect(complete("print tlb.") == ["tlb.entries", "tlb.flushes", "tlb.globals", "tlb.hits", "tlb.misses", "tlb.sets", "tlb.size", "tlb.stlb_hits", "tlb.ways"])
        #expect(complete("print cpu.cr") == ["cpu.cr2", "cpu.cr3", "cpu.cr3_writes"])
        #expect(complete("print faults.") == ["faults.cow", "faults.demand", "faults.efault", "faults.major", "faults.protection", "faults.segv", "faults.spurious", "faults.total", "faults.unresolved"])
        #expect(complete("print cpu[0].tlb.h") == ["cpu[0].tlb.hits"])
        #expect(complete("expect last.f") == ["last.fault"])
        #expect(complete("print Alpha.re") == ["Alpha.regions", "Alpha.resident"])
        #expect(complete("switch Alpha.") .contains("Alpha.worker"))
        #expect(complete("print heap.") == [])
    }

    @Test func variablesInExpressions() {
        #expect(complete("let x = he") == ["heap", "helper", "hex"])
        #expect(complete("read he") == ["heap", "helper", "hex"])
    }

    @Test func pathsInsideAStringAfterInclude() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-complete-\(getpid())")
        try FileManager.default.createDirectory(
            at: directory.appendingPathComponent("lessons"), withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        try "".write(to: directory.appendingPathComponent("lessons/one.vml"), atomically: true, encoding: .utf8)
        try "".write(to: directory.appendingPathComponent("lessons/two.vml"), atomically: true, encoding: .utf8)
        let base = directory.path
        #expect(complete("include \"\(base)/les") == ["\(base)/lessons/"])
        #expect(complete("include \"\(base)/lessons/o") == ["\(base)/lessons/one.vml"])
        #expect(complete("include \"\(base)/lessons/") == ["\(base)/lessons/one.vml", "\(base)/lessons/two.vml"])
    }
}
