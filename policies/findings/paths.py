"""JSON paths as people read them: ('Statement', 2, 'Condition') -> Statement[2].Condition."""

from __future__ import annotations

from collections.abc import Sequence


def format_path(parts: Sequence[str | int]) -> str:
    """Render ('personas', 2, 'transitions', 0, 'to') as personas[2].transitions[0].to."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out
