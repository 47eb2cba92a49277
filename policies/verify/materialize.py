"""Turn a policy with unresolved leaves into two clean documents that bracket every possible deployment.

`permissive` keeps Allow statements, widened where a value is unknown, and drops Deny statements that hold
an unknown; `strict` does the opposite. If a request is denied under `permissive`, it is denied whatever
the unknown values turn out to be; if it is allowed under `strict`, it is allowed whatever they are. When
the two disagree the outcome is "cannot prove", so an unknown never helps prove a Deny or a non-Allow.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from modelgov.policies.engine import Prepared
from modelgov.policies.engine.request import Request

from .intrinsics import is_unknown

PERMISSIVE, STRICT = "permissive", "strict"
ALLOWED, UNKNOWN, ERROR = "Allowed", "unknown", "error"


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _widen(statement: dict[str, Any]) -> dict[str, Any] | None:
    """The statement applied to at least every request it could apply to, whatever its unknowns are."""
    out: dict[str, Any] = {}
    for key, value in statement.items():
        if key in ("Action", "Resource"):
            out[key] = "*" if is_unknown(value) else value
        elif key in ("NotAction", "NotResource"):
            kept = [v for v in _as_list(value) if not is_unknown(v)]
            if not kept:  # nothing certainly excluded: applies to every action/resource
                out[key.removeprefix("Not")] = "*"
            else:
                out[key] = kept
        elif key == "Principal":
            out[key] = "*" if is_unknown(value) else value
        elif key == "NotPrincipal":
            if is_unknown(value):
                out["Principal"] = "*"
            else:
                out[key] = value
        elif key == "Condition":
            condition: dict[str, Any] = {}
            for operator, block in (value or {}).items():
                if not isinstance(block, dict):
                    return None
                kept_block = {k: v for k, v in block.items() if not is_unknown(v) and not is_unknown(k)}
                if kept_block:
                    condition[operator] = kept_block
            if condition:
                out[key] = condition
        else:
            out[key] = value
    return out


def materialize(document: dict[str, Any], mode: str, uncertain: str = "") -> dict[str, Any]:
    """A clean document for `mode`; an uncertain policy keeps only the statements that widen the mode's side."""
    statements: list[dict[str, Any]] = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        effect = statement.get("Effect")
        favoured = "Allow" if mode == PERMISSIVE else "Deny"
        if uncertain and effect != favoured:
            continue
        if not is_unknown(statement) and not uncertain:
            statements.append(statement)
        elif effect == favoured:
            widened = _widen(statement)
            if widened is not None:
                statements.append(widened)
        # an unknown-bearing statement on the other side is dropped: it might not apply
    out = {k: v for k, v in document.items() if k != "Statement" and not is_unknown(v)}
    out["Statement"] = statements
    out.setdefault("Version", "2012-10-17")
    return out


def decide_bracketed(prepared: Iterable[Prepared], request: Request) -> tuple[str, str]:
    """(decision, first engine error) of one request under every bracket, permissive first.

    A deny holds when the permissive document denies; Allowed holds when the strict one allows too; anything
    in between depends on the unknowns ("unknown"). An engine error anywhere is "error"."""
    decisions: list[str] = []
    for each in prepared:
        result = each.evaluate_request(request)
        if result.errors:
            return ERROR, str(result.errors[0])
        decisions.append(str(result.decision))
    if len(decisions) == 1 or decisions[0] != ALLOWED:
        return decisions[0], ""
    return (ALLOWED if all(d == ALLOWED for d in decisions) else UNKNOWN), ""
