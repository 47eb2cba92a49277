"""The registry account's stack: every model package group of the spec."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from modelgov.policies.spec import GovernanceSpec
from modelgov.policies.spec.naming import construct_id

from .model_package_group import ModelPackageGroup


class RegistryStack(cdk.Stack):
    """Model package groups in the registry account, with cross-account resource policies from the spec."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        org = spec.organization
        self.groups: dict[str, ModelPackageGroup] = {}
        for group in spec.model_package_groups:
            self.groups[group.name] = ModelPackageGroup(
                self, construct_id(group.name, "Group"),
                model_package_group_name=group.name,
                description=group.description or None,
                tags=group.tags,
                readers=[org.account_id(a) for a in group.readers],
                deployers=[org.account_id(a) for a in group.deployers],
                registrars=[org.account_id(a) for a in group.registrars],
                allow_cross_account_update=group.allow_cross_account_update,
            )
