"""ARN operators: ArnEquals = ArnLike (and the Not pair), matched field by field, case-sensitively.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_ARN
Each of the six colon-delimited fields is matched on its own, so `*` never crosses a colon except inside
the resource field, which holds the rest of the ARN. A request value that is not an ARN matches nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from ..patterns import glob_regex, split_arn

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
