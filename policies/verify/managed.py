"""AWS managed policies shipped as data (policies/data/managed_policies/*.json), text taken from the seeds.

An ARN of an AWS managed policy we do not ship is never treated as empty: the caller gets None and the
proof marks everything that policy could allow as "cannot prove".
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

AWS_MANAGED_PREFIX = ":iam::aws:policy/"


@lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, Any]]:
    folder = resources.files("modelgov.policies") / "data" / "managed_policies"
    out: dict[str, dict[str, Any]] = {}
    for item in folder.iterdir():
        if item.name.endswith(".json"):
            data = json.loads(item.read_text(encoding="utf-8"))
            out[data["name"]] = data
    return out


def is_aws_managed(arn: str) -> bool:
    return arn.startswith("arn:") and AWS_MANAGED_PREFIX in arn


def managed_policy(arn: str) -> dict[str, Any] | None:
    """{name, version, source, document} for a shipped AWS managed policy ARN (any partition), else None."""
    if not is_aws_managed(arn):
        return None
    name = arn.split(AWS_MANAGED_PREFIX, 1)[1].rsplit("/", 1)[-1]
    return _shipped().get(name)


def shipped_names() -> list[str]:
    return sorted(_shipped())
