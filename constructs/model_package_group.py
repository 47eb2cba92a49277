"""ModelPackageGroup: an L2-style construct for AWS::SageMaker::ModelPackageGroup.

Wiring only: the resource policy comes from modelgov.policies.builders.group_policy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Protocol, runtime_checkable

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_sagemaker as sagemaker
from constructs import Construct

from modelgov.policies.builders.group_policy import (
    DEPLOY_ACTIONS,
    MAX_POLICY_CHARACTERS,
    READ_GROUP_ACTIONS,
    READ_VERSION_ACTIONS,
    REGISTER_ACTIONS,
    UPDATE_ACTIONS,
    build_group_policy,
)
from modelgov.policies.spec.semantics import CONSTRUCT_TAGS, MAX_TAGS

NAME_PATTERN = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
MAX_DESCRIPTION = 1024
GROUP_TAG = CONSTRUCT_TAGS[0]


@runtime_checkable
class IModelPackageGroup(Protocol):
    """A model package group, owned by this app or imported."""

    @property
    def model_package_group_name(self) -> str: ...

    @property
    def model_package_group_arn(self) -> str: ...

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant: ...

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant: ...

    def grant_register(self, grantee: iam.IGrantable) -> iam.Grant: ...

    def grant_deploy(self, grantee: iam.IGrantable) -> iam.Grant: ...

    def grant_approve(self, grantee: iam.IGrantable) -> iam.Grant: ...


class _ModelPackageGroupBase(cdk.Resource):
    """Everything that needs only the group's name and environment: ARNs and grants."""

    _name: str

    @property
    def model_package_group_name(self) -> str:
        return self._name

    @property
    def model_package_group_arn(self) -> str:
        return self._format_arn("model-package-group", self._name)

    @property
    def model_package_versions_arn(self) -> str:
        """ARN pattern of every version: model-package/<group>/*."""
        return self._format_arn("model-package", f"{self._name}/*")

    def _format_arn(self, resource: str, name: str) -> str:
        # self.env is the owning stack's environment, or the imported ARN's account and region.
        return cdk.Stack.of(self).format_arn(service="sagemaker", resource=resource, resource_name=name,
                                             account=self.env.account, region=self.env.region)

    def grant(self, grantee: iam.IGrantable, *actions: str) -> iam.Grant:
        """Grant `actions` on the group and all its versions."""
        return iam.Grant.add_to_principal(grantee=grantee, actions=list(actions),
                                          resource_arns=[self.model_package_group_arn,
                                                         self.model_package_versions_arn])

    def grant_read(self, grantee: iam.IGrantable) -> iam.Grant:
        """sagemaker:DescribeModelPackageGroup, DescribeModelPackage, ListModelPackages. No approval rights."""
        return self.grant(grantee, *READ_GROUP_ACTIONS, *READ_VERSION_ACTIONS)

    def grant_register(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read, plus sagemaker:CreateModelPackage (register new versions)."""
        return self.grant(grantee, *READ_GROUP_ACTIONS, *READ_VERSION_ACTIONS, *REGISTER_ACTIONS)

    def grant_deploy(self, grantee: iam.IGrantable) -> iam.Grant:
        """Read, plus sagemaker:CreateModel from a version. No approval or lifecycle rights."""
        return self.grant(grantee, *READ_GROUP_ACTIONS, *READ_VERSION_ACTIONS, *DEPLOY_ACTIONS)

    def grant_approve(self, grantee: iam.IGrantable) -> iam.Grant:
        """sagemaker:UpdateModelPackage: sets ModelApprovalStatus and ModelLifeCycle, so it is its own grant.

        Scope it further with the lifecycle persona policies (PersonaRoles) rather than granting it raw.
        """
        return self.grant(grantee, *READ_GROUP_ACTIONS, *READ_VERSION_ACTIONS, *UPDATE_ACTIONS)


class _ImportedModelPackageGroup(_ModelPackageGroupBase):
    def __init__(self, scope: Construct, id: str, name: str, *, arn: str | None = None) -> None:
        super().__init__(scope, id, environment_from_arn=arn)
        self._name = name


class ModelPackageGroup(_ModelPackageGroupBase):
    """A model package group with a partition-safe cross-account resource policy and RETAIN by default.

    Create-only properties: the name and the description cannot change in place. CloudFormation must
    replace the group, and it refuses to replace a custom-named resource, so such an update fails. Change
    them by creating a new group (new name) and migrating versions.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        model_package_group_name: str,
        description: str | None = None,
        tags: Mapping[str, str] | None = None,
        readers: Sequence[str] = (),
        deployers: Sequence[str] = (),
        registrars: Sequence[str] = (),
        allow_cross_account_update: bool = False,
        removal_policy: cdk.RemovalPolicy = cdk.RemovalPolicy.RETAIN,
    ) -> None:
        """Create the group.

        :param model_package_group_name: 1-63 letters, digits and hyphens (create-only).
        :param description: up to 1,024 characters (create-only). Default: no description.
        :param tags: tags for the group; modelgov adds `modelgov:group`, and SageMaker allows 50 in all.
            Default: only the modelgov tag.
        :param readers: account ids that may describe and list versions. Default: none.
        :param deployers: account ids that may also create models from versions. Default: none.
        :param registrars: account ids that may also register versions. Default: none.
        :param allow_cross_account_update: also grant the consumer accounts sagemaker:UpdateModelPackage,
            which lets them approve models and change lifecycle stages. Default: false (never granted).
        :param removal_policy: what happens to the group when it leaves the stack. Default: RETAIN, since a
            group holds every registered version and its approval history.
        """
        super().__init__(scope, id, physical_name=model_package_group_name)
        _validate(model_package_group_name, description, tags or {}, readers, deployers, registrars)
        self._name = model_package_group_name
        stack = cdk.Stack.of(self)
        policy = build_group_policy(
            group=model_package_group_name, partition=cdk.Aws.PARTITION, region=stack.region,
            owner_account=stack.account, readers=readers, deployers=deployers, registrars=registrars,
            updaters=[*readers, *deployers, *registrars] if allow_cross_account_update else [])
        if policy is not None and not cdk.Token.is_unresolved(stack.account):
            size = len(json.dumps(policy, separators=(",", ":")))
            if size > MAX_POLICY_CHARACTERS:
                raise ValueError(f"model package group {model_package_group_name!r}: resource policy is {size} "
                                 f"characters, the limit is {MAX_POLICY_CHARACTERS}; grant fewer accounts per "
                                 "group or share through RAM to an organizational unit instead")
        if allow_cross_account_update:
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C001",
                f"consumer accounts of {model_package_group_name!r} may call sagemaker:UpdateModelPackage and "
                "so approve models and change lifecycle stages; remove allow_cross_account_update unless intended")
        all_tags = {GROUP_TAG: model_package_group_name, **dict(tags or {})}
        self.resource = sagemaker.CfnModelPackageGroup(
            self, "Resource",
            model_package_group_name=model_package_group_name,
            model_package_group_description=description,
            model_package_group_policy=policy,
            tags=[cdk.CfnTag(key=k, value=v) for k, v in sorted(all_tags.items())],
        )
        self.resource.apply_removal_policy(removal_policy)

    @staticmethod
    def from_model_package_group_name(scope: Construct, id: str, name: str) -> IModelPackageGroup:
        """Import a group of this stack's account and region by name."""
        if not cdk.Token.is_unresolved(name) and not NAME_PATTERN.match(name):
            raise ValueError(f"invalid model package group name {name!r}: use 1-63 letters, digits and hyphens")
        return _ImportedModelPackageGroup(scope, id, name)

    @staticmethod
    def from_model_package_group_arn(scope: Construct, id: str, arn: str) -> IModelPackageGroup:
        """Import a group by ARN (arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>)."""
        if cdk.Token.is_unresolved(arn):
            raise ValueError("from_model_package_group_arn needs a literal ARN; use from_model_package_group_name "
                             "for a group of this stack")
        parts = cdk.Arn.split(arn, cdk.ArnFormat.SLASH_RESOURCE_NAME)
        if parts.service != "sagemaker" or parts.resource != "model-package-group" or not parts.resource_name:
            raise ValueError(f"{arn!r} is not a model package group ARN: expected "
                             "arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>")
        return _ImportedModelPackageGroup(scope, id, parts.resource_name, arn=arn)


