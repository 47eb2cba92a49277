"""Date operators: W3C ISO 8601 dates or epoch seconds, compared in one unit (seconds).

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Date
and .../reference_policies_condition-keys.html#condition-keys-epochtime (aws:EpochTime takes seconds since
1970). iam-simulate compares epoch seconds with ISO milliseconds (deviation D3); we convert both.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from functools import lru_cache

Predicate = Callable[[object], bool]
# W3C profile (https://www.w3.org/TR/NOTE-datetime): YYYY[-MM[-DD[Thh:mm[:ss[.s+]]TZD]]]
_W3C = re.compile(
    r"^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$")
_EPOCH = re.compile(r"^-?\d+$")

COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    "Equals": operator.eq, "NotEquals": operator.eq, "LessThan": operator.lt, "LessThanEquals": operator.le,
    "GreaterThan": operator.gt, "GreaterThanEquals": operator.ge,
}


@lru_cache(maxsize=8192)
def parse(raw: str) -> float | None:
    """Seconds since the epoch, or None when the text is neither epoch seconds nor a W3C date."""
    if _EPOCH.match(raw):
        return float(int(raw))
    match = _W3C.match(raw)
    if not match:
        return None
    year, month, day, hour, minute, second, fraction, tzd = match.groups()
    try:
        tz = UTC
        if tzd and tzd != "Z":
            sign = 1 if tzd[0] == "+" else -1
            tz = timezone(sign * timedelta(hours=int(tzd[1:3]), minutes=int(tzd[4:6])))
        moment = datetime(int(year), int(month or 1), int(day or 1), int(hour or 0), int(minute or 0),
                          int(second or 0), tzinfo=tz)
    except ValueError:
        return None
    return moment.timestamp() + (float(fraction) if fraction else 0.0)


def request_value(raw: str) -> object | None:
    return parse(raw)


@lru_cache(maxsize=4096)
def predicate(base: str, value: str) -> Predicate:
    moment = parse(value)
    if moment is None:
        raise ValueError(f"{value!r} is not a date; write ISO 8601 such as 2026-01-31T00:00:00Z or epoch seconds")
    compare = COMPARISONS[base[len("Date"):]]
    return lambda rv: isinstance(rv, float) and compare(rv, moment)
