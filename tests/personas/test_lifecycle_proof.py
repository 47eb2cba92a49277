"""Acceptance: the engine proves the generated persona policies + SCPs + group policies match the spec.

The oracle below reads the spec's transitions directly (it shares no code with the builders), and every
persona is checked over the whole grid: every current stage and status (and "no stage yet"), every target
stage and status of the catalog, with and without an approval status in the same call.
"""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from modelgov.policies.engine import prepare
from modelgov.policies.spec import GovernanceSpec, Persona

Lab = Any  # the `lab` fixture (tests/personas/conftest.py)

UPDATE, CREATE = "sagemaker:UpdateModelPackage", "sagemaker:CreateModelPackage"
APPROVALS = (None, "PendingManualApproval", "Approved", "Rejected")


def spec_allows(persona: Persona, current: tuple[str, str] | None, target: tuple[str, str] | None,
                approval: str | None, protected_stages: tuple[str, ...] = ()) -> bool:
    """What the spec says, from the Transition docstring: none = no stage yet, any = every stage and none.

    A version in a protected stage is the approvers' alone: nobody else may update it at all.
    """
    if approval is not None and approval not in persona.approval_statuses:
        return False
    if current is not None and current[0].lower() in {s.lower() for s in protected_stages} and not persona.approver:
        return False
    if target is None:
        return approval is not None
    for t in persona.transitions:
        if t.to != target[0] or target[1] not in t.statuses:
            continue
        if t.from_stage == "none":
            source = current is None
        elif t.from_stage == "any":
            source = True
        else:
            source = current is not None and current[0] == t.from_stage
        if t.from_statuses is not None and (current is None or current[1] not in t.from_statuses):
            source = False
        if source:
            return True
    return False


def _context(current: tuple[str, str] | None, target: tuple[str, str] | None,
             approval: str | None) -> dict[str, str]:
    context: dict[str, str] = {}
    if current is not None:
        context["sagemaker:CurrentModelLifeCycleStage"] = current[0]
        context["sagemaker:CurrentModelLifeCycleStageStatus"] = current[1]
    if target is not None:
        context["sagemaker:ModelLifeCycle:Stage"] = target[0]
        context["sagemaker:ModelLifeCycle:StageStatus"] = target[1]
    if approval is not None:
        context["sagemaker:ModelApprovalStatus"] = approval
    return context


def _violations(lab: Lab, persona: Persona, extra_identity: list[dict[str, Any]] | None = None,
                boundary: bool = False) -> list[str]:
    spec = lab.spec
    simulation: dict[str, Any] = {"identityPolicies": lab.persona_policies(persona.name) + (extra_identity or []),
                                  "serviceControlPolicies": lab.scps()}
    if boundary:
        simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": lab.boundary(persona.name)}]
    prepared = prepare(simulation)
    assert not prepared.errors, prepared.errors
    principal = f"arn:{lab.partition}:iam::{lab.registry}:role/{persona.effective_role_name}"
    pairs = list(itertools.product(spec.lifecycle.stages, spec.lifecycle.statuses))
    currents: list[tuple[str, str] | None] = [None, *pairs]
    targets: list[tuple[str, str] | None] = [None, *pairs]
    violations: list[str] = []
    for current, target, approval in itertools.product(currents, targets, APPROVALS):
        if target is None and approval is None:
            continue
        actions = [UPDATE, CREATE] if current is None else [UPDATE]
        for action in actions:
            request = {"principal": principal, "action": action,
                       "resource": {"resource": lab.version_arn(), "accountId": lab.registry},
                       "contextVariables": _context(current, target, approval)}
            result = prepared.evaluate(request)
            assert not result.errors, result.errors
            expected = spec_allows(persona, current, target, approval, tuple(spec.lifecycle.protected_stages))
            if result.allowed != expected:
                violations.append(f"{persona.name} {action} {current}->{target} approval={approval}: "
                                  f"{result.decision}, spec says {'allow' if expected else 'deny'}")
    return violations


