import Foundation
import Testing

/// Every DOT graph a lesson prints is valid Graphviz: `dot` renders it with
/// no warning and no error (scripts/test installs Debian's graphviz).
@Suite struct DotRenderingTests {
    static func graphs() throws -> [(lesson: String, dot: String)] {
        let examples = CLITests.packageRoot.appendingPathComponent("Examples")
        var found: [(String, String)] = []
        for name in try FileManager.default.contentsOfDirectory(atPath: examples.path).sorted() where name.hasSuffix(".out") {
            let text = try String(contentsOf: examples.appendingPathComponent(name), encoding: .utf8)
            var rest = Substring(text)
            while let start = rest.range(of: "digraph "), let end = rest[start.lowerBound...].range(of: "\n}\n") {
                found.append((name, String(rest[start.lowerBound..<end.upperBound])))
                rest = rest[end.upperBound...]
            }
        }
        return found
    }

    @Test func lessonsDrawGraphsThatGraphvizRendersCleanly() throws {
        let graphs = try Self.graphs()
        #expect(!graphs.isEmpty, "a lesson draws page tables")
        for (lesson, dot) in graphs {
            let result = try CLITests.tool(["dot", "-Tsvg"], stdin: Data(dot.utf8))
            #expect(result.status == 0 && result.stderr.isEmpty, "\(lesson): \(result.stderr)")
            #expect(result.stdout.contains("<svg"), "\(lesson)")
        }
    }

    @Test func sharedKernelTablesAreOneNodeWithAnEdgeFromEachProcess() throws {
        let dot = try #require(try Self.graphs().first { $0.lesson.hasPrefix("12-") }?.dot)
        let kernelNodes = dot.split(separator: "\n").filter { $0.contains("kernel, shared by every process") }
        #expect(kernelNodes.count == 3, "the kernel's three PDPTs, drawn once")
        for node in kernelNodes {
            let name = String(node.trimmingCharacters(in: .whitespaces).prefix { $0 != " " })
            let incoming = dot.split(separator: "\n").filter { $0.contains("-> \(name)") }
            #expect(incoming.count == 2, "\(name) is pointed at by A's PML4 and by B's")
        }
        #expect(dot.contains("shared copy-on-write by 2"))
        #expect(dot.contains("shape=box3d, label=\"frame"), "the 2 MiB page")
    }
}
