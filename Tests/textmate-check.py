"""Tokenizes vmlab scripts with a TextMate engine (PyPI textmate-grammar-python)
and prints every piece of text that got no scope beyond the file's own: the
grammar must scope every word the language has. Exit status 1 if any."""
import json
import logging
import sys

from textmate_grammar.parsers.base import LanguageParser

logging.disable(logging.WARNING)
grammar = LanguageParser(json.load(open(sys.argv[1], encoding="utf-8")))
problems = 0
for path in sys.argv[2:]:
    element = grammar.parse_string(open(path, encoding="utf-8").read())
    for (line, column), text, scopes in (element.flatten() if element else []):
        if text.strip() and scopes == ["source.vmlab"]:
            problems += 1
            print(f"{path}:{line + 1}:{column + 1}: unscoped {text.strip()!r}")
print(f"{len(sys.argv) - 2} files tokenized, {problems} unscoped")
sys.exit(1 if problems else 0)
