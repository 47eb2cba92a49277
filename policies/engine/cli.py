"""`modelgov simulate FILE|-`: one simulation, a JSON array of them, or JSON lines; one JSON line out per case.

Exit 0 when every case was evaluated (cases with input errors included: they print their errors),
2 when the input cannot be read or parsed.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from .prepared import simulate


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE|-", help="simulation JSON (object, array or JSON lines); - for stdin")
    parser.add_argument("--explain", action="store_true", help="print each decision's trace for people")


def _read(name: str) -> str:
    if name == "-":
        return sys.stdin.read()
    with open(name, encoding="utf-8") as handle:
        return handle.read()


def parse_cases(text: str, name: str) -> list[Any]:
    """A JSON object, a JSON array, or JSON lines; raise ValueError naming the file, line and fix."""
    stripped = text.strip()
    if not stripped:
        raise ValueError(f"{name}: the input is empty; give a simulation object, an array of them or JSON lines")
    try:
        data = json.loads(stripped)
    except json.JSONDecodeError as whole:
        cases: list[Any] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                cases.append(json.loads(line))
            except json.JSONDecodeError as exc:
                bad = whole if number == 1 and whole.lineno > 1 else exc
                line_no = whole.lineno if bad is whole else number
                raise ValueError(f"{name}:{line_no}:{bad.colno}: invalid JSON ({bad.msg.lower()}); fix the JSON "
                                 "or give one simulation object per line") from None
        return cases
    return data if isinstance(data, list) else [data]


def run(args: argparse.Namespace) -> int:
    name = "<stdin>" if args.file == "-" else args.file
    try:
        cases = parse_cases(_read(args.file), name)
    except OSError as exc:
        print(f"modelgov simulate: {name}: cannot read ({exc.strerror or exc}); check the path", file=sys.stderr)
        return 2
    except ValueError as exc:
        print(f"modelgov simulate: {exc}", file=sys.stderr)
        return 2
    for index, case in enumerate(cases):
        result = simulate(case)
        if args.explain:
            print(f"# case {index}")
            print(result.explain())
        else:
            print(json.dumps(result.to_dict(), separators=(",", ":")))
    return 0
