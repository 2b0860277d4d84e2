#!/usr/bin/env python3
"""Parses every .st file under a folder with blark (an IEC 61131-3 parser this project did not
write) and prints, as JSON, the VAR_INPUT / VAR_OUTPUT declarations of each FUNCTION_BLOCK:

    {"files": 31, "function_blocks": {"Scale": [{"scope": "VAR_INPUT", "name": "wReg0",
      "type": "WORD", "initial": "16#0000"}, ...]}, "programs": ["rx380_main"]}

A file that does not parse ends the run: "<file>:<line>: <blark's message>" on stderr, exit 1.
"""
import json
import pathlib
import sys

from blark import parse_source_code
from blark.summary import CodeSummary


def main(folder: str) -> int:
    result = {"files": 0, "function_blocks": {}, "programs": [], "functions": []}
    for path in sorted(pathlib.Path(folder).rglob("*.st")):
        parsed = parse_source_code(path.read_text(encoding="utf-8"), fn=str(path))
        error = getattr(parsed, "exception", None)
        if error is not None:
            message = str(error).splitlines()[0]
            print(f"{path}:{getattr(error, 'line', '?')}: {message}", file=sys.stderr)
            return 1
        result["files"] += 1
        summary = CodeSummary.from_parse_results(parsed)
        for name, fb in summary.function_blocks.items():
            result["function_blocks"][name] = [
                {"scope": decl.block, "name": decl.name, "type": str(decl.type),
                 "initial": None if decl.value is None or str(decl.value) == "None" else str(decl.value)}
                for decl in fb.declarations.values() if decl.block in ("VAR_INPUT", "VAR_OUTPUT")
            ]
        result["programs"] += list(summary.programs)
        result["functions"] += list(summary.functions)
    json.dump(result, sys.stdout, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "st-reference"))
