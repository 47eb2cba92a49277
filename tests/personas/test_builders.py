"""Pure builders: persona policy shape, exact statement merging, size limits, trust, boundary, SCP packing."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelgov.policies.builders.personas import (
    MAX_MANAGED_POLICY_CHARACTERS,
    build_persona_boundary,
    build_persona_policy,
    build_trust_policy,
    transition_boxes,
)
from modelgov.policies.builders.scp import (
    MAX_SCP_CHARACTERS,
    build_lifecycle_scps,
    lifecycle_guardrail_statements,
    pack_scps,
)
from modelgov.policies.engine import simulate
from modelgov.policies.iam.catalog import condition_key_exists
from modelgov.policies.spec import GovernanceSpec, Persona
from modelgov.policies.spec.semantics import check_references

ARGS = {"partition": "aws", "region": "us-east-1", "account": "222222222222"}
STAGES = ["Development", "QA", "Production"]
STATUSES = ["InProgress", "Approved", "Rejected"]


def _persona(transitions: list[dict[str, Any]], **extra: Any) -> Persona:
    return Persona.model_validate({"name": "tester", "trust": {"services": ["sagemaker.amazonaws.com"]},
                                   "transitions": transitions, **extra})


def _size(document: dict[str, Any]) -> int:
    return len(json.dumps(document, separators=(",", ":")))


def test_data_scientist_policy_has_read_list_three_lifecycle_and_one_approval_statement(spec: GovernanceSpec) -> None:
    document = build_persona_policy(spec, spec.persona("data-scientist"), **ARGS)
    assert [s["Sid"] for s in document["Statement"]] == [
        "ReadRegistry", "ListGroups", "Lifecycle0", "Lifecycle1", "Lifecycle2", "Approval"]


def test_a_transition_from_a_stage_conditions_on_the_current_stage_and_updates_only(spec: GovernanceSpec) -> None:
    document = build_persona_policy(spec, spec.persona("qa"), **ARGS)
    equals = [s.get("Condition", {}).get("StringEquals", {}) for s in document["Statement"]]
    promote = document["Statement"][[e.get("sagemaker:ModelLifeCycle:Stage") for e in equals].index("Production")]
    assert promote["Action"] == "sagemaker:UpdateModelPackage"
    assert promote["Condition"]["StringEquals"] == {
        "sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "PendingApproval",
        "sagemaker:CurrentModelLifeCycleStage": "QA", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved"}
    assert promote["Resource"] == ["arn:aws:sagemaker:us-east-1:222222222222:model-package/churn-prediction/*",
                                   "arn:aws:sagemaker:us-east-1:222222222222:model-package/fraud-detection/*"]


def test_a_transition_from_none_allows_create_and_requires_no_current_stage(spec: GovernanceSpec) -> None:
    document = build_persona_policy(spec, spec.persona("pipeline"), **ARGS)
    register = document["Statement"][2]
    assert register["Action"] == ["sagemaker:CreateModelPackage", "sagemaker:UpdateModelPackage"]
    assert register["Condition"]["Null"] == {"sagemaker:CurrentModelLifeCycleStage": "true"}
    assert register["Condition"]["StringEqualsIfExists"] == {"sagemaker:ModelApprovalStatus": "PendingManualApproval"}


def test_a_persona_without_approval_statuses_may_not_send_one_with_a_transition() -> None:
    persona = _persona([{"from": "Development", "to": "QA", "statuses": ["InProgress"]}])
    statements = _tiny_policy(persona)["Statement"]
    assert statements[2]["Condition"]["Null"] == {"sagemaker:ModelApprovalStatus": "true"}
    assert all(s["Sid"] != "Approval" for s in statements)


def test_approval_statement_requires_the_lifecycle_keys_to_be_absent(spec: GovernanceSpec) -> None:
    approval = build_persona_policy(spec, spec.persona("lead-engineer"), **ARGS)["Statement"][-1]
    assert approval["Sid"] == "Approval"
    assert approval["Condition"] == {
        "StringEquals": {"sagemaker:ModelApprovalStatus": ["Approved", "PendingManualApproval", "Rejected"]},
        "Null": {"sagemaker:ModelLifeCycle:Stage": "true", "sagemaker:ModelLifeCycle:StageStatus": "true"}}


def test_only_the_platform_persona_gets_group_policy_actions(spec: GovernanceSpec) -> None:
    for persona in spec.personas:
        text = json.dumps(build_persona_policy(spec, persona, **ARGS))
        assert ("PutModelPackageGroupPolicy" in text) is persona.platform, persona.name


def test_a_transition_from_any_absorbs_the_same_target_from_none_or_a_stage() -> None:
    persona = _persona([{"from": "none", "to": "Development", "statuses": ["InProgress"]},
                        {"from": "QA", "from_statuses": ["Rejected"], "to": "Development", "statuses": ["InProgress"]},
                        {"from": "any", "to": "Development", "statuses": ["InProgress", "Rejected"]}])
    boxes = transition_boxes(persona)
    assert [(b.kind, sorted(b.statuses)) for b in boxes] == [("any", ["InProgress", "Rejected"])]


def test_any_with_current_statuses_does_not_absorb_none() -> None:
    persona = _persona([{"from": "none", "to": "Development", "statuses": ["InProgress"]},
                        {"from": "any", "from_statuses": ["Approved"], "to": "Development",
                         "statuses": ["InProgress"]}])
    assert sorted(b.kind for b in transition_boxes(persona)) == ["any", "none"]


def test_transitions_with_one_differing_dimension_share_a_statement() -> None:
    persona = _persona([{"from": "Development", "to": "QA", "statuses": ["InProgress"]},
                        {"from": "Development", "to": "Production", "statuses": ["InProgress"]},
                        {"from": "QA", "to": "Production", "statuses": ["Approved"]}])
    boxes = transition_boxes(persona)
    assert len(boxes) == 2
    assert {frozenset(b.to) for b in boxes} == {frozenset({"QA", "Production"}), frozenset({"Production"})}


def _expand(boxes: list[Any]) -> set[tuple[Any, ...]]:
    """Every (current stage, current status, target stage, target status) a list of boxes allows."""
    cells: set[tuple[Any, ...]] = set()
    for box in boxes:
        statuses = box.from_statuses if box.from_statuses is not None else STATUSES
        sources = {(stage, status) for stage in (STAGES if box.kind == "any" else box.from_stages)
                   for status in statuses}
        if box.kind == "none" or (box.kind == "any" and box.from_statuses is None):
            sources.add(("none", "-"))
        cells |= set(itertools.product(sources, box.to, box.statuses))
    return cells


_transition = st.fixed_dictionaries({
    "from": st.sampled_from(["none", "any", *STAGES]),
    "to": st.sampled_from(STAGES),
    "statuses": st.lists(st.sampled_from(STATUSES), min_size=1, max_size=3, unique=True),
    "from_statuses": st.none() | st.lists(st.sampled_from(STATUSES), min_size=1, max_size=2, unique=True),
})


@settings(max_examples=150, deadline=None)
@given(st.lists(_transition, min_size=1, max_size=6))
def test_merged_statements_allow_exactly_the_transitions_of_the_spec(raw: list[dict[str, Any]]) -> None:
    for item in raw:
        if item["from"] == "none":
            item["from_statuses"] = None
    persona = _persona(raw)
    wanted = _expand(transition_boxes(_persona([raw[0]])))
    for item in raw[1:]:
        wanted |= _expand(transition_boxes(_persona([item])))
    boxes = transition_boxes(persona)
    assert _expand(boxes) == wanted
    assert len(boxes) <= len(raw)


def _tiny_spec(groups: int = 1, approver_accounts: int = 0) -> GovernanceSpec:
    accounts = [{"name": f"a{i}", "id": f"{100000000000 + i}", "environment": "dev"} for i in range(approver_accounts)]
    return GovernanceSpec.model_validate({
        "organization": {"id": "o-a1b2c3d4e5", "root_id": "r-a1b2", "management_account": "111111111111",
                         "registry_account": "222222222222", "regions": ["us-east-1"], "accounts": accounts},
        "personas": [{"name": "boss", "approver": True, "trust": {"sso_permission_sets": ["Boss"]},
                      "accounts": ["registry", *[a["name"] for a in accounts]],
                      "role_name": "modelgov-a-rather-long-approver-role-name-for-testing",
                      "transitions": [{"from": "QA", "to": "Production", "statuses": ["Approved"]}]}],
        "model_package_groups": [{"name": f"group-number-{i:03d}"} for i in range(groups)],
    })


def _tiny_policy(persona: Persona) -> dict[str, Any]:
    return build_persona_policy(_tiny_spec(), persona, **ARGS)


def test_fails_when_the_persona_policy_exceeds_the_managed_policy_limit() -> None:
    spec = _tiny_spec(groups=60)
    with pytest.raises(ValueError, match=r"persona 'boss': managed policy is \d+ characters, the limit is 6144"):
        build_persona_policy(spec, spec.personas[0], **ARGS)


def test_a_policy_just_under_the_limit_is_built() -> None:
    groups = 1
    while True:
        spec = _tiny_spec(groups=groups + 1)
        try:
            build_persona_policy(spec, spec.personas[0], **ARGS)
        except ValueError:
            break
        groups += 1
    document = build_persona_policy(_tiny_spec(groups), _tiny_spec(groups).personas[0], **ARGS)
    assert MAX_MANAGED_POLICY_CHARACTERS - 400 < _size(document) <= MAX_MANAGED_POLICY_CHARACTERS


def test_boundary_allows_everything_but_lifecycle_and_group_policy_writes(spec: GovernanceSpec) -> None:
    boundary = build_persona_boundary(spec, spec.persona("data-scientist"), **ARGS)
    first = boundary["Statement"][0]
    assert first == {"Sid": "EverythingElse", "Effect": "Allow", "Resource": "*", "NotAction": [
        "sagemaker:CreateModelPackage", "sagemaker:DeleteModelPackageGroupPolicy",
        "sagemaker:PutModelPackageGroupPolicy", "sagemaker:UpdateModelPackage"]}
    policy = build_persona_policy(spec, spec.persona("data-scientist"), **ARGS)
    assert boundary["Statement"][1:] == policy["Statement"][2:]


def test_trust_matches_sso_permission_set_roles_of_the_account_only() -> None:
    persona = _persona([], trust={"sso_permission_sets": ["QASpecialist"]})
    trust = build_trust_policy(persona, partition="aws", account="333333333333", trusted_account_ids=[])
    sso = "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/"
    role = "AWSReservedSSO_QASpecialist_" + "?" * 16
    assert trust["Statement"] == [{
        "Sid": "TrustPermissionSets", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::333333333333:root"},
        "Condition": {"ArnLike": {"aws:PrincipalArn": [sso + role, sso + "*/" + role]}}}]


SSO_PATH = "arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/"


@pytest.mark.parametrize(("principal", "decision"), [
    (SSO_PATH + "AWSReservedSSO_QASpecialist_0123456789abcdef", "Allowed"),  # identity source in us-east-1
    (SSO_PATH + "eu-west-2/AWSReservedSSO_QASpecialist_abcdef0123456789", "Allowed"),  # elsewhere: region path
    (SSO_PATH + "AWSReservedSSO_QASpecialist_admin_0123456789abcdef", "ImplicitlyDenied"),  # set QASpecialist_admin
    (SSO_PATH + "AWSReservedSSO_x_AWSReservedSSO_QASpecialist_0123456789abcdef", "ImplicitlyDenied"),
    (SSO_PATH + "eu-west-2/AWSReservedSSO_Other_AWSReservedSSO_QASpecialist_0123456789abcdef", "ImplicitlyDenied"),
    (SSO_PATH + "AWSReservedSSO_QASpecialist_0123456789abcde", "ImplicitlyDenied"),  # suffix one short
    ("arn:aws:iam::444444444444:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASpecialist_0123456789abcdef",
     "ImplicitlyDenied"),  # the same set's role in another account
])
def test_sso_trust_admits_exactly_the_permission_set_roles(principal: str, decision: str) -> None:
    """Evaluated by the engine: the role's trust policy as the resource policy, the caller allowed to assume."""
    persona = _persona([], trust={"sso_permission_sets": ["QASpecialist"]})
    trust = build_trust_policy(persona, partition="aws", account="333333333333", trusted_account_ids=[])
    allow = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]}
    result = simulate({"request": {"principal": principal, "action": "sts:AssumeRole",
                                   "resource": {"resource": "arn:aws:iam::333333333333:role/modelgov-qa",
                                                "accountId": "333333333333"}},
                       "identityPolicies": [{"name": "caller", "policy": allow}], "resourcePolicy": trust})
    assert result.errors == [] and result.decision == decision


