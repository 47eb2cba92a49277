"""RegistryShare: an AWS::RAM::ResourceShare of model package groups, with an optional validated permission.

Wiring only: the permission template and its validation come from modelgov.policies.builders.ram_permission.
A share made this way is STANDARD from the start, so the groups are discoverable once consumers see it; the
shares RAM creates from group resource policies need RamPromotion instead.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import aws_cdk as cdk
from aws_cdk import aws_ram as ram
from constructs import Construct

from modelgov.policies.builders.ram_permission import (
    RESOURCE_TYPE,
    build_permission_template,
    permission_name,
    validate_permission_template,
)
from modelgov.policies.findings import catalogue

from .model_package_group import IModelPackageGroup

ACCOUNT = re.compile(r"^\d{12}$")
OU_ID = re.compile(r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
SHARE_NAME = re.compile(r"^[\w .-]{1,255}$")


class RamPermission:
    """Which RAM permission the share attaches for sagemaker:ModelPackageGroup.

    `RamPermission.default()`: RAM's default permission for the resource type (no PermissionArns).
    `RamPermission.from_arn(arn)`: an existing AWS- or customer-managed permission.
    `RamPermission.customer_managed(name_prefix, actions)`: a new AWS::RAM::Permission whose template is
    validated (actions exist, apply to model package groups or their versions, no wildcards).
    """

    def __init__(self, *, arn: str | None = None, name_prefix: str | None = None,
                 actions: Sequence[str] = ()) -> None:
        self.arn = arn
        self.name_prefix = name_prefix
        self.actions = tuple(actions)

    @staticmethod
    def default() -> RamPermission:
        return RamPermission()

    @staticmethod
    def from_arn(arn: str) -> RamPermission:
        if not cdk.Token.is_unresolved(arn) and not re.match(r"^arn:aws[a-z-]*:ram::(aws|\d{12}):permission/", arn):
            raise ValueError(f"{arn!r} is not a RAM permission arn: expected "
                             "arn:<partition>:ram::<aws or account>:permission/<name>")
        return RamPermission(arn=arn)

    @staticmethod
    def customer_managed(name_prefix: str, actions: Sequence[str]) -> RamPermission:
        return RamPermission(name_prefix=name_prefix, actions=actions)


class RegistryShare(Construct):
    """Share model package groups with accounts, OUs or the organization through AWS RAM."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        resource_share_name: str,
        groups: Sequence[IModelPackageGroup],
        accounts: Sequence[str] = (),
        organizational_units: Sequence[str] = (),
        share_with_organization: bool = False,
        organization_id: str | None = None,
        management_account: str | None = None,
        allow_external_principals: bool = False,
        permission: RamPermission | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the share.

        :param resource_share_name: the share's name (renaming updates it in place).
        :param groups: the model package groups to share (at least one).
        :param accounts: 12-digit account ids to share with. Default: none.
        :param organizational_units: OU ids (ou-...) to share with; needs organization_id and
            management_account to form the OU ARNs. Default: none.
        :param share_with_organization: share with the whole organization. Default: false.
        :param organization_id: the organization (o-...). Default: none; required for OUs or the organization.
        :param management_account: the organization's management account, part of organization ARNs.
            Default: none; required for OUs or the organization.
        :param allow_external_principals: let accounts outside the organization receive the share (they get an
            invitation). Default: false; true adds the warning modelgov:C210.
        :param permission: the RAM permission to attach. Default: RAM's default permission for
            sagemaker:ModelPackageGroup.
        :param tags: tags on the share. Default: none.
        """
        super().__init__(scope, id)
        where = self.node.path
        if not groups:
            raise ValueError(f"{where}: groups is empty; pass at least one model package group to share")
        if not cdk.Token.is_unresolved(resource_share_name) and not SHARE_NAME.match(resource_share_name):
            raise ValueError(f"{where}: resource_share_name {resource_share_name!r} must be 1-255 letters, digits, "
                             "spaces, '_', '.' or '-'; rename it")
        bad = [a for a in accounts if not cdk.Token.is_unresolved(a) and not ACCOUNT.match(a)]
        if bad:
            raise ValueError(f"{where}: account ids {bad} are not 12 digits; use the consumer accounts' ids")
        bad = [o for o in organizational_units if not cdk.Token.is_unresolved(o) and not OU_ID.match(o)]
        if bad:
            raise ValueError(f"{where}: organizational units {bad} are not OU ids (ou-xxxx-yyyyyyyy); copy the ids "
                             "from the organizations console")
        if not (accounts or organizational_units or share_with_organization):
            raise ValueError(f"{where}: the share has no principal; pass accounts, organizational_units or "
                             "share_with_organization=True")
        partition = cdk.Aws.PARTITION
        principals = list(accounts)
        if organizational_units or share_with_organization:
            if not organization_id or not management_account:
                raise ValueError(f"{where}: sharing with OUs or the organization needs organization_id and "
                                 "management_account to form their ARNs; pass both")
            if not ORG_ID.match(organization_id) or not ACCOUNT.match(management_account):
                raise ValueError(f"{where}: organization_id {organization_id!r} or management_account "
                                 f"{management_account!r} is malformed; use o-... and a 12-digit id")
            base = f"arn:{partition}:organizations::{management_account}"
            if share_with_organization:
                principals.append(f"{base}:organization/{organization_id}")
            principals += [f"{base}:ou/{organization_id}/{ou}" for ou in organizational_units]
        if allow_external_principals:
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C210",
                f"{catalogue()['C210'].title}: {resource_share_name!r} can reach accounts outside the organization; "
                "set allow_external_principals to false unless a partner account must see these groups")
        permission = permission or RamPermission.default()
        permission_arns: list[str] | None = None
        self.permission: ram.CfnPermission | None = None
        if permission.arn:
            permission_arns = [permission.arn]
        elif permission.name_prefix:
            self.permission = self._customer_permission(permission)
            permission_arns = [self.permission.attr_arn]
        self.resource = ram.CfnResourceShare(
            self, "Resource", name=resource_share_name, allow_external_principals=allow_external_principals,
            principals=principals, resource_arns=[g.model_package_group_arn for g in groups],
            permission_arns=permission_arns,
            tags=[cdk.CfnTag(key=k, value=v) for k, v in sorted((tags or {}).items())] or None)
        self.principals = principals

    @property
    def resource_share_arn(self) -> str:
        return self.resource.attr_arn

    def _customer_permission(self, permission: RamPermission) -> ram.CfnPermission:
        template = build_permission_template(permission.actions)
        findings = validate_permission_template(template, path=f"{self.node.path}.permission")
        entries = catalogue()
        errors = [f for f in findings if entries[f.code].severity == "error"]
        if errors:
            raise ValueError(f"{self.node.path}: invalid RAM permission: "
                             + "; ".join(f"{f.code} {f.message}" for f in errors))
        for warning in findings:
            cdk.Annotations.of(self).add_warning_v2(f"modelgov:{warning.code}", warning.message)
        assert permission.name_prefix is not None
        try:
            name = permission_name(permission.name_prefix, template)
        except ValueError as error:
            raise ValueError(f"{self.node.path}: {error}") from None
        # Every property is create-only; the content hash in the name lets a changed template replace it.
        return ram.CfnPermission(self, "Permission", name=name, policy_template=template,
                                 resource_type=RESOURCE_TYPE)
