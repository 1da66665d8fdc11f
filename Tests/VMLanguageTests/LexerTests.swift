import Testing

@testable import VMLanguage

@Suite struct LexerTests {
    @Test(arguments: [
        ("42", UInt64(42)), ("0x400000", 0x40_0000), ("0b1010", 10), ("1_000_000", 1_000_000),
        ("8K", 8192), ("2M", 2 << 20), ("1G", 1 << 30), ("0x10K", 16 << 10), ("0xffff_8880_0000_0000", 0xFFFF_8880_0000_0000),
        ("18446744073709551615", UInt64.max), ("0", 0),
    ])
    func integers(source: String, value: UInt64) {
        let lexed = Lexer.tokenize(SourceFile(name: "t", text: source))
        #expect(lexed.diagnostics.isEmpty)
        #expect(lexed.stream.tokens.first?.kind == .integer)
        #expect(lexed.stream.tokens.first.map(lexed.stream.integer(of:)) == value)
    }

    @Test(arguments: [
        ("18446744073709551616", "integer literal does not fit in 64 bits"),
        ("0x1_0000_0000_0000_0000", "integer literal does not fit in 64 bits"),
        ("17179869184G", "integer literal does not fit in 64 bits"),
        ("12abc", "invalid digit 'a' in decimal integer literal"),
        ("0b102", "invalid digit '2' in binary integer literal"),
        ("0xfg", "invalid digit 'g' in hexadecimal integer literal"),
        ("0x", "integer literal has no digits after its prefix"),
        ("0x_", "integer literal has no digits after its prefix"),
    ])
    func badIntegers(source: String, message: String) {
        let lexed = Lexer.tokenize(SourceFile(name: "t", text: source))
        #expect(lexed.diagnostics.map(\.message) == [message])
    }

    @Test func stringsAndEscapes() {
        let lexed = Lexer.tokenize(SourceFile(name: "t", text: #""a\tb\n\"q\" \\ \u{48}\u{1F600}""#))
        #expect(lexed.diagnostics.isEmpty)
        #expect(lexed.stream.text(of: lexed.stream.tokens[0]) == "a\tb\n\"q\" \\ H😀")
    }

    @Test func stringErrors() {
        #expect(Lexer.tokenize(SourceFile(name: "t", text: "\"abc\nprint 1")).diagnostics.map(\.message) == [
            "unterminated string: a string ends with '\"' on the line where it starts"
        ])
        #expect(Lexer.tokenize(SourceFile(name: "t", text: #""\q""#)).diagnostics.map(\.message) == [
            "unknown escape sequence in string"
        ])
        #expect(Lexer.tokenize(SourceFile(name: "t", text: #""\u{zz}""#)).diagnostics.map(\.message) == [
            "invalid unicode escape; write it as \\u{1F600}"
        ])
        #expect(Lexer.tokenize(SourceFile(name: "t", text: #""\u{D800}""#)).diagnostics.count == 1)
    }

    @Test func unexpectedCharactersAreReportedAndSkipped() {
        let lexed = Lexer.tokenize(SourceFile(name: "t", text: "print 1 @ 2 § !x && y || z\u{1}"))
        #expect(lexed.diagnostics.map(\.message) == [
            "unexpected character '@'", "unexpected character '§'", "'!' is not an operator here; write 'not'",
            "'&&' is not an operator here; write 'and'", "'||' is not an operator here; write 'or'",
            "unexpected character byte 0x1",
        ])
    }

    @Test func operatorsAndKeywords() {
        let kinds = tokens("let a = b ..< c ... d << e >> f <= g >= h == i != j & k | l ^ ~m % n not and or").map(\.kind)
        #expect(kinds == [
            .let, .identifier, .assign, .identifier, .halfOpenRange, .identifier, .closedRange, .identifier,
            .shiftLeft, .identifier, .shiftRight, .identifier, .lessEqual, .identifier, .greaterEqual, .identifier,
            .equal, .identifier, .notEqual, .identifier, .ampersand, .identifier, .pipe, .identifier, .caret,
            .tilde, .identifier, .percent, .identifier, .not, .and, .or, .endOfInput,
        ])
    }

    @Test func newlinesEndStatementsExceptInsideBrackets() {
        let kinds = tokens("a(1,\n 2)\nb # comment\n[3\n]").map(\.kind)
        #expect(kinds == [
            .identifier, .leftParen, .integer, .comma, .integer, .rightParen, .newline, .identifier, .newline,
            .leftBracket, .integer, .rightBracket, .endOfInput,
        ])
    }

    @Test func whitespaceBeforeIsRecorded() {
        let lexed = tokens("a -b\tc-d")
        #expect(lexed.map(\.spaceBefore) == [true, true, false, true, false, false, true])
    }

    @Test func positionsCountCharactersNotBytes() {
        let file = SourceFile(name: "t", text: "print \"é\"\n  read x")
        #expect(file.position(of: 0) == (1, 1))
        #expect(file.position(of: Array("print \"é\"\n  ".utf8).count) == (2, 3))
        #expect(file.position(of: Array("print \"é".utf8).count) == (1, 9))
        #expect(file.lineText(2) == "  read x")
    }
}

@Suite struct TokenStreamSizeTests {
    /// A 16 MiB script of one-character statements is 16 M tokens: at 16 bytes
    /// each the stream is 256 MiB; the 48-byte token it replaced made it 768 MiB.
    @Test func aTokenIsSixteenBytes() {
        #expect(MemoryLayout<Token>.stride == 16)
    }

    @Test func namesAndValuesAreReadBackFromTheStream() {
        let lexed = Lexer.tokenize(SourceFile(name: "t", text: #"spawn Alpha 0x10 "s\t" while"#))
        let stream = lexed.stream
        #expect(stream.tokens.map(\.kind) == [.identifier, .identifier, .integer, .string, .while, .endOfInput])
        #expect(stream.text(of: stream.tokens[1]) == "Alpha")
        #expect(stream.integer(of: stream.tokens[2]) == 16)
        #expect(stream.text(of: stream.tokens[3]) == "s\t")
        #expect(stream.text(of: stream.tokens[4]) == "while")
    }
}
