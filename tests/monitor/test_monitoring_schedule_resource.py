"""MonitoringScheduleResource: the seed's Custom::MonitoringSchedule interface, wired to a least-privilege handler."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Match, Template
from cfnlint.api import ManualArgs, lint

from modelgov.constructs.monitoring_schedule_resource import MonitoringScheduleResource

IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"


def _stack() -> tuple[cdk.Stack, iam.IRole]:
    stack = cdk.Stack(cdk.App(), "Schedules", env=cdk.Environment(account="555555555555", region="us-east-1"))
    return stack, iam.Role.from_role_arn(stack, "Exec", "arn:aws:iam::555555555555:role/monitor-execution")


def _inline(**overrides: Any) -> tuple[cdk.Stack, MonitoringScheduleResource]:
    stack, role = _stack()
    props: dict[str, Any] = dict(
        schedule_name="churn-dq",
        endpoint_name="churn-prod",
        execution_role=role,
        image_uri=IMAGE,
        output_s3_uri="s3://reports/churn",
        baseline_constraints_uri="s3://baselines/c.json",
        baseline_statistics_uri="s3://baselines/s.json",
        record_preprocessor_source_uri="s3://scripts/pre.py",
        post_analytics_processor_source_uri="s3://scripts/post.py",
        subnet_ids=["subnet-1"],
        security_group_ids=["sg-1"],
        volume_kms_key_arn="arn:aws:kms:us-east-1:555555555555:key/v",
    )
    props.update(overrides)
    return stack, MonitoringScheduleResource(stack, "ChurnSchedule", **props)


@pytest.fixture(scope="module")
def inline() -> tuple[cdk.Stack, Template, dict[str, Any]]:
    stack, _ = _inline()
    template = Template.from_stack(stack)
    return stack, template, template.to_json()


def _policy_statements(raw: dict[str, Any]) -> dict[str, Any]:
    statements: dict[str, Any] = {}
    for resource in raw["Resources"].values():
        if resource["Type"] == "AWS::IAM::Policy":
            for statement in resource["Properties"]["PolicyDocument"]["Statement"]:
                statements[statement.get("Sid", "")] = statement
    return statements


def test_properties_keep_the_seed_names_with_each_script_in_its_own_field(inline) -> None:
    inline[1].has_resource_properties(
        "Custom::MonitoringSchedule",
        {
            "ScheduleName": "churn-dq",
            "EndpointName": "churn-prod",
            "ImageURI": IMAGE,
            "PassRoleArn": "arn:aws:iam::555555555555:role/monitor-execution",
            "RecordPreprocessorSourceUri": "s3://scripts/pre.py",
            "PostAnalyticsProcessorSourceUri": "s3://scripts/post.py",
            "SubnetIds": ["subnet-1"],
            "SecurityGroupIds": ["sg-1"],
            "EnableInterContainerTrafficEncryption": True,
            "InstanceType": "ml.m5.xlarge",
            "MaxRuntimeInSeconds": 3600,
            "ServiceTimeout": "2700",
        },
    )


def test_writes_are_limited_to_schedules_with_this_resources_owner_tag(inline) -> None:
    statements = _policy_statements(inline[2])
    change = statements["ChangeOwnedSchedules"]
    assert sorted(change["Action"]) == [
        "sagemaker:AddTags",
        "sagemaker:DeleteMonitoringSchedule",
        "sagemaker:DeleteTags",
        "sagemaker:UpdateMonitoringSchedule",
    ]
    owner = change["Condition"]["StringEquals"]["aws:ResourceTag/modelgov:cfn-owner"]
    logical_id = next(k for k, v in inline[2]["Resources"].items() if v["Type"] == "Custom::MonitoringSchedule")
    assert owner == {"Fn::Join": ["|", [{"Ref": "AWS::StackId"}, logical_id]]}
    create = statements["CreateOwnedSchedules"]
    assert create["Condition"]["StringEquals"]["aws:RequestTag/modelgov:cfn-owner"] == owner
    assert sorted(statements["ReadSchedules"]["Action"]) == [
        "sagemaker:DescribeMonitoringSchedule",
        "sagemaker:ListTags",
    ]


def test_pass_role_only_to_sagemaker(inline) -> None:
    statement = _policy_statements(inline[2])["PassExecutionRole"]
    assert statement["Resource"] == "arn:aws:iam::555555555555:role/monitor-execution"
    assert statement["Condition"] == {"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}}


def test_crhelper_polling_permissions_are_scoped(inline) -> None:
    statements = _policy_statements(inline[2])
    rules = json.dumps(statements["CrhelperPollingRules"]["Resource"])
    logical_id = next(k for k, v in inline[2]["Resources"].items() if v["Type"] == "Custom::MonitoringSchedule")
    assert f":rule/{logical_id}*" in rules
    handler = next(k for k, v in inline[2]["Resources"].items() if v["Type"] == "AWS::Lambda::Function")
    assert statements["CrhelperPollingPermission"]["Resource"] == {"Fn::GetAtt": [handler, "Arn"]}


def test_custom_resource_waits_for_the_polling_policy(inline) -> None:
    raw = inline[2]
    resource = next(v for v in raw["Resources"].values() if v["Type"] == "Custom::MonitoringSchedule")
    [policy] = resource["DependsOn"]
    assert "CrhelperPollingRules" in json.dumps(raw["Resources"][policy])


def test_named_job_definition_sends_no_inline_settings() -> None:
    stack, _ = _stack()
    MonitoringScheduleResource(
        stack, "Named", schedule_name="churn-mq", job_definition_name="mq-jobdef", monitoring_type="ModelQuality"
    )
    Template.from_stack(stack).has_resource_properties(
        "Custom::MonitoringSchedule",
        {
            "MonitoringJobDefinitionName": "mq-jobdef",
            "MonitoringType": "ModelQuality",
            "InstanceType": Match.absent(),
            "ImageURI": Match.absent(),
            "PassRoleArn": Match.absent(),
        },
    )


def test_cfn_lint_and_cdk_nag_are_clean(inline) -> None:
    stack, _, raw = inline
    assert [str(m) for m in lint(json.dumps(raw), config=ManualArgs(regions=["us-east-1"]))] == []
    assert cdk_nag.AwsSolutionsChecks().validate_scope(stack).success


def test_fails_inline_definition_of_another_type() -> None:
    stack, _ = _stack()
    with pytest.raises(ValueError, match="monitoring_type is 'ModelBias' without job_definition_name"):
        MonitoringScheduleResource(stack, "Bad", schedule_name="x", monitoring_type="ModelBias")


def test_fails_inline_definition_without_its_inputs() -> None:
    stack, _ = _stack()
    with pytest.raises(ValueError, match="endpoint_name, execution_role, image_uri, output_s3_uri is None"):
        MonitoringScheduleResource(stack, "Bad", schedule_name="x")


def test_fails_invalid_schedule_expression() -> None:
    stack, _ = _stack()
    with pytest.raises(ValueError, match=r"schedule_expression is 'rate\(1 hour\)'"):
        MonitoringScheduleResource(
            stack,
            "Bad",
            schedule_name="x",
            job_definition_name="j",
            monitoring_type="DataQuality",
            schedule_expression="rate(1 hour)",
        )


def test_fails_runtime_longer_than_the_period() -> None:
    with pytest.raises(ValueError, match="max_runtime is 7200: allowed 1 to 3600 seconds"):
        _inline(max_runtime=cdk.Duration.hours(2))


def test_fails_subnets_without_security_groups() -> None:
    with pytest.raises(ValueError, match="subnet_ids has 1 and security_group_ids 0"):
        _inline(security_group_ids=[])


def test_fails_invalid_schedule_name() -> None:
    stack, _ = _stack()
    with pytest.raises(ValueError, match="monitoring_schedule_name is 'bad_name'"):
        MonitoringScheduleResource(
            stack, "Bad", schedule_name="bad_name", job_definition_name="j", monitoring_type="ModelBias"
        )


@pytest.mark.parametrize("monitoring_type", [None, "DataDrift"])
def test_fails_named_job_definition_without_a_valid_monitoring_type(monitoring_type: str | None) -> None:
    stack, _ = _stack()
    with pytest.raises(
        ValueError,
        match=rf"Bad: monitoring_type is {monitoring_type!r} with job_definition_name: allowed DataQuality, "
        "ModelQuality, ModelBias, ModelExplainability; set monitoring_type",
    ):
        MonitoringScheduleResource(
            stack, "Bad", schedule_name="x", job_definition_name="j", monitoring_type=monitoring_type
        )
