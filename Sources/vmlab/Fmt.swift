import ArgumentParser
import Foundation
import VMLanguage

/// `vmlab fmt FILE…` rewrites scripts in the canonical layout, as `gofmt -w`
/// does; `--check` changes nothing and lists the files that would change.
struct Fmt: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Format scripts in the canonical layout (only whitespace changes).",
        discussion: """
            Indentation of four spaces per block, no trailing whitespace, one blank line
            at most, spaces around infix operators and after commas; comments and
            strings are kept as written. A file with a syntax error is left alone.
            Exit status: 0 done (or, with --check, nothing would change), 1 with --check
            some file would change, 2 a file could not be read, parsed or written.
            """
    )

    @ArgumentParser.Argument(help: "Scripts to format in place.")
    var files: [String]

    @Flag(help: "Change nothing; list the files that are not formatted and exit 1 if any.")
    var check = false

    func run() throws {
        var status: Int32 = 0
        for path in files {
            let name = ScriptLoader.displayName(path)
            let text: String
            do {
                text = try ScriptLoader.read(path)
            } catch {
                report("\((error as? ScriptLoader.Failure)?.message ?? "\(error)")")
                status = 2
                continue
            }
            guard let formatted = Formatter.format(text) else {
                // Each error at its FILE:LINE:COLUMN, as vmlab check prints it.
                let file = SourceFile(name: name, text: text)
                for diagnostic in Parser.parse(file, registry: .standard).diagnostics {
                    FileHandle.standardError.write(Data(diagnostic.render().utf8))
                }
                report("\(name) has syntax errors; left as it is")
                status = 2
                continue
            }
            guard formatted != text else { continue }
            if check {
                print("\(name): not formatted")
                status = max(status, 1)
                continue
            }
            if let failure = HostPath(path).writeAtomically(Array(formatted.utf8), mayCreate: false) {
                report("cannot write '\(name)': \(failure)")
                status = 2
            }
        }
        throw ExitCode(status)
    }

    private func report(_ message: String) {
        FileHandle.standardError.write(Data("vmlab fmt: \(message)\n".utf8))
    }
}