def test_every_persona_matches_the_spec_over_the_whole_lifecycle_grid(lab: Lab, spec: GovernanceSpec) -> None:
    violations = [v for persona in spec.personas for v in _violations(lab, persona)]
    assert violations == []


def test_the_grid_is_not_vacuous(lab: Lab, spec: GovernanceSpec) -> None:
    """Each lifecycle persona is allowed something and denied something, so the proof above has teeth."""
    for persona in spec.personas:
        if not persona.transitions:
            continue
        first = persona.transitions[0]
        current = None if first.from_stage in ("none", "any") else (first.from_stage, (first.from_statuses or
                                                                                       spec.lifecycle.statuses)[0])
        assert spec_allows(persona, current, (first.to, first.statuses[0]), None)
        result = lab.run(role=persona.effective_role_name, action=UPDATE, identity=lab.persona_policies(persona.name),
                         context=_context(current, (first.to, first.statuses[0]), None))
        assert result.allowed, persona.name


def test_a_boundary_with_full_access_attached_still_matches_the_spec(lab: Lab, spec: GovernanceSpec) -> None:
    """The permissions boundary caps lifecycle actions even when AmazonSageMakerFullAccess is attached later."""
    persona = spec.persona("data-scientist")
    assert persona.permissions_boundary
    full = lab.full_access
    assert _violations(lab, persona, extra_identity=full, boundary=True) == []


