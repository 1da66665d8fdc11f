import ArgumentParser
import VMLanguageServer

struct LSP: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lsp",
        abstract: "Serve the Language Server Protocol on stdin and stdout, for editors.",
        discussion: """
            Diagnostics as vmlab check reports them, completion, hover, go to definition, \
            formatting as vmlab fmt does it, and document symbols, for .vml files. An editor \
            starts it; Editors/vscode holds the VS Code package. Exit status 0 after the \
            client's shutdown and exit, 1 if input ends first.
            """
    )

    func run() throws {
        throw ExitCode(LanguageServer.serveStandardStreams())
    }
}
