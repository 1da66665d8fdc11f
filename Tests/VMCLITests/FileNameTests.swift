import Foundation
import Testing

/// File names that are not UTF-8 (a Latin-1 "café.vml": 63 61 66 E9). Swift
/// hands such an argument to the program as "caf\u{FFFD}.vml"; vmlab must
/// still open the file the shell named and show the name as it is.
@Suite struct FileNameTests {
    /// A fresh folder holding `caf\xE9.vml` with `text`, and the folder's path.
    static func latin1Script(_ text: String) throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-names-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = Array("caf".utf8) + [0xE9] + Array(".vml".utf8)
        let path = Array(directory.path.utf8) + [UInt8(ascii: "/")] + name
        let descriptor = (path + [0]).withUnsafeBufferPointer { buffer in
            buffer.withMemoryRebound(to: CChar.self) { open($0.baseAddress!, O_WRONLY | O_CREAT | O_TRUNC, 0o644) }
        }
        #expect(descriptor >= 0)
        _ = Array(text.utf8).withUnsafeBytes { write(descriptor, $0.baseAddress!, $0.count) }
        close(descriptor)
        return directory
    }

    /// Runs `vmlab ARGUMENTS` in `directory` through sh, where `$NAME` is the Latin-1 name.
    static func vmlab(_ arguments: String, in directory: URL) throws -> CLITests.Result {
        try CLITests.tool([
            "sh", "-c", "cd \"$1\" && NAME=\"$(printf 'caf\\351.vml')\" && \"$2\" \(arguments)", "sh",
            directory.path, CLITests.binary.path,
        ])
    }

    @Test func runOpensTheFileAndErrorsNameItWithTheBadByteShown() throws {
        let directory = try Self.latin1Script("print 1\nprint missing\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.vmlab("run \"$NAME\"", in: directory)
        // A name nothing defines is found before anything runs.
        #expect(result.stdout == "")
        #expect(result.stderr.hasPrefix("caf\\xE9.vml:2:7: error: 'missing' is not defined"), "\(result.stderr)")
        #expect(result.status == 2)
    }

    @Test func checkAndAMissingFileShowTheNameAsItIs() throws {
        let directory = try Self.latin1Script("print 1\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let check = try Self.vmlab("check \"$NAME\"", in: directory)
        #expect(check.stdout == "caf\\xE9.vml: ok\n")
        #expect(check.status == 0)
        let missing = try Self.vmlab("run \"x$NAME\"", in: directory)
        #expect(missing.stderr == "vmlab: cannot open 'xcaf\\xE9.vml': no such file or directory\n")
    }

    @Test func fmtRewritesTheFileItWasGivenAndCreatesNoOther() throws {
        let directory = try Self.latin1Script("if true {\nprint 1\n}\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try Self.vmlab("fmt \"$NAME\" && cat \"$NAME\" && ls | wc -l", in: directory)
        #expect(result.stderr == "")
        #expect(result.stdout == "if true {\n    print 1\n}\n1\n")
    }

    @Test func gradeFindsASubmissionWhoseNameIsNotUTF8() throws {
        let directory = try Self.latin1Script("spawn A\n")
        defer { try? FileManager.default.removeItem(at: directory) }
        let tests = directory.deletingLastPathComponent().appendingPathComponent("\(directory.lastPathComponent).tests")
        try "test \"spawns\" points=1 { submission; expect A.pid == 1 }\n".write(
            to: tests, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: tests) }
        let folder = try Self.vmlab("grade \"$1.tests\" . --format csv --jobs 1 2>&1; true", in: directory)
        #expect(folder.stdout.contains("caf\\xE9,1"), "\(folder.stdout)")
        let single = try Self.vmlab("grade \"$1.tests\" \"$NAME\"", in: directory)
        #expect(single.stdout.contains("caf\\xE9.vml"), "\(single.stdout)")
        #expect(single.status == 0, "\(single.stdout)\(single.stderr)")
    }
}
