#!/usr/bin/env python3
"""The vmlab Jupyter kernel as Jupyter runs it (JupyterKernelTests runs this;
scripts/test installs ipykernel and nbclient from PyPI). Installs the
kernelspec with `vmlab jupyter install` into a temporary Jupyter path, then:
executes the example notebooks headless with nbclient (every cell runs, each
notebook draws an SVG, and still holds its lesson's code line for line); runs
a cell with an error (reported with its line); and through jupyter_client
completes, inspects, interrupts a loop, restarts, and times a `read` cell.
Prints one line per check and `ok` last; exits 1 on the first failure.
Usage: run-notebooks.py VMLAB"""
import os, pathlib, shutil, statistics, subprocess, sys, tempfile, time

VMLAB = os.path.abspath(sys.argv[1])
ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
work = tempfile.mkdtemp(prefix="vmlab-jupyter-")
# Everything Jupyter writes (kernelspecs, connection files, config) stays in the temporary folder.
for variable, folder in [("JUPYTER_DATA_DIR", "data"), ("JUPYTER_RUNTIME_DIR", "runtime"),
                         ("JUPYTER_CONFIG_DIR", "config"), ("IPYTHONDIR", "ipython")]:
    os.environ[variable] = os.path.join(work, folder)
os.environ["JUPYTER_PATH"] = os.path.join(work, "prefix", "share", "jupyter")
os.environ["JUPYTER_PLATFORM_DIRS"] = "1"

import nbformat  # noqa: E402  (after the environment is set)
from jupyter_client.manager import KernelManager  # noqa: E402
from nbclient import NotebookClient  # noqa: E402


def check(condition, what):
    if not condition:
        print("FAILED:", what)
        sys.exit(1)
    print("passed:", what)


subprocess.run([VMLAB, "jupyter", "install", "--prefix", os.path.join(work, "prefix"),
                "--python", sys.executable], check=True, stdout=subprocess.DEVNULL)

for name in ["01-one-page-table-per-process", "22-kernel-designs-side-by-side"]:
    notebook = nbformat.read(ROOT / "Examples" / "notebooks" / (name + ".ipynb"), as_version=4)
    NotebookClient(notebook, kernel_name="vmlab", timeout=120, resources={"metadata": {"path": str(ROOT)}}).execute()
    cells = [cell for cell in notebook.cells if cell.cell_type == "code"]
    check(all(cell.execution_count for cell in cells), f"{name}: every code cell ran")
    errors = [output for cell in cells for output in cell.outputs if output.output_type == "error"]
    check(not errors, f"{name}: no cell failed {errors[:1]}")
    svgs = [output for cell in cells for output in cell.outputs
            if output.output_type == "display_data" and "image/svg+xml" in output.data]
    check(svgs and all(output.data["image/svg+xml"].startswith("<svg") for output in svgs), f"{name}: draws {len(svgs)} SVG")
    text = "".join(output.get("text", "") for cell in cells for output in cell.outputs if output.output_type == "stream")
    golden = (ROOT / "Examples" / (name + ".out")).read_text()
    first = golden.split("\n")[0]
    check(first in text, f"{name}: prints what the lesson prints ({first!r})")
    lesson = [line for line in (ROOT / "Examples" / (name + ".vml")).read_text().split("\n")
              if line.strip() and not line.lstrip().startswith("#")]
    code = [line for cell in cells for line in cell.source.split("\n") if line.strip() and not line.lstrip().startswith("#")]
    check(code[:len(lesson)] == lesson, f"{name}: holds its lesson's code line for line (scripts/notebooks)")

broken = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("spawn A"),
                                         nbformat.v4.new_code_cell("print 1\nread nope")])
NotebookClient(broken, kernel_name="vmlab", timeout=60, allow_errors=True).execute()
error = [output for output in broken.cells[1].outputs if output.output_type == "error"]
check(len(error) == 1 and error[0].ename == "VMLabError" and error[0].evalue == "line 2: 'nope' is not defined",
      f"an error cell reports its line: {error[0].evalue if error else None}")

manager = KernelManager(kernel_name="vmlab")
manager.start_kernel()
client = manager.client()
client.start_channels()
client.wait_for_ready(timeout=60)


def reply_to(message_id, timeout=60):
    """The shell reply to one request (a late kernel_info_reply may come first)."""
    while True:
        message = client.get_shell_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") == message_id:
            return message["content"]


def run(code, timeout=60):
    """The reply and the messages a cell sent."""
    message_id = client.execute(code)
    outputs = []
    while True:
        message = client.get_iopub_msg(timeout=timeout)
        if message["parent_header"].get("msg_id") != message_id:
            continue
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
        outputs.append(message)
    return reply_to(message_id, timeout), outputs


def stdout(outputs):
    return "".join(m["content"]["text"] for m in outputs if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


reply = reply_to(client.complete("sw", 2))
check(reply["matches"] == ["switch"] and reply["cursor_start"] == 0, f"completion: {reply['matches']}")
reply = reply_to(client.inspect("read 0x400000", 8))
check(reply["found"] and "PML4 0, PDPT 0, PD 2, PT 0" in reply["data"]["text/plain"], "inspection shows the address's fields")

run("let x = 41\nspawn A\nmap A 0x400000 rw\nswitch A")
message_id = client.execute("while true { x = x }")
# Interrupt once the cell is running: the kernel is busy with it, and vmlab has had a moment to start it.
while True:
    message = client.get_iopub_msg(timeout=60)
    if (message["parent_header"].get("msg_id") == message_id and message["msg_type"] == "status"
            and message["content"]["execution_state"] == "busy"):
        break
time.sleep(1.5)
manager.interrupt_kernel()
reply = reply_to(message_id)
check(reply["status"] == "error" and reply["ename"] == "Interrupted", f"interrupt stops a loop: {reply.get('ename')} {reply.get('evalue')}")
_, outputs = run("print x + 1")
check(stdout(outputs) == "42\n", "the session goes on after the interrupt")

latencies = []
for _ in range(20):
    began = time.perf_counter()
    run("read 0x400000")
    latencies.append((time.perf_counter() - began) * 1000)
median = statistics.median(latencies)
print(f"a cell of read 0x400000: {median:.1f} ms median round trip (target < 10 ms)")

manager.restart_kernel(now=True)
client.wait_for_ready(timeout=60)
reply, outputs = run("print x")
check(reply["status"] == "error", "restart gives a fresh session (x is gone)")
_, outputs = run("print cpu.process")
check(stdout(outputs) == "nothing\n", f"restart gives a fresh machine (no process on the cpu): {stdout(outputs)!r}")
client.stop_channels()
manager.shutdown_kernel(now=True)
shutil.rmtree(work, ignore_errors=True)
print("ok")
