import Foundation
import VMLanguage

extension Grader {
    /// Grades every entry in this process on `jobs` threads (the library's
    /// way; `vmlab grade` gives each submission a process, WorkerPool).
    /// Results come back in the entries' order whatever order they finish in.
    public func grade(
        _ entries: [SubmissionEntry], jobs: Int, progress: @escaping @Sendable (Int) -> Void = { _ in }
    ) -> [SubmissionResult] {
        ResultBoard.run(entries.count, jobs: jobs, progress: progress) { [self] index in
            let entry = entries[index]
            guard let path = entry.path else {
                return unreadable(name: entry.name, path: entry.name, problem: entry.problem ?? "cannot grade")
            }
            return grade(submission: path, name: entry.name, folder: entry.folder)
        }
    }
}

/// Work handed out and results collected under one lock.
final class ResultBoard: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var done = 0
    private var slots: [SubmissionResult?]

    private init(count: Int) { slots = Array(repeating: nil, count: count) }

    /// Runs `body` for every index on `jobs` threads, each with the stack the
    /// interpreter's depth budget needs (NativeStack); `progress` is called
    /// (from any thread, one call at a time) after each.
    static func run(
        _ count: Int, jobs: Int, progress: @escaping @Sendable (Int) -> Void,
        _ body: @escaping @Sendable (Int) -> SubmissionResult
    ) -> [SubmissionResult] {
        let board = ResultBoard(count: count)
        let group = DispatchGroup()
        for _ in 0..<max(1, min(jobs, count)) {
            group.enter()
            let thread = Thread {
                while let index = board.claim() { progress(board.store(body(index), at: index)) }
                group.leave()
            }
            thread.stackSize = NativeStack.size
            thread.start()
        }
        group.wait()
        return board.results
    }

    private func claim() -> Int? {
        lock.lock()
        defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }

    /// Stores a result; returns how many are done.
    private func store(_ result: SubmissionResult, at index: Int) -> Int {
        lock.lock()
        defer { lock.unlock() }
        slots[index] = result
        done += 1
        return done
    }

    private var results: [SubmissionResult] {
        lock.lock()
        defer { lock.unlock() }
        return slots.map { $0! }
    }
}