def test_trust_policy_over_the_iam_quota_names_the_persona() -> None:
    persona = _persona([], trust={"accounts": []})
    many = [f"{n:012d}" for n in range(1, 80)]
    with pytest.raises(ValueError, match="persona 'tester': trust policy is .* characters, the limit is 2048"):
        build_trust_policy(persona, partition="aws", account="333333333333", trusted_account_ids=many)


def test_trust_for_a_service_carries_the_source_account() -> None:
    trust = build_trust_policy(_persona([]), partition="aws", account="333333333333", trusted_account_ids=[])
    assert trust["Statement"][0]["Principal"] == {"Service": "sagemaker.amazonaws.com"}
    assert trust["Statement"][0]["Condition"] == {"StringEquals": {"aws:SourceAccount": "333333333333"}}


def test_fails_when_a_persona_has_no_trust() -> None:
    persona = _persona([], trust={})
    with pytest.raises(ValueError, match="persona 'tester' has no trust; list accounts"):
        build_trust_policy(persona, partition="aws", account="333333333333", trusted_account_ids=[])


def test_lifecycle_scp_exempts_approver_roles_by_exact_arn(spec: GovernanceSpec) -> None:
    stages = build_lifecycle_scps(spec)[0]["Statement"][0]
    assert stages["Condition"] == {
        "StringEqualsIgnoreCase": {"sagemaker:ModelLifeCycle:Stage": "Production"},
        "ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::222222222222:role/modelgov-lead-engineer",
                                            "arn:aws:iam::222222222222:role/modelgov-qa"]}}


