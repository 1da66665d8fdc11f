import Foundation
import Testing
import VMLanguage

#if canImport(FoundationXML)
    import FoundationXML
#endif

@testable import VMGrading

/// JUnit output checked against the element rules of Jenkins xunit's
/// junit-10.xsd (jenkinsci/xunit-plugin, src/main/resources/org/jenkinsci/
/// plugins/xunit/types/model/xsd/junit-10.xsd): which attributes and
/// children each element may have, which attributes it must. No package
/// ships that schema, so its rules are written out here (issue 29).
@Suite struct JUnitSchemaTests {
    struct Rule {
        let required: Set<String>
        let optional: Set<String>
        let children: Set<String>
        let text: Bool
    }

    static let rules: [String: Rule] = [
        "testsuites": Rule(required: [], optional: ["name", "time", "tests", "failures", "errors"], children: ["testsuite"], text: false),
        "testsuite": Rule(
            required: ["name", "tests", "failures", "errors"],
            optional: ["group", "time", "skipped", "timestamp", "hostname", "id", "package", "file", "log", "url"],
            children: ["testsuite", "properties", "testcase", "system-out", "system-err"], text: false),
        "properties": Rule(required: [], optional: [], children: ["property"], text: false),
        "property": Rule(required: ["name", "value"], optional: [], children: [], text: false),
        "testcase": Rule(
            required: ["name"], optional: ["time", "classname", "group"],
            children: ["skipped", "error", "failure", "system-out", "system-err"], text: false),
        "failure": Rule(required: [], optional: ["type", "message"], children: [], text: true),
        "error": Rule(required: [], optional: ["type", "message"], children: [], text: true),
        "skipped": Rule(required: [], optional: ["type", "message"], children: [], text: true),
        "system-out": Rule(required: [], optional: [], children: [], text: true),
        "system-err": Rule(required: [], optional: [], children: [], text: true),
    ]

    /// The schema's SUREFIRE_TIME pattern for `time`.
    static func isSurefireTime(_ text: String) -> Bool {
        text.range(of: #"^(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?$"#, options: .regularExpression) != nil
    }

    /// Every violation of the rules in `xml`, as readable lines.
    static func violations(_ xml: String) throws -> [String] {
        let document = try XMLDocument(data: Data(xml.utf8))
        guard let root = document.rootElement() else { return ["no root element"] }
        var found: [String] = []
        if root.name != "testsuites" { found.append("the root is <\(root.name ?? "?")>, not <testsuites>") }
        func check(_ element: XMLElement) {
            let name = element.name ?? "?"
            guard let rule = rules[name] else {
                found.append("<\(name)> is not in the schema")
                return
            }
            let attributes = Set((element.attributes ?? []).compactMap(\.name))
            for missing in rule.required.subtracting(attributes) { found.append("<\(name)> lacks \(missing)=") }
            for extra in attributes.subtracting(rule.required.union(rule.optional)) { found.append("<\(name)> may not have \(extra)=") }
            if let time = element.attribute(forName: "time")?.stringValue, !isSurefireTime(time) {
                found.append("<\(name) time=\"\(time)\"> is not a SUREFIRE_TIME")
            }
            for child in element.children ?? [] {
                if let child = child as? XMLElement {
                    if !rule.children.contains(child.name ?? "") { found.append("<\(child.name ?? "?")> may not be inside <\(name)>") }
                    check(child)
                } else if child.kind == .text, !rule.text, !(child.stringValue ?? "").allSatisfy(\.isWhitespace) {
                    found.append("<\(name)> may not hold text")
                }
            }
        }
        check(root)
        return found
    }

    /// A result with a pass, a failure, an error, a skip and a hidden test, with and without timing.
    @Test(arguments: [false, true])
    func everyKindOfResultIsValid(timing: Bool) throws {
        let exercise = try Exercise(
            tests: """
                test "passes" { submission; expect true }
                test "fails" { submission; expect x == 2 "x is 2" }
                test "errs" { submission; print nothing_defines_this }
                test "skipped" needs="fails" { submission }
                test "secret" hidden points=2 { submission; expect false }
                """,
            submission: "let x = 1\nprint \"<&>\"\n")
        let suite = try TestSuite.load(path: exercise.testsPath)
        let result = try exercise.grade()
        for showHidden in [false, true] {
            let xml = JUnitReport.render(result, suite: suite, showHidden: showHidden, timing: timing)
            #expect(try Self.violations(xml) == [], "\(xml)")
        }
    }

    /// A submission that cannot be graded still gives a valid file whose counts add up.
    @Test func anUngradableSubmissionIsValidToo() throws {
        let exercise = try Exercise(tests: "test \"a\" { submission }\ntest \"b\" { submission }\n", submission: "")
        try Data([0x70, 0xFF, 0x0A]).write(to: URL(fileURLWithPath: exercise.submissionPath))
        let result = try exercise.grade()
        let xml = JUnitReport.render(result, suite: try TestSuite.load(path: exercise.testsPath))
        #expect(try Self.violations(xml) == [], "\(xml)")
        #expect(xml.contains("<testsuites name=\"vmlab grade\" tests=\"2\" failures=\"0\" errors=\"2\">"), "\(xml)")
    }

    /// The rules bite: the old layout (skipped on testsuites, properties in a testcase) breaks them.
    @Test func theRulesRejectWhatTheSchemaRejects() throws {
        let old = """
            <testsuites name="x" tests="1" failures="0" errors="0" skipped="0"><testsuite name="s" tests="1" failures="0" errors="0">\
            <testcase name="t"><properties><property name="score" value="1"/></properties></testcase></testsuite></testsuites>
            """
        let found = try Self.violations(old)
        #expect(found.contains("<testsuites> may not have skipped="))
        #expect(found.contains("<properties> may not be inside <testcase>"))
    }
}
