"""The sharing, consumer and events stacks built from governance.yaml."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk.assertions import Annotations, Match, Template
from moto.events.models import EventPattern

from modelgov.constructs.reference_app import build_reference_app
from modelgov.constructs.sharing_stacks import build_sharing_stacks
from modelgov.policies.spec import SpecError, load_spec, parse_spec

REPO = Path(__file__).resolve().parents[2]
SAMPLE = json.loads((Path(__file__).parent / "events" / "approval_rejected_documented.json").read_text())


@pytest.fixture(scope="module")
def stacks() -> dict[str, cdk.Stack]:
    app = cdk.App()
    return build_sharing_stacks(app, load_spec(REPO / "governance.yaml"))


def test_stacks_and_environments_follow_the_spec(stacks: dict[str, cdk.Stack]) -> None:
    envs = {name: (s.stack_name, s.account, s.region) for name, s in stacks.items()}
    assert envs == {
        "sharing": ("modelgov-sharing", "222222222222", "us-east-1"),
        "consumer-777777777777": ("modelgov-consumer-777777777777", "777777777777", "us-east-1"),
        "events": ("modelgov-events", "222222222222", "us-east-1"),
    }


def test_workload_share_goes_to_the_ou_with_the_validated_permission(stacks: dict[str, cdk.Stack]) -> None:
    template = Template.from_stack(stacks["sharing"])
    template.has_resource_properties("AWS::RAM::ResourceShare", {
        "Name": "registry-to-workloads", "AllowExternalPrincipals": False,
        "Principals": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                          ":organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-mlwork01"]]}],
        "PermissionArns": [{"Fn::GetAtt": [Match.any_value(), "Arn"]}]})
    template.has_resource_properties("AWS::RAM::Permission", {"Name": Match.string_like_regexp("^registry-read-")})


def test_promote_true_promotes_each_group_once(stacks: dict[str, cdk.Stack]) -> None:
    Template.from_stack(stacks["sharing"]).resource_count_is("Custom::ModelgovRamPromotion", 2)


def test_external_consumer_gets_an_external_share_with_a_warning(stacks: dict[str, cdk.Stack]) -> None:
    Template.from_stack(stacks["sharing"]).has_resource_properties("AWS::RAM::ResourceShare", {
        "Name": "modelgov-external-777777777777", "AllowExternalPrincipals": True, "Principals": ["777777777777"]})
    warnings = Annotations.from_stack(stacks["sharing"]).find_warning("*", Match.string_like_regexp("modelgov:C210"))
    assert len(warnings) == 1


def test_consumer_stack_accepts_that_share_for_the_registry_group(stacks: dict[str, cdk.Stack]) -> None:
    Template.from_stack(stacks["consumer-777777777777"]).has_resource_properties("Custom::ModelgovRamConsumer", {
        "OwnerAccount": "222222222222", "ResourceShareName": "modelgov-external-777777777777",
        "ModelPackageGroupArns": [{"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"},
                                                     ":sagemaker:us-east-1:222222222222:model-package-group/"
                                                     "churn-prediction"]]}]})


def test_consumer_is_deployed_after_the_share(stacks: dict[str, cdk.Stack]) -> None:
    assert stacks["sharing"] in stacks["consumer-777777777777"].dependencies


def test_approval_rule_defaults_to_every_group_and_matches_an_approval(stacks: dict[str, cdk.Stack]) -> None:
    rules = Template.from_stack(stacks["events"]).find_resources("AWS::Events::Rule", {
        "Properties": {"Name": "modelgov-approvals"}})
    [rule] = rules.values()
    pattern = EventPattern.load(json.dumps(rule["Properties"]["EventPattern"]))
    event = json.loads(json.dumps(SAMPLE))
    event["detail"].update({"ModelPackageGroupName": "fraud-detection", "ModelApprovalStatus": "Approved"})
    assert pattern.matches_event(event)
    event["detail"]["ModelApprovalStatus"] = "PendingManualApproval"
    assert not pattern.matches_event(event)


def test_events_stack_has_the_org_only_bus_queue_and_topic(stacks: dict[str, cdk.Stack]) -> None:
    template = Template.from_stack(stacks["events"])
    template.has_resource_properties("AWS::Events::EventBus", {"Name": "modelgov-governance"})
    template.has_resource_properties("AWS::SQS::Queue", {"QueueName": "modelgov-deployment-requests"})
    template.has_resource_properties("AWS::SNS::Topic", {"TopicName": "modelgov-release-notices",
                                                         "KmsMasterKeyId": Match.any_value()})
    template.has_resource_properties("AWS::Events::EventBusPolicy", {"Statement": Match.object_like({
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})})


def test_cdk_nag_passes_on_every_sharing_stack(stacks: dict[str, cdk.Stack]) -> None:
    problems = {}
    for name, stack in stacks.items():
        report = cdk_nag.AwsSolutionsChecks().validate_scope(stack)
        if not report.success:
            problems[name] = sorted({f"{v.rule_name}: {v.description}" for v in report.violations})
    assert problems == {}


def test_reference_app_includes_the_sharing_stacks() -> None:
    app = cdk.App()
    stacks = build_reference_app(app, load_spec(REPO / "governance.yaml"))
    assert {"sharing", "events", "consumer-777777777777"} <= set(stacks)
    assert stacks["registry"] in stacks["sharing"].dependencies


def _spec_with(sharing: str = "", events: str = ""):
    text = (REPO / "governance.yaml").read_text()
    head, _, rest = text.partition("sharing:\n")
    _, _, tail = rest.partition("\nmonitoring:\n")
    return parse_spec(head + (sharing or "sharing: {}\n") + (events or "events: {}\n") + "\nmonitoring:\n" + tail)


def test_fails_the_same_queue_name_in_two_rules() -> None:
    spec = _spec_with(events="""events:
  rules:
    - name: a
      approval_statuses: [Approved]
      targets: [{kind: sqs, name: deployments}]
    - name: b
      stages: [Production]
      targets: [{kind: sqs, name: deployments}]
