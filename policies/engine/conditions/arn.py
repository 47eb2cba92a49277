"""ARN operators: ArnEquals = ArnLike (and the Not pair), matched field by field, case-sensitively.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
Each of the six colon-delimited fields is matched on its own, so `*` never crosses a colon except inside
the resource field, which holds the rest of the ARN. A request value that is not an ARN matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import lru_cache

from ..patterns import arn_field_regex, glob_regex, has_wildcard, split_arn

Predicate = Callable[[object], bool]


def request_value(raw: str) -> object | None:
    return split_arn(raw)


@lru_cache(maxsize=8192)
def predicate(base: str, value: str) -> Predicate:
    parts = split_arn(value)
    if parts is None:
        raise ValueError(f"{value!r} is not an ARN pattern; write arn:partition:service:region:account:resource")
    regexes = [glob_regex(p) for p in parts]

    def matches(rv: object) -> bool:
        if not isinstance(rv, list):
            return False
        return all(regex.fullmatch(field) is not None for regex, field in zip(regexes, rv, strict=True))
    return matches


@lru_cache(maxsize=1024)
def predicate_any(base: str, values: tuple[str, ...]) -> Predicate:
    """Whether a request ARN matches any of `values`: one set lookup for the literal ARNs and one regex for the
    patterns, so a condition listing hundreds of approver roles costs the same as one listing two.

    Field-by-field matching is kept: in the joined pattern the first five fields cannot consume a colon, so
    its five literal colons meet the request's first five, as when the fields are matched one by one.
    """
    exact: set[tuple[str, ...]] = set()
    patterns: list[str] = []
    for value in values:
        parts = split_arn(value)
        if parts is None:
            raise ValueError(f"{value!r} is not an ARN pattern; write arn:partition:service:region:account:resource")
        if has_wildcard(value):
            patterns.append(":".join(arn_field_regex(p, within_field=i < 5) for i, p in enumerate(parts)))
        else:
            exact.add(tuple(parts))
    regex = re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL) if patterns else None

    def matches(rv: object) -> bool:
        if not isinstance(rv, list):
            return False
        if tuple(rv) in exact:
            return True
        return regex is not None and regex.fullmatch(":".join(rv)) is not None
    return matches
