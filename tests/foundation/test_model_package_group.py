"""ModelPackageGroup construct, asserted on the synthesized template."""

from __future__ import annotations

import json

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template

from modelgov.constructs.model_package_group import ModelPackageGroup

ENV = cdk.Environment(account="222222222222", region="us-east-1")


def _stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "S", env=ENV)


def _group(stack: cdk.Stack, **props: object) -> ModelPackageGroup:
    defaults: dict[str, object] = {"model_package_group_name": "churn", "readers": ["444444444444"],
                                   "deployers": ["555555555555"]}
    return ModelPackageGroup(stack, "Group", **{**defaults, **props})  # type: ignore[arg-type]


def _policy(stack: cdk.Stack) -> dict[str, object]:
    resources = Template.from_stack(stack).find_resources("AWS::SageMaker::ModelPackageGroup")
    [resource] = resources.values()
    return resource["Properties"]["ModelPackageGroupPolicy"]  # type: ignore[no-any-return]


def test_group_is_retained_when_removed_from_the_stack() -> None:
    stack = _stack()
    _group(stack)
    Template.from_stack(stack).has_resource("AWS::SageMaker::ModelPackageGroup",
                                            {"DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain"})


def test_group_carries_name_description_and_the_modelgov_tag() -> None:
    stack = _stack()
    _group(stack, description="churn model", tags={"team": "ml"})
    Template.from_stack(stack).has_resource_properties("AWS::SageMaker::ModelPackageGroup", {
        "ModelPackageGroupName": "churn",
        "ModelPackageGroupDescription": "churn model",
        "Tags": [{"Key": "modelgov:group", "Value": "churn"}, {"Key": "team", "Value": "ml"}],
    })


def test_resource_policy_uses_the_partition_pseudo_parameter_never_arn_aws() -> None:
    stack = _stack()
    _group(stack)
    text = json.dumps(_policy(stack))
    assert '"arn:aws:' not in text
    assert '{"Ref": "AWS::Partition"}' in text


def test_consumers_get_read_and_deploy_but_never_update_model_package() -> None:
    stack = _stack()
    _group(stack)
    statements = {s["Sid"]: s for s in _policy(stack)["Statement"]}  # type: ignore[attr-defined]
    assert set(statements) == {"ReadGroup", "ReadVersions", "DeployVersions"}
    actions = {a for s in statements.values() for a in s["Action"]}
    assert actions == {"sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage",
                       "sagemaker:ListModelPackages", "sagemaker:CreateModel"}
    assert "sagemaker:UpdateModelPackage" not in json.dumps(_policy(stack))


def test_principals_are_account_roots_so_ram_can_promote_the_share() -> None:
    stack = _stack()
    _group(stack)
    text = json.dumps(_policy(stack))
    assert ":iam::444444444444:root" in text and ":role/" not in text and '"*"' not in text


def test_cross_account_update_only_when_asked_and_then_with_a_warning() -> None:
    stack = _stack()
    _group(stack, allow_cross_account_update=True)
    sids = {s["Sid"]: s["Action"] for s in _policy(stack)["Statement"]}  # type: ignore[attr-defined]
    assert sids["UpdateVersions"] == ["sagemaker:UpdateModelPackage"]
    Annotations.from_stack(stack).has_warning("/S/Group", Match.string_like_regexp("UpdateModelPackage"))


def test_no_policy_when_no_other_account_is_granted() -> None:
    stack = _stack()
    _group(stack, readers=["222222222222"], deployers=[])
    [resource] = Template.from_stack(stack).find_resources("AWS::SageMaker::ModelPackageGroup").values()
    assert "ModelPackageGroupPolicy" not in resource["Properties"]


def test_grant_deploy_gives_exact_actions_on_group_and_versions() -> None:
    stack = _stack()
    group = _group(stack)
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    group.grant_deploy(role)
    policies = Template.from_stack(stack).find_resources("AWS::IAM::Policy")
    [policy] = policies.values()
    [statement] = policy["Properties"]["PolicyDocument"]["Statement"]
    assert sorted(statement["Action"]) == ["sagemaker:CreateModel", "sagemaker:DescribeModelPackage",
                                           "sagemaker:DescribeModelPackageGroup", "sagemaker:ListModelPackages"]
    resources = json.dumps(statement["Resource"])
    assert "model-package-group/churn" in resources and "model-package/churn/*" in resources


def test_grant_read_never_carries_approval_rights() -> None:
    stack = _stack()
    group = _group(stack)
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    group.grant_read(role)
    assert "UpdateModelPackage" not in json.dumps(Template.from_stack(stack).to_json())


def test_import_by_arn_keeps_the_arns_account_and_region_for_grants() -> None:
    stack = cdk.Stack(cdk.App(), "Consumer", env=cdk.Environment(account="999999999999", region="eu-west-1"))
    imported = ModelPackageGroup.from_model_package_group_arn(
        stack, "Imported", "arn:aws:sagemaker:us-east-1:222222222222:model-package-group/fraud")
    assert imported.model_package_group_name == "fraud"
    role = iam.Role(stack, "Role", assumed_by=iam.AccountRootPrincipal())
    imported.grant_read(role)
    [policy] = Template.from_stack(stack).find_resources("AWS::IAM::Policy").values()
    resources = json.dumps(policy["Properties"]["PolicyDocument"]["Statement"][0]["Resource"])
    assert ":sagemaker:us-east-1:222222222222:model-package-group/fraud" in resources
    assert ":sagemaker:us-east-1:222222222222:model-package/fraud/*" in resources
    assert "999999999999" not in resources


def test_import_by_name_uses_the_stack_environment() -> None:
    stack = _stack()
    imported = ModelPackageGroup.from_model_package_group_name(stack, "Imported", "fraud")
    assert stack.resolve(imported.model_package_group_arn) == {"Fn::Join": ["", [
        "arn:", {"Ref": "AWS::Partition"}, ":sagemaker:us-east-1:222222222222:model-package-group/fraud"]]}


@pytest.mark.parametrize("key", ["modelgov:group", "aws:cloudformation:stack-name"])
def test_fails_on_a_reserved_tag_key(key: str) -> None:
    with pytest.raises(ValueError, match=f"tag key '{key}' is reserved"):
        _group(_stack(), tags={key: "x"})


def test_fails_on_an_arn_that_is_not_a_group() -> None:
    with pytest.raises(ValueError, match="is not a model package group ARN"):
        ModelPackageGroup.from_model_package_group_arn(
            _stack(), "Imported", "arn:aws:sagemaker:us-east-1:222222222222:model-package/fraud/1")


def test_fails_on_a_name_with_an_underscore() -> None:
    with pytest.raises(ValueError, match=r"invalid model package group name 'my_group'.*no underscores"):
        _group(_stack(), model_package_group_name="my_group")


def test_fails_on_a_description_over_1024_characters() -> None:
    with pytest.raises(ValueError, match="description is 1025 characters, the limit is 1024"):
        _group(_stack(), description="x" * 1025)


def test_fails_on_more_than_50_tags_including_its_own() -> None:
    with pytest.raises(ValueError, match="51 tags including modelgov:group"):
        _group(_stack(), tags={f"t{i}": "v" for i in range(50)})


def test_fails_on_an_account_id_that_is_not_12_digits() -> None:
    with pytest.raises(ValueError, match="account id '44444444444' is not 12 digits"):
        _group(_stack(), readers=["44444444444"])
