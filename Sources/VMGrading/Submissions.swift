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

extension Grader {
    /// Grades every entry on `jobs` threads; results come back in the entries'
    /// order whatever order they finish in. `progress` is called (from any
    /// thread, one call at a time) after each submission.
    public func grade(
        _ entries: [SubmissionEntry], jobs: Int, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> [SubmissionResult] {
        let board = ResultBoard(count: entries.count)
        let workers = max(1, min(jobs, entries.count))
        let group = DispatchGroup()
        for _ in 0..<workers {
            group.enter()
            // Each worker gets a generous stack: deeply nested scripts recurse in the interpreter.
            let thread = Thread { [self] in
                while let index = board.claim() {
                    let entry = entries[index]
                    let result: SubmissionResult
                    if let path = entry.path {
                        result = grade(submission: path, name: entry.name)
                    } else {
                        result = SubmissionResult(
                            name: entry.name, path: entry.name, tests: [], seed: options.seed, problem: entry.problem)
                    }
                    progress(board.store(result, at: index))
                }
                group.leave()
            }
            thread.stackSize = 256 << 20
            thread.start()
        }
        group.wait()
        return board.results
    }
}

/// Work handed out and results collected under one lock.
private final class ResultBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private var slots: [SubmissionResult?]

    init(count: Int) { slots = Array(repeating: nil, count: count) }

    func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    /// Stores a result; returns how many are done.
    func store(_ result: SubmissionResult, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
        done += 1
        return done
    }

    var results: [SubmissionResult] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
