import Foundation
import Testing

/// The layers of DESIGN.md, checked in the sources themselves: the hardware
/// (Hardware/) never reaches the kernel, and only Architectures/ knows which
/// architecture it is on. The compiler enforces the first as long as Hardware
/// holds no Machine; these checks keep anyone from adding one.
@Suite struct LayerTests {
    static let machineSources = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/VMMachine")

    static func swiftFiles(under folder: String) throws -> [(name: String, text: String)] {
        let root = machineSources.appendingPathComponent(folder)
        // Subfolders too (Rendering/HTML).
        let names = (FileManager.default.subpaths(atPath: root.path) ?? []).filter { $0.hasSuffix(".swift") }.sorted()
        return try names.map { ($0, try String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The code of a file without its comments, which may name the kernel freely.
    static func code(_ text: String) -> String {
        text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { line in line.range(of: "//").map { String(line[..<$0.lowerBound]) } ?? String(line) }
            .joined(separator: "\n")
    }

    @Test func theHardwareNeverNamesTheKernel() throws {
        let files = try Self.swiftFiles(under: "Hardware")
        #expect(files.count > 5)
        for (name, text) in files {
            let code = Self.code(text)
            // Whole words: MachineError and MachineConfiguration are the hardware's too.
            for kernelName in ["Machine", "Process", "CPUState", "perCPU", "handlePageFault", "takePageFault", "processes"] {
                #expect(
                    code.range(of: "\\b\(kernelName)\\b", options: .regularExpression) == nil,
                    "\(name) names the kernel's \(kernelName)")
            }
        }
    }

    /// Each architecture answers for itself (ArchitectureFamily.swift): no
    /// file, Architectures/ included, asks which architecture it is on.
    @Test func nothingSwitchesOnTheArchitecture() throws {
        for folder in ["Architectures", "Hardware", "Kernel", "../VMLanguage/Commands", "../VMLanguage/Rendering", "../VMLanguage/Runtime"] {
            let files = try Self.swiftFiles(under: folder)
            #expect(!files.isEmpty, "no sources under \(folder)")
            for (name, text) in files {
                let code = Self.code(text)
                for test in ["switch encoding", "switch architecture.encoding", ".encoding {", "encoding == .", "encoding != ."] {
                    #expect(!code.contains(test), "\(folder)/\(name) asks which architecture it is on: \(test)")
                }
            }
        }
    }
}
