"""Condition values must fit their operator, and the operator must fit the key's type.

Catalogue: L225 (`Bool` in a Deny on a key that may be absent: use BoolIfExists), L230 (a value the
operator cannot read), L231 (operator family does not fit the key type). Source: IAM condition operator
reference; seed 000:L10404 (`Bool` on sagemaker:InterContainerTrafficEncryption).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

from modelgov.policies.iam import condition_key_type

from ...document import PolicyDocument
from ..base import Context, Match, condition_entries, object_statements
from .common import intended_operator

# Bool keys that every request carries, so plain Bool never silently skips them.
ALWAYS_PRESENT = {"aws:securetransport", "aws:viaawsservice", "aws:principalisawsservice"}
FITS: dict[str, set[str]] = {
    "String": {"String"}, "ARN": {"Arn", "String"}, "Numeric": {"Numeric"}, "Date": {"Date", "Numeric"},
    "Bool": {"Bool"}, "IPAddress": {"IpAddress"}, "Binary": {"Binary"},
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$")


def _readable(family: str, value: object) -> bool:
    text = str(value).strip() if not isinstance(value, bool) else str(value).lower()
    if family == "Bool":
        return text.lower() in ("true", "false")
    if family == "Numeric":
        try:
            float(text)
        except ValueError:
            return False
        return True
    if family == "Date":
        return bool(_DATE.match(text)) or text.isdigit()
    if family == "IpAddress":
        try:
            ipaddress.ip_network(text, strict=False)
        except ValueError:
            return False
        return True
    return True


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        for entry in condition_entries(statement):
            operator = intended_operator(entry.operator)
            if operator is None or operator.family == "Null":
                continue
            for node in entry.value_nodes():
                if node.kind in ("string", "number", "bool") and "${" not in str(node.value) \
                        and not _readable(operator.family, node.value):
                    yield Match("L230", entry.path, f"{operator.name} cannot read the value {node.value!r}",
                                f"write a {operator.family.lower()} value", node)
            key_type = condition_key_type(entry.key)
            if key_type is not None and operator.family not in FITS.get(key_type.base, {operator.family}):
                yield Match("L231", entry.path, f"{operator.name} compares {operator.family.lower()} values but "
                                                f"{entry.key!r} is of type {key_type.name}",
                            f"use a {key_type.base} operator", entry.operator_node)
            falses = [n for n in entry.value_nodes() if str(n.value).lower() == "false"]
            if (operator.base == "Bool" and not operator.if_exists and statement.effect == "Deny" and falses
                    and entry.key.lower() not in ALWAYS_PRESENT):
                yield Match("L225", entry.path, f"Bool false on {entry.key!r} does not match a request that "
                                                "leaves the key out, so this Deny lets such requests through",
                            "use BoolIfExists (deny when the key is false or absent), or add a Null test",
                            entry.operator_node)