@pytest.mark.parametrize("context", [
    {"sagemaker:CurrentModelLifeCycleStage": "QA", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved",
     "sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "PendingApproval"},
    {"sagemaker:CurrentModelLifeCycleStage": "Production",
     "sagemaker:CurrentModelLifeCycleStageStatus": "PendingApproval",
     "sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "Approved"},
    {"sagemaker:ModelApprovalStatus": "Approved"},
    {"sagemaker:ModelApprovalStatus": "Rejected"},
    {"sagemaker:CurrentModelLifeCycleStage": "Production", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved",
     "sagemaker:ModelLifeCycle:Stage": "Archived", "sagemaker:ModelLifeCycle:StageStatus": "Retired"},
    {"sagemaker:CurrentModelLifeCycleStage": "Production", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved",
     "sagemaker:ModelLifeCycle:Stage": "Development", "sagemaker:ModelLifeCycle:StageStatus": "InProgress"},
    {"sagemaker:CurrentModelLifeCycleStage": "Production", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved",
     "sagemaker:ModelApprovalStatus": "PendingManualApproval"},
], ids=["qa-to-production", "approve-production", "approve-version", "reject-version", "retire-production",
        "production-to-development", "resubmit-production"])
def test_full_access_on_a_non_approver_cannot_reach_production(lab: Lab, context: dict[str, str]) -> None:
    full = lab.full_access
    for role in ("modelgov-data-scientist", "modelgov-pipeline", "ml-engineer"):
        result = lab.run(role=role, action=UPDATE, context=context, identity=full)
        assert result.decision == "ExplicitlyDenied", (role, result.decision)
        assert result.blocked_by, role
    approver = lab.run(role="modelgov-lead-engineer", action=UPDATE, context=context, identity=full)
    assert approver.allowed


def _guarded(spec: GovernanceSpec, current: tuple[str, str] | None, target: tuple[str, str] | None,
             approval: str | None) -> bool:
    """What the lifecycle SCP reserves for approvers, from the spec's protected lists (case-insensitively)."""
    stages = {s.lower() for s in spec.lifecycle.protected_stages}
    statuses = {s.lower() for s in spec.lifecycle.protected_statuses}
    return ((current is not None and current[0].lower() in stages)
            or (target is not None and (target[0].lower() in stages or target[1].lower() in statuses))
            or approval not in (None, "PendingManualApproval"))


def test_full_access_on_non_approvers_is_denied_exactly_the_guarded_part_of_the_grid(
        lab: Lab, spec: GovernanceSpec) -> None:
    """With AmazonSageMakerFullAccess and no boundary, only the SCP decides: every request that touches a
    protected stage (into, out of or within), a protected status or an approval decision is denied, and
    everything else is allowed, so the SCP neither leaks nor over-blocks."""
    prepared = prepare({"identityPolicies": lab.full_access, "serviceControlPolicies": lab.scps()})
    pairs = list(itertools.product(spec.lifecycle.stages, spec.lifecycle.statuses))
    mismatches: list[str] = []
    for persona in [p for p in spec.personas if not p.approver]:
        principal = f"arn:{lab.partition}:iam::{lab.registry}:role/{persona.effective_role_name}"
        for current, target, approval in itertools.product([None, *pairs], [None, *pairs], APPROVALS):
            for action in [UPDATE, CREATE] if current is None else [UPDATE]:
                result = prepared.evaluate({"principal": principal, "action": action,
                                            "resource": {"resource": lab.version_arn(), "accountId": lab.registry},
                                            "contextVariables": _context(current, target, approval)})
                if result.allowed == _guarded(spec, current, target, approval):
                    mismatches.append(f"{persona.name} {action} {current}->{target} {approval}: {result.decision}")
    assert mismatches == []


def test_full_access_outside_the_platform_cannot_change_group_policies(lab: Lab) -> None:
    full = lab.full_access
    for action in ("sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy"):
        denied = lab.run(role="modelgov-qa", action=action, resource=lab.group_arn(), identity=full)
        assert denied.decision == "ExplicitlyDenied"
        allowed = lab.run(role="modelgov-platform", action=action, resource=lab.group_arn(),
                          identity=lab.persona_policies("platform"))
        assert allowed.allowed


def test_only_the_platform_persona_may_change_group_policies(lab: Lab, spec: GovernanceSpec) -> None:
    for persona in spec.personas:
        result = lab.run(role=persona.effective_role_name, action="sagemaker:PutModelPackageGroupPolicy",
                         resource=lab.group_arn(), identity=lab.persona_policies(persona.name))
        assert result.allowed == persona.platform, persona.name


def test_every_persona_reads_every_group_in_the_registry(lab: Lab, spec: GovernanceSpec) -> None:
    for persona, group in itertools.product(spec.personas, spec.model_package_groups):
        for action, resource in (("sagemaker:DescribeModelPackage", lab.version_arn(group.name)),
                                 ("sagemaker:DescribeModelPackageGroup", lab.group_arn(group.name))):
            result = lab.run(role=persona.effective_role_name, action=action, resource=resource,
                             identity=lab.persona_policies(persona.name))
            assert result.allowed, (persona.name, group.name, action)


@pytest.mark.parametrize(("account", "group", "allowed"), [
    ("prod", "churn-prediction", True),    # readers: [test, prod]
    ("test", "churn-prediction", True),
    ("dev", "churn-prediction", False),    # not a reader: the group policy does not let dev in
    ("test", "fraud-detection", False),    # fraud-detection readers: [prod]
])
def test_the_stackset_auditor_reads_cross_account_only_where_the_group_policy_allows(
        lab: Lab, spec: GovernanceSpec, account: str, group: str, allowed: bool) -> None:
    caller = spec.organization.account_id(account)
    result = lab.run(role="modelgov-auditor", account=caller, action="sagemaker:DescribeModelPackage",
                     resource=lab.version_arn(group), identity=lab.persona_policies("auditor"),
                     resource_policy=lab.group_policy(group))
    assert result.allowed is allowed


def test_a_cross_account_caller_cannot_change_lifecycle_without_update_in_the_group_policy(
        lab: Lab, spec: GovernanceSpec) -> None:
    """Consumers get no sagemaker:UpdateModelPackage, so even an approver role in prod cannot promote."""
    caller = spec.organization.account_id("prod")
    context = {"sagemaker:CurrentModelLifeCycleStage": "Production",
               "sagemaker:CurrentModelLifeCycleStageStatus": "PendingApproval",
               "sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "Approved"}
    result = lab.run(role="modelgov-lead-engineer", account=caller, action=UPDATE, context=context,
                     identity=lab.persona_policies("lead-engineer"),
                     resource_policy=lab.group_policy("churn-prediction"))
    assert not result.allowed
