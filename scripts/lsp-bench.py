#!/usr/bin/env python3
"""Times `vmlab lsp` as an editor sees it (run by scripts/bench): start-up to
the initialize reply, and for a 2,000-line script, an edit (didChange) to its
diagnostics. Prints the median of each over repeated runs, in milliseconds.
Usage: lsp-bench.py VMLAB"""
import json, statistics, subprocess, sys, time

VMLAB = sys.argv[1]


def frame(obj):
    body = json.dumps(obj).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode().partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length))


def until(stream, test):
    while True:
        message = read_message(stream)
        if test(message):
            return message


def start():
    began = time.perf_counter()
    server = subprocess.Popen([VMLAB, "lsp"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
    server.stdin.flush()
    until(server.stdout, lambda m: m.get("id") == 1)
    return server, (time.perf_counter() - began) * 1000


def stop(server):
    server.stdin.write(frame({"jsonrpc": "2.0", "id": 9, "method": "shutdown"}))
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "exit"}))
    server.stdin.close()
    server.wait()


# A lesson-shaped script of 2,000 lines: functions, loops, commands.
lines = ["spawn A", "map A 0x400000 size=64K rw", "switch A"]
while len(lines) + 7 <= 2000:
    n = len(lines)
    lines += [f"def f{n}(x) {{", f"    let y = x * {n} + 1", "    if y > 10 { return y - 1 }", "    return y", "}",
              f"for i in 0..<4 {{ write 0x400000 + i * 4K f{n}(i) }}", f"print hex(f{n}(3))"]
lines += ["print 1"] * (2000 - len(lines))
text = "\n".join(lines) + "\n"
uri = "file:///tmp/bench.vml"

startups = []
for _ in range(15):
    server, elapsed = start()
    startups.append(elapsed)
    stop(server)

server, _ = start()
server.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didOpen",
                          "params": {"textDocument": {"uri": uri, "languageId": "vml", "version": 1, "text": text}}}))
server.stdin.flush()
until(server.stdout, lambda m: m.get("method") == "textDocument/publishDiagnostics")
edits = []
for version in range(2, 32):
    # Alternate an edit that breaks a name and one that fixes it.
    edited = text.replace("print hex(f3(3))", "print hex(g3(3))", 1) if version % 2 else text
    began = time.perf_counter()
    server.stdin.write(frame({"jsonrpc": "2.0", "method": "textDocument/didChange",
                              "params": {"textDocument": {"uri": uri, "version": version},
                                         "contentChanges": [{"text": edited}]}}))
    server.stdin.flush()
    message = until(server.stdout, lambda m: m.get("method") == "textDocument/publishDiagnostics")
    edits.append((time.perf_counter() - began) * 1000)
    expected = 1 if version % 2 else 0
    if len(message["params"]["diagnostics"]) != expected:
        sys.exit(f"lsp-bench: edit {version} gave {message['params']['diagnostics']}")
stop(server)
print(f"vmlab lsp start-up to the initialize reply: {statistics.median(startups):.1f} ms median (target < 20 ms)")
print(f"vmlab lsp diagnostics of a 2,000-line script after an edit: {statistics.median(edits):.1f} ms median "
      f"(target < 20 ms)")
