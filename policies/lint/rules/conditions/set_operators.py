"""Set operators (`ForAnyValue:`, `ForAllValues:`) belong to multivalued keys, and only there.

Catalogue: L220 (set operator on a single-valued key), L221 (multivalued key without a set operator).
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-single-vs-multi-valued-context-keys.html;
seed 000:L2415 (ForAnyvalue on sagemaker:ModelLifeCycle:stage).
"""

from __future__ import annotations

from collections.abc import Iterator

from modelgov.policies.iam import condition_key_type

from ...document import PolicyDocument
from ..base import Context, Match, condition_entries, object_statements
from .common import intended_operator


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        for entry in condition_entries(statement):
            operator = intended_operator(entry.operator)
            key_type = condition_key_type(entry.key)
            if operator is None or key_type is None or operator.family == "Null":
                continue
            plain = operator.name.split(":", 1)[-1]
            if operator.qualifier and not key_type.multi_valued:
                risk = (" and ForAllValues is true when the key is absent, which makes an Allow overly permissive"
                        if operator.qualifier == "ForAllValues" else "")
                yield Match("L220", entry.path, f"{operator.qualifier} on {entry.key!r}, a single-valued key "
                                                f"({key_type.name}){risk}",
                            f"write {plain!r}", entry.operator_node, detail=entry.key.replace(":", "_"))
            elif not operator.qualifier and key_type.multi_valued:
                yield Match("L221", entry.path, f"{entry.key!r} is multivalued ({key_type.name}) but "
                                                f"{operator.name!r} has no set operator",
                            f"write 'ForAnyValue:{plain}' (any value matches) or 'ForAllValues:{plain}' "
                            "(every value matches)", entry.key_node)
