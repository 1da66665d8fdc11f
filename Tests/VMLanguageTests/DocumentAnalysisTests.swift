import Testing

@testable import VMLanguage

/// What an editor is told about a script (the language server's answers, before JSON).
@Suite struct DocumentAnalysisTests {
    @Test func positionsCountUTF16AndClampToTheLine() {
        // "é" is 2 bytes and 1 UTF-16 unit; "𝔸" 4 bytes and 2 units.
        let file = SourceFile(name: "t.vml", text: "print \"é𝔸\", x\r\nlet y = 1\n")
        let positions = TextPositions(file)
        let x = Array(file.bytes).firstIndex(of: UInt8(ascii: "x"))!
        #expect(positions.position(of: x) == (0, 13))
        #expect(positions.offset(line: 0, character: 13) == x)
        #expect(positions.offset(line: 0, character: 500) == x + 1, "past the end is the end, before the \\r")
        #expect(positions.offset(line: 1, character: 4) == x + 7)
        #expect(positions.offset(line: 9, character: 0) == file.bytes.count)
    }

    @Test func definitionPrefersTheInnermostDeclarationBeforeTheUse() throws {
        let text = """
            let n = 1
            def f(n) {
                let m = n
                for n in 0..<2 { print n }
                return m + n
            }
            print n, f(2)
            """
        let analysis = DocumentAnalysis(text: text, name: "t.vml")
        #expect(analysis.diagnostics.isEmpty)
        func declared(_ line: Int, _ column: Int) -> (Int, Int, DocumentAnalysis.Declaration.Kind)? {
            let offset = TextPositions(analysis.file).offset(line: line, character: column)
            return analysis.definition(at: offset).map { ($0.range.position.line, $0.range.position.column, $0.kind) }
        }
        #expect(declared(2, 12)! == (2, 7, .parameter))  // let m = n: the parameter
        #expect(declared(3, 27)! == (4, 9, .loopVariable))  // print n inside the loop
        #expect(declared(4, 15)! == (2, 7, .parameter))  // after the loop, the parameter again
        #expect(declared(6, 6)! == (1, 5, .variable))  // top level: the global let
        #expect(declared(6, 9)! == (2, 5, .function))  // f(2)
    }

    @Test func aNameDeclaredTwiceMeansTheLastDeclarationAboveTheUse() throws {
        let analysis = DocumentAnalysis(text: "let a = 1\nprint a\nlet a = 2\nprint a\n", name: "t.vml")
        let positions = TextPositions(analysis.file)
        #expect(analysis.definition(at: positions.offset(line: 1, character: 6))?.range.position.line == 1)
        #expect(analysis.definition(at: positions.offset(line: 3, character: 6))?.range.position.line == 3)
    }

    @Test func symbolsIncludesAndHover() throws {
        let text = "include \"lib.vml\"\nsetup { spawn A }\ntest \"t\" { expect 1 == 1 }\ndef g() { }\nread 0x7fff_f000\n"
        let analysis = DocumentAnalysis(text: text, name: "t.vml")
        #expect(analysis.symbols.map(\.name) == ["setup", "test \"t\"", "g"])
        #expect(analysis.include(at: 10)?.path == "lib.vml")
        let number = try #require(analysis.integers.last)
        let hover = try #require(analysis.hover(at: number.range.start, architecture: { _ in .x86_64 }))
        #expect(hover.hasPrefix("2147479552 = 0x7ffff000 = 0b"))
        #expect(hover.contains("PML4 0, PDPT 1, PD 511, PT 511, offset 0x0"))
    }
}
