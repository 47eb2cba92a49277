"""ModelPackageEvents and GovernanceEventBus: template assertions, and the synthesized rule pattern run
against sample events with a real EventBridge pattern matcher (moto's EventPattern, pinned moto 5.2.5)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_lambda as lambda_
from aws_cdk.assertions import Match, Template
from moto.events.models import EventPattern

from modelgov.constructs.model_package_events import GovernanceEventBus, ModelPackageEvents

SAMPLES = Path(__file__).parent / "events"
ENV = cdk.Environment(account="222222222222", region="us-east-1")


def documented_event() -> dict[str, Any]:
    return json.loads((SAMPLES / "approval_rejected_documented.json").read_text())


def variant(*, group: str = "churn-prediction", approval: str | None = None,
            lifecycle: tuple[str, str] | None = None, account: str | None = None) -> dict[str, Any]:
    """The documented payload, re-targeted at `group`, with the approval and lifecycle changed."""
    event = documented_event()
    detail = event["detail"]
    detail["ModelPackageGroupName"] = group
    detail["ModelPackageArn"] = f"arn:aws:sagemaker:us-east-1:222222222222:model-package/{group}/2"
    if approval:
        detail["ModelApprovalStatus"] = approval
    if lifecycle:
        detail["ModelLifeCycle"] = {"Stage": lifecycle[0], "StageStatus": lifecycle[1],
                                    "StageDescription": "moved by the lifecycle tests"}
    if account:
        event["account"] = account
    return event


def stack() -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Events", env=ENV)


def rule_pattern(scope: cdk.Stack) -> EventPattern:
    """The pattern as synthesized into the template (never the builder's dict)."""
    rules = Template.from_stack(scope).find_resources("AWS::Events::Rule")
    [rule] = rules.values()
    return EventPattern.load(json.dumps(rule["Properties"]["EventPattern"]))


@pytest.fixture(scope="module")
def approvals() -> EventPattern:
    scope = stack()
    ModelPackageEvents(scope, "Approvals", groups=["churn-prediction", "fraud-detection"],
                       approval_statuses=["Approved", "Rejected"])
    return rule_pattern(scope)


@pytest.fixture(scope="module")
def production() -> EventPattern:
    scope = stack()
    ModelPackageEvents(scope, "Production", stages=["Production"], stage_statuses=["Approved", "PendingApproval"])
    return rule_pattern(scope)


def test_the_documented_rule_matches_the_documented_payload() -> None:
    scope = stack()
    ModelPackageEvents(scope, "All")
    assert rule_pattern(scope).matches_event(documented_event())


def test_the_documented_rule_matches_a_lifecycle_change_too() -> None:
    scope = stack()
    ModelPackageEvents(scope, "All")
    assert rule_pattern(scope).matches_event(variant(lifecycle=("QA", "InProgress")))


@pytest.mark.parametrize(("event", "expected"), [
    (variant(approval="Approved"), True),
    (variant(approval="Rejected"), True),
    (variant(group="fraud-detection", approval="Approved"), True),
    (variant(approval="PendingManualApproval"), False),
    (variant(group="another-group", approval="Approved"), False),
    (documented_event(), False),  # Rejected, but of a group the rule does not watch
    (variant(approval="Approved", lifecycle=("Production", "Approved")), True),
])
def test_approval_rule_against_sample_events(approvals: EventPattern, event: dict[str, Any], expected: bool) -> None:
    assert approvals.matches_event(event) is expected


@pytest.mark.parametrize(("event", "expected"), [
    (variant(lifecycle=("Production", "Approved")), True),
    (variant(lifecycle=("Production", "PendingApproval")), True),
    (variant(lifecycle=("Production", "Rejected")), False),
    (variant(lifecycle=("QA", "Approved")), False),
    (variant(approval="Approved"), False),  # an approval-only event carries no ModelLifeCycle block
    (variant(group="fraud-detection", lifecycle=("Production", "Approved")), True),  # no group filter
])
def test_lifecycle_rule_against_sample_events(production: EventPattern, event: dict[str, Any], expected: bool) -> None:
    assert production.matches_event(event) is expected


def test_account_filter_matches_only_forwarded_events_of_those_accounts() -> None:
    scope = stack()
    ModelPackageEvents(scope, "Forwarded", accounts=["333333333333"])
    pattern = rule_pattern(scope)
    assert pattern.matches_event(variant(account="333333333333"))
    assert not pattern.matches_event(variant(account="444444444444"))


def test_other_sagemaker_events_never_match(approvals: EventPattern) -> None:
    event = copy.deepcopy(variant(approval="Approved"))
    event["detail-type"] = "SageMaker Model State Change"
    assert not approvals.matches_event(event)


def test_pattern_values_are_sorted_so_spec_order_does_not_replace_the_rule() -> None:
    first, second = stack(), stack()
    ModelPackageEvents(first, "E", groups=["b-group", "a-group"], approval_statuses=["Rejected", "Approved"])
    ModelPackageEvents(second, "E", groups=["a-group", "b-group"], approval_statuses=["Approved", "Rejected"])
    patterns = [Template.from_stack(s).find_resources("AWS::Events::Rule") for s in (first, second)]
    assert patterns[0] == patterns[1]


def full_stack() -> tuple[cdk.Stack, ModelPackageEvents]:
    scope = stack()
    bus = GovernanceEventBus(scope, "Bus", event_bus_name="modelgov-governance", organization_id="o-a1b2c3d4e5")
    rule = ModelPackageEvents(scope, "Approvals", approval_statuses=["Approved"], retry_attempts=10,
                              max_event_age=cdk.Duration.hours(2))
    rule.add_topic("Notices")
    rule.add_queue("Deployments")
    rule.add_function(lambda_.Function.from_function_name(scope, "Deployer", "model-deployer"))
    rule.add_event_bus(bus.event_bus)
    return scope, rule


@pytest.fixture(scope="module")
def full() -> Template:
    return Template.from_stack(full_stack()[0])


def test_every_target_has_the_dead_letter_queue(full: Template) -> None:
    [rule] = full.find_resources("AWS::Events::Rule").values()
    dlq = {json.dumps(t["DeadLetterConfig"], sort_keys=True) for t in rule["Properties"]["Targets"]}
    assert len(rule["Properties"]["Targets"]) == 4 and len(dlq) == 1


def test_every_target_but_the_bus_has_the_retry_policy(full: Template) -> None:
    [rule] = full.find_resources("AWS::Events::Rule").values()
    retry = [t.get("RetryPolicy") for t in rule["Properties"]["Targets"]]
    assert sorted(map(json.dumps, retry)) == sorted(
        [json.dumps({"MaximumEventAgeInSeconds": 7200, "MaximumRetryAttempts": 10})] * 3 + ["null"])


def test_topic_is_kms_encrypted_with_a_rotating_key_events_may_use(full: Template) -> None:
    full.has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})
    full.has_resource_properties("AWS::KMS::Key", {
        "EnableKeyRotation": True,
        "KeyPolicy": {"Statement": Match.array_with([Match.object_like({
            "Sid": "EventBridgePublishesEncrypted", "Principal": {"Service": "events.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"}}})])}})


