"""RegistryShare, RamPromotion and ConsumerAcceptance: template assertions, validation and cdk-nag."""

from __future__ import annotations

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk.assertions import Annotations, Match, Template

from modelgov.constructs.consumer_acceptance import ConsumerAcceptance
from modelgov.constructs.model_package_group import ModelPackageGroup
from modelgov.constructs.ram_promotion import PROMOTION_ACTIONS, RamPromotion
from modelgov.constructs.registry_share import RamPermission, RegistryShare

ENV = cdk.Environment(account="222222222222", region="us-east-1")
READ = ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage", "sagemaker:ListModelPackages"]
ORG = {"organization_id": "o-a1b2c3d4e5", "management_account": "111111111111"}


def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Sharing", env=ENV)


def groups(scope: cdk.Stack) -> list:
    return [ModelPackageGroup.from_model_package_group_name(scope, name, name)
            for name in ("churn-prediction", "fraud-detection")]


def share(scope: cdk.Stack | None = None, **kwargs) -> tuple[cdk.Stack, RegistryShare]:
    scope = scope or stack()
    props = {"resource_share_name": "registry-to-workloads", "groups": groups(scope), "accounts": ["333333333333"],
             **kwargs}
    return scope, RegistryShare(scope, "Share", **props)


def test_share_lists_the_group_arns_and_accounts_and_stays_inside_the_organization() -> None:
    scope, _ = share()
    Template.from_stack(scope).has_resource_properties("AWS::RAM::ResourceShare", {
        "Name": "registry-to-workloads", "AllowExternalPrincipals": False, "Principals": ["333333333333"],
        "ResourceArns": [
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                               ":sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"]]},
            {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                               ":sagemaker:us-east-1:222222222222:model-package-group/fraud-detection"]]}]})


def test_default_permission_leaves_permission_arns_to_ram() -> None:
    scope, _ = share()
    template = Template.from_stack(scope)
    template.has_resource_properties("AWS::RAM::ResourceShare", {"PermissionArns": Match.absent()})
    template.resource_count_is("AWS::RAM::Permission", 0)


def test_organizational_units_and_organization_become_partition_safe_arns() -> None:
    scope, _ = share(accounts=[], organizational_units=["ou-a1b2-mlwork01"], share_with_organization=True, **ORG)
    Template.from_stack(scope).has_resource_properties("AWS::RAM::ResourceShare", {"Principals": [
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                           ":organizations::111111111111:organization/o-a1b2c3d4e5"]]},
        {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                           ":organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-mlwork01"]]}]})


def test_customer_managed_permission_is_validated_hashed_and_attached() -> None:
    scope, created = share(permission=RamPermission.customer_managed("registry-read", READ))
    template = Template.from_stack(scope)
    template.has_resource_properties("AWS::RAM::Permission", {
        "Name": Match.string_like_regexp(r"^registry-read-[0-9a-f]{7}$"), "ResourceType": "sagemaker:ModelPackageGroup",
        "PolicyTemplate": {"Effect": "Allow", "Action": sorted(READ)}})
    assert created.permission is not None
    template.has_resource_properties("AWS::RAM::ResourceShare", {
        "PermissionArns": [{"Fn::GetAtt": [scope.get_logical_id(created.permission), "Arn"]}]})


def test_permission_from_arn_is_passed_through() -> None:
    arn = "arn:aws:ram::aws:permission/AWSRAMPermissionSageMakerModelPackageGroupAllowDeploy"
    scope, _ = share(permission=RamPermission.from_arn(arn))
    Template.from_stack(scope).has_resource_properties("AWS::RAM::ResourceShare", {"PermissionArns": [arn]})


def test_external_principals_warn_c210() -> None:
    scope, _ = share(allow_external_principals=True)
    Template.from_stack(scope).has_resource_properties("AWS::RAM::ResourceShare", {"AllowExternalPrincipals": True})
    warnings = Annotations.from_stack(scope).find_warning("*", Match.string_like_regexp("accounts outside the org"))
    assert len(warnings) == 1 and "modelgov:C210" in str(warnings[0].entry.data)


def test_sensitive_action_in_permission_warns_c205() -> None:
    scope, _ = share(permission=RamPermission.customer_managed("approvers", [*READ, "sagemaker:UpdateModelPackage"]))
    warnings = Annotations.from_stack(scope).find_warning("*", Match.string_like_regexp("UpdateModelPackage"))
    assert len(warnings) == 1 and "modelgov:C205" in str(warnings[0].entry.data)


def test_fails_permission_with_an_action_outside_model_package_groups() -> None:
    with pytest.raises(ValueError, match=r"invalid RAM permission: C203 action sagemaker:CreateEndpoint applies to "
                                         r"endpoint, endpoint-config"):
        share(permission=RamPermission.customer_managed("deploy", [*READ, "sagemaker:CreateEndpoint"]))


