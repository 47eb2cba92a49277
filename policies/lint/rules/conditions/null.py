"""The `Null` operator: values, keys that are never present, and several keys AND-ed in one block.

Catalogue: L210 (Deny with `Null: true` on a key the request never carries: it denies every request),
L211 (the same in an Allow: the test restricts nothing), L212 (several keys in one `Null` block of a
Deny are AND-ed: it denies only when all are missing), L213 (a `Null` value other than true/false).
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html#Conditions_Null
and reference_policies_condition-logic-multiple-context-keys-or-values.html; seed 000:L10364-10423.
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document import PolicyDocument
from ..base import Context, Match, condition_entries, object_statements
from .common import key_applies, key_known, statement_actions


def _truth(value: object) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        actions = statement_actions(statement)
        blocks: dict[int, list[str]] = {}
        for entry in condition_entries(statement):
            if entry.operator != "Null":
                continue
            values = entry.value_nodes()
            truths = [_truth(v.value) for v in values]
            for node, truth in zip(values, truths, strict=True):
                if truth is None:
                    yield Match("L213", entry.path, f"Null takes \"true\" or \"false\", found {node.to_python()!r}",
                                '"true" tests that the key is missing, "false" that it is present', node)
            if truths != [True]:
                continue
            blocks.setdefault(id(entry.block), []).append(entry.key)
            never = not key_known(entry.key) or (actions is not None
                                                            and not key_applies(entry.key, actions))
            if never and "${" not in entry.key:
                if statement.effect == "Deny":
                    yield Match("L210", entry.path, f"Null: true on {entry.key!r}, which the request never "
                                                    "carries for these actions: the test always holds, so this "
                                                    "Deny denies every request it covers",
                                "test a key the service reference lists for these actions, or drop the statement "
                                "until a live test shows the key is set", entry.key_node)
                elif statement.effect == "Allow":
                    yield Match("L211", entry.path, f"Null: true on {entry.key!r}, which the request never "
                                                    "carries: the test always holds and restricts nothing",
                                "test a key the service reference lists for these actions", entry.key_node)
        if statement.effect != "Deny":
            continue
        for entry in condition_entries(statement):
            keys = blocks.get(id(entry.block), [])
            if entry.operator == "Null" and len(keys) > 1 and entry.key == keys[0]:
                yield Match("L212", (*statement.path, "Condition", "Null"),
                            f"{len(keys)} keys in one Null block are AND-ed: the Deny applies only when all of "
                            f"{', '.join(keys)} are missing, not when any one is",
                            "write one Deny statement per key, each with its own Null test", entry.operator_node)
