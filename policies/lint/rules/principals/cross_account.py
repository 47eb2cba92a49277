"""Resource policies that hand other accounts more than they need.

Catalogue: L130 (every action of a service, or any principal without a condition), L131 (another
account may change model versions: approve, stage or delete them). Source: seed 000:L2977-3099
(`ecr:*`, `s3:*` and `sagemaker:UpdateModelPackage` granted to the consuming account) and
000:L2652-2660 (approval changes trigger deployment).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator

from ...document import PolicyDocument
from ..base import Context, Match, element_items, object_statements
from .common import foreign, principals, resource_accounts

# Actions that change a model version's approval, lifecycle or existence, or who may do so.
MODEL_WRITE = {
    "sagemaker:updatemodelpackage": "could approve models and move them through lifecycle stages",
    "sagemaker:deletemodelpackage": "could delete model versions",
    "sagemaker:deletemodelpackagegroup": "could delete the model package group",
    "sagemaker:putmodelpackagegrouppolicy": "could rewrite who may use the group",
    "sagemaker:deletemodelpackagegrouppolicy": "could remove the group's policy",
}


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    if doc.kind not in ("resource",):
        return
    for statement in object_statements(doc):
        if statement.effect != "Allow":
            continue
        own = resource_accounts(statement) | ({doc.account} if doc.account else set())
        others = [p for p in principals(statement) if foreign(p, own)]
        if not others:
            continue
        who = ", ".join(sorted({p.value for p in others}))
        if any(p.everyone for p in others) and statement.element("Condition") is None:
            star = next(p for p in others if p.everyone)
            yield Match("L130", star.path, "Principal \"*\" without a condition lets any AWS account in",
                        "name the accounts, or add a condition such as aws:PrincipalOrgID", star.node)
        for index_path, action_node in element_items(statement, "Action"):
            if action_node.kind != "string":
                continue
            action = str(action_node.value)
            lowered = action.lower()
            if action == "*" or lowered.endswith(":*"):
                yield Match("L130", index_path, f"{action!r} grants every action to another account ({who})",
                            "list only the read actions the consumer needs (e.g. ecr:BatchGetImage, "
                            "s3:GetObject, sagemaker:DescribeModelPackage)", action_node, detail=action)
            for write, consequence in MODEL_WRITE.items():
                if fnmatch.fnmatchcase(write, lowered):
                    yield Match("L131", index_path, f"{action!r} lets another account ({who}) change model "
                                                    f"versions: it {consequence}",
                                "grant consumers only DescribeModelPackage, ListModelPackages and CreateModel; "
                                "keep approval and policy changes in the owning account", action_node,
                                detail=write.split(":")[1])
                    break