""")
    with pytest.raises(ValueError, match=r"governance.yaml events.rules\[1\].targets\[0\]: sqs target 'deployments' "
                                         r"is already used at events.rules\[0\].targets\[0\]"):
        build_sharing_stacks(cdk.App(), spec)


def test_one_governance_bus_serves_several_rules() -> None:
    spec = _spec_with(events="""events:
  rules:
    - name: a
      approval_statuses: [Approved]
      targets: [{kind: governance-bus, name: governance}]
    - name: b
      stages: [Production]
      targets: [{kind: governance-bus, name: governance}]
""")
    stacks = build_sharing_stacks(cdk.App(), spec)
    Template.from_stack(stacks["events"]).resource_count_is("AWS::Events::EventBus", 1)
    assert "sharing" not in stacks


def test_fails_spec_with_a_consumer_account_that_is_not_twelve_digits() -> None:
    with pytest.raises(SpecError, match=r"sharing\.external_consumers\[0\]\.account: string should match pattern "
                                        r"'\^\\d\{12\}\$' \(received '7777'\)"):
        _spec_with(sharing="""sharing:
  external_consumers:
    - account: "7777"
      groups: [churn-prediction]
""")


def test_lambda_target_from_the_spec_is_imported_by_name_and_wired() -> None:
    text = (REPO / "governance.yaml").read_text().replace(
        "        - kind: sns\n", "        - kind: lambda\n          name: release-hook\n        - kind: sns\n", 1)
    stacks = build_sharing_stacks(cdk.App(), parse_spec(text, "governance.yaml"))
    rules = Template.from_stack(stacks["events"]).find_resources("AWS::Events::Rule")
    targets = json.dumps([t for r in rules.values() for t in r["Properties"].get("Targets", [])])
    assert ":function:release-hook" in targets
