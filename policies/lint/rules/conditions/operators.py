"""Condition operators must be IAM's, spelled as AWS spells them; blocks must map keys to values.

Catalogue: L201 (unknown operator), L202 (malformed Condition block or values). Source:
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html;
seed 000:L2415 (`ForAnyvalue:`), 000:L2438 (`StringEquals:`), 000:L44293 (`String`).
"""

from __future__ import annotations

from collections.abc import Iterator

from modelgov.policies.iam import parse_operator
from modelgov.policies.iam.grammar import OperatorError

from ...document import PolicyDocument
from ..base import Context, Match, is_intrinsic, object_statements
from .common import intended_operator


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        condition = statement.element("Condition")
        if condition is None or is_intrinsic(condition):
            continue
        path = (*statement.path, "Condition")
        if condition.kind != "object":
            yield Match("L202", path, "Condition must be an object of operators",
                        'write "Condition": {"StringEquals": {"key": "value"}}', condition)
            continue
        for op_node, block in condition.pairs:
            name = str(op_node.value)
            try:
                parse_operator(name)
            except OperatorError as err:
                meant = intended_operator(name)
                fix = f"write {meant.name!r}" if meant else "use a documented condition operator"
                yield Match("L201", (*path, name), str(err), fix, op_node, detail=name.replace(":", "_"))
            if is_intrinsic(block):
                continue
            if block.kind != "object":
                yield Match("L202", (*path, name), f"operator {name!r} must map condition keys to values",
                            f'write "{name}": {{"key": "value"}}', block)
                continue
            if not block.pairs:
                yield Match("L202", (*path, name), f"operator {name!r} has no condition keys",
                            "add a key and its values, or remove the operator", block)
            for key_node, values in block.pairs:
                items = values.items if values.kind == "array" else [values]
                if values.kind == "array" and not items:
                    yield Match("L202", (*path, name, str(key_node.value)), "empty list of condition values",
                                "list at least one value", values)
                for item in items:
                    if item.kind in ("object", "array", "null", "invalid") and not is_intrinsic(item):
                        yield Match("L202", (*path, name, str(key_node.value)),
                                    f"condition values must be strings, numbers or booleans, found {item.kind}",
                                    "write the value as a string", item)
