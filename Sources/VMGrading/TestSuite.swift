import Foundation
import VMLanguage

/// Gradescope's four visibilities. Text, TAP and JUnit reports, which a
/// student may see, show only `visible` tests in full.
public enum Visibility: String, Sendable, CaseIterable {
    case visible, hidden
    case afterDueDate = "after_due_date"
    case afterPublished = "after_published"
}

/// One `test "NAME" … { … }` of a tests file, its options checked.
public struct TestCase: Sendable {
    public let number: Int
    public let name: String
    public let visibility: Visibility
    /// What the test is worth: `points=`, else the sum of its expects' points, else 1.
    public let maximumPoints: UInt64
    /// Points that expects inside carry (`expect … points=N`), summed as written.
    public let expectPoints: UInt64
    /// `expect` and `expect_transcript` statements in the body, counted as written.
    public let expectCount: Int
    public let steps: UInt64?
    public let needs: String?
    public let partial: Bool
    public let tags: [String]
    public let body: Block
}

/// A tests file: top-level lines every test starts with (helpers, a
/// `machine` line), an optional `setup`, and the tests.
public struct TestSuite: Sendable {
    public let file: SourceFile
    public let prelude: [Statement]
    public let setup: Block?
    public let tests: [TestCase]
    /// Expected transcripts named by string literals, read when the suite loads.
    let transcripts: [String: String]
    /// The tests file's own top-level names, which a submission cannot rebind (SealedNamespaces).
    public let sealedNames: Set<String>
    /// The file's `grading` options, which every grader honours.
    public internal(set) var settings = SuiteSettings()
    /// The tests file and its expected transcripts, which no submission may open.
    public internal(set) var protectedFiles: Set<FileIdentity> = []

    public var maximumPoints: UInt64 { tests.reduce(0) { $0 + $1.maximumPoints } }

    /// A tests file that cannot be graded with: its diagnostics, rendered.
    public struct Invalid: Error, Sendable {
        public let report: String
    }

    public static func load(path: String) throws(Invalid) -> TestSuite {
        let text: String
        do {
            text = try ScriptLoader.read(path)
        } catch {
            throw Invalid(report: "vmlab grade: \((error as? ScriptLoader.Failure)?.message ?? "\(error)")\n")
        }
        var suite = try load(SourceFile(name: ScriptLoader.displayName(path), text: text))
        let files = [path] + suite.transcripts.keys.map { resolve($0, besides: path) }
        suite.protectedFiles = Set(files.compactMap { FileIdentity(path: HostPath($0)) })
        return suite
    }

    public static func load(_ file: SourceFile) throws(Invalid) -> TestSuite {
        let (program, syntaxErrors) = Parser.parse(file, registry: .standard)
        guard syntaxErrors.isEmpty else { throw Invalid(report: syntaxErrors.map { $0.render() }.joined()) }
        var reader = SuiteReader(file: file)
        reader.read(program.statements)
        guard reader.problems.isEmpty else { throw Invalid(report: reader.problems.map { $0.render() }.joined()) }
        guard !reader.tests.isEmpty else {
            let place = SourceRange(file: file, start: 0, end: 0)
            throw Invalid(
                report: Diagnostic(
                    "no tests in this file", at: place, notes: ["declare one: test \"NAME\" points=1 { submission; expect … }"]
                ).render())
        }
        var suite = TestSuite(
            file: file, prelude: reader.prelude, setup: reader.setup, tests: reader.tests,
            transcripts: reader.transcripts,
            sealedNames: Resolver.declaredGlobals(of: program.statements, registry: .standard))
        suite.settings = reader.settings
        return suite
    }
}

/// A tests file's `grading` line: the options every grader of it uses
/// unless its own command line overrides one. nil: not set in the file.
public struct SuiteSettings: Sendable, Equatable {
    public var seed: UInt64?
    public var scrambleFrames: UInt64?
    public var timeout: UInt64?
    public var maximumSteps: UInt64?
    public var maximumFrames: UInt64?
    /// Where the `grading` line is, `tests.vml:2:1`, for the notes an override prints.
    public var place: String?

    public init() {}
}

