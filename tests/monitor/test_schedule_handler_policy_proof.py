"""Least privilege of the Custom::MonitoringSchedule handler, proved with the engine on the synthesized policy."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Template

from modelgov.constructs.monitoring_schedule_resource import MonitoringScheduleResource
from modelgov.policies.engine import simulate

ACCOUNT = "555555555555"
STACK_ID = f"arn:aws:cloudformation:us-east-1:{ACCOUNT}:stack/Schedules/5b6f2f40-0000-11ef-8000-0a1b2c3d4e5f"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/schedule-handler"
SCHEDULES = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:monitoring-schedule/"


def _resolve(value: Any, attributes: dict[str, str]) -> Any:
    """Resolve the few intrinsics the handler's policies use, as CloudFormation would in this stack."""
    if isinstance(value, list):
        return [_resolve(v, attributes) for v in value]
    if isinstance(value, dict):
        if "Ref" in value:
            return {"AWS::Partition": "aws", "AWS::StackId": STACK_ID}.get(value["Ref"], f"ref-{value['Ref']}")
        if "Fn::Join" in value:
            separator, parts = value["Fn::Join"]
            return separator.join(_resolve(p, attributes) for p in parts)
        if "Fn::GetAtt" in value:
            return attributes[value["Fn::GetAtt"][0]]
        return {k: _resolve(v, attributes) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def setup() -> tuple[list[dict[str, Any]], str]:
    stack = cdk.Stack(cdk.App(), "Schedules", env=cdk.Environment(account=ACCOUNT, region="us-east-1"))
    execution = iam.Role.from_role_arn(stack, "Exec", f"arn:aws:iam::{ACCOUNT}:role/monitor-execution")
    MonitoringScheduleResource(
        stack,
        "ChurnSchedule",
        schedule_name="churn-dq",
        endpoint_name="churn-prod",
        execution_role=execution,
        image_uri="img",
        output_s3_uri="s3://reports/churn",
        baseline_constraints_uri="s3://b/c.json",
        baseline_statistics_uri="s3://b/s.json",
    )
    raw = Template.from_stack(stack).to_json()["Resources"]
    logical_id = next(k for k, v in raw.items() if v["Type"] == "Custom::MonitoringSchedule")
    function = next(k for k, v in raw.items() if v["Type"] == "AWS::Lambda::Function")
    attributes = {function: f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:handler"}
    for k, v in raw.items():
        if v["Type"] == "AWS::Logs::LogGroup":
            attributes[k] = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:handler:*"
    policies = [
        {"name": k, "policy": _resolve(v["Properties"]["PolicyDocument"], attributes)}
        for k, v in raw.items()
        if v["Type"] == "AWS::IAM::Policy"
    ]
    return policies, f"{STACK_ID}|{logical_id}"


def _decide(policies: list[dict[str, Any]], action: str, resource: str, context: dict[str, Any]) -> str:
    result = simulate(
        {
            "request": {
                "principal": ROLE,
                "action": action,
                "resource": {"resource": resource, "accountId": ACCOUNT},
                "contextVariables": context,
            },
            "identityPolicies": policies,
            "serviceControlPolicies": [],
            "resourceControlPolicies": [],
        }
    )
    assert not result.errors, result.errors
    return str(result.decision)


@pytest.mark.parametrize(
    "action",
    [
        "sagemaker:DeleteMonitoringSchedule",
        "sagemaker:UpdateMonitoringSchedule",
        "sagemaker:AddTags",
        "sagemaker:DeleteTags",
    ],
)
def test_changes_only_schedules_it_owns(setup: tuple[list[dict[str, Any]], str], action: str) -> None:
    policies, owner = setup
    key = "aws:ResourceTag/modelgov:cfn-owner"
    assert _decide(policies, action, SCHEDULES + "churn-dq", {key: owner}) == "Allowed"
    assert _decide(policies, action, SCHEDULES + "someone-elses", {key: "other-stack|X"}) == "ImplicitlyDenied"
    assert _decide(policies, action, SCHEDULES + "untagged", {}) == "ImplicitlyDenied"


def test_creates_only_with_its_owner_tag(setup: tuple[list[dict[str, Any]], str]) -> None:
    policies, owner = setup
    tagged = {"aws:RequestTag/modelgov:cfn-owner": owner, "aws:TagKeys": ["modelgov:cfn-owner"]}
    assert _decide(policies, "sagemaker:CreateMonitoringSchedule", SCHEDULES + "churn-dq", tagged) == "Allowed"
    assert _decide(policies, "sagemaker:CreateMonitoringSchedule", SCHEDULES + "churn-dq", {}) == "ImplicitlyDenied"
    other = SCHEDULES + "someone-elses"
    assert _decide(policies, "sagemaker:CreateMonitoringSchedule", other, tagged) == "ImplicitlyDenied"


def test_cannot_claim_another_schedule_by_tagging_it(setup: tuple[list[dict[str, Any]], str]) -> None:
    policies, owner = setup
    claim = {
        "aws:RequestTag/modelgov:cfn-owner": owner,
        "aws:TagKeys": ["modelgov:cfn-owner"],
        "aws:ResourceTag/modelgov:cfn-owner": "other-stack|X",
    }
    assert _decide(policies, "sagemaker:AddTags", SCHEDULES + "someone-elses", claim) == "ImplicitlyDenied"


def test_passes_the_execution_role_to_sagemaker_only(setup: tuple[list[dict[str, Any]], str]) -> None:
    policies, _ = setup
    role = f"arn:aws:iam::{ACCOUNT}:role/monitor-execution"
    assert _decide(policies, "iam:PassRole", role, {"iam:PassedToService": "sagemaker.amazonaws.com"}) == "Allowed"
    assert _decide(policies, "iam:PassRole", role, {"iam:PassedToService": "ec2.amazonaws.com"}) == "ImplicitlyDenied"
    other = f"arn:aws:iam::{ACCOUNT}:role/admin"
    assert _decide(policies, "iam:PassRole", other, {"iam:PassedToService": "sagemaker.amazonaws.com"}) == (
        "ImplicitlyDenied"
    )


def test_polling_rules_are_limited_to_its_logical_id(setup: tuple[list[dict[str, Any]], str]) -> None:
    policies, owner = setup
    logical_id = owner.rsplit("|", 1)[1]
    rule = f"arn:aws:events:us-east-1:{ACCOUNT}:rule/"
    assert _decide(policies, "events:PutRule", rule + logical_id + "AB12CD34", {}) == "Allowed"
    assert _decide(policies, "events:PutRule", rule + "SomeoneElsesRule", {}) == "ImplicitlyDenied"


def test_reads_are_describe_and_list_tags_only(setup: tuple[list[dict[str, Any]], str]) -> None:
    policies, _ = setup
    assert _decide(policies, "sagemaker:DescribeMonitoringSchedule", SCHEDULES + "any", {}) == "Allowed"
    assert _decide(policies, "sagemaker:StopMonitoringSchedule", SCHEDULES + "any", {}) == "ImplicitlyDenied"
