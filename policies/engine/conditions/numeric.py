"""Numeric operators: integers or decimals, no policy variables, no exponents or trailing text.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Numeric
Strict decimal parsing: `"12abc"` and `"1e3"` are not numbers (iam-simulate's parseInt accepts them).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from decimal import Decimal
from functools import lru_cache

Predicate = Callable[[object], bool]
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$")

COMPARISONS: dict[str, Callable[[Decimal, Decimal], bool]] = {
    "Equals": operator.eq, "NotEquals": operator.eq, "LessThan": operator.lt, "LessThanEquals": operator.le,
    "GreaterThan": operator.gt, "GreaterThanEquals": operator.ge,
}


def parse(raw: str) -> Decimal | None:
    return Decimal(raw) if _NUMBER.match(raw) else None


def request_value(raw: str) -> object | None:
    return parse(raw)


@lru_cache(maxsize=4096)
def predicate(base: str, value: str) -> Predicate:
    number = parse(value)
    if number is None:
        raise ValueError(f"{value!r} is not a number; write an integer or decimal such as 10 or 2.5")
    compare = COMPARISONS[base[len("Numeric"):]]
    return lambda rv: isinstance(rv, Decimal) and compare(rv, number)
