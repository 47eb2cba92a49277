"""Model package group policies that AWS RAM cannot promote, so the group is never discoverable.

Catalogue: L140. Source: seed 000:L3679-3686 ("if the resource policy has a role principal or
"Action": "*" ... the model group is not promotable and discoverable", OperationNotPermittedException).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document import PolicyDocument
from ...nodes import as_list
from ..base import Context, Match, element_items, flatten, object_statements
from .common import principals

GROUP_TYPE = "AWS::SageMaker::ModelPackageGroup"


def is_group_policy(doc: PolicyDocument) -> bool:
    """A model package group policy: the template says so, or a resource policy names group ARNs."""
    if doc.resource_type:
        return doc.resource_type == GROUP_TYPE
    if doc.kind != "resource":
        return False
    for statement in object_statements(doc):
        for node in as_list(statement.element("Resource")):
            flat = flatten(node) or ""
            if ":model-package-group/" in flat or ":model-package/" in flat:
                return True
    return False


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    if not is_group_policy(doc):
        return
    for statement in object_statements(doc):
        if statement.effect != "Allow":
            continue
        for entry in principals(statement):
            if entry.kind == "AWS" and entry.value != "*" and not entry.is_account_root and \
                    entry.value.lower().startswith("arn:"):
                yield Match("L140", entry.path, f"principal {entry.value!r} is not an account: RAM cannot promote "
                                                "a group policy that names a role or user, so the group stays "
                                                "undiscoverable",
                            "grant the account (arn:aws:iam::111122223333:root) and let it delegate to its roles",
                            entry.node)
        for path, node in element_items(statement, "Action"):
            if node.kind == "string" and node.value == "*":
                yield Match("L140", path, "\"Action\": \"*\" makes the group policy unpromotable by RAM, so the "
                                          "group stays undiscoverable",
                            "list the sagemaker actions the consumer needs", node)