def test_lifecycle_scp_denies_everyone_when_no_persona_is_an_approver(spec: GovernanceSpec) -> None:
    personas = [p.model_copy(update={"approver": False, "transitions": [], "approval_statuses": []})
                for p in spec.personas]
    scps = build_lifecycle_scps(spec.model_copy(update={"personas": personas}))
    assert all("ArnNotLike" not in s["Condition"] for s in scps[0]["Statement"][:3])


def test_lifecycle_scps_split_when_they_exceed_the_quota_and_keep_every_statement_whole() -> None:
    spec = _tiny_spec(approver_accounts=25)
    documents = build_lifecycle_scps(spec)
    assert len(documents) > 1
    assert all(_size(d) <= MAX_SCP_CHARACTERS for d in documents)
    sids = [s["Sid"] for d in documents for s in d["Statement"]]
    assert sids == ["DenyProtectedStages", "DenyProtectedStatuses", "DenyLeavingProtectedStages",
                    "DenyApprovalDecisions", "DenyDeletes", "DenyGroupPolicyChanges"]
    for statement in [s for d in documents for s in d["Statement"]][:3]:
        assert len(statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"]) == 26


def test_fails_when_one_scp_statement_alone_exceeds_the_quota() -> None:
    spec = _tiny_spec(approver_accounts=70)
    with pytest.raises(ValueError, match=r"lifecycle guardrail: statement DenyProtectedStages alone is \d+ "
                                         r"characters, an SCP allows 5120; exempt fewer roles"):
        build_lifecycle_scps(spec)


def test_pack_scps_returns_nothing_for_no_statements() -> None:
    assert pack_scps([], "x") == []


def test_every_condition_key_of_every_persona_document_is_in_the_service_reference(spec: GovernanceSpec) -> None:
    for persona in spec.personas:
        for document in (build_persona_policy(spec, persona, **ARGS), build_persona_boundary(spec, persona, **ARGS)):
            keys = {k for s in document["Statement"] for block in s.get("Condition", {}).values() for k in block}
            assert all(condition_key_exists(k) for k in keys), keys


TOKEN = "${Token[AWS.Partition.9]}"  # what a CDK partition token looks like before synth


def _largest_group_count(partition: str) -> int:
    groups = 1
    while True:
        spec = _tiny_spec(groups=groups + 1)
        try:
            build_persona_policy(spec, spec.personas[0], **(ARGS | {"partition": partition}))
        except ValueError:
            return groups
        groups += 1


def test_a_token_partition_is_sized_as_the_longest_real_partition() -> None:
    largest = _largest_group_count("aws-us-gov")
    assert largest < _largest_group_count("aws")
    spec = _tiny_spec(groups=largest)
    document = build_persona_policy(spec, spec.personas[0], **(ARGS | {"partition": TOKEN}))
    assert _size(document) > MAX_MANAGED_POLICY_CHARACTERS  # the token text is longer than any partition
    too_big = _tiny_spec(groups=largest + 1)
    with pytest.raises(ValueError, match="managed policy is"):
        build_persona_policy(too_big, too_big.personas[0], **(ARGS | {"partition": TOKEN}))


def test_lifecycle_scps_with_a_token_partition_split_like_the_longest_partition() -> None:
    spec = _tiny_spec(approver_accounts=13)
    with_token = build_lifecycle_scps(spec, partition=TOKEN)
    literal = build_lifecycle_scps(spec, partition="aws-us-gov")
    assert [[s["Sid"] for s in d["Statement"]] for d in with_token] == [
        [s["Sid"] for s in d["Statement"]] for d in literal]
    assert len(with_token) == 2
    by_token_text = pack_scps(lifecycle_guardrail_statements(spec, partition=TOKEN), "lifecycle guardrail")
    assert len(by_token_text) == 3  # sized by the token's own text it would take three documents
    assert TOKEN in json.dumps(with_token)


def _persona_spec(persona: dict[str, Any]) -> dict[str, Any]:
    return {"organization": {"id": "o-a1b2c3d4e5", "root_id": "r-a1b2", "management_account": "111111111111",
                             "registry_account": "222222222222", "regions": ["us-east-1"]},
            "model_package_groups": [{"name": "g"}],
            "personas": [{"name": "ops", "trust": {"sso_permission_sets": ["Ops"]}, **persona}]}


def _spec_errors(persona: dict[str, Any]) -> list[str]:
    return [r.message for r in check_references(GovernanceSpec.model_validate(_persona_spec(persona)))]


def test_a_non_approver_may_not_record_a_rejection() -> None:
    """The SCP denies non-approvers every approval status but PendingManualApproval, so the spec must too."""
    assert _spec_errors({"approval_statuses": ["PendingManualApproval", "Rejected"]}) == [
        "persona 'ops' may set approval decision ['Rejected'] but is not an approver"]
    assert _spec_errors({"approval_statuses": ["PendingManualApproval", "Rejected"], "approver": True}) == []


def test_a_non_approver_may_not_move_versions_out_of_a_protected_stage() -> None:
    leaving = {"transitions": [{"from": "Production", "to": "Archived", "statuses": ["Retired"]}]}
    assert _spec_errors(leaving) == [
        "persona 'ops' moves versions out of protected stage 'Production' but is not an approver"]
    assert _spec_errors(leaving | {"approver": True}) == []
