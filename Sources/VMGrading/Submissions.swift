import VMLanguage

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A submission to grade: where its script is and the name it has in a gradebook.
public struct SubmissionEntry: Sendable {
    public let name: String
    /// The script, or nil with a reason when the folder holds none or several.
    public let path: HostPath?
    public let problem: String?

    public init(name: String, path: HostPath?, problem: String?) {
        self.name = name
        self.path = path
        self.problem = problem
    }
}

public enum Submissions {
    public struct Unreadable: Error {}

    /// Every submission in `directory`: each `.vml` file directly in it, and
    /// each folder holding one (or, among several, `submission.vml`), sorted
    /// by name. Hidden files and folders are passed over. Names are read as
    /// bytes, so a student's file whose name is not UTF-8 is still graded
    /// (and listed with its bad bytes as \xNN).
    public static func find(in directory: HostPath) throws(Unreadable) -> [SubmissionEntry] {
        guard let names = directory.directoryEntries() else { throw Unreadable() }
        var entries: [SubmissionEntry] = []
        for name in names where !name.hasPrefix(".") {
            let path = directory.appending(name)
            switch path.fileType() {
            case S_IFREG?:
                if name.hasSuffix(".vml") {
                    entries.append(SubmissionEntry(name: String(name.display.dropLast(4)), path: path, problem: nil))
                }
            case S_IFDIR?:
                let scripts = (path.directoryEntries() ?? []).filter { $0.hasSuffix(".vml") && !$0.hasPrefix(".") }
                let chosen =
                    scripts.count == 1
                    ? scripts.first : scripts.first { $0.bytes.elementsEqual("submission.vml".utf8) }
                if let chosen {
                    entries.append(SubmissionEntry(name: name.display, path: path.appending(chosen), problem: nil))
                } else {
                    let problem =
                        scripts.isEmpty
                        ? "no .vml file in the folder"
                        : "\(scripts.count) .vml files and none named submission.vml"
                    entries.append(SubmissionEntry(name: name.display, path: nil, problem: problem))
                }
            default:
                continue
            }
        }
        return entries
    }
}
