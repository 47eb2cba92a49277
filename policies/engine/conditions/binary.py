"""BinaryEquals: compares the bytes of base64 values (no variables).

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_BinaryEquals
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from functools import lru_cache

Predicate = Callable[[object], bool]


def _decode(raw: str) -> bytes | None:
    try:
        return base64.b64decode(raw, validate=True)
    except (binascii.Error, ValueError):
        return None


def request_value(raw: str) -> object | None:
    return _decode(raw)


@lru_cache(maxsize=1024)
def predicate(base: str, value: str) -> Predicate:
    decoded = _decode(value)
    if decoded is None:
        raise ValueError(f"{value!r} is not base64; write the base64 encoding of the bytes")
    return lambda rv: rv == decoded
