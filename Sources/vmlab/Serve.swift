import ArgumentParser
import VMLanguageServer

struct Serve: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run one session for another program: one JSON request a line on stdin, one reply a line on stdout.",
        discussion: """
            The machine-readable mode the Jupyter kernel drives (see the README's "In a notebook"). \
            Requests: {"id": N, "op": "execute", "code": "…"}, and complete, inspect (with "cursor") and reset. \
            Replies carry the cell's text, its pictures as SVG, and its first error with line and column. \
            SIGINT stops a running cell and the session goes on.
            """
    )

    @Flag(help: "Serve on standard input and output (the only transport).")
    var stdio = false

    func validate() throws {
        guard stdio else { throw ValidationError("vmlab serve needs --stdio") }
    }

    func run() throws {
        throw ExitCode(NotebookServer.serveStandardStreams())
    }
}
