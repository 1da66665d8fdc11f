import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// Class quizzes: a roster, each student's seed, and one gradebook (issue 29).
@Suite struct ClassRosterTests {
    /// SipHash-2-4's reference vector (Aumasson and Bernstein, appendix A):
    /// key 00…0f, message 00…0e, 0xa129ca6149be45e5.
    @Test func sipHashMatchesItsReferenceVector() {
        let key = (UInt64(0x0706_0504_0302_0100), UInt64(0x0f0e_0d0c_0b0a_0908))
        #expect(SipHash.hash(Array(0..<15), key: key) == 0xa129_ca61_49be_45e5)
        #expect(SipHash.hash([], key: key) == 0x726f_db47_dd0e_0e31)
    }

    @Test func seedsDependOnTheSecretTheQuizAndTheStudent() {
        let seed = ClassRoster.seed(secret: "s", kind: "csapp", student: "alice")
        #expect(seed == ClassRoster.seed(secret: "s", kind: "csapp", student: "alice"))
        #expect(seed != ClassRoster.seed(secret: "t", kind: "csapp", student: "alice"))
        #expect(seed != ClassRoster.seed(secret: "s", kind: "tlb", student: "alice"))
        #expect(seed != ClassRoster.seed(secret: "s", kind: "csapp", student: "alicf"))
    }

    @Test func aRosterReadsAsExportedFromASpreadsheet() throws {
        let roster = try ClassRoster(
            csv: "\u{FEFF}Name,ID,email\r\n\"Smith, Ann\",a1,a@x\r\n\r\nBob,../b 2,b@x\r\n", name: "r.csv")
        #expect(roster.students.map(\.id) == ["a1", "../b 2"])
        #expect(roster.students[1].fileName == "%2E.%2Fb%202", "no path and no leading dot in a file name")
    }

    @Test func aBadRosterSaysWhereItIsBad() {
        func problem(_ csv: String) -> String {
            do {
                _ = try ClassRoster(csv: csv, name: "r.csv")
                return "accepted"
            } catch { return error.message }
        }
        #expect(problem("name\nann\n").hasPrefix("r.csv:1: the first line has no id column"))
        #expect(problem("id\nann\nbob\nann\n") == "r.csv:4: id 'ann' is on line 2 too")
        #expect(problem("id,name\n,ann\n") == "r.csv:2: no id on this line")
        #expect(problem("id\n") == "r.csv: the roster lists no student")
    }
}