/// Walks a tests file's top level once, collecting declarations and every problem in them.
private struct SuiteReader {
    let file: SourceFile
    var prelude: [Statement] = []
    var setup: Block?
    var tests: [TestCase] = []
    var transcripts: [String: String] = [:]
    var problems: [Diagnostic] = []
    var settings = SuiteSettings()
    /// Evaluates constant options (`points=5`); it never runs a test.
    let constants = Interpreter(output: TranscriptSink())

    init(file: SourceFile) { self.file = file }

    mutating func read(_ statements: [Statement]) {
        for statement in statements {
            guard case .command(let call) = statement.kind else {
                prelude.append(statement)
                continue
            }
            switch call.command.name {
            case "test": readTest(call)
            case "grading": readGrading(call)
            case "setup":
                if setup != nil {
                    problems.append(Diagnostic("a tests file has one 'setup'", at: call.nameRange))
                }
                setup = call.block
            case "submission":
                problems.append(
                    Diagnostic(
                        "'submission' runs inside a test", at: call.nameRange,
                        notes: ["test \"NAME\" { submission; expect … }"]))
            default:
                prelude.append(statement)
            }
        }
    }

    mutating func readTest(_ call: CommandCall) {
        guard let body = call.block, case .string(let name)? = constant(call.arguments[0], "the test's name")
        else {
            if problems.isEmpty { problems.append(Diagnostic("a test's name must be a string", at: call.nameRange)) }
            return
        }
        if tests.contains(where: { $0.name == name }) {
            problems.append(Diagnostic("two tests are named \"\(name)\"", at: call.arguments[0].range))
        }
        var visibility = Visibility.visible
        if call.arguments.count > 1, case .word(let word, _) = call.arguments[1] {
            visibility = Visibility(rawValue: word) ?? .visible
        }
        let points = option(call, "points").flatMap { bounded($0, "points", 0...maximumPointsPerTest) }
        let steps = option(call, "steps").flatMap { bounded($0, "steps", 1...Self.maximumSteps) }
        var needs: String?
        if let argument = option(call, "needs") {
            if case .string(let other)? = constant(argument, "needs") {
                if !tests.contains(where: { $0.name == other }) {
                    problems.append(
                        Diagnostic(
                            "needs \"\(other)\", which is not a test above this one", at: argument.range,
                            notes: tests.isEmpty ? [] : ["tests above: " + tests.map { "\"\($0.name)\"" }.joined(separator: ", ")]))
                }
                needs = other
            } else {
                problems.append(Diagnostic("needs takes a test's name, a string", at: argument.range))
            }
        }
        var tags: [String] = []
        if let argument = option(call, "tags") {
            if case .string(let list)? = constant(argument, "tags") {
                tags = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
            }
        }
        let partial: Bool
        if let argument = option(call, "partial"), case .word(let word, _) = argument { partial = word == "on" } else { partial = false }
        var expectCount = 0
        var expectPoints: UInt64 = 0
        countExpects(body.statements, &expectCount, &expectPoints)
        if partial && expectPoints > 0 {
            problems.append(
                Diagnostic(
                    "partial=on scores the fraction of expects that held; it cannot be mixed with points on expects",
                    at: call.nameRange))
        }
        if points == nil, expectPoints > maximumPointsPerTest {
            problems.append(
                Diagnostic("the expects inside carry more than \(maximumPointsPerTest) points", at: call.nameRange))
        }
        if let points, expectPoints > points {
            problems.append(
                Diagnostic(
                    "the expects inside carry \(expectPoints) points, more than the test's points=\(points)",
                    at: call.nameRange))
        }
        tests.append(
            TestCase(
                number: tests.count + 1, name: name, visibility: visibility,
                maximumPoints: points ?? (expectPoints > 0 ? expectPoints : 1), expectPoints: expectPoints,
                expectCount: expectCount, steps: steps, needs: needs, partial: partial, tags: tags, body: body))
    }

