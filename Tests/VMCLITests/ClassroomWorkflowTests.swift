import Foundation
import Testing

/// The GitHub Classroom workflow's grading step, run as GitHub runs it
/// (`bash -e`, with a `GITHUB_OUTPUT` file) in a folder laid out like a
/// student's repository. The step is read out of the shipped workflow with
/// PyYAML (which scripts/test installs), so the test runs what a course copies.
@Suite struct ClassroomWorkflowTests {
    static let workflow = "Examples/grading/github-classroom/vmlab-grade.yml"

    /// The `run:` script of the step named `name`.
    func step(_ name: String) throws -> String {
        let script = """
            import sys, yaml
            flow = yaml.safe_load(open(sys.argv[1]))
            for step in flow["jobs"]["run-autograding-tests"]["steps"]:
                if step.get("name") == sys.argv[2]:
                    print(step["run"], end="")
            """
        let result = try CLITests.tool(["python3", "-c", script, Self.workflow, name])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test func aFailingSubmissionStillGetsItsReportsAndItsPoints() throws {
        let repository = FileManager.default.temporaryDirectory.appendingPathComponent("vmlab-classroom-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: repository) }
        let course = CLITests.packageRoot.appendingPathComponent("Examples/grading/shared-frame")
        try FileManager.default.createDirectory(at: repository.appendingPathComponent(".github/vmlab"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: course.appendingPathComponent("tests.vml"), to: repository.appendingPathComponent(".github/vmlab/tests.vml"))
        try FileManager.default.copyItem(
            at: course.appendingPathComponent("submissions/hardcoded.vml"), to: repository.appendingPathComponent("submission.vml"))
        let output = repository.appendingPathComponent("github-output")
        try Data().write(to: output)
        let script = try step("Grade").replacingOccurrences(of: "/opt/vmlab/vmlab", with: CLITests.binary.path)
        #expect(script.contains("--format classroom"))
        var environment = ProcessInfo.processInfo.environment
        environment["GITHUB_OUTPUT"] = output.path
        // GitHub's `shell: bash` is `bash --noprofile --norc -eo pipefail {0}`.
        let run = try CLITests.tool(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "cd \"$0\" && " + script, repository.path],
            environment: environment)
        #expect(run.status == 0, "a failing test is a grade, not a broken run: \(run.stderr)")
        #expect(run.stdout.contains("Score: 4/6"), "the text report is printed whatever the result: \(run.stdout)")
        #expect(FileManager.default.fileExists(atPath: repository.appendingPathComponent("vmlab-results.xml").path))
        // The reporter decodes <RUNNER>_RESULTS and sums the tests' scores against max_score.
        let line = try #require(try String(contentsOf: output, encoding: .utf8).split(separator: "\n").first { $0.hasPrefix("result=") })
        let payload = try #require(Data(base64Encoded: String(line.dropFirst("result=".count))))
        let results = try #require(try JSONSerialization.jsonObject(with: payload) as? [String: Any])
        #expect(results["version"] as? Int == 1 && results["status"] as? String == "fail")
        #expect((results["max_score"] as? NSNumber)?.doubleValue == 6)
        let tests = try #require(results["tests"] as? [[String: Any]])
        let total = tests.compactMap { ($0["score"] as? NSNumber)?.doubleValue }.reduce(0, +)
        #expect(total == 4, "the same 4/6 as vmlab grade and Gradescope")
        #expect(tests.allSatisfy { ["pass", "fail", "error"].contains($0["status"] as? String ?? "") })
    }

    @Test func theWorkflowIsNamedAsTheReporterLooksForIt() throws {
        let text = try String(contentsOf: CLITests.packageRoot.appendingPathComponent(Self.workflow), encoding: .utf8)
        #expect(text.contains("name: Autograding Tests"), "the reporter updates the check run named Autograding Tests")
        #expect(text.contains("classroom-resources/autograding-grading-reporter@v1"))
        #expect(text.contains("VMLAB_RESULTS:") && text.contains("runners: vmlab"))
        #expect(text.contains("actions/cache@v4") && text.contains("--static-swift-stdlib"), "a cached release build")
        #expect(text.contains("a hidden test here is not hidden"))
    }
}
