"""RamPromotion: a crhelper custom resource that promotes the RAM shares created from group policies.

Also home of `crhelper_function`, the Lambda both sharing custom resources use: crhelper answers
CloudFormation itself, so the custom resource's ServiceToken is the function (no Provider framework), and
its polling needs events:PutRule/PutTargets and lambda:AddPermission on itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from modelgov.policies.builders.ram_permission import promoted_permission_name

from .handler_code import RUNTIME, handler_code
from .model_package_group import IModelPackageGroup
from .nag import nag_text

PROMOTION_ACTIONS = [
    "ram:GetResourceShareAssociations", "ram:GetResourceShares", "ram:ListResourceSharePermissions",
    "ram:ListPermissions", "ram:PromotePermissionCreatedFromPolicy", "ram:PromoteResourceShareCreatedFromPolicy",
]
# crhelper schedules its own polling: a rule named after the logical id plus a random suffix.
POLLING_ACTIONS = ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"]
MIN_TIMEOUT, MAX_TIMEOUT = 60, 3000


def crhelper_function(scope: Construct, id: str, *, handler: str, function_name: str,
                      statements: Sequence[iam.PolicyStatement], reason: str) -> lambda_.Function:
    """One Lambda per stack for lambdas/<handler>/ with its own role, log group and crhelper permissions.

    `reason` explains the `Resource::*` of `statements` for the cdk-nag acknowledgement.
    """
    stack = cdk.Stack.of(scope)
    existing = stack.node.try_find_child(id)
    if isinstance(existing, lambda_.Function):
        return existing
    log_group = logs.LogGroup(stack, f"{id}Logs", log_group_name=f"/aws/lambda/{function_name}",
                              retention=logs.RetentionDays.ONE_YEAR, removal_policy=cdk.RemovalPolicy.RETAIN)
    role = iam.Role(stack, f"{id}Role", assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
                    description=f"modelgov {handler} custom resource")
    function_arn = stack.format_arn(service="lambda", resource="function", resource_name=function_name,
                                    arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME)
    rules_arn = stack.format_arn(service="events", resource="rule", resource_name="*")
    role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                           resources=[f"{log_group.log_group_arn}"]))
    role.add_to_policy(iam.PolicyStatement(actions=POLLING_ACTIONS, resources=[rules_arn]))
    role.add_to_policy(iam.PolicyStatement(actions=["lambda:AddPermission", "lambda:RemovePermission"],
                                           resources=[function_arn]))
    for statement in statements:
        role.add_to_policy(statement)
    function = lambda_.Function(stack, id, function_name=function_name, runtime=RUNTIME,
                                handler="index.handler", code=handler_code(handler), role=role,
                                timeout=cdk.Duration.minutes(5), memory_size=256, log_group=log_group,
                                description=f"modelgov {handler}: crhelper custom resource")
    policy = role.node.find_child("DefaultPolicy")
    # Fn::GetAtt on the role already orders the function after it; CDK also adds a DependsOn on the role,
    # which cfn-lint reports as obsolete (W3005). Keep only the policy dependency.
    function_cfn, policy_cfn = function.node.default_child, policy.node.default_child
    assert isinstance(function_cfn, cdk.CfnResource) and isinstance(policy_cfn, cdk.CfnResource)
    function_cfn.add_override("DependsOn", [stack.get_logical_id(policy_cfn)])
    acks = [
        cdk.Acknowledgment(id="AwsSolutions-IAM5[Resource::*]", reason=reason),
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(rules_arn))}]",
                           reason="crhelper names its polling rule after the logical id plus a random suffix, so "
                                  "the rule name is not known before the first poll"),
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(log_group.log_group_arn))}]",
                           reason="log streams are created per Lambda instance inside this function's own group"),
    ]
    cdk.Validations.of(policy).acknowledge(*acks)
    cdk.Validations.of(function).acknowledge(cdk.Acknowledgment(
        id="AwsSolutions-L1",
        reason="handler_code.RUNTIME pins Python 3.12 for every modelgov handler and its vendored crhelper"))
    return function


class RamPromotion(Construct):
    """Promote each group's CREATED_FROM_POLICY RAM share (permission, then share) until it is STANDARD.

    A group with a resource policy (readers/deployers/registrars) is accessible to those accounts but not
    discoverable until promoted. Promotion fails with a readable reason when the policy has a role principal
    or `Action: "*"` (OperationNotPermittedException). Deleting the resource leaves the shares promoted.
    """

    def __init__(self, scope: Construct, id: str, *, groups: Sequence[IModelPackageGroup],
                 timeout: cdk.Duration | None = None) -> None:
        """Create one custom resource per group.

        :param groups: the groups whose policy-created shares to promote (at least one).
        :param timeout: how long to wait for STANDARD, 1-50 minutes. Default: 15 minutes.
        """
        super().__init__(scope, id)
        if not groups:
            raise ValueError(f"{self.node.path}: groups is empty; pass the groups whose shares to promote")
        seconds = int((timeout or cdk.Duration.minutes(15)).to_seconds())
        if not MIN_TIMEOUT <= seconds <= MAX_TIMEOUT:
            raise ValueError(f"{self.node.path}: timeout is {seconds} seconds; use 60-3000 (CloudFormation waits "
                             "at most an hour for a custom resource)")
        self.function = crhelper_function(
            self, "ModelgovRamPromotion", handler="ram_promotion", function_name="modelgov-ram-promotion",
            statements=[iam.PolicyStatement(actions=PROMOTION_ACTIONS, resources=["*"])],
            reason="the RAM promotion and listing actions take no resource-level scoping for shares RAM created "
                   "from a policy; the handler only acts on the groups passed as properties")
        self.resources: list[cdk.CustomResource] = []
        for group in groups:
            name = group.model_package_group_name
            resource = cdk.CustomResource(
                self, name if not cdk.Token.is_unresolved(name) else f"Group{len(self.resources)}",
                service_token=self.function.function_arn, resource_type="Custom::ModelgovRamPromotion",
                properties={"ModelPackageGroupArn": group.model_package_group_arn,
                            "PermissionName": promoted_permission_name(name), "TimeoutSeconds": str(seconds)})
            self.resources.append(resource)
