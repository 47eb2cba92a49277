"""Guardrail SCPs: for every generated statement, one request it denies and one close request it allows.

Callers carry AmazonSageMakerFullAccess, so only the SCP can deny; each pair differs in one detail.
A statement without a case here fails `test_every_scp_statement_has_a_deny_and_an_allow_case`.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelgov.policies.builders.scp import build_lifecycle_scps, build_monitoring_scps
from modelgov.policies.engine import simulate
from modelgov.policies.iam.catalog import condition_key_exists
from modelgov.policies.spec.monitoring import MonitoringGuardrails

Lab = Any  # the `lab` fixture (tests/personas/conftest.py)

UPDATE = "sagemaker:UpdateModelPackage"
CREATE_DQ = "sagemaker:CreateDataQualityJobDefinition"
UPDATE_SCHEDULE = "sagemaker:UpdateMonitoringSchedule"
PROD = "555555555555"
PRODUCTION_ON_HOLD = {"sagemaker:ModelLifeCycle:Stage": "Production", "sagemaker:ModelLifeCycle:StageStatus": "OnHold"}
DQ_ARN = f"arn:aws:sagemaker:us-east-1:{PROD}:data-quality-job-definition/churn-dq"
SCHEDULE_ARN = f"arn:aws:sagemaker:us-east-1:{PROD}:monitoring-schedule/churn-endpoint"
SECURE_JOB = {
    "sagemaker:VolumeKmsKeyArn": f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "sagemaker:OutputKmsKeyArn": f"arn:aws:kms:us-east-1:{PROD}:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "sagemaker:VpcSubnets": ["subnet-0a1b2c3d"],
    "sagemaker:VpcSecurityGroupIds": ["sg-0a1b2c3d"],
    "sagemaker:InterContainerTrafficEncryption": "true",
}


def _without(key: str) -> dict[str, Any]:
    return {k: v for k, v in SECURE_JOB.items() if k != key}


def _schedule(job: dict[str, Any], action: str = "sagemaker:CreateMonitoringSchedule") -> dict[str, Any]:
    """A schedule request: `job` keys mean an inline job definition (which always names its instance type)."""
    context = job | {"sagemaker:InstanceTypes": ["ml.m5.xlarge"]} if job else {}
    return {"role": "ml-engineer", "action": action, "context": context, "resource": SCHEDULE_ARN}


def _lifecycle(stage: str | None = None, status: str | None = None, approval: str | None = None) -> dict[str, str]:
    context = {"sagemaker:CurrentModelLifeCycleStage": "QA", "sagemaker:CurrentModelLifeCycleStageStatus": "Approved"}
    if stage:
        context |= {"sagemaker:ModelLifeCycle:Stage": stage,
                    "sagemaker:ModelLifeCycle:StageStatus": status or "InProgress"}
    if approval:
        context["sagemaker:ModelApprovalStatus"] = approval
    return context


def _from_production(stage: str | None = None, status: str | None = None) -> dict[str, str]:
    context = {"sagemaker:CurrentModelLifeCycleStage": "Production",
               "sagemaker:CurrentModelLifeCycleStageStatus": "Approved"}
    return context | ({"sagemaker:ModelLifeCycle:Stage": stage,
                       "sagemaker:ModelLifeCycle:StageStatus": status or "InProgress"} if stage else {})


# sid -> (denied request, allowed close request); each request: role, action, context, resource (None: a version)
CASES: dict[str, list[tuple[dict[str, Any], dict[str, Any]]]] = {
    "DenyProtectedStages": [
        ({"role": "ml-engineer", "action": UPDATE, "context": _lifecycle("Production", "PendingApproval")},
         {"role": "ml-engineer", "action": UPDATE, "context": _lifecycle("PreProduction", "PendingApproval")}),
        ({"role": "ml-engineer", "action": UPDATE, "context": _lifecycle("production", "PendingApproval")},
         {"role": "modelgov-qa", "action": UPDATE, "context": _lifecycle("production", "PendingApproval")}),
        ({"role": "modelgov-data-scientist", "action": "sagemaker:CreateModelPackage",
          "context": PRODUCTION_ON_HOLD},
         {"role": "modelgov-lead-engineer", "action": "sagemaker:CreateModelPackage",
          "context": PRODUCTION_ON_HOLD}),
    ],
    "DenyProtectedStatuses": [
        ({"role": "ml-engineer", "action": UPDATE, "context": _lifecycle("QA", "Approved")},
         {"role": "ml-engineer", "action": UPDATE, "context": _lifecycle("QA", "Rejected")}),
    ],
    "DenyLeavingProtectedStages": [
        # seen with the engine before the fix: FullAccess moved a model from Production:Approved out
        ({"role": "modelgov-pipeline", "action": UPDATE,
          "context": _from_production("Archived", "Retired")},
         {"role": "modelgov-lead-engineer", "action": UPDATE, "context": _from_production("Archived", "Retired")}),
        ({"role": "modelgov-pipeline", "action": UPDATE, "context": _from_production("Development", "InProgress")},
         {"role": "modelgov-pipeline", "action": UPDATE, "context": _lifecycle("Development", "InProgress")}),
        ({"role": "ml-engineer", "action": UPDATE,
          "context": _from_production() | {"sagemaker:CurrentModelLifeCycleStage": "production"}},
         {"role": "ml-engineer", "action": "sagemaker:CreateModelPackage", "context": {}}),
    ],
    "DenyApprovalDecisions": [
        ({"role": "modelgov-pipeline", "action": UPDATE, "context": _lifecycle(approval="Approved")},
         {"role": "modelgov-pipeline", "action": UPDATE, "context": _lifecycle(approval="PendingManualApproval")}),
        ({"role": "modelgov-pipeline", "action": UPDATE, "context": _lifecycle(approval="Rejected")},
         {"role": "modelgov-qa", "action": UPDATE, "context": _lifecycle(approval="Rejected")}),
        # an absent approval key is not "another value": a lifecycle-only call is not denied
        ({"role": "modelgov-data-scientist", "action": "sagemaker:CreateModelPackage",
          "context": {"sagemaker:ModelApprovalStatus": "Approved"}},
         {"role": "modelgov-data-scientist", "action": "sagemaker:CreateModelPackage", "context": {}}),
    ],
    "DenyDeletes": [
        ({"role": "modelgov-pipeline", "action": "sagemaker:DeleteModelPackage"},
         {"role": "modelgov-lead-engineer", "action": "sagemaker:DeleteModelPackage"}),
        ({"role": "modelgov-data-scientist", "action": "sagemaker:DeleteModelPackageGroup", "resource": "group"},
         {"role": "modelgov-platform", "action": "sagemaker:DeleteModelPackageGroup", "resource": "group"}),
    ],
    "DenyGroupPolicyChanges": [
        ({"role": "modelgov-qa", "action": "sagemaker:PutModelPackageGroupPolicy", "resource": "group"},
         {"role": "modelgov-platform", "action": "sagemaker:PutModelPackageGroupPolicy", "resource": "group"}),
        ({"role": "cdk-hnb659fds-deploy-role-222222222222-us-east-1",
          "action": "sagemaker:DeleteModelPackageGroupPolicy", "resource": "group"},
         {"role": "cdk-hnb659fds-cfn-exec-role-222222222222-us-east-1",
          "action": "sagemaker:DeleteModelPackageGroupPolicy", "resource": "group"}),
    ],
    "DenyJobDefinitionWithoutVolumeKmsKey": [
        ({"role": "ml-engineer", "action": CREATE_DQ, "context": _without("sagemaker:VolumeKmsKeyArn"),
          "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
    ],
    "DenyJobDefinitionWithoutOutputKmsKey": [
        ({"role": "ml-engineer", "action": CREATE_DQ, "context": _without("sagemaker:OutputKmsKeyArn"),
          "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
    ],
    "DenyJobDefinitionWithoutVpcSubnets": [
        ({"role": "ml-engineer", "action": CREATE_DQ, "context": _without("sagemaker:VpcSubnets"), "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
    ],
    "DenyJobDefinitionWithoutVpcSecurityGroups": [
        ({"role": "ml-engineer", "action": CREATE_DQ, "context": _without("sagemaker:VpcSecurityGroupIds"),
          "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
    ],
    "DenyJobDefinitionWithoutTrafficEncryption": [
        # the seed's Bool would let an absent key through (D2); BoolIfExists denies it
        ({"role": "ml-engineer", "action": CREATE_DQ, "context": _without("sagemaker:InterContainerTrafficEncryption"),
          "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
        ({"role": "ml-engineer", "action": CREATE_DQ,
          "context": SECURE_JOB | {"sagemaker:InterContainerTrafficEncryption": "false"}, "resource": DQ_ARN},
         {"role": "ml-engineer", "action": CREATE_DQ, "context": SECURE_JOB, "resource": DQ_ARN}),
    ],
    # A schedule with an inline job definition carries the job keys and InstanceTypes; one that names a job
    # definition carries none of them and must stay allowed (the close request of every pair below).
    "DenyInlineScheduleWithoutVolumeKmsKey": [
        (_schedule(_without("sagemaker:VolumeKmsKeyArn")), _schedule(SECURE_JOB)),
        (_schedule(_without("sagemaker:VolumeKmsKeyArn"), UPDATE_SCHEDULE), _schedule({})),
    ],
    "DenyInlineScheduleWithoutOutputKmsKey": [
        (_schedule(_without("sagemaker:OutputKmsKeyArn")), _schedule(SECURE_JOB)),
    ],
    "DenyInlineScheduleWithoutVpcSubnets": [
        (_schedule(_without("sagemaker:VpcSubnets")), _schedule(SECURE_JOB)),
    ],
    "DenyInlineScheduleWithoutVpcSecurityGroups": [
        (_schedule(_without("sagemaker:VpcSecurityGroupIds")), _schedule(SECURE_JOB)),
    ],
    "DenyInlineScheduleWithoutTrafficEncryption": [
        (_schedule(_without("sagemaker:InterContainerTrafficEncryption")), _schedule(SECURE_JOB)),
        (_schedule(SECURE_JOB | {"sagemaker:InterContainerTrafficEncryption": "false"}), _schedule({})),
    ],
}
# Opt-in only: the key is not in the service reference, so the engine refuses to evaluate it (see below).
OPT_IN_CASES = {
    "DenyScheduleWithoutJobDefinitionName": {"role": "ml-engineer", "action": "sagemaker:CreateMonitoringSchedule",
                                             "context": {}, "resource": SCHEDULE_ARN},
}


def _run(lab: Lab, request: dict[str, Any], scps: list[dict[str, Any]] | None = None) -> Any:
    resource = request.get("resource")
    resource = lab.group_arn() if resource == "group" else resource
    account = resource.split(":")[4] if resource else None  # monitoring calls run in the workload account
    return lab.run(role=request["role"], action=request["action"], context=request.get("context", {}),
                   resource=resource, account=account, identity=lab.full_access, scps=scps)


def _sids(documents: list[dict[str, Any]]) -> list[str]:
    return [s["Sid"] for d in documents for s in d["Statement"]]


def test_every_scp_statement_has_a_deny_and_an_allow_case(lab: Lab) -> None:
    generated = _sids(lab.lifecycle_scps + lab.monitoring_scps)
    assert sorted(generated) == sorted(CASES)
    opted = build_monitoring_scps(MonitoringGuardrails(enforce_job_definition_name_key=True))
    assert sorted(set(_sids(opted)) - set(CASES)) == sorted(OPT_IN_CASES)


@pytest.mark.parametrize(("sid", "index"), [(sid, i) for sid, pairs in CASES.items() for i in range(len(pairs))])
def test_scp_statement_denies_one_request_and_allows_a_close_one(lab: Lab, sid: str, index: int) -> None:
    denied, allowed = CASES[sid][index]
    result = _run(lab, denied)
    assert result.decision == "ExplicitlyDenied"
    assert [d["sid"] for d in result.decisive] == [sid]
    assert _run(lab, allowed).allowed


def test_opt_in_schedule_statement_is_refused_by_the_engine_as_an_unknown_key(lab: Lab) -> None:
    """The opt-in key is not in the service reference: a fail-closed engine cannot prove it either way (D3)."""
    guardrails = build_monitoring_scps(MonitoringGuardrails(enforce_job_definition_name_key=True))
    assert _sids(guardrails)[-1] == "DenyScheduleWithoutJobDefinitionName"
    request = OPT_IN_CASES["DenyScheduleWithoutJobDefinitionName"]
    result = simulate({
        "request": {"principal": f"arn:aws:iam::{PROD}:role/ml-engineer", "action": request["action"],
                    "resource": {"resource": SCHEDULE_ARN, "accountId": PROD}, "contextVariables": {}},
        "identityPolicies": lab.full_access, "serviceControlPolicies": lab.scps(guardrails)})
    assert not result.allowed
    assert [e.code for e in result.errors] == ["E014"]
    assert "sagemaker:ModelMonitorJobDefinitionName" in str(result.errors[0])


def test_without_the_opt_in_a_schedule_is_never_denied_for_the_undocumented_key(lab: Lab) -> None:
    assert _run(lab, OPT_IN_CASES["DenyScheduleWithoutJobDefinitionName"]).allowed


def test_the_seed_monitoring_scp_lets_a_job_without_vpc_through_and_ours_does_not(lab: Lab) -> None:
    """Seed D1: its keys share one Null block (ANDed), so a KMS key alone satisfies it."""
    seed = {"Version": "2012-10-17", "Statement": [{
        "Effect": "Deny", "Action": [CREATE_DQ], "Resource": "arn:*:sagemaker:*:*:*",
        "Condition": {"Null": {"sagemaker:VolumeKmsKeyArn": "true", "sagemaker:VpcSubnets": "true",
                               "sagemaker:VpcSecurityGroupIds": "true"}}}]}
    request = {"role": "ml-engineer", "action": CREATE_DQ, "resource": DQ_ARN,
               "context": {k: v for k, v in SECURE_JOB.items() if not k.startswith("sagemaker:Vpc")}}
    assert _run(lab, request, lab.scps([seed])).allowed
    assert _run(lab, request).decision == "ExplicitlyDenied"


def test_lifecycle_scps_fit_the_quota_and_name_keys_from_the_service_reference(lab: Lab) -> None:
    for document in lab.lifecycle_scps + lab.monitoring_scps:
        assert len(json.dumps(document, separators=(",", ":"))) <= 5120
        for statement in document["Statement"]:
            for block in statement.get("Condition", {}).values():
                for key in block:
                    assert condition_key_exists(key), key


def test_build_lifecycle_scps_defaults_to_the_aws_partition(spec: Any) -> None:
    text = str(build_lifecycle_scps(spec))
    assert "arn:aws:iam::222222222222:role/modelgov-qa" in text
    assert "arn:aws-us-gov:iam::" in str(build_lifecycle_scps(spec, partition="aws-us-gov"))
