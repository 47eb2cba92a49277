"""String operators: StringEquals, StringNotEquals, ...IgnoreCase, StringLike, StringNotLike.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_String
Values compare case-sensitively except the IgnoreCase pair; only the Like pair treats `*` and `?` as
wildcards. The Like predicate is built from the template so substituted variable values stay literal.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

Predicate = Callable[[object], bool]


def request_value(raw: str) -> object | None:
    return raw


@lru_cache(maxsize=16384)
def predicate(base: str, value: str) -> Predicate:
    """The positive comparison (negated operators use the same predicate and invert it)."""
    if base.endswith("IgnoreCase"):
        lowered = value.lower()
        return lambda rv: isinstance(rv, str) and rv.lower() == lowered
    return lambda rv: rv == value


@lru_cache(maxsize=1024)
def predicate_any(base: str, values: tuple[str, ...]) -> Predicate:
    """Whether a request value equals any of `values`: one set lookup however many values a condition lists."""
    if base.endswith("IgnoreCase"):
        lowered = frozenset(v.lower() for v in values)
        return lambda rv: isinstance(rv, str) and rv.lower() in lowered
    exact = frozenset(values)
    return lambda rv: isinstance(rv, str) and rv in exact
