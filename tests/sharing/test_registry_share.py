"""RegistryShare, RamPromotion and ConsumerAcceptance: template assertions, validation and cdk-nag."""

from __future__ import annotations

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from constructs import Construct

from modelgov.constructs.consumer_acceptance import ConsumerAcceptance
from modelgov.constructs.model_package_group import ModelPackageGroup
from modelgov.constructs.nag import nag_text
from modelgov.constructs.ram_promotion import POLLING_ACTIONS, RamPromotion
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


def statements(scope: cdk.Stack) -> list[dict]:
    policies = Template.from_stack(scope).find_resources("AWS::IAM::Policy")
    return [s for p in policies.values() for s in scope.resolve(p["Properties"]["PolicyDocument"]["Statement"])]


def arn(value: object) -> str:
    """An Fn::Join ARN as text with pseudo parameters as <Name>."""
    return nag_text(value)


def test_promotion_function_runs_the_handler() -> None:
    Template.from_stack(promotion_stack()).has_resource_properties("AWS::Lambda::Function", {
        "Handler": "index.handler", "Runtime": "python3.12", "FunctionName": "modelgov-ram-promotion"})


def test_polling_rules_are_scoped_to_each_resource_logical_id() -> None:
    scope = promotion_stack()
    logical_ids = sorted(Template.from_stack(scope).find_resources("Custom::ModelgovRamPromotion"))
    rules = sorted(arn(r) for s in statements(scope) if s["Action"] == POLLING_ACTIONS
                   for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]]))
    assert rules == [f"arn:<AWS::Partition>:events:us-east-1:222222222222:rule/{i}*" for i in logical_ids]


def test_add_permission_is_only_for_eventbridge_on_the_function_itself() -> None:
    [add] = [s for s in statements(promotion_stack()) if s["Action"] == "lambda:AddPermission"]
    assert add["Condition"] == {"StringEquals": {"lambda:Principal": "events.amazonaws.com"}}
    assert arn(add["Resource"]) == ("arn:<AWS::Partition>:lambda:us-east-1:222222222222:function:"
                                    "modelgov-ram-promotion")


def test_ram_promotion_actions_are_scoped_to_shares_and_model_package_group_permissions() -> None:
    by_action = {a: s for s in statements(promotion_stack())
                 for a in (s["Action"] if isinstance(s["Action"], list) else [s["Action"]])}
    for action in ("ram:ListResourceSharePermissions", "ram:PromoteResourceShareCreatedFromPolicy"):
        assert arn(by_action[action]["Resource"]) == "arn:<AWS::Partition>:ram:us-east-1:222222222222:resource-share/*"
    promote = by_action["ram:PromotePermissionCreatedFromPolicy"]
    assert arn(promote["Resource"]) == "arn:<AWS::Partition>:ram:us-east-1:222222222222:permission/*"
    assert promote["Condition"] == {"StringEquals": {"ram:PermissionResourceType": "sagemaker:ModelPackageGroup"}}
    unscoped = sorted(a for a, s in by_action.items() if s["Resource"] == "*")
    assert unscoped == ["ram:GetResourceShareAssociations", "ram:GetResourceShares", "ram:ListPermissions"]


def test_consumer_accepts_only_invitations_of_the_owner_and_share() -> None:
    scope = cdk.Stack(cdk.App(), "Consumer", env=cdk.Environment(account="777777777777", region="us-east-1"))
    ConsumerAcceptance(scope, "Accept", owner_account="222222222222", resource_share_name="registry-to-partner",
                       group_arns=["arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"])
    [accept] = [s for s in statements(scope) if s["Action"] == "ram:AcceptResourceShareInvitation"]
    assert arn(accept["Resource"]) == "arn:<AWS::Partition>:ram:us-east-1:*:resource-share-invitation/*"
    assert accept["Condition"] == {"StringEquals": {"ram:ShareOwnerAccountId": "222222222222",
                                                    "ram:ResourceShareName": "registry-to-partner"}}
    [logical_id] = Template.from_stack(scope).find_resources("Custom::ModelgovRamConsumer")
    assert any(s["Action"] == POLLING_ACTIONS and arn(s["Resource"]).endswith(f":rule/{logical_id}*")
               for s in statements(scope))


def test_a_63_character_group_leaves_room_for_crhelper_rule_suffix() -> None:
    scope = stack()
    name = "g" * 63
    RamPromotion(scope, "Promotion", groups=[ModelPackageGroup.from_model_package_group_name(scope, "G", name)])
    [logical_id] = Template.from_stack(scope).find_resources("Custom::ModelgovRamPromotion")
    assert len(logical_id) + 8 <= 64


def test_reordering_groups_keeps_each_resource_logical_id() -> None:
    first, second = stack(), stack()
    RamPromotion(first, "Promotion", groups=groups(first))
    RamPromotion(second, "Promotion", groups=list(reversed(groups(second))))
    ids = [{r["Properties"]["PermissionName"]: i for i, r in
            Template.from_stack(s).find_resources("Custom::ModelgovRamPromotion").items()} for s in (first, second)]
    assert ids[0] == ids[1]


def test_fails_logical_id_too_long_for_the_polling_rule_name() -> None:
    scope = stack()
    with pytest.raises(ValueError, match=r"logical id '.+' has \d+ characters; crhelper names its polling rule "
                                         r"after it plus 8 characters and EventBridge allows 64"):
        RamPromotion(Construct(scope, "A" * 40), "Promotion", groups=groups(scope))


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
