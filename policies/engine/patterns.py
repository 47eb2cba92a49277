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
