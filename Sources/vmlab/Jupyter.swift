import ArgumentParser
import Foundation

struct Jupyter: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Set vmlab up as a Jupyter kernel.",
        subcommands: [Install.self]
    )

    struct Install: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the vmlab kernelspec (kernel.json and the kernel's Python).",
            discussion: """
                The kernel runs on Python with ipykernel (pip install ipykernel) and drives this vmlab \
                through vmlab serve --stdio. Without --user or --prefix it installs for every user \
                (/usr/local/share/jupyter/kernels/vmlab, as jupyter kernelspec install does).
                """
        )

        @Flag(help: "Install for this user only ($JUPYTER_DATA_DIR, else ~/.local/share/jupyter).")
        var user = false

        @Option(help: "Install under PREFIX/share/jupyter (a virtual environment's prefix, or a test's folder).")
        var prefix: String?

        @Option(help: "The Python that runs the kernel.")
        var python = "python3"

        func validate() throws {
            if user && prefix != nil { throw ValidationError("--user and --prefix choose different places: give one") }
        }

        func run() throws {
            let environment = ProcessInfo.processInfo.environment
            let data: URL
            if let prefix {
                data = URL(fileURLWithPath: prefix).appendingPathComponent("share/jupyter")
            } else if user {
                data = environment["JUPYTER_DATA_DIR"].map { URL(fileURLWithPath: $0) }
                    ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".local/share/jupyter")
            } else {
                data = URL(fileURLWithPath: "/usr/local/share/jupyter")
            }
            let folder = data.appendingPathComponent("kernels/vmlab")
            let script = folder.appendingPathComponent("vmlab_kernel.py")
            let spec: [String: Any] = [
                "argv": [python, script.path, "-f", "{connection_file}"],
                "display_name": "vmlab",
                "language": "vmlab",
                "interrupt_mode": "signal",
                "env": ["VMLAB": Self.executablePath()],
            ]
            do {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                try Data(JupyterKernelSource.python.utf8).write(to: script, options: .atomic)
                let json = try JSONSerialization.data(withJSONObject: spec, options: [.prettyPrinted, .sortedKeys])
                try (json + Data("\n".utf8)).write(to: folder.appendingPathComponent("kernel.json"), options: .atomic)
            } catch {
                FileHandle.standardError.write(Data("vmlab: cannot install the kernel in \(folder.path): \(error.localizedDescription)\n".utf8))
                throw ExitCode(2)
            }
            print("installed the vmlab kernel in \(folder.path)")
        }

        /// This vmlab, by its absolute path: the kernel must start the same one.
        static func executablePath() -> String {
            if let resolved = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return resolved }
            return URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path
        }
    }
}
