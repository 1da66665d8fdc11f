import Foundation
import Testing
import VMMachine

@testable import VMLanguage

/// A large trace is parsed in two halves at once (issue 11's speed); the
/// result must be the one a single pass gives: the same references in the
/// same order, format, skipped count, and the first error's line.
@Suite struct TraceFileTests {
    /// Valgrind's header, then `count` lackey lines of every kind.
    func lackey(_ count: Int, badLine: Int? = nil) -> [UInt8] {
        var text = "==123== Lackey, an example Valgrind tool\n==123== Command: ls\n"
        for line in 0..<count {
            if line == badLine {
                text += " L zz12,8\n"
                continue
            }
            switch line % 4 {
            case 0: text += "I  04\(String(line, radix: 16)),3\n"
            case 1: text += " L 7ff\(String(line, radix: 16)),8\n"
            case 2: text += " S 1ffe\(String(line, radix: 16)),4\n"
            default: text += " M 0600\(String(line, radix: 16)),2\n"
            }
        }
        return Array(text.utf8)
    }

    func references(_ trace: MemoryTrace) -> [String] {
        trace.segments.flatMap { $0 }.map { "\($0.kind) \($0.address) \($0.size)" }
    }

    /// Where two lists of references first differ ("" when they are equal): a
    /// failure names one reference, not four hundred thousand.
    func firstDifference(_ a: [String], _ b: [String]) -> String {
        if let index = (0..<min(a.count, b.count)).first(where: { a[$0] != b[$0] }) { return "at \(index): \(a[index]) vs \(b[index])" }
        return a.count == b.count ? "" : "counts \(a.count) vs \(b.count)"
    }

    /// What one pass over every line gives, for comparison.
    func singlePass(_ bytes: [UInt8], skipBad: Bool = false) -> Result<TraceFile.Loaded, TraceFile.BadLine> {
        bytes.withUnsafeBufferPointer { TraceFile.parseWhole($0, skipBad: skipBad) }
    }

    @Test func halvesGiveTheSameReferencesAsOnePass() throws {
        let bytes = lackey(400_000)
        #expect(bytes.count > TraceFile.parallelBytes)
        let halves = try TraceFile.parse(bytes)
        let whole = try singlePass(bytes).get()
        #expect(halves.trace.count == 400_000)
        #expect(halves.trace.segments.count == 2)
        #expect(halves.format == .lackey)
        #expect(firstDifference(references(halves.trace), references(whole.trace)) == "")
    }

    @Test func aBadLineInTheSecondHalfIsCountedFromTheTopOfTheFile() {
        let bytes = lackey(400_000, badLine: 350_000)
        #expect(throws: Never.self) { try singlePass(bytes, skipBad: true).get() }
        do {
            _ = try TraceFile.parse(bytes)
            Issue.record("the bad line was not reported")
        } catch {
            // Two header lines, then line 350,000 counted from 0: line 350,003.
            #expect(error.line == 350_003)
            #expect(error.column == 4)
            if case .failure(let single) = singlePass(bytes) { #expect(single.line == error.line) }
        }
        let skipping = try? TraceFile.parse(bytes, skipBad: true)
        #expect(skipping?.skipped == 1)
        #expect(skipping?.trace.count == 399_999)
    }

    /// Small traces take one pass; a one-byte file must not be split (the
    /// split looks at the byte before the middle).
    @Test func tinyTracesParseInOnePass() throws {
        #expect(try TraceFile.parse(Array("7".utf8)).trace.count == 1)
        #expect(try TraceFile.parse(Array("\n".utf8)).trace.count == 0)
        #expect(try TraceFile.parse([]).trace.count == 0)
        let lines = try TraceFile.parse(lackey(10))
        #expect(lines.trace.count == 10 && lines.trace.segments.count == 1)
    }

    @Test func aMappedFileParsesAsTheBytesRead() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-trace-\(UUID())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("ls.lackey")
        let bytes = lackey(300_000)
        try Data(bytes).write(to: file)
        let loaded = try TraceFile.load(HostPath(file.path))
        #expect(firstDifference(references(loaded.trace), references(try TraceFile.parse(bytes).trace)) == "")
        // An empty file maps nothing and is an empty trace.
        let empty = folder.appendingPathComponent("empty.trace")
        try Data().write(to: empty)
        #expect(try TraceFile.load(HostPath(empty.path)).trace.count == 0)
    }
}
