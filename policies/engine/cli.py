"""`modelgov simulate FILE|-`: one simulation, a JSON array of them, or JSON lines; one JSON line out per case.

Exit 0 when every case was evaluated (cases with input errors included: they print their errors),
2 when the input cannot be read, decoded as UTF-8 or parsed.
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
    """The input as text; raise ValueError naming the file and the place when it is not UTF-8."""
    if name == "-":
        buffer = getattr(sys.stdin, "buffer", None)  # a text-only stdin (a test's StringIO) is text already
        if buffer is None:
            return sys.stdin.read()
        data: bytes = buffer.read()
        shown = "<stdin>"
    else:
        with open(name, "rb") as handle:
            data = handle.read()
        shown = name
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ValueError(f"{shown}:{line}:{col}: not UTF-8 (byte 0x{data[exc.start]:02x}: {exc.reason}); "
                         "save the file as UTF-8 JSON") from None


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
