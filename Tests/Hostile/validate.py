"""Checks the reports of one hostile-corpus run: every JSON file parses,
every XML file parses, no file holds a raw control character a student's
output could have smuggled in (ESC, NUL, BEL, C1), and no file or output
holds a canary. Prints one line per problem and exits 1 if there was any."""
import json
import os
import sys
import xml.etree.ElementTree as ElementTree

folder, canaries = sys.argv[1], sys.argv[2:]
problems = []
for name in sorted(os.listdir(folder)):
    path = os.path.join(folder, name)
    data = open(path, "rb").read()
    text = data.decode("utf-8", errors="replace")
    for canary in canaries:
        if canary in text:
            problems.append(f"{name}: holds the canary {canary}")
    for byte in (0x00, 0x07, 0x1B):
        if bytes([byte]) in data:
            problems.append(f"{name}: holds the raw byte 0x{byte:02x}")
    if "\u0085" in text or "\u009b" in text:
        problems.append(f"{name}: holds a raw C1 control character")
    try:
        if name.endswith(".json"):
            report = json.loads(text)
            if not isinstance(report.get("score"), (int, float)) or not isinstance(report.get("tests"), list):
                problems.append(f"{name}: not a Gradescope results object")
        elif name.endswith(".xml"):
            root = ElementTree.fromstring(data)
            suites = root.findall("testsuite")
            if root.tag != "testsuites" or len(suites) != 1:
                problems.append(f"{name}: not one testsuite in testsuites")
            for suite in suites:
                cases = suite.findall("testcase")
                if int(suite.get("tests")) != len(cases):
                    problems.append(f"{name}: tests={suite.get('tests')} but {len(cases)} testcases")
                for kind in ("failure", "error", "skipped"):
                    count = sum(1 for case in cases if case.find(kind) is not None)
                    attribute = "failures" if kind == "failure" else ("errors" if kind == "error" else "skipped")
                    if int(suite.get(attribute)) != count:
                        problems.append(f"{name}: {attribute}={suite.get(attribute)} but {count} <{kind}>")
    except Exception as error:  # any parse error is the report's fault
        problems.append(f"{name}: does not parse: {error}")
for problem in problems:
    print(problem)
sys.exit(1 if problems else 0)
