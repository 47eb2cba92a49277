"""Wildcard matchers (`*` any run, `?` one character) compiled once and cached."""

from __future__ import annotations

import re
from functools import lru_cache


@lru_cache(maxsize=16384)
def glob_regex(pattern: str, ignore_case: bool = False) -> re.Pattern[str]:
    """Regex for an IAM wildcard pattern; every other character is literal."""
    out: list[str] = []
    for char in pattern:
        if char == "*":
            out.append(".*")
        elif char == "?":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if ignore_case else 0))


def has_wildcard(text: str) -> bool:
    return "*" in text or "?" in text


def split_arn(value: str) -> list[str] | None:
    """The six ARN fields (`arn`, partition, service, region, account, resource) or None."""
    parts = value.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn":
        return None
    return parts


_WILDCARD = re.compile(r"([*?])")


def arn_field_regex(text: str, within_field: bool = True) -> str:
    """Regex source for one ARN field's wildcards. Within partition..account `*`/`?` never match a colon
    (request fields hold none, so a joined pattern's colons line up with the request's); in the resource
    field (within_field False) they match anything."""
    star, one = ("[^:]*", "[^:]") if within_field else (".*", ".")
    runs = (run for run in _WILDCARD.split(text) if run)
    return "".join(star if run == "*" else one if run == "?" else re.escape(run) for run in runs)

