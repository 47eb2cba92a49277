"""`{"violations": [...], "matrices": {...}, "trust": {...}, "unknowns": [...]}` plus ok, personas and stats."""

from __future__ import annotations

import json

from ..result import VerifyResult


def render_json(result: VerifyResult) -> str:
    return json.dumps(result.to_dict(), indent=1, sort_keys=False) + "\n"
