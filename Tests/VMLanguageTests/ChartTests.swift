import Testing

@testable import VMLanguage

@Suite struct ChartTests {
    @Test func withoutUnicodeChartsArePlainASCII() {
        let sink = TranscriptSink()
        let session = Session(output: sink)
        session.interpreter.unicodeOutput = false
        _ = session.run(SourceFile(name: "t.vml", text: "record \"s\" 1 10\nrecord \"s\" 2 20\nplot \"s\"\nplot \"s\" style=line\n"))
        #expect(sink.text == "  1 |#################### 10\n  2 |######################################## 20\n  s |58|  10 20\n     x: 1 2 (max y 20)\n")
        #expect(!sink.text.unicodeScalars.contains { !$0.isASCII })
    }

    @Test func theLocaleDecidesUnicode() {
        #expect(Interpreter.localeIsUTF8(["LANG": "en_US.UTF-8"]))
        #expect(Interpreter.localeIsUTF8(["LC_ALL": "C.utf8", "LANG": "C"]))
        #expect(!Interpreter.localeIsUTF8(["LC_ALL": "C", "LANG": "en_US.UTF-8"]), "LC_ALL wins")
        #expect(!Interpreter.localeIsUTF8([:]))
    }
}
