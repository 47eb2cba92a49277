"""Decision traces: per layer its result, per statement why it did or did not apply, rendered for people.

Kept apart from the core so evaluation stays fast; a trace is built only when someone reads it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conditions import ConditionTrace


@dataclass(frozen=True)
class StatementTrace:
    policy: str
    index: int
    sid: str
    effect: str
    action: bool
    resource: bool
    principal: str | None  # match kind for resource-policy statements, None elsewhere
    conditions: tuple[ConditionTrace, ...]
    applies: bool
    action_detail: str = ""  # the Action/NotAction element as written
    resource_detail: str = ""  # each Resource/NotResource entry with its verdict


@dataclass(frozen=True)
class LayerTrace:
    layer: str  # scp:<orgIdentifier>, rcp:<orgIdentifier>, identity, resource, permissionBoundary, session
    applies: bool
    result: str  # Allowed, ImplicitlyDenied, ExplicitlyDenied or NotApplicable
    note: str
    statements: tuple[StatementTrace, ...]


def _value(value: object) -> str:
    if value is None:
        return "(absent)"
    if isinstance(value, tuple):
        return "[" + ", ".join(value) + "]"
    return repr(value)


def render(decision: str, blocked_by: list[str], errors: list[str], layers: list[LayerTrace]) -> str:
    """A plain-text explanation: decision first, then each layer and statement with its reasons."""
    lines = [f"decision: {decision}"]
    if blocked_by:
        lines.append(f"blocked by: {', '.join(blocked_by)}")
    for error in errors:
        lines.append(f"error: {error}")
    for layer in layers:
        head = f"[{layer.layer}] {layer.result}"
        if layer.note:
            head += f" ({layer.note})"
        lines.append(head)
        for st in layer.statements:
            name = f"{st.policy}#{st.sid or st.index}"
            mark = "applies" if st.applies else "does not apply"
            lines.append(f"  {st.effect} {name}: {mark}")
            checks = [f"action {'matches' if st.action else 'does not match'}"
                      + ("" if st.action else f" ({st.action_detail})"),
                      f"resource {'matches' if st.resource else 'does not match'}"
                      + ("" if st.resource else f" ({st.resource_detail})")]
            if st.principal is not None:
                checks.append(f"principal {st.principal}")
            lines.append("    " + "; ".join(checks))
            for c in st.conditions:
                verdict = "true" if c.matched else "false"
                lines.append(f"    {c.operator} {c.key}: request {_value(c.request_value)} vs "
                             f"{list(c.policy_values)} -> {verdict} ({c.reason})")
    return "\n".join(lines)
