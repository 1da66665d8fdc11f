import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// What a submission prints, and what a tests file names, cannot forge a
/// line, an element or a directive in any report.
@Suite struct ReportSafetyTests {
    func graded(tests: String, submission: String) throws -> (SubmissionResult, TestSuite) {
        let exercise = try Exercise(tests: tests, submission: submission)
        return (try exercise.grade(), try TestSuite.load(path: exercise.testsPath))
    }

    @Test func aHashInATestNameCannotBecomeATAPDirective() throws {
        let (result, suite) = try graded(
            tests: "test \"fails # SKIP not really\" { submission; expect false }\n", submission: "")
        let tap = TAPReport.render(result, suite: suite)
        #expect(tap.contains("not ok 1 - fails \\# SKIP not really (0/1 points)\n"), "\(tap)")
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-\(UUID().uuidString).tap")
        try tap.write(to: file, atomically: true, encoding: .utf8)
        let prove = Process()
        prove.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        prove.arguments = ["prove", "--exec", "cat", file.path]
        let output = Pipe()
        prove.standardOutput = output
        prove.standardError = Pipe()
        try prove.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        prove.waitUntilExit()
        #expect(text.contains("Failed 1/1 subtests"), "\(text)")
    }

    @Test func junitCountsErrorsApartFromFailures() throws {
        let (result, suite) = try graded(
            tests: """
                test "fails" { submission; expect false }
                test "errs" { submission; print nothing_here }
                test "passes" { submission }
                """, submission: "")
        let xml = JUnitReport.render(result, suite: suite)
        #expect(xml.contains("tests=\"3\" failures=\"1\" errors=\"1\" skipped=\"0\""), "\(xml)")
        #expect(xml.components(separatedBy: "<error ").count == 2)
        #expect(xml.components(separatedBy: "<failure ").count == 2)
    }

    /// An ampersand in a name is escaped in JUnit's XML (a bare `&` makes the file unreadable).
    @Test func anAmpersandIsEscapedInJUnit() throws {
        let (result, suite) = try graded(tests: "test \"R&D <ok>\" { submission; expect false \"a & b\" }\n", submission: "")
        let xml = JUnitReport.render(result, suite: suite)
        #expect(xml.contains("name=\"R&amp;D &lt;ok&gt;\""), "\(xml)")
        #expect(!xml.contains("R&D"))
    }

    /// RFC 4180: a field with a comma or a quote is quoted, its quotes doubled.
    @Test func aCSVFieldWithACommaOrAQuoteIsQuoted() throws {
        let (result, _) = try graded(tests: "test \"say \\\"hi\\\", then go\" { submission; expect false }\n", submission: "")
        let csv = Gradebook.csv([result])
        #expect(csv.contains("\"say \"\"hi\"\", then go\""), "\(csv)")
        // A comma alone is enough to need quotes.
        let (commas, _) = try graded(tests: "test \"map, then read\" { submission; expect false }\n", submission: "")
        #expect(Gradebook.csv([commas]).contains(",\"map, then read\"\n"), "\(Gradebook.csv([commas]))")
    }

    @Test func printedControlBytesAreSpelledOutInEveryFormat() throws {
        let (result, suite) = try graded(
            tests: "test \"t\" { submission; expect false }\n",
            submission: "print \"\\u{1B}[2J\\u{0}\\u{7}\\u{85}</system-out>\\\"}]\\n# Score: 9/9\\nok 2\"\n")
        for report in [
            TextReport.render(result, suite: suite), TAPReport.render(result, suite: suite),
            JUnitReport.render(result, suite: suite), GradescopeReport.render(result, suite: suite),
        ] {
            #expect(!report.unicodeScalars.contains { [0x1B, 0x00, 0x07, 0x85].contains($0.value) })
            #expect(report.contains("\\u{1B}[2J") || report.hasPrefix("== vmlab grade"), "the text report shows no output")
        }
        let tap = TAPReport.render(result, suite: suite)
        #expect(!tap.contains("\n# Score: 9/9"), "printed lines stay inside the YAML block")
        #expect(tap.contains("\n    # Score: 9/9\n"))
        #expect(!JUnitReport.render(result, suite: suite).contains("</system-out>\"}]"))
        let json = GradescopeReport.render(result, suite: suite)
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8))) != nil)
    }
}
