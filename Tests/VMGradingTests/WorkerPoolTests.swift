import Foundation
import Testing
import VMLanguage

@testable import VMGrading

/// A worker that crashes, hangs or answers garbage costs its own submission
/// a clear failure, never another's result or the grader.
@Suite struct WorkerPoolTests {
    /// A stand-in worker: a shell script that misbehaves as `body` says.
    func pool(_ body: String, slack: Double = 10) throws -> (WorkerPool, [SubmissionEntry]) {
        let exercise = try Exercise(tests: "test \"t\" points=3 { submission }\n", submission: "")
        let script = exercise.directory.appendingPathComponent("worker.sh")
        try "#!/bin/sh\n\(body)\n".write(to: script, atomically: true, encoding: .utf8)
        chmod(script.path, 0o755)
        var options = GradingOptions()
        options.timeout = 0.2
        var pool = WorkerPool(
            executable: script.path, commonArguments: [], suite: try TestSuite.load(path: exercise.testsPath),
            options: options)
        pool.slack = slack
        let entries = ["alice", "bob"].map {
            SubmissionEntry(name: HostPath($0), path: HostPath(exercise.submissionPath), problem: nil)
        }
        return (pool, entries)
    }

    @Test func aCrashIsThatSubmissionsFailureWithTheSignal() throws {
        let (pool, entries) = try pool("kill -SEGV $$")
        let results = pool.grade(entries, jobs: 2)
        #expect(results.map(\.name) == ["alice", "bob"])
        for result in results {
            #expect(result.problem == "the grading worker was stopped by signal 11 (SIGSEGV, a crash)")
            #expect(result.score == Points(hundredths: 0))
            #expect(result.maximum == Points(whole: 3), "the real maximum, not 0 of 0")
            #expect(!result.graderFault)
        }
    }

    @Test func aHungWorkerIsStoppedAtItsDeadline() throws {
        let (pool, entries) = try pool("exec sleep 30", slack: 0.3)
        let started = Date()
        let results = pool.grade(entries, jobs: 2)
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(results[0].problem?.contains("ran past its deadline") == true)
    }

    @Test func aWorkerThatCouldNotConfineItselfIsReportedSo() throws {
        let (pool, entries) = try pool("exit \(WorkerPool.unconfinedStatus)")
        #expect(pool.grade(entries, jobs: 1)[0].problem?.contains("could not confine itself with Landlock") == true)
    }

    @Test func garbageIsNotAReport() throws {
        let (pool, entries) = try pool("echo '{\"score\": 100}'")
        #expect(pool.grade(entries, jobs: 1)[1].problem?.contains("was not a report") == true)
    }

    @Test func aReportCannotAwardMoreThanTheTestsFileAllows() throws {
        let exercise = try Exercise(tests: "test \"t\" points=3 { submission }\n", submission: "")
        let suite = try TestSuite.load(path: exercise.testsPath)
        let forged = #"{"name":"a","path":"a","seed":0,"tests":[{"number":1,"status":"passed","hundredths":99999,"output":"","steps":0,"failures":[],"seconds":0,"graderFault":false}]}"#
        let result = try #require(WorkerReport.decode(Data(forged.utf8), suite: suite))
        #expect(result.score == Points(whole: 3))
        #expect(WorkerReport.decode(Data(forged.replacingOccurrences(of: "\"number\":1", with: "\"number\":2").utf8), suite: suite) == nil)
    }
}