def test_fails_permission_with_a_wildcard() -> None:
    with pytest.raises(ValueError, match=r"C204 action 'sagemaker:\*' is a wildcard"):
        share(permission=RamPermission.customer_managed("all", ["sagemaker:*"]))


def test_fails_share_without_principal() -> None:
    with pytest.raises(ValueError, match=r"the share has no principal; pass accounts"):
        share(accounts=[])


def test_fails_ou_without_organization() -> None:
    with pytest.raises(ValueError, match=r"needs organization_id and management_account"):
        share(accounts=[], organizational_units=["ou-a1b2-mlwork01"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"accounts": ["3333"]}, r"account ids \['3333'\] are not 12 digits"),
    ({"organizational_units": ["ml-workloads"], **ORG}, r"are not OU ids"),
    ({"resource_share_name": "bad/name"}, r"resource_share_name 'bad/name' must be"),
    ({"groups": []}, r"groups is empty"),
])
def test_fails_malformed_props(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        share(**kwargs)


def test_fails_permission_arn_of_another_service() -> None:
    with pytest.raises(ValueError, match=r"is not a RAM permission arn"):
        RamPermission.from_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")


def promotion_stack() -> cdk.Stack:
    scope = stack()
    RamPromotion(scope, "Promotion", groups=groups(scope))
    return scope


def test_promotion_is_one_custom_resource_per_group_served_by_one_function() -> None:
    template = Template.from_stack(promotion_stack())
    template.resource_count_is("Custom::ModelgovRamPromotion", 2)
    template.resource_count_is("AWS::Lambda::Function", 1)
    template.has_resource_properties("Custom::ModelgovRamPromotion", {
        "ModelPackageGroupArn": {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                   ":sagemaker:us-east-1:222222222222:model-package-group/"
                                                   "churn-prediction"]]},
        "PermissionName": Match.string_like_regexp(r"^modelgov-churn-prediction-[0-9a-f]{7}$"),
        "TimeoutSeconds": "900"})


def test_promotion_function_runs_the_handler_with_promotion_and_polling_rights() -> None:
    template = Template.from_stack(promotion_stack())
    template.has_resource_properties("AWS::Lambda::Function", {"Handler": "index.handler", "Runtime": "python3.12",
                                                               "FunctionName": "modelgov-ram-promotion"})
    template.has_resource_properties("AWS::IAM::Policy", {"PolicyDocument": {"Statement": Match.array_with([
        Match.object_like({"Action": ["events:PutRule", "events:PutTargets", "events:RemoveTargets",
                                      "events:DeleteRule"]}),
        Match.object_like({"Action": ["lambda:AddPermission", "lambda:RemovePermission"]}),
        Match.object_like({"Action": PROMOTION_ACTIONS, "Resource": "*"})])}})


def test_cdk_nag_passes_for_share_promotion_and_consumer() -> None:
    scope, _ = share(permission=RamPermission.customer_managed("registry-read", READ))
    RamPromotion(scope, "Promotion", groups=groups(cdk.Stack(scope.node.scope, "Other", env=ENV)))
    consumer = cdk.Stack(scope.node.scope, "Consumer", env=cdk.Environment(account="777777777777",
                                                                           region="us-east-1"))
    ConsumerAcceptance(consumer, "Accept", owner_account="222222222222",
                       group_arns=["arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"])
    for each in (scope, consumer):
        report = cdk_nag.AwsSolutionsChecks().validate_scope(each)
        assert sorted({f"{v.rule_name}: {v.description}" for v in report.violations}) == []


def test_fails_promotion_timeout_over_fifty_minutes() -> None:
    scope = stack()
    with pytest.raises(ValueError, match=r"timeout is 3600 seconds; use 60-3000"):
        RamPromotion(scope, "Promotion", groups=groups(scope), timeout=cdk.Duration.hours(1))


def test_consumer_resource_carries_owner_groups_and_share_name() -> None:
    scope = cdk.Stack(cdk.App(), "Consumer", env=cdk.Environment(account="777777777777", region="us-east-1"))
    arn = "arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"
    ConsumerAcceptance(scope, "Accept", owner_account="222222222222", group_arns=[arn],
                       resource_share_name="modelgov-external-777777777777")
    Template.from_stack(scope).has_resource_properties("Custom::ModelgovRamConsumer", {
        "OwnerAccount": "222222222222", "ModelPackageGroupArns": [arn],
        "ResourceShareName": "modelgov-external-777777777777", "TimeoutSeconds": "900"})


def test_fails_consumer_group_of_another_account() -> None:
    scope = cdk.Stack(cdk.App(), "Consumer", env=cdk.Environment(account="777777777777", region="us-east-1"))
    with pytest.raises(ValueError, match=r"is not a model package group arn of account 222222222222"):
        ConsumerAcceptance(scope, "Accept", owner_account="222222222222",
                           group_arns=["arn:aws:sagemaker:us-east-1:333333333333:model-package-group/x"])
