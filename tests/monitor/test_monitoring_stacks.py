"""Monitoring stacks built from governance.yaml: one per account, monitors wired from the spec."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from modelgov.constructs.model_monitor import analyzer_image_uri
from modelgov.constructs.monitoring_stacks import build_monitoring_stacks
from modelgov.policies.spec import load_spec

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def spec() -> Any:
    return load_spec(REPO / "governance.yaml")


@pytest.fixture(scope="module")
def prod(spec: Any) -> tuple[cdk.Stack, dict[str, Any]]:
    stacks = build_monitoring_stacks(cdk.App(), spec)
    stack = stacks["monitoring-prod"]
    return stack, Template.from_stack(stack).to_json()


def test_one_stack_per_account_in_that_account(spec: Any) -> None:
    stacks = build_monitoring_stacks(cdk.App(), spec)
    assert list(stacks) == ["monitoring-prod"]
    stack = stacks["monitoring-prod"]
    assert (stack.stack_name, stack.account, stack.region) == ("modelgov-monitoring-prod", "555555555555", "us-east-1")


def test_spec_types_become_schedules_with_the_regional_analyzer(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    _, raw = prod
    schedules = sorted(
        r["Properties"]["MonitoringScheduleName"]
        for r in raw["Resources"].values()
        if r["Type"] == "AWS::SageMaker::MonitoringSchedule"
    )
    assert schedules == ["churn-endpoint-data-quality", "churn-endpoint-model-quality"]
    [dq] = [r for r in raw["Resources"].values() if r["Type"] == "AWS::SageMaker::DataQualityJobDefinition"]
    assert dq["Properties"]["DataQualityAppSpecification"]["ImageUri"] == analyzer_image_uri("us-east-1")
    assert dq["Properties"]["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}


def test_drift_alarm_per_listed_feature(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    _, raw = prod
    metrics = sorted(
        r["Properties"]["MetricName"] for r in raw["Resources"].values() if r["Type"] == "AWS::CloudWatch::Alarm"
    )
    assert metrics == ["feature_baseline_drift_monthly_charges", "feature_baseline_drift_tenure"]


def test_vpc_subnets_use_fn_get_azs(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    _, raw = prod
    zones = [r["Properties"]["AvailabilityZone"] for r in raw["Resources"].values() if r["Type"] == "AWS::EC2::Subnet"]
    assert zones == [{"Fn::Select": [0, {"Fn::GetAZs": ""}]}, {"Fn::Select": [1, {"Fn::GetAZs": ""}]}]
    assert not any(r["Type"] == "AWS::EC2::NatGateway" for r in raw["Resources"].values())


def test_interface_endpoints_accept_only_the_monitor_security_group(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    stack, raw = prod
    ingress = [r["Properties"] for r in raw["Resources"].values() if r["Type"] == "AWS::EC2::SecurityGroupIngress"]
    assert len(ingress) == 2
    for rule in ingress:
        assert rule["FromPort"] == 443 and "SourceSecurityGroupId" in rule and "CidrIp" not in rule
    Template.from_stack(stack).has_resource_properties(
        "AWS::EC2::VPCEndpoint", {"ServiceName": Match.string_like_regexp("logs"), "PrivateDnsEnabled": True}
    )


def test_schedules_carry_the_monitor_tag(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    Template.from_stack(prod[0]).has_resource_properties(
        "AWS::SageMaker::MonitoringSchedule", {"Tags": [{"Key": "modelgov:monitor", "Value": "churn-endpoint"}]}
    )


def _spec_with(spec: Any, **changes: Any) -> Any:
    monitor = spec.monitoring.monitors[0].model_copy(update=changes)
    monitoring = spec.monitoring.model_copy(update={"monitors": [monitor]})
    return spec.model_copy(update={"monitoring": monitoring})


def test_fails_monitor_without_output_uri(spec: Any) -> None:
    with pytest.raises(
        ValueError, match=r"governance spec monitoring.monitors\[0\] \(churn-endpoint\): output_s3_uri is missing"
    ):
        build_monitoring_stacks(cdk.App(), _spec_with(spec, output_s3_uri=None))


def test_fails_model_quality_without_problem_type(spec: Any) -> None:
    with pytest.raises(ValueError, match="ModelQuality needs problem_type and ground_truth_s3_uri"):
        build_monitoring_stacks(cdk.App(), _spec_with(spec, problem_type=None))


def test_fails_invalid_schedule_in_the_spec_at_synth(spec: Any) -> None:
    with pytest.raises(
        ValueError, match=r"monitors\[0\] \(churn-endpoint\): .*schedule is 'cron\(0 0/30 \? \* \* \*\)'"
    ):
        build_monitoring_stacks(cdk.App(), _spec_with(spec, schedule="cron(0 0/30 ? * * *)"))


@pytest.mark.parametrize(
    ("region", "uri"),
    [
        ("us-west-2", "159807026194.dkr.ecr.us-west-2.amazonaws.com/sagemaker-model-monitor-analyzer"),
        ("cn-north-1", "453000072557.dkr.ecr.cn-north-1.amazonaws.com.cn/sagemaker-model-monitor-analyzer"),
    ],
)
def test_analyzer_image_per_region(region: str, uri: str) -> None:
    assert analyzer_image_uri(region) == uri


def test_fails_analyzer_image_for_an_unknown_region() -> None:
    with pytest.raises(ValueError, match="region is 'xx-east-9'.*pass image_uri"):
        analyzer_image_uri("xx-east-9")


def test_guardrail_context_of_the_reference_monitor_is_json(prod: tuple[cdk.Stack, dict[str, Any]]) -> None:
    from modelgov.policies.builders.monitoring_context import job_context

    monitor = next(iter(prod[0].monitors.values()))  # type: ignore[attr-defined]
    context = job_context(monitor.job_settings("DataQuality"))
    assert json.loads(json.dumps(context))["sagemaker:InterContainerTrafficEncryption"] == "true"
