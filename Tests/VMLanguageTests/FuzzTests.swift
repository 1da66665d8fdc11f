import Foundation
import Testing

@testable import VMLanguage

/// Deterministic fuzzing: whatever the input, the lexer, parser and
/// interpreter return (a program or diagnostics), never crash or hang, and
/// every diagnostic renders with a valid position.
@Suite struct FuzzTests {
    /// SplitMix64: small, seeded, the same sequence on every platform.
    struct Generator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    static let vocabulary = [
        "spawn", "map", "unmap", "switch", "read", "write", "exec", "show", "stats", "print", "expect", "quiet",
        "machine", "help", "include", "thread", "kthread", "fork", "as", "exit", "mmap", "munmap", "mprotect",
        "syscall", "interrupt", "on", "cpu", "invlpg", "flush", "stac", "clac", "uaccess", "smap=", "smep=", "test", "setup",
        "submission", "expect_transcript", "points=", "needs=", "random", "cores=", "pcid=", "kpti=", "page=", "on", "off", "2M", "let", "if", "else", "for", "in", "while", "repeat", "def", "return", "and",
        "or", "not", "true", "false", "A", "B", "x", "tlb", "cpu", "last", "frames", "pte", "hex", "x86_64",
        "pagetable", "rw", "size=", "prot=", "tlb=", "ram=", "0", "1", "0x400000", "4K", "18446744073709551615",
        "\"s\"", "\"", "{", "}", "(", ")", "[", "]", ",", ".", ";", "=", "==", "!=", "<", "<=", ">", ">=", "+", "-",
        "*", "/", "%", "&", "|", "^", "~", "<<", ">>", "..<", "...", "\n", " ", "#", "\t", "@", "é",
    ]

    /// Parses `text`; if it parses, runs it with small limits. Checks every diagnostic renders.
    static func exercise(_ text: String) {
        let file = SourceFile(name: "fuzz.vml", text: text)
        let (program, diagnostics) = Parser.parse(file, registry: .standard)
        for diagnostic in diagnostics {
            let (line, column) = diagnostic.range.position
            #expect(line >= 1 && column >= 1)
            #expect(!diagnostic.render().isEmpty)
        }
        guard diagnostics.isEmpty else { return }
        var limits = Limits()
        limits.maximumSteps = 5_000
        let sink = TranscriptSink()
        let session = Session(output: sink, limits: limits)
        _ = session.execute(program)
    }

    @Test func randomBytes() {
        var generator = Generator(state: 1)
        for _ in 0..<3_000 {
            let bytes = (0..<generator.below(120)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            Self.exercise(String(decoding: bytes, as: UTF8.self))
        }
    }

    @Test func tokenSoup() {
        var generator = Generator(state: 2)
        for _ in 0..<6_000 {
            let count = generator.below(25)
            let words = (0..<count).map { _ in Self.vocabulary[generator.below(Self.vocabulary.count)] }
            Self.exercise(words.joined(separator: generator.below(2) == 0 ? " " : ""))
        }
    }

    @Test func mutatedLessons() throws {
        let examples = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Examples")
        let lessons = try FileManager.default.contentsOfDirectory(atPath: examples.path).filter { $0.hasSuffix(".vml") }
        var generator = Generator(state: 3)
        for lesson in lessons.sorted() {
            let original = Array(try String(contentsOf: examples.appendingPathComponent(lesson), encoding: .utf8))
            for _ in 0..<150 {
                var text = original
                for _ in 0..<(1 + generator.below(4)) where !text.isEmpty {
                    let position = generator.below(text.count)
                    switch generator.below(3) {
                    case 0: text.remove(at: position)
                    case 1:
                        let word = Self.vocabulary[generator.below(Self.vocabulary.count)]
                        text.insert(contentsOf: word, at: position)
                    default: text.swapAt(position, generator.below(text.count))
                    }
                }
                Self.exercise(String(text))
            }
        }
    }
}