def test_queues_are_encrypted_and_the_target_queue_redrives_to_the_dead_letter_queue(full: Template) -> None:
    full.all_resources_properties("AWS::SQS::Queue", {"SqsManagedSseEnabled": True})
    full.has_resource_properties("AWS::SQS::Queue", {"RedrivePolicy": {"maxReceiveCount": 5,
                                                                         "deadLetterTargetArn": Match.any_value()}})


def test_bus_policy_admits_only_the_organization(full: Template) -> None:
    full.has_resource_properties("AWS::Events::EventBusPolicy", {"Statement": {
        "Effect": "Allow", "Action": "events:PutEvents", "Principal": {"AWS": "*"},
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}}})


def test_lambda_target_gets_an_invoke_permission_for_the_rule(full: Template) -> None:
    full.has_resource_properties("AWS::Lambda::Permission", {"Principal": "events.amazonaws.com",
                                                             "Action": "lambda:InvokeFunction"})


def test_cdk_nag_aws_solutions_passes() -> None:
    scope, _ = full_stack()
    report = cdk_nag.AwsSolutionsChecks().validate_scope(scope)
    assert sorted({f"{v.rule_name}: {v.description}" for v in report.violations}) == []


def test_cdk_nag_passes_for_a_rule_without_queue_target() -> None:
    scope = stack()
    ModelPackageEvents(scope, "Notices", stages=["Production"]).add_topic("Topic")
    report = cdk_nag.AwsSolutionsChecks().validate_scope(scope)
    assert sorted({f"{v.rule_name}: {v.description}" for v in report.violations}) == []


def test_fails_sixth_target() -> None:
    _, rule = full_stack()
    rule.add_queue("Fifth")
    with pytest.raises(ValueError, match=r"at most 5 targets"):
        rule.add_queue("Sixth")


def test_fails_unknown_approval_status() -> None:
    with pytest.raises(ValueError, match=r"approval_statuses: 'Approve' not a ModelApprovalStatus; use "
                                         r"PendingManualApproval, Approved, Rejected"):
        ModelPackageEvents(stack(), "E", approval_statuses=["Approve"])


def test_fails_bad_stage_name() -> None:
    with pytest.raises(ValueError, match=r"stages: 'Pre Production' not a SageMaker name"):
        ModelPackageEvents(stack(), "E", stages=["Pre Production"])


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"retry_attempts": 186}, r"retry_attempts is 186; EventBridge allows 0-185"),
    ({"max_event_age": cdk.Duration.seconds(30)}, r"max_event_age is 30 seconds"),
    ({"rule_name": "bad name"}, r"rule_name 'bad name' must be 1-64"),
])
def test_fails_out_of_range_settings(kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ModelPackageEvents(stack(), "E", **kwargs)


def test_fails_bad_organization_id() -> None:
    with pytest.raises(ValueError, match=r"organization id 'o-1' is not o- followed by"):
        GovernanceEventBus(stack(), "Bus", event_bus_name="gov", organization_id="o-1")
