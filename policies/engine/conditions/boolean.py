"""Bool: `true`/`false`, case-insensitive; JSON booleans and policy variables are allowed.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Boolean
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

Predicate = Callable[[object], bool]


def request_value(raw: str) -> object | None:
    return raw.lower()


def _never(rv: object) -> bool:
    return False


@lru_cache(maxsize=64)
def predicate(base: str, value: str) -> Predicate:
    lowered = value.lower()
    if lowered not in {"true", "false"}:
        return _never  # a variable resolved to something other than a boolean matches nothing
    return lambda rv: rv == lowered


def check_literal(value: str) -> None:
    if value.lower() not in {"true", "false"}:
        raise ValueError(f"{value!r} is not a boolean; write true or false")
