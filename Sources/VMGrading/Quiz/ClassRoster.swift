import VMLanguage

/// A class's roster for quizzes: one seeded problem per student. Each seed is
/// SipHash-2-4 (Aumasson and Bernstein's keyed PRF) of the quiz's name and
/// the student's ID under a key made from the course's secret, so a student
/// who knows their own ID and seed cannot work out a classmate's, and the
/// same roster and secret give the same problems on every machine.
public struct ClassRoster: Sendable {
    public struct Student: Sendable, Equatable {
        public let id: String
        /// The file name their problem and sheet use: the ID with every byte
        /// other than a letter, digit, `.`, `_`, `-` or `@` as `%XX`.
        public let fileName: String
    }

    public let students: [Student]

    /// A roster problem, located by line.
    public struct Problem: Error, Sendable {
        public let message: String
    }

    /// Reads a CSV roster whose header row has an `id` column (any others,
    /// such as `name` or `email`, are ignored). Line ends may be LF, CRLF or
    /// CR, a byte-order mark is skipped, fields may be quoted (RFC 4180).
    public init(csv text: String, name: String) throws(Problem) {
        let rows = Self.rows(text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text)
        guard let header = rows.first else { throw Problem(message: "\(name): the roster is empty; its first line names the columns, one of them id") }
        guard let column = header.fields.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).lowercased() == "id" }) else {
            throw Problem(message: "\(name):\(header.line): the first line has no id column (it has: \(header.fields.joined(separator: ", ")))")
        }
        var seen: [String: Int] = [:]
        var students: [Student] = []
        for row in rows.dropFirst() where !row.fields.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) {
            let id = column < row.fields.count ? row.fields[column].trimmingCharacters(in: .whitespaces) : ""
            guard !id.isEmpty else { throw Problem(message: "\(name):\(row.line): no id on this line") }
            if let first = seen[id] { throw Problem(message: "\(name):\(row.line): id '\(id)' is on line \(first) too") }
            seen[id] = row.line
            students.append(Student(id: id, fileName: Self.fileName(id)))
        }
        guard !students.isEmpty else { throw Problem(message: "\(name): the roster lists no student") }
        self.students = students
    }

    /// The seed of `student`'s problem of quiz `kind`.
    public static func seed(secret: String, kind: String, student: String) -> UInt64 {
        let key = (SipHash.hash(Array(secret.utf8), key: (0x7673_6c61_625f_6b30, 0x7175_697a_5f6b_6579)),
                   SipHash.hash(Array(secret.utf8), key: (0x7673_6c61_625f_6b31, 0x7175_697a_5f6b_6579)))
        return SipHash.hash(Array(kind.utf8) + [0] + Array(student.utf8), key: key)
    }

    static func fileName(_ id: String) -> String {
        var name = ""
        for byte in id.utf8 {
            let scalar = Unicode.Scalar(byte)
            if (byte < 0x80 && (Character(scalar).isLetter || Character(scalar).isNumber)) || "._-@".utf8.contains(byte) {
                name.append(Character(scalar))
            } else {
                name += "%" + String(byte, radix: 16, uppercase: true).leftPadded(2)
            }
        }
        return name.hasPrefix(".") ? "%2E" + name.dropFirst() : name
    }

    /// RFC 4180 rows with the line each starts on.
    static func rows(_ text: String) -> [(line: Int, fields: [String])] {
        var rows: [(line: Int, fields: [String])] = []
        var fields: [String] = []
        var field = ""
        var quoted = false
        var line = 1
        var start = 1
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" {
                        field.append("\"")
                        characters = characters.dropFirst()
                    } else {
                        quoted = false
                    }
                } else {
                    if character.isNewline { line += 1 }
                    field.append(character)
                }
            } else if character == "\"" && field.isEmpty {
                quoted = true
            } else if character == "," {
                fields.append(field)
                field = ""
            } else if character.isNewline {
                fields.append(field)
                rows.append((start, fields))
                fields = []
                field = ""
                line += 1
                start = line
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !fields.isEmpty { rows.append((start, fields + [field])) }
        return rows
    }
}

/// SipHash-2-4 with a 128-bit key, 64-bit output (the reference
/// implementation's algorithm; vectors checked in ClassRosterTests).
enum SipHash {
    static func hash(_ bytes: [UInt8], key: (UInt64, UInt64)) -> UInt64 {
        var v0: UInt64 = 0x736f_6d65_7073_6575 ^ key.0
        var v1: UInt64 = 0x646f_7261_6e64_6f6d ^ key.1
        var v2: UInt64 = 0x6c79_6765_6e65_7261 ^ key.0
        var v3: UInt64 = 0x7465_6462_7974_6573 ^ key.1
        func round() {
            v0 = v0 &+ v1; v1 = v1.rotated(13); v1 ^= v0; v0 = v0.rotated(32)
            v2 = v2 &+ v3; v3 = v3.rotated(16); v3 ^= v2
            v0 = v0 &+ v3; v3 = v3.rotated(21); v3 ^= v0
            v2 = v2 &+ v1; v1 = v1.rotated(17); v1 ^= v2; v2 = v2.rotated(32)
        }
        let whole = bytes.count / 8 * 8
        for offset in stride(from: 0, to: whole, by: 8) {
            var word: UInt64 = 0
            for index in 0..<8 { word |= UInt64(bytes[offset + index]) << (8 * UInt64(index)) }
            v3 ^= word
            round(); round()
            v0 ^= word
        }
        var last = UInt64(bytes.count & 0xFF) << 56
        for index in whole..<bytes.count { last |= UInt64(bytes[index]) << (8 * UInt64(index - whole)) }
        v3 ^= last
        round(); round()
        v0 ^= last
        v2 ^= 0xFF
        round(); round(); round(); round()
        return v0 ^ v1 ^ v2 ^ v3
    }
}

extension UInt64 {
    fileprivate func rotated(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String { String(repeating: "0", count: max(0, width - count)) + self }
}

extension QuizRunner {
    /// Checks each student's sheet against their own problem: one result a
    /// student, in roster order. A missing sheet scores 0 of the real maximum
    /// with the reason. nil if the quiz itself fails to run.
    public static func checkClass(
        _ quiz: Quiz, roster: ClassRoster, secret: String, sheets: (ClassRoster.Student) -> String?, showExpected: Bool,
        diagnostics: OutputSink
    ) -> (results: [SubmissionResult], suite: TestSuite)? {
        var results: [SubmissionResult] = []
        var suite: TestSuite?
        for student in roster.students {
            let seed = ClassRoster.seed(secret: secret, kind: quiz.name, student: student.id)
            let sheet = sheets(student)
            guard let check = check(quiz, seed: seed, sheet: sheet ?? "", diagnostics: diagnostics) else { return nil }
            let (graded, questions) = check.asGradeResult(sheetName: student.id, showExpected: showExpected)
            suite = suite ?? questions
            if sheet == nil {
                results.append(
                    SubmissionResult(
                        name: student.id, path: student.fileName + ".txt", tests: graded.tests, seed: seed,
                        problem: "no sheet \(student.fileName).txt"))
            } else {
                results.append(graded)
            }
        }
        guard let suite else { return nil }
        return (results, suite)
    }
}
