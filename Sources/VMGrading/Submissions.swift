import Foundation

/// A submission to grade: where its script is and the name it has in a gradebook.
public struct SubmissionEntry: Sendable {
    public let name: String
    /// The script, or nil with a reason when the folder holds none or several.
    public let path: String?
    public let problem: String?

    public init(name: String, path: String?, problem: String?) {
        self.name = name
        self.path = path
        self.problem = problem
    }
}

public enum Submissions {
    /// Every submission in `directory`: each `.vml` file directly in it, and
    /// each folder holding one (or, among several, `submission.vml`), sorted
    /// by name. Hidden files and folders are passed over.
    public static func find(in directory: String) throws -> [SubmissionEntry] {
        let manager = FileManager.default
        let names = try manager.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix(".") }
        var entries: [SubmissionEntry] = []
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
            if !isDirectory.boolValue {
                if name.hasSuffix(".vml") {
                    entries.append(SubmissionEntry(name: String(name.dropLast(4)), path: path, problem: nil))
                }
                continue
            }
            let scripts = ((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter {
                $0.hasSuffix(".vml") && !$0.hasPrefix(".")
            }.sorted()
            let chosen = scripts.count == 1 ? scripts.first : (scripts.contains("submission.vml") ? "submission.vml" : nil)
            if let chosen {
                entries.append(
                    SubmissionEntry(name: name, path: (path as NSString).appendingPathComponent(chosen), problem: nil))
            } else {
                let problem =
                    scripts.isEmpty
                    ? "no .vml file in the folder"
                    : "\(scripts.count) .vml files and none named submission.vml"
                entries.append(SubmissionEntry(name: name, path: nil, problem: problem))
            }
        }
        return entries
    }
}
