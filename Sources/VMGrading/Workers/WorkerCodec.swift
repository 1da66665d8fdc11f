import Foundation

/// What a grading worker sends back on its standard output: one
/// submission's result as JSON. Tests are named by number; the parent,
/// which loaded the same tests file, puts them back together.
public struct WorkerReport: Codable {
    struct Test: Codable {
        let number: Int
        let status: String
        let hundredths: UInt64
        let scoreNote: String?
        let output: String
        let steps: UInt64
        let failures: [FailedExpect]
        let error: String?
        let skipReason: String?
        let seconds: Double
        let graderFault: Bool
    }

    let name: String
    let path: String
    let seed: UInt64
    let problem: String?
    let tests: [Test]

    init(_ result: SubmissionResult) {
        name = result.name
        path = result.path
        seed = result.seed
        problem = result.problem
        tests = result.tests.map {
            Test(
                number: $0.test.number, status: $0.status.rawValue, hundredths: $0.score.hundredths,
                scoreNote: $0.scoreNote, output: $0.output, steps: $0.steps, failures: $0.failures, error: $0.error,
                skipReason: $0.skipReason, seconds: $0.seconds, graderFault: $0.graderFault)
        }
    }

    public static func encode(_ result: SubmissionResult) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(WorkerReport(result))) ?? Data()
    }

    /// The result, or nil when the bytes are not a report for `suite` (a worker that broke mid-write).
    static func decode(_ data: Data, suite: TestSuite) -> SubmissionResult? {
        guard let report = try? JSONDecoder().decode(WorkerReport.self, from: data) else { return nil }
        var tests: [TestResult] = []
        for test in report.tests {
            guard test.number >= 1, test.number <= suite.tests.count,
                let status = TestResult.Status(rawValue: test.status)
            else { return nil }
            let testCase = suite.tests[test.number - 1]
            // A worker cannot award more than the tests file allows.
            let score = Points(hundredths: min(test.hundredths, testCase.maximumPoints * 100))
            tests.append(
                TestResult(
                    test: testCase, status: status, score: score, scoreNote: test.scoreNote, output: test.output,
                    steps: test.steps, failures: test.failures, error: test.error, skipReason: test.skipReason,
                    seconds: test.seconds, graderFault: test.graderFault))
        }
        guard report.problem != nil || tests.map(\.test.number) == suite.tests.map(\.number) else { return nil }
        return SubmissionResult(
            name: report.name, path: report.path, tests: tests, seed: report.seed, problem: report.problem)
    }
}
