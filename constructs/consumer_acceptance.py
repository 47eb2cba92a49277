"""ConsumerAcceptance: in a consumer account outside the organization, accept the registry's RAM invitation
and wait until the shared groups are discoverable (ListModelPackageGroups CrossAccount)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from .ram_promotion import MAX_TIMEOUT, MIN_TIMEOUT, crhelper_function

ACCEPT_ACTIONS = ["ram:GetResourceShareInvitations", "ram:AcceptResourceShareInvitation",
                  "sagemaker:ListModelPackageGroups"]
GROUP_ARN = re.compile(r"^arn:[^:]+:sagemaker:[a-z0-9-]+:(\d{12}):model-package-group/[a-zA-Z0-9-]{1,63}$")


class ConsumerAcceptance(Construct):
    """Accept the pending invitations from `owner_account` and check the groups become discoverable."""

    def __init__(self, scope: Construct, id: str, *, owner_account: str, group_arns: Sequence[str],
                 resource_share_name: str | None = None, timeout: cdk.Duration | None = None) -> None:
        """Create the custom resource (deploy it in the consumer account).

        :param owner_account: the registry account that shares the groups.
        :param group_arns: ARNs of the shared groups that must become discoverable (at least one).
        :param resource_share_name: accept only invitations for this share. Default: every share of the owner.
        :param timeout: how long to wait for the groups to show up, 1-50 minutes. Default: 15 minutes.
        """
        super().__init__(scope, id)
        where = self.node.path
        if not cdk.Token.is_unresolved(owner_account) and not re.fullmatch(r"\d{12}", owner_account):
            raise ValueError(f"{where}: owner_account {owner_account!r} is not a 12-digit account id; pass the "
                             "registry account's id")
        if not group_arns:
            raise ValueError(f"{where}: group_arns is empty; pass the ARNs of the shared groups")
        for arn in group_arns:
            if cdk.Token.is_unresolved(arn):
                continue
            match = GROUP_ARN.match(arn)
            if not match or match.group(1) != owner_account:
                raise ValueError(f"{where}: {arn!r} is not a model package group arn of account {owner_account}; "
                                 "use arn:<partition>:sagemaker:<region>:<owner>:model-package-group/<name>")
        seconds = int((timeout or cdk.Duration.minutes(15)).to_seconds())
        if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
            raise ValueError(f"{where}: timeout is {seconds} seconds; use 60-3000 (CloudFormation waits at most an "
                             "hour for a custom resource)")
        self.function = crhelper_function(
            self, "ModelgovRamConsumer", handler="ram_consumer", function_name="modelgov-ram-consumer",
            statements=[iam.PolicyStatement(actions=ACCEPT_ACTIONS, resources=["*"])],
            reason="invitations arrive with ARNs unknown before the owner shares, and ListModelPackageGroups "
                   "takes no resource; the handler accepts only invitations sent by the owner account")
        properties: dict[str, object] = {"OwnerAccount": owner_account, "ModelPackageGroupArns": list(group_arns),
                                         "TimeoutSeconds": str(seconds)}
        if resource_share_name:
            properties["ResourceShareName"] = resource_share_name
        self.resource = cdk.CustomResource(self, "Resource", service_token=self.function.function_arn,
                                           resource_type="Custom::ModelgovRamConsumer", properties=properties)
