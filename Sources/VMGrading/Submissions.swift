import VMLanguage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A submission to grade: where its script is and the name it has in a gradebook.
public struct SubmissionEntry: Sendable {
    /// The name in every report: the file's name without `.vml`, or the
    /// folder's, escaped so that no two names look alike (see `escapedName`).
    public let name: String
    /// A file name for this submission's report, unique among the entries
    /// and reversible: bytes other than letters, digits, `.`, `_` and `-`
    /// as `%XX`.
    public let reportName: String
    /// The script, or nil with a reason when it cannot be graded.
    public let path: HostPath?
    /// The submission's own folder (a folder entry), whose files it may include.
    public let folder: HostPath?
    public let problem: String?

    public init(name: HostPath, path: HostPath?, folder: HostPath? = nil, problem: String?) {
        self.name = Self.escapedName(name)
        reportName = Self.reportName(name)
        self.path = path
        self.folder = folder
        self.problem = problem
    }

    /// UTF-8 as it is, except `\` as `\\`, control characters and bytes
    /// that are not UTF-8 as `\xNN`: a name with a newline cannot start a
    /// row of its own, and `caf\xE9` the text differs from café in Latin-1.
    public static func escapedName(_ name: HostPath) -> String { name.escaped }

    static func reportName(_ name: HostPath) -> String {
        var text = ""
        for byte in name.bytes {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
                text.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                text += "%" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
            }
        }
        // A leading dot would hide the file; "." and ".." are not files.
        if text.hasPrefix(".") { text = "%2E" + text.dropFirst() }
        return text
    }
}

public enum Submissions {
    public struct Unreadable: Error {}

    /// Every submission in `directory`: each `.vml` file directly in it, and
    /// each folder holding one (or, among several, `submission.vml`), sorted
    /// by name. Hidden files and folders are passed over. Names are read as
    /// bytes, so a student's file whose name is not UTF-8 is still graded.
    /// Nothing is followed or opened here: a link, a FIFO or a device named
    /// like a submission is that entry's problem (score 0, a reason), and
    /// two entries with one name (`alice.vml` beside `alice/`) are both refused.
    public static func find(in directory: HostPath) throws(Unreadable) -> [SubmissionEntry] {
        guard let names = directory.directoryEntries() else { throw Unreadable() }
        var found: [(name: HostPath, entry: SubmissionEntry)] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory.appending(name)
            let isScript = name.hasSuffix(".vml")
            let stem = isScript ? HostPath(bytes: Array(name.bytes.dropLast(4))) : name
            switch path.linkType() {
            case S_IFREG?:
                if isScript { found.append((stem, SubmissionEntry(name: stem, path: path, problem: nil))) }
            case S_IFDIR?:
                found.append((name, folderEntry(name, at: path)))
            case S_IFLNK?:
                if isScript || path.fileType() == S_IFDIR {
                    found.append(
                        (stem, SubmissionEntry(
                            name: stem, path: nil,
                            problem: "it is a symbolic link; submissions are regular files and folders, never links")))
                }
            case nil:
                continue
            default:
                if isScript {
                    found.append(
                        (stem, SubmissionEntry(
                            name: stem, path: nil, problem: "not a regular file (a pipe, device or socket)")))
                }
            }
        }
        // One identity per submission, decided here: a name given twice is refused for both.
        var counts: [HostPath: Int] = [:]
        for (name, _) in found { counts[name, default: 0] += 1 }
        return found.map { name, entry in
            guard counts[name]! > 1 else { return entry }
            return SubmissionEntry(
                name: name, path: nil,
                problem: "two submissions are named '\(entry.name)' (a file and a folder); rename one")
        }.sorted { $0.name < $1.name }
    }

    /// A student's folder: its one script, or `submission.vml` among several.
    private static func folderEntry(_ name: HostPath, at path: HostPath) -> SubmissionEntry {
        let scripts = (path.directoryEntries() ?? []).filter { $0.hasSuffix(".vml") && !$0.hasPrefix(".") }
        let chosen =
            scripts.count == 1 ? scripts.first : scripts.first { $0.bytes.elementsEqual("submission.vml".utf8) }
        guard let chosen else {
            let problem =
                scripts.isEmpty
                ? "no .vml file in the folder" : "\(scripts.count) .vml files and none named submission.vml"
            return SubmissionEntry(name: name, path: nil, problem: problem)
        }
        return SubmissionEntry(name: name, path: path.appending(chosen), folder: path, problem: nil)
    }
}
