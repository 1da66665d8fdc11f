// swift-tools-version:6.0
// vmlab: a teaching REPL and scripting language that models a kernel and an MMU.
// Layers (dependencies point down only, see README "Architecture"):
//   vmlab (executable) -> VMShell -> VMGrading -> VMLanguage -> VMMachine; VMLanguageServer -> VMLanguage
import PackageDescription

let package = Package(
    name: "vmlab",
    products: [
        .executable(name: "vmlab", targets: ["vmlab"]),
        .executable(name: "vmlab-bench", targets: ["vmlab-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0")
    ],
    targets: [
        // The hardware and kernel model: no I/O, no text, no syntax.
        .target(name: "VMMachine"),
        // Lexer, parser, interpreter, diagnostics and the command registry.
        .target(name: "VMLanguage", dependencies: ["VMMachine"]),
        // Landlock's system calls, which Swift cannot make itself (syscall(2) is variadic).
        .target(name: "CLandlock"),
        // vmlab grade: tests files, the grader, its sandbox and per-submission workers, transcript comparison, reports.
        .target(name: "VMGrading", dependencies: ["VMLanguage", "CLandlock"]),
        // libedit, reached through a shim header; only VMShell imports it.
        .systemLibrary(
            name: "CEditLine",
            pkgConfig: "libedit",
            providers: [.apt(["libedit-dev"])]
        ),
        .target(name: "VMShell", dependencies: ["VMLanguage", "CEditLine"]),
        // vmlab lsp: the Language Server Protocol on stdio, over VMLanguage's editor queries.
        .target(name: "VMLanguageServer", dependencies: ["VMLanguage"]),
        .executableTarget(
            name: "vmlab",
            dependencies: [
                "VMShell", "VMGrading", "VMLanguage", "VMLanguageServer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "vmlab-bench", dependencies: ["VMLanguage", "VMMachine"]),
        // libFuzzer target (scripts/fuzz builds it with -sanitize=fuzzer,address -DFUZZING).
        .executableTarget(name: "vmlab-fuzz", dependencies: ["VMLanguage", "VMLanguageServer"]),
        .testTarget(name: "VMMachineTests", dependencies: ["VMMachine"]),
        .testTarget(name: "VMLanguageTests", dependencies: ["VMLanguage"]),
        .testTarget(name: "VMGradingTests", dependencies: ["VMGrading"]),
        .testTarget(name: "VMLanguageServerTests", dependencies: ["VMLanguageServer"]),
        // Depends on the executable so that `swift test` always builds it before running it.
        .testTarget(name: "VMCLITests", dependencies: ["vmlab"]),
    ]
)