    mutating func readGrading(_ call: CommandCall) {
        if settings.place != nil {
            problems.append(Diagnostic("a tests file has one 'grading' line", at: call.nameRange))
            return
        }
        let (line, column) = call.nameRange.position
        settings.place = "\(file.name):\(line):\(column)"
        settings.seed = option(call, "seed").flatMap { bounded($0, "seed", 0...UInt64.max) }
        if let argument = option(call, "scramble_frames"), case .word("on", _) = argument {
            settings.scrambleFrames = settings.seed ?? 0
        }
        settings.timeout = option(call, "timeout").flatMap { bounded($0, "timeout", 1...86_400) }
        settings.maximumSteps = option(call, "steps").flatMap { bounded($0, "steps", 1...Self.maximumSteps) }
        settings.maximumFrames = option(call, "frames").flatMap { bounded($0, "frames", 1...(1 << 24)) }
    }

    /// Counts expects as written (in nested blocks too) and sums their points.
    mutating func countExpects(_ statements: [Statement], _ count: inout Int, _ points: inout UInt64) {
        for statement in statements {
            switch statement.kind {
            case .command(let call):
                if call.command.name == "expect" || call.command.name == "expect_transcript" {
                    count += 1
                    if let argument = option(call, "points"),
                        let value = bounded(argument, "an expect's points", 1...maximumPointsPerTest)
                    {
                        points = min(points + value, maximumPointsPerTest + 1)
                    }
                    if call.command.name == "expect_transcript" { loadTranscript(call.arguments[0]) }
                }
                if call.command.name == "test" || call.command.name == "setup" {
                    problems.append(Diagnostic("'\(call.command.name)' belongs at the top level", at: call.nameRange))
                }
                if let block = call.block { countExpects(block.statements, &count, &points) }
            case .ifElse(let arms, let elseBlock):
                for arm in arms { countExpects(arm.body.statements, &count, &points) }
                if let elseBlock { countExpects(elseBlock.statements, &count, &points) }
            case .forIn(_, _, let block), .whileLoop(_, let block), .repeatLoop(_, let block), .block(let block):
                countExpects(block.statements, &count, &points)
            default: break
            }
        }
    }

    /// Reads an expected transcript now, so that a missing file is the instructor's error, found before grading.
    mutating func loadTranscript(_ argument: Argument) {
        guard case .expression(let expression) = argument, case .string(let path) = expression.kind else { return }
        let resolved = TestSuite.resolve(path, besides: file.name)
        do {
            transcripts[path] = try ScriptLoader.read(resolved)
        } catch {
            problems.append(
                Diagnostic((error as? ScriptLoader.Failure)?.message ?? "cannot read '\(path)'", at: argument.range))
        }
    }

    func option(_ call: CommandCall, _ name: String) -> Argument? {
        call.options.first { $0.name == name }?.value
    }

    mutating func constant(_ argument: Argument, _ what: String) -> Value? {
        do {
            return try constants.evaluate(argument: argument)
        } catch let diagnostic as Diagnostic {
            problems.append(
                Diagnostic("\(what) must be a constant: \(diagnostic.message)", at: argument.range))
        } catch {
            problems.append(Diagnostic("\(what) must be a constant", at: argument.range))
        }
        return nil
    }

    /// A test may run this many steps at most (at 10^8 a second, over a minute and a half).
    static let maximumSteps: UInt64 = 10_000_000_000

    /// An integer constant within `range`, else a located problem.
    mutating func bounded(_ argument: Argument, _ what: String, _ range: ClosedRange<UInt64>) -> UInt64? {
        guard let value = integerConstant(argument, what) else { return nil }
        guard range.contains(value) else {
            problems.append(
                Diagnostic(
                    "\(what) must be from \(ReportText.grouped(range.lowerBound)) to \(ReportText.grouped(range.upperBound)), not \(value)",
                    at: argument.range))
            return nil
        }
        return value
    }

    mutating func integerConstant(_ argument: Argument, _ what: String) -> UInt64? {
        let value = constant(argument, what)
        guard case .integer(let number)? = value else {
            if value != nil { problems.append(Diagnostic("\(what) must be an integer", at: argument.range)) }
            return nil
        }
        return number
    }
}

extension TestSuite {
    /// A path named in the tests file, taken from the tests file's directory.
    static func resolve(_ path: String, besides file: String) -> String {
        guard !path.hasPrefix("/") else { return path }
        let directory = (file as NSString).deletingLastPathComponent
        return directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path)
    }
}
