"""PersonaRoles, GovernanceGuardrails, PersonaStackSet and the persona/organization stacks, on their templates."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_iam as iam
from aws_cdk.assertions import Annotations, Match, Template
from cfnlint.api import ManualArgs, lint

from modelgov.constructs.guardrails import GovernanceGuardrails
from modelgov.constructs.persona_stack import build_persona_stacks
from modelgov.constructs.persona_stackset import PersonaStackSet, persona_template
from modelgov.constructs.personas import PersonaRoles
from modelgov.constructs.registry_stack import RegistryStack
from modelgov.policies.spec import GovernanceSpec
from modelgov.policies.spec.monitoring import MonitoringGuardrails
from modelgov.policies.verify import verify

REGISTRY = cdk.Environment(account="222222222222", region="us-east-1")
MANAGEMENT = cdk.Environment(account="111111111111", region="us-east-1")


def _stack(env: cdk.Environment = REGISTRY) -> cdk.Stack:
    return cdk.Stack(cdk.App(), "Test", env=env)


@pytest.fixture(scope="module")
def stacks(spec: GovernanceSpec, tmp_path_factory: pytest.TempPathFactory) -> dict[str, cdk.Stack]:
    return build_persona_stacks(cdk.App(outdir=str(tmp_path_factory.mktemp("personas"))), spec)


@pytest.fixture(scope="module")
def registry(stacks: dict[str, cdk.Stack]) -> Template:
    return Template.from_stack(stacks["personas-registry"])


@pytest.fixture(scope="module")
def organization(stacks: dict[str, cdk.Stack]) -> Template:
    return Template.from_stack(stacks["organization"])


def _resources(template: Template, kind: str) -> dict[str, Any]:
    return template.find_resources(kind)


def test_persona_stacks_land_in_the_spec_accounts(stacks: dict[str, cdk.Stack]) -> None:
    assert {name: (s.stack_name, s.account) for name, s in stacks.items()} == {
        "personas-registry": ("modelgov-personas-registry", "222222222222"),
        "organization": ("modelgov-organization", "111111111111")}


def test_registry_stack_has_one_role_per_directly_deployed_persona(registry: Template) -> None:
    names = sorted(r["Properties"]["RoleName"] for r in _resources(registry, "AWS::IAM::Role").values())
    # the auditor comes through the StackSet (its OU holds the registry account), not from this stack
    assert names == ["modelgov-data-scientist", "modelgov-lead-engineer", "modelgov-pipeline", "modelgov-platform",
                     "modelgov-qa"]


def test_each_role_attaches_its_persona_policy_and_is_tagged(registry: Template) -> None:
    registry.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "modelgov-qa",
        "ManagedPolicyArns": [{"Ref": Match.string_like_regexp("^PersonasQaPolicy")}],
        "Tags": [{"Key": "modelgov:persona", "Value": "qa"}]})
    registry.has_resource_properties("AWS::IAM::ManagedPolicy", {
        "ManagedPolicyName": "modelgov-qa-lifecycle",
        "PolicyDocument": Match.object_like({
            "Statement": Match.array_with([Match.object_like({"Sid": "Lifecycle0"})])})})


def test_only_the_opted_in_persona_gets_a_permissions_boundary(registry: Template) -> None:
    bounded = {r["Properties"]["RoleName"] for r in _resources(registry, "AWS::IAM::Role").values()
               if "PermissionsBoundary" in r["Properties"]}
    assert bounded == {"modelgov-data-scientist"}
    registry.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "modelgov-data-scientist",
        "PermissionsBoundary": {"Ref": Match.string_like_regexp("^PersonasDataScientistBoundary")}})


def test_trust_uses_the_stack_account_for_permission_set_roles(registry: Template) -> None:
    role = next(r for r in _resources(registry, "AWS::IAM::Role").values()
                if r["Properties"]["RoleName"] == "modelgov-lead-engineer")
    statement = role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]
    assert statement["Sid"] == "TrustPermissionSets"
    assert "/AWSReservedSSO_LeadEngineer_" + "?" * 16 + '"' in json.dumps(statement["Condition"])


def test_pipeline_role_trusts_sagemaker_with_source_account(registry: Template) -> None:
    registry.has_resource_properties("AWS::IAM::Role", {
        "RoleName": "modelgov-pipeline",
        "AssumeRolePolicyDocument": {"Version": "2012-10-17", "Statement": [{
            "Sid": "TrustServices", "Effect": "Allow", "Action": "sts:AssumeRole",
            "Principal": {"Service": "sagemaker.amazonaws.com"},
            "Condition": {"StringEquals": {"aws:SourceAccount": "222222222222"}}}]}})


def test_no_persona_document_hard_codes_the_partition(registry: Template, organization: Template) -> None:
    assert '"arn:aws:' not in json.dumps(registry.to_json())
    assert '"arn:aws:' not in json.dumps(organization.to_json())


def test_persona_stacks_pass_cdk_nag_with_reasoned_acknowledgements(stacks: dict[str, cdk.Stack]) -> None:
    for stack in stacks.values():
        report = cdk_nag.AwsSolutionsChecks().validate_scope(stack)
        assert report.success, [v.rule_name for v in report.violations]


def test_fails_for_a_persona_not_in_the_spec(spec: GovernanceSpec) -> None:
    with pytest.raises(ValueError, match="PersonaRoles: persona 'ghost' is not in the governance spec"):
        PersonaRoles(_stack(), "P", spec=spec, personas=["ghost"])


def test_fails_for_a_trusted_account_not_in_the_spec(spec: GovernanceSpec) -> None:
    persona = spec.persona("data-scientist")
    odd = persona.model_copy(update={"trust": persona.trust.model_copy(update={"accounts": ["nowhere"]})})
    changed = spec.model_copy(update={"personas": [odd]})
    with pytest.raises(ValueError, match="trusts account 'nowhere', which is not in organization.accounts"):
        PersonaRoles(_stack(), "P", spec=changed)


def test_warns_when_an_approver_trusts_whole_accounts(spec: GovernanceSpec) -> None:
    qa = spec.persona("qa")
    risky = qa.model_copy(update={"trust": qa.trust.model_copy(update={"accounts": ["prod"]})})
    stack = _stack()
    PersonaRoles(stack, "P", spec=spec.model_copy(update={"personas": [risky]}))
    Annotations.from_stack(stack).has_warning("/Test/P", Match.string_like_regexp(
        r"approver persona 'qa' trusts whole accounts \(555555555555\).*modelgov:C102"))


def test_guardrails_attach_both_scps_to_the_spec_targets(organization: Template) -> None:
    policies = _resources(organization, "AWS::Organizations::Policy")
    assert sorted(p["Properties"]["Name"] for p in policies.values()) == [
        "modelgov-lifecycle-guardrail", "modelgov-monitoring-guardrail"]
    for policy in policies.values():
        assert policy["Properties"]["Type"] == "SERVICE_CONTROL_POLICY"
        assert policy["Properties"]["TargetIds"] == ["ou-a1b2-mlwork01"]


def test_guardrail_content_is_the_builder_output(organization: Template) -> None:
    organization.has_resource_properties("AWS::Organizations::Policy", {
        "Name": "modelgov-monitoring-guardrail",
        "Content": {"Version": "2012-10-17", "Statement": Match.array_with([Match.object_like({
            "Sid": "DenyJobDefinitionWithoutTrafficEncryption",
            "Condition": {"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": "false"}}})])}})


def test_guardrails_resolve_root_account_and_ou_names(spec: GovernanceSpec) -> None:
    stack = _stack(MANAGEMENT)
    guardrails = GovernanceGuardrails(stack, "G", spec=spec, targets=["root", "ml-prod", "dev"])
    assert guardrails.target_ids == ["r-a1b2", "ou-a1b2-mlprod01", "333333333333"]


def test_fails_for_an_unknown_guardrail_target(spec: GovernanceSpec) -> None:
    with pytest.raises(ValueError, match="target 'ml-sandbox' is not 'root', an OU or an account of the spec"):
        GovernanceGuardrails(_stack(MANAGEMENT), "G", spec=spec, targets=["ml-sandbox"])


def test_fails_for_no_guardrail_target(spec: GovernanceSpec) -> None:
    with pytest.raises(ValueError, match="targets is empty"):
        GovernanceGuardrails(_stack(MANAGEMENT), "G", spec=spec, targets=[])


def test_warns_when_a_guardrail_targets_the_management_account(spec: GovernanceSpec) -> None:
    stack = _stack(MANAGEMENT)
    GovernanceGuardrails(stack, "G", spec=spec, targets=["111111111111"])
    Annotations.from_stack(stack).has_warning("/Test/G", Match.string_like_regexp("management account.*C101"))


def test_warns_on_the_job_definition_name_opt_in_and_adds_the_schedule_statement(spec: GovernanceSpec) -> None:
    stack = _stack(MANAGEMENT)
    GovernanceGuardrails(stack, "G", spec=spec, monitoring=MonitoringGuardrails(enforce_job_definition_name_key=True))
    Annotations.from_stack(stack).has_warning("/Test/G", Match.string_like_regexp(
        "ModelMonitorJobDefinitionName.*not in the service reference.*C100"))
    Template.from_stack(stack).has_resource_properties("AWS::Organizations::Policy", {
        "Content": {"Version": "2012-10-17", "Statement": Match.array_with([Match.object_like({
            "Sid": "DenyScheduleWithoutJobDefinitionName"})])}})


def test_no_monitoring_scp_when_the_spec_requires_nothing(spec: GovernanceSpec) -> None:
    stack = _stack(MANAGEMENT)
    off = MonitoringGuardrails(require_volume_kms_key=False, require_output_kms_key=False, require_vpc=False,
                               require_inter_container_traffic_encryption=False)
    GovernanceGuardrails(stack, "G", spec=spec, monitoring=off)
    Template.from_stack(stack).resource_count_is("AWS::Organizations::Policy", 1)
    Annotations.from_stack(stack).has_no_warning("*", Match.any_value())


def test_stackset_is_service_managed_auto_deploying_to_the_persona_ous(organization: Template) -> None:
    organization.has_resource_properties("AWS::CloudFormation::StackSet", {
        "StackSetName": "modelgov-personas",
        "PermissionModel": "SERVICE_MANAGED",
        "AutoDeployment": {"Enabled": True, "RetainStacksOnAccountRemoval": False},
        "Capabilities": ["CAPABILITY_NAMED_IAM"],
        "CallAs": "SELF",
        "StackInstancesGroup": [{"DeploymentTargets": {"OrganizationalUnitIds": ["ou-a1b2-mlwork01"]},
                                 "Regions": ["us-east-1"]}]})


def test_stackset_template_carries_the_auditor_role_and_lints_clean(spec: GovernanceSpec) -> None:
    template = persona_template(spec, ["auditor"])
    roles = [r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role"]
    assert [r["Properties"]["RoleName"] for r in roles] == ["modelgov-auditor"]
    assert "Parameters" not in template  # bootstrapless: member accounts need no CDK bootstrap
    assert [str(m) for m in lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))] == []


def test_fails_for_a_stackset_without_ous(spec: GovernanceSpec) -> None:
    with pytest.raises(ValueError, match="no organizational unit to deploy to"):
        PersonaStackSet(_stack(MANAGEMENT), "S", spec=spec, personas=["qa"])


@pytest.mark.parametrize(("props", "message"), [
    ({"call_as": "ADMIN"}, "call_as is 'ADMIN'; use SELF"),
    ({"max_concurrent_percentage": 0}, "max_concurrent_percentage is 0; use 1 to 100"),
    ({"failure_tolerance_percentage": 101}, "failure_tolerance_percentage is 101; use 0 to 100"),
])
def test_fails_for_invalid_stackset_props(spec: GovernanceSpec, props: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        PersonaStackSet(_stack(MANAGEMENT), "S", spec=spec, personas=["auditor"], **props)


def test_the_verifier_proves_the_synthesized_registry_persona_and_organization_stacks(
        spec: GovernanceSpec, tmp_path: Path) -> None:
    """What `cdk synth` writes (roles, StackSet template, SCPs, group policies) passes `modelgov verify`."""
    app = cdk.App(outdir=str(tmp_path))
    RegistryStack(app, "modelgov-registry", spec=spec, env=REGISTRY)
    build_persona_stacks(app, spec)
    app.synth()
    result = verify([tmp_path], spec)
    assert [str(v) for v in result.violations] == []
    assert result.ok
    proven = set(result.personas.values())
    assert proven == {p.name for p in spec.personas}


def test_boundary_notaction_is_acknowledged_with_a_reason(stacks: dict[str, cdk.Stack]) -> None:
    """CDK's CloudFormation validation warns on NotAction (W2512); a boundary needs it, and says why."""
    boundaries = [c for c in stacks["personas-registry"].node.find_all()
                  if isinstance(c, iam.CfnManagedPolicy) and c.node.id.endswith("Boundary")]
    assert boundaries
    for boundary in boundaries:
        acknowledged = {rule: reason for entry in boundary.node.metadata
                        if entry.type == cdk.Validations.ACKNOWLEDGED_RULES_METADATA_KEY
                        for rule, reason in entry.data.items()}
        assert "NotAction on Resource *" in acknowledged["CloudFormation-Validate::W2512"]
        assert "cdk-nag 3.0.2 IAM5 throws on NotAction" in acknowledged["Annotation::AwsSolutions-IAM5"]
