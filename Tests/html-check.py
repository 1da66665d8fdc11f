"""Parses an HTML report of vmlab with an HTML5 parser (PyPI html5lib) in
strict mode, so any parse error fails, and prints what a report must hold,
a count per line: svg pictures, figures, TLB grids, script elements, and
attributes that would reach the network. With --text STRING (repeatable),
also prints how many times each STRING occurs in the page's text, that is,
after the parser has decoded every character reference."""
import sys

import html5lib

SVG = "{http://www.w3.org/2000/svg}"
path = sys.argv[1]
wanted = []
arguments = sys.argv[2:]
while arguments:
    if arguments[0] == "--text":
        wanted.append(arguments[1])
        arguments = arguments[2:]
    else:
        sys.exit(f"html-check: unknown argument {arguments[0]}")

parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
try:
    document = parser.parse(open(path, "rb"))
except html5lib.html5parser.ParseError as error:
    print(f"parse error: {error}")
    sys.exit(1)

elements = list(document.iter())
external = 0
for element in elements:
    for name, value in element.attrib.items():
        local = name.split("}")[-1]
        if local in ("src", "href", "action") and not value.startswith("#"):
            external += 1
text = "".join(document.itertext())
print(f"svg {sum(1 for e in elements if e.tag == SVG + 'svg')}")
print(f"figure {sum(1 for e in elements if e.tag == 'figure')}")
print(f"tlb-grid {sum(1 for e in elements if e.tag == 'table' and 'tlb-grid' in e.get('class', ''))}")
print(f"script {sum(1 for e in elements if e.tag in ('script', SVG + 'script'))}")
print(f"external {external}")
for string in wanted:
    print(f"text {text.count(string)} {string}")
