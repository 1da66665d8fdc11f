import Foundation
import Testing

@testable import VMLanguage

@Suite struct FormatterTests {
    static let messy = """
        # a comment   stays as written
        let x=1+2*3-1


        def f(a,b) {
          if a==b {
        return a<<2
          } else {
                return b }
        }
        write 0x400000 -1   # prefix minus: a second argument, untouched
        print f(x,2),"s p a c e s  kept"\t
        quiet {
        for i in 0..<4 { read 0x400000 + i*4K }
        }
        let y = 1;  print y   # two statements
        if y == 1 { print "a;b"; print (1 +
          2) } else { print 0 }
        """

    @Test func aMessyScriptGetsTheCanonicalLayout() throws {
        let formatted = try #require(Formatter.format(Self.messy))
        #expect(formatted == """
            # a comment   stays as written
            let x = 1 + 2 * 3 - 1

            def f(a, b) {
                if a == b {
                    return a << 2
                } else {
                    return b }
            }
            write 0x400000 -1   # prefix minus: a second argument, untouched
            print f(x, 2), "s p a c e s  kept"
            quiet {
                for i in 0..<4 { read 0x400000 + i * 4K }
            }
            let y = 1
            print y   # two statements
            if y == 1 {
                print "a;b"
                print (1 +
                    2)
            } else {
                print 0
            }

            """)
    }

    @Test func formattingTwiceChangesNothingMoreAndNeverAToken() throws {
        let once = try #require(Formatter.format(Self.messy))
        #expect(Formatter.format(once) == once)
        func tokens(_ text: String) -> [String] {
            let file = SourceFile(name: "t.vml", text: text)
            // A `;` between statements may become a line end: the two are the same to the parser.
            return Lexer.tokenize(file).stream.tokens.filter { $0.kind != .newline && $0.kind != .semicolon }.map { "\($0.kind) \(file.text(SourceRange(file: file, start: $0.start, end: $0.end)))" }
        }
        #expect(tokens(once) == tokens(Self.messy), "only whitespace changes")
    }

    @Test func aScriptWithSyntaxErrorsIsNotFormatted() {
        #expect(Formatter.format("let = 1\n") == nil)
    }

    static var scripts: [String] {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        var found: [String] = []
        for folder in ["Examples", "Tests/Scripts"] {
            let enumerator = FileManager.default.enumerator(atPath: root.appendingPathComponent(folder).path)
            while let name = enumerator?.nextObject() as? String {
                if name.hasSuffix(".vml") { found.append(root.appendingPathComponent(folder + "/" + name).path) }
            }
        }
        return found.sorted()
    }

    @Test func everyExampleIsAlreadyFormatted() throws {
        #expect(Self.scripts.count > 20)
        for path in Self.scripts {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            guard let formatted = Formatter.format(text) else { continue }  // a deliberately broken submission
            #expect(formatted == text, "\(path) is not formatted")
            #expect(Formatter.format(formatted) == formatted, "\(path): idempotent")
        }
    }
}
