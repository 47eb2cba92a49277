"""When two groups or two principals cannot be told apart by any statement, so they may share decisions.

Groups: every applicable statement's Resource/NotResource covers both version ARNs or neither.
Principals: every aws:PrincipalArn comparison and every resource-policy Principal gives both the same
answer (values of one condition block are ORed, so one answer per block decides).
"""

from __future__ import annotations

import json
from typing import Any

from . import domain


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def resource_bits(docs: list[dict[str, Any]], action: str, arn: str) -> tuple[bool | str, ...]:
    """Whether each applicable statement's Resource/NotResource covers the ARN; the ARN itself when a policy
    variable decides that (the group then shares its class with no other)."""
    bits: list[bool | str] = []
    for doc in docs:
        for statement in _as_list(doc.get("Statement")):
            if not isinstance(statement, dict) or not domain.action_matches(statement, action):
                continue
            if "${" in json.dumps([statement.get("Resource"), statement.get("NotResource")]):
                bits.append(arn)
                continue
            if "Resource" in statement:
                bits.append(any(isinstance(r, str) and domain._glob(r, arn) for r in _as_list(statement["Resource"])))
            elif "NotResource" in statement:
                bits.append(not any(isinstance(r, str) and domain._glob(r, arn)
                                    for r in _as_list(statement["NotResource"])))
            else:
                bits.append(True)
    return tuple(bits)


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike: the five colon-separated fields and the resource part match separately."""
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return domain._glob(pattern, arn)
    return all(domain._glob(x, y) for x, y in zip(p, a, strict=True))


def principal_tests(document: dict[str, Any], arn: str) -> list[bool]:
    """The answers a document gives about one principal ARN: aws:PrincipalArn comparisons and Principal values."""
    out: list[bool] = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if not isinstance(block, dict):
                continue
            base = domain.split_operator(str(operator))[1]
            for key, values in block.items():
                if str(key).lower() != "aws:principalarn":
                    continue
                texts = [str(v) for v in _as_list(values)]
                # values are ORed (negated operators negate the same OR), so one answer per block decides
                if base.startswith("Arn"):
                    out.append(any(_arn_like(t, arn) for t in texts))
                elif "IgnoreCase" in base:
                    out.append(any(t.lower() == arn.lower() for t in texts))
                elif "Like" in base:
                    out.append(any(domain._glob(t, arn) for t in texts))
                elif base.startswith("String"):
                    out.append(arn in texts)
                else:
                    out.append(False)
                    out += [t == arn for t in texts]  # an operator we do not model: no merging by value
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            values = principal.get("AWS") if isinstance(principal, dict) else principal
            out.append(any(isinstance(v, str) and (v == "*" or _arn_like(v, arn)) for v in _as_list(values)))
    return out