def _validate(name: str, description: str | None, tags: Mapping[str, str], *accounts: Sequence[str]) -> None:
    if not cdk.Token.is_unresolved(name) and not NAME_PATTERN.match(name):
        raise ValueError(f"invalid model package group name {name!r}: use 1-63 letters, digits and hyphens, "
                         "starting and ending with a letter or digit (no underscores or spaces)")
    if description is not None and not cdk.Token.is_unresolved(description) and len(description) > MAX_DESCRIPTION:
        raise ValueError(f"model package group {name!r}: description is {len(description)} characters, "
                         f"the limit is {MAX_DESCRIPTION}; shorten it")
    for key in tags:
        if key in CONSTRUCT_TAGS or key.lower().startswith("aws:"):
            raise ValueError(f"model package group {name!r}: tag key {key!r} is reserved (aws: prefix, or set by "
                             "modelgov itself); choose another key")
    count = len({*tags, *CONSTRUCT_TAGS})
    if count > MAX_TAGS:
        raise ValueError(f"model package group {name!r}: {count} tags including {', '.join(CONSTRUCT_TAGS)}, "
                         f"SageMaker allows {MAX_TAGS}; remove {count - MAX_TAGS}")
    for group in accounts:
        for account in group:
            if not cdk.Token.is_unresolved(account) and not re.fullmatch(r"\d{12}", account):
                raise ValueError(f"model package group {name!r}: account id {account!r} is not 12 digits; "
                                 "use the consumer account's 12-digit id")
