/// The Jupyter kernel's Python, which `vmlab jupyter install` writes into
/// the kernelspec beside kernel.json: ipykernel's Kernel over one
/// `vmlab serve --stdio` session. Kept here, in the binary, so that an
/// installed vmlab can install its kernel with no repository at hand.
enum JupyterKernelSource {
    static let python = #"""
"""vmlab's Jupyter kernel: ipykernel's Kernel over one long-lived
`vmlab serve --stdio` session (one JSON request a line, one reply a line).
Written into the kernelspec by `vmlab jupyter install`; VMLAB in kernel.json's
env names the vmlab that serves it."""
import json
import os
import signal
import subprocess

from ipykernel.kernelbase import Kernel

VMLAB = os.environ.get("VMLAB", "vmlab")


class VMLabKernel(Kernel):
    implementation = "vmlab"
    implementation_version = "0.1.0"
    language = "vmlab"
    language_version = "0.1.0"
    language_info = {
        "name": "vmlab",
        "mimetype": "text/x-vmlab",
        "file_extension": ".vml",
        "pygments_lexer": "text",
        "codemirror_mode": "shell",
    }
    banner = "vmlab: a kernel and an MMU you can watch"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.next_id = 0
        self.server = None
        self.start_server()

    def start_server(self):
        # A session of its own: an interrupt reaches vmlab only through this kernel.
        self.server = subprocess.Popen(
            [VMLAB, "serve", "--stdio"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8", bufsize=1, start_new_session=True)

    def request(self, payload):
        self.next_id += 1
        payload["id"] = self.next_id
        try:
            self.server.stdin.write(json.dumps(payload) + "\n")
            self.server.stdin.flush()
        except BrokenPipeError:
            return self.restarted()
        while True:
            try:
                line = self.server.stdout.readline()
            except KeyboardInterrupt:
                # Jupyter's interrupt: stop the running cell, then read its reply.
                os.kill(self.server.pid, signal.SIGINT)
                continue
            if not line:
                return self.restarted()
            reply = json.loads(line)
            if reply.get("id") == payload["id"]:
                return reply

    def restarted(self):
        self.start_server()
        return {"status": "error", "outputs": [], "error": {
            "message": "the vmlab session ended and was started again", "line": 0, "column": 0, "text": ""}}

    def do_execute(self, code, silent, store_history=True, user_expressions=None, allow_stdin=False, **kwargs):
        reply = self.request({"op": "execute", "code": code})
        failed = reply["status"] != "ok"
        reported = False
        for output in reply.get("outputs", []):
            if silent:
                break
            if output["kind"] == "text":
                self.send_response(self.iopub_socket, "stream", {"name": "stdout", "text": output["text"]})
            elif output["kind"] == "svg":
                self.send_response(self.iopub_socket, "display_data", {
                    "data": {"image/svg+xml": output["svg"], "text/plain": output["text"]}, "metadata": {}})
            elif failed and not reported:
                reported = True  # the cell's error is the error message below
            else:
                self.send_response(self.iopub_socket, "stream", {"name": "stderr", "text": output["text"]})
        if failed:
            error = reply["error"]
            content = {
                "ename": "Interrupted" if reply["status"] == "interrupted" else "VMLabError",
                "evalue": "line %d: %s" % (error["line"], error["message"]),
                "traceback": (error["text"] or error["message"]).rstrip("\n").split("\n"),
            }
            if not silent:
                self.send_response(self.iopub_socket, "error", content)
            return dict(content, status="error", execution_count=self.execution_count)
        return {"status": "ok", "execution_count": self.execution_count, "payload": [], "user_expressions": {}}

    def do_complete(self, code, cursor_pos):
        reply = self.request({"op": "complete", "code": code, "cursor": cursor_pos})
        return {"status": "ok", "matches": reply.get("matches", []), "cursor_start": reply.get("cursor_start", cursor_pos),
                "cursor_end": reply.get("cursor_end", cursor_pos), "metadata": {}}

    def do_inspect(self, code, cursor_pos, detail_level=0, omit_sections=()):
        reply = self.request({"op": "inspect", "code": code, "cursor": cursor_pos})
        found = reply.get("found", False)
        return {"status": "ok", "found": found, "data": {"text/plain": reply.get("text", "")} if found else {},
                "metadata": {}}

    def do_shutdown(self, restart):
        if self.server and self.server.poll() is None:
            self.server.stdin.close()
            try:
                self.server.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.server.kill()
        return {"status": "ok", "restart": restart}


if __name__ == "__main__":
    # Jupyter interrupts with SIGINT: a parent that ignored or blocked it must not stop that.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    from ipykernel.kernelapp import IPKernelApp
    IPKernelApp.launch_instance(kernel_class=VMLabKernel)
"""#
}
