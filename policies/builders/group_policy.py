"""Model package group resource policy: what other accounts may do with a group's versions.

Account-root principals and explicit actions only: a role principal or `Action: "*"` makes the group
impossible to promote in RAM (seed 000 L3679-3686). UpdateModelPackage is never granted unless asked for,
because it lets a consumer set ModelApprovalStatus and ModelLifeCycle (seed-model-registry.md D-30).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .arns import account_root, group_arn, versions_arn

READ_GROUP_ACTIONS = ["sagemaker:DescribeModelPackageGroup"]
READ_VERSION_ACTIONS = ["sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
DEPLOY_ACTIONS = ["sagemaker:CreateModel"]
REGISTER_ACTIONS = ["sagemaker:CreateModelPackage"]
UPDATE_ACTIONS = ["sagemaker:UpdateModelPackage"]
MAX_POLICY_CHARACTERS = 20480  # PutModelPackageGroupPolicy ResourcePolicy limit


def build_group_policy(
    *,
    group: str,
    partition: str,
    region: str,
    owner_account: str,
    readers: Sequence[str] = (),
    deployers: Sequence[str] = (),
    registrars: Sequence[str] = (),
    updaters: Sequence[str] = (),
) -> dict[str, Any] | None:
    """Return the group policy for these consumer account ids, or None when no other account needs one."""

    def others(accounts: Sequence[str]) -> list[str]:
        return sorted({a for a in accounts if a != owner_account})

    consumers = others([*readers, *deployers, *registrars, *updaters])
    if not consumers:
        return None
    group_resource = group_arn(partition, region, owner_account, group)
    versions = versions_arn(partition, region, owner_account, group)

    def principal(accounts: list[str]) -> dict[str, Any]:
        roots = [account_root(partition, a) for a in accounts]
        return {"AWS": roots[0] if len(roots) == 1 else roots}

    statements: list[dict[str, Any]] = [
        {"Sid": "ReadGroup", "Effect": "Allow", "Principal": principal(consumers),
         "Action": READ_GROUP_ACTIONS, "Resource": group_resource},
        {"Sid": "ReadVersions", "Effect": "Allow", "Principal": principal(consumers),
         "Action": READ_VERSION_ACTIONS, "Resource": versions},
    ]
    for sid, accounts, actions in (("DeployVersions", deployers, DEPLOY_ACTIONS),
                                   ("RegisterVersions", registrars, REGISTER_ACTIONS),
                                   ("UpdateVersions", updaters, UPDATE_ACTIONS)):
        if others(accounts):
            statements.append({"Sid": sid, "Effect": "Allow", "Principal": principal(others(accounts)),
                               "Action": actions, "Resource": versions})
    return {"Version": "2012-10-17", "Statement": statements}
