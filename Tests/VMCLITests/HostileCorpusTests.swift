import Foundation
import Testing

/// The hostile-submission corpus (Tests/Hostile, see its README): every case
/// graded by the real `vmlab grade` beside an honest submission, in every
/// format, with and without Landlock. No canary may leak, every case gets
/// the score it deserves, bob keeps his, and every report is valid.
@Suite(.serialized) struct HostileCorpusTests {
    static let corpus = CLITests.packageRoot.appendingPathComponent("Tests/Hostile")
    static let canaries = ["CANARY-TESTS-51e3", "CANARY-KEY-9c0f", "CANARY-BOB-2a7d", "CANARY-HOST-77b1", "CANARY-ENV-e4c2"]

    struct Case {
        let name: String
        let score: String
        /// The entry's name on disk, as bytes.
        let entryName: [UInt8]
        let layout: String
        let directives: [(String, String)]
        let files: [(String, String)]
        var text: [UInt8]
    }

    static func loadCases() throws -> [Case] {
        let folder = corpus.appendingPathComponent("cases")
        return try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".vml") }.sorted()
            .map { try parse(String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8), name: String($0.dropLast(4))) }
    }

    static func parse(_ source: String, name: String) -> Case {
        var score = ""
        var entryName = Array(name.utf8)
        var layout = "flat"
        var directives: [(String, String)] = []
        var files: [(String, String)] = []
        var body = ""
        var openFile: (String, String)?
        for line in source.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            if line.hasPrefix("#! ") {
                let words = line.dropFirst(3).split(separator: " ", maxSplits: 1).map(String.init)
                let (word, rest) = (words[0], words.count > 1 ? words[1] : "")
                switch word {
                case "score": score = rest
                case "layout": layout = rest
                case "entry-name": entryName = percentDecoded(rest)
                case "file": openFile = (rest, "")
                case "end":
                    files.append(openFile!)
                    openFile = nil
                default: directives.append((word, rest))
                }
                continue
            }
            if openFile != nil { openFile!.1 += line + "\n" } else { body += line + "\n" }
        }
        return Case(
            name: name, score: score, entryName: entryName, layout: layout, directives: directives, files: files,
            text: Array(body.utf8))
    }

    static func percentDecoded(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var characters = Array(text.utf8)[...]
        while let first = characters.first {
            if first == UInt8(ascii: "%"), characters.count >= 3,
                let byte = UInt8(String(decoding: characters.dropFirst().prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(byte)
                characters = characters.dropFirst(3)
            } else {
                bytes.append(first)
                characters = characters.dropFirst()
            }
        }
        return bytes
    }

    /// The report file name vmlab gives an entry (SubmissionEntry.reportName).
    static func reportName(_ bytes: [UInt8]) -> String {
        var text = ""
        for byte in bytes {
            let plain = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
            text += plain ? String(UnicodeScalar(byte)) : "%" + (byte < 16 ? "0" : "") + String(byte, radix: 16, uppercase: true)
        }
        return text
    }

    // MARK: Laying out the submissions folder, bytes for names

    static func cPath(_ bytes: [UInt8]) -> [CChar] { bytes.map { CChar(bitPattern: $0) } + [0] }

    static func write(_ path: [UInt8], _ contents: [UInt8]) {
        let descriptor = open(cPath(path), O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        precondition(descriptor >= 0, "cannot create \(String(decoding: path, as: UTF8.self))")
        _ = contents.withUnsafeBytes { Foundation.write(descriptor, $0.baseAddress, $0.count) }
        close(descriptor)
    }

    static func substitute(_ text: String, _ places: [String: String]) -> String {
        places.reduce(text) { $0.replacingOccurrences(of: $1.key, with: $1.value) }
    }

    /// Builds the submissions folder: bob, and every case as its directives say.
    static func layOut(_ cases: [Case], in root: URL) throws -> [String: String] {
        let course = root.appendingPathComponent("course")
        let submissions = root.appendingPathComponent("submissions")
        try FileManager.default.createDirectory(at: course, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: submissions, withIntermediateDirectories: true)
        for name in ["tests.vml", "key.out"] {
            try FileManager.default.copyItem(
                at: corpus.appendingPathComponent("course/\(name)"), to: course.appendingPathComponent(name))
        }
        try FileManager.default.copyItem(
            at: corpus.appendingPathComponent("bob.vml"), to: submissions.appendingPathComponent("bob.vml"))
        let secret = root.appendingPathComponent("secret.txt")
        try "CANARY-HOST-77b1: a file on the host outside the course\n".write(to: secret, atomically: true, encoding: .utf8)
        // A folder on the host holding a script: what a linked folder would reach.
        let host = root.appendingPathComponent("host")
        try FileManager.default.createDirectory(at: host, withIntermediateDirectories: true)
        try "let answer = 7 # CANARY-HOST-77b1\nprint \"CANARY-HOST-77b1\"\n".write(
            to: host.appendingPathComponent("secret.vml"), atomically: true, encoding: .utf8)
        let places = [
            "$COURSE": course.path, "$SECRET": secret.path, "$SUBMISSIONS": submissions.path, "$HOSTDIR": host.path,
        ]
        let submissionsBytes = Array(submissions.path.utf8) + [UInt8(ascii: "/")]
        for testCase in cases {
            var text = Array(substitute(String(decoding: testCase.text, as: UTF8.self), places).utf8)
            let entry = submissionsBytes + testCase.entryName
            let folder = testCase.layout == "folder" ? entry + [UInt8(ascii: "/")] : submissionsBytes
            let submission = testCase.layout == "folder" ? folder + Array("submission.vml".utf8) : entry + Array(".vml".utf8)
            if testCase.layout == "folder" { mkdir(cPath(entry), 0o755) }
            var submissionPlaced = false
            for (word, rest) in testCase.directives {
                let parts = substitute(rest, places).components(separatedBy: " -> ")
                let target = parts.count > 1 ? parts[1] : ""
                let name = parts[0] == "submission" ? submission : folder + Array(parts[0].utf8)
                if parts[0] == "submission" { submissionPlaced = true }
                switch word {
                case "link": symlink(target, cPath(name))
                case "hardlink": link(target, cPath(name))
                case "fifo": mkfifo(cPath(name), 0o644)
                case "twin-folder":
                    mkdir(cPath(entry), 0o755)
                    write(entry + Array("/submission.vml".utf8), text)
                case "append-hex":
                    submissionPlaced = false
                    text += stride(from: 0, to: rest.count, by: 2).map {
                        UInt8(String(Array(rest)[$0..<$0 + 2]), radix: 16)!
                    }
                case "pad": text += Array("#".utf8) + [UInt8](repeating: UInt8(ascii: "x"), count: Int(rest)!) + [10]
                case "long-names":
                    let count = Int(rest)!
                    text += Array("let \(String(repeating: "a", count: count)) = 1\nprint \(String(repeating: "a", count: count - 1))b\n".utf8)
                default: Issue.record("\(testCase.name): unknown directive #! \(word)")
                }
            }
            for (name, contents) in testCase.files {
                let path = folder + Array(name.utf8)
                if let slash = name.lastIndex(of: "/") { mkdir(cPath(folder + Array(name[..<slash].utf8)), 0o755) }
                write(path, Array(substitute(contents, places).utf8))
            }
            if !submissionPlaced { write(submission, text) }
        }
        return places
    }

    // MARK: Running the grader as an autograder would

    /// Runs vmlab with standard input a pipe that stays open (as under a CI
    /// runner), with a canary in the environment.
    static func grade(_ arguments: [String], landlock: Bool) throws -> CLITests.Result {
        var environment = ProcessInfo.processInfo.environment
        environment["VMLAB_TEST_SECRET"] = "CANARY-ENV-e4c2"
        environment["VMLAB_LANDLOCK"] = landlock ? nil : "off"
        let process = Process()
        process.executableURL = CLITests.binary
        process.arguments = ["grade"] + arguments
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        let input = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = input
        try process.run()
        let errorBox = PipeReader(errors.fileHandleForReading)
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errorBox.finish()
        process.waitUntilExit()
        try input.fileHandleForWriting.close()
        return CLITests.Result(
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self),
            status: process.terminationStatus)
    }

    @Test func theCorpusHasAtLeastFortyCasesEachWithAVerdict() throws {
        let cases = try Self.loadCases()
        #expect(cases.count >= 40)
        for testCase in cases { #expect(["0", "2", "4"].contains(testCase.score), "\(testCase.name)") }
    }

    @Test(arguments: [true, false])
    func noCaseLeaksAndEveryCaseGetsTheScoreItDeserves(landlock: Bool) throws {
        let cases = try Self.loadCases()
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-hostile-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: root) }
        let places = try Self.layOut(cases, in: root)
        let tests = places["$COURSE"]! + "/tests.vml"
        let submissions = places["$SUBMISSIONS"]!
        let limits = ["--timeout", "5", "--max-steps", "200000", "--jobs", "2"]
        var everything = ""
        // Gradescope: one results.json each, read for the scores.
        let gradescope = root.appendingPathComponent("gradescope").path
        let run = try Self.grade([tests, submissions, "--format", "gradescope", "--output", gradescope] + limits, landlock: landlock)
        #expect(run.status == 1, "a folder with failing submissions exits 1, never 2 or 3: \(run.stderr)")
        everything += run.stdout + run.stderr
        for testCase in cases {
            let file = "\(gradescope)/\(Self.reportName(testCase.entryName)).json"
            guard let data = FileManager.default.contents(atPath: file),
                let json = try JSONSerialization.jsonObject(with: data) as? [String: Any]
            else {
                Issue.record("\(testCase.name): no valid results.json at \(file)")
                continue
            }
            #expect("\(json["score"]!)" == testCase.score, "\(testCase.name): score \(json["score"]!)")
            if testCase.name == "submission-twin-folder" {
                #expect("\(json["output"]!)".contains("two submissions are named"))
            }
        }
        let bob = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(gradescope)/bob.json"))) as? [String: Any]
        #expect("\(bob?["score"] ?? "none")" == "4", "an honest submission beside the hostile ones keeps its score")
        guard landlock else {
            // Without the kernel's sandbox, vmlab's own rules alone must hold.
            let check = try CLITests.tool(["python3", Self.corpus.appendingPathComponent("validate.py").path, gradescope] + Self.canaries)
            #expect(check.status == 0, "\(check.stdout)")
            for canary in Self.canaries { #expect(!everything.contains(canary), "\(canary) leaked") }
            return
        }
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        // TAP and JUnit: one file each; text and CSV: one gradebook.
        for format in ["tap", "junit"] {
            let folder = root.appendingPathComponent(format).path
            let result = try Self.grade([tests, submissions, "--format", format, "--output", folder] + limits, landlock: true)
            everything += result.stdout + result.stderr
            let check = try CLITests.tool(["python3", Self.corpus.appendingPathComponent("validate.py").path, folder] + Self.canaries)
            #expect(check.status == 0, "\(format): \(check.stdout)")
            // The same score in this format as in Gradescope's.
            for testCase in cases {
                let file = "\(folder)/\(Self.reportName(testCase.entryName)).\(format == "tap" ? "tap" : "xml")"
                let report = (try? String(contentsOfFile: file, encoding: .utf8)) ?? ""
                let wanted =
                    format == "tap"
                    ? "# Score: \(testCase.score)/6\n" : "<property name=\"score\" value=\"\(testCase.score)\"/>"
                #expect(report.contains(wanted), "\(testCase.name): \(format) lacks \(wanted)")
            }
        }
        let check = try CLITests.tool(["python3", Self.corpus.appendingPathComponent("validate.py").path, gradescope] + Self.canaries)
        #expect(check.status == 0, "gradescope: \(check.stdout)")
        let tapFiles = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("tap").path)
        #expect(tapFiles.count == cases.count + 1 - 1 + 1, "one TAP file per entry (the twin is one entry of two rows)")
        let prove = try CLITests.tool(
            ["prove", "--exec", "cat"] + tapFiles.sorted().map { root.appendingPathComponent("tap/\($0)").path })
        #expect(!prove.stdout.contains("Parse errors"), "\(prove.stdout)")
        #expect(prove.stdout.contains("Files=\(tapFiles.count),"), "\(prove.stdout)")
        let text = try Self.grade([tests, submissions] + limits, landlock: true)
        let csv = try Self.grade([tests, submissions, "--format", "csv"] + limits, landlock: true)
        everything += text.stdout + text.stderr + csv.stdout + csv.stderr
        // One line per entry (the twins are two), a header and a footer: no name starts a line of its own.
        // And in the gradebooks: each case's row (the twins' two rows) carries its score.
        for testCase in cases where testCase.name != "forge-gradebook-row" && !testCase.name.hasPrefix("name-latin1") {
            let csvRows = csv.stdout.split(separator: "\n").filter { $0.hasPrefix(testCase.name + ",") }
            #expect(!csvRows.isEmpty && csvRows.allSatisfy { $0.hasPrefix("\(testCase.name),\(testCase.score),6,") },
                "\(testCase.name): \(csvRows)")
            let textRows = text.stdout.split(separator: "\n").filter { $0.hasPrefix(testCase.name + " ") }
            #expect(!textRows.isEmpty && textRows.allSatisfy {
                $0.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first == Substring(testCase.score)
            }, "\(testCase.name): \(textRows)")
        }
        let rows = text.stdout.split(separator: "\n")
        #expect(rows.count == cases.count + 2 + 2, "\(text.stdout)")
        #expect(rows.filter { $0.hasPrefix("bob ") }.count == 1, "\(text.stdout)")
        #expect(text.stdout.contains("\nforged\\x0Abob  6  6 "), "a newline in a name is shown as \\x0A")
        #expect(text.stdout.contains("\ncaf\\xE9 ") && text.stdout.contains("\ncaf\\\\xE9 "), "two names, two rows")
        for canary in Self.canaries { #expect(!everything.contains(canary), "\(canary) leaked") }
        #expect(!everything.contains("\u{1B}") && !everything.contains("\u{0}"))
    }
}
