import Foundation
import VMLanguage

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
            // Each worker's stack holds the interpreter's whole depth budget (NativeStack).
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
            thread.stackSize = NativeStack.size
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
