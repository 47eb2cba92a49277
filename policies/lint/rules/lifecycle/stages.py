"""Lifecycle and approval values in conditions must be ones the registry can hold.

Catalogue: L301 (stage not in the spec's lifecycle catalog), L302 (status not in the catalog), L303
(ModelApprovalStatus that is not Approved, Rejected or PendingManualApproval). L301/L302 need --spec.
Source: seed 000:L2240-2263 (stage table) and 000:L2317, 000:L2354 (`Staging`); botocore ModelApprovalStatus.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from ...document import PolicyDocument
from ..base import Context, Match, condition_entries, object_statements
from ..conditions.common import intended_operator

STAGE_KEYS = {"sagemaker:modellifecycle:stage", "sagemaker:currentmodellifecyclestage"}
STATUS_KEYS = {"sagemaker:modellifecycle:stagestatus", "sagemaker:currentmodellifecyclestagestatus"}
APPROVAL_KEYS = {"sagemaker:modelapprovalstatus"}
# The SageMaker API's ModelApprovalStatus enum (botocore). The spec models hold the same tuple; a test keeps
# them equal, and importing the spec here would add its pydantic models (~0.3 s) to every lint run.
APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")


def _known(value: str, allowed: list[str], like: bool, ignore_case: bool) -> bool:
    if like and any(c in value for c in "*?"):
        return any(fnmatch.fnmatchcase(a.lower() if ignore_case else a, value.lower() if ignore_case else value)
                   for a in allowed)
    if ignore_case:
        return value.lower() in {a.lower() for a in allowed}
    return value in allowed


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        for entry in condition_entries(statement):
            key = entry.key.lower()
            operator = intended_operator(entry.operator)
            if operator is None or operator.family != "String":
                continue
            if key in STAGE_KEYS and ctx.spec is not None:
                code, allowed, what = "L301", list(ctx.spec.lifecycle.stages), "stage"
            elif key in STATUS_KEYS and ctx.spec is not None:
                code, allowed, what = "L302", list(ctx.spec.lifecycle.statuses), "stage status"
            elif key in APPROVAL_KEYS:
                code, allowed, what = "L303", list(APPROVAL_STATUSES), "approval status"
            else:
                continue
            for index, node in enumerate(entry.value_nodes()):
                if node.kind != "string" or "${" in str(node.value):
                    continue
                value = str(node.value)
                if _known(value, allowed, operator.like, operator.ignore_case):
                    continue
                near = [a for a in allowed if a.lower() == value.lower()]
                hint = f"write {near[0]!r} (values compare case-sensitively)" if near else (
                    f"use one of {', '.join(allowed)}" + (" or add it to lifecycle in the spec"
                                                          if code != "L303" else ""))
                path = (*entry.path, index) if entry.values.kind == "array" else entry.path
                yield Match(code, path, f"{what} {value!r} is not in the catalog ({', '.join(allowed)})",
                            hint, node, detail=value)
