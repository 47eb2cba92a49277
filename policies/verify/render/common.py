"""Shared wording for the renderers: one line per counterexample and per decisive statement."""

from __future__ import annotations

import json
from typing import Any

from ..result import Violation


def counterexample(request: dict[str, Any]) -> str:
    context = json.dumps(request.get("contextVariables", {}), sort_keys=True)
    resource = request.get("resource", {}).get("resource", "")
    return f"principal={request.get('principal')} action={request.get('action')} resource={resource} context={context}"


def decisive(entry: dict[str, Any]) -> str:
    sid = f" Sid {entry['sid']}" if entry.get("sid") else f" statement {entry.get('statement_index', '?')}"
    where = ""
    if entry.get("template"):
        line = f":{entry['line']}" if entry.get("line") else ""
        where = f" ({entry['template']}{line} {entry.get('logical_id', '')})".rstrip(") ") + ")"
    return f"{entry.get('layer', '?')} {entry.get('effect', '')} in {entry.get('policy', '?')}{sid}{where}"


def location(violation: Violation) -> str:
    source = violation.source
    if source.file:
        return f"{source.file}:{source.line}" if source.line else source.file
    return "governance.yaml"
