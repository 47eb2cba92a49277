"""Proof with the engine: what each job definition and schedule sends, against the monitoring guardrail SCP.

The request context is derived from ModelMonitor's props (monitoring_context), the SCP from the spec's
guardrails (build_monitoring_scps); the secure defaults are allowed, each insecure variant is denied.
"""

from __future__ import annotations

from typing import Any

import pytest

from modelgov.constructs.model_monitor import ModelMonitor
from modelgov.policies.builders.monitoring_context import (
    JobSettings,
    job_definition_request,
    schedule_request,
)
from modelgov.policies.builders.scp import build_monitoring_scps
from modelgov.policies.engine import simulate
from modelgov.policies.spec.monitoring import MonitoringGuardrails

from .conftest import BIAS, EXPLAIN, MQ, monitor_props, new_stack

ACCOUNT = "555555555555"
PRINCIPAL = f"arn:aws:iam::{ACCOUNT}:role/ml-platform"
ADMIN = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"}]}
FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def decide(request: dict[str, Any], guardrails: MonitoringGuardrails | None = None) -> str:
    scps = build_monitoring_scps(guardrails or MonitoringGuardrails())
    simulation = {
        "request": request,
        "identityPolicies": [{"name": "SageMakerAdmin", "policy": ADMIN}],
        "serviceControlPolicies": [
            {
                "orgIdentifier": "r-root",
                "policies": [
                    {"name": "FullAWSAccess", "policy": FULL},
                    *({"name": f"MonitoringGuardrail{i}", "policy": p} for i, p in enumerate(scps)),
                ],
            }
        ],
        "resourceControlPolicies": [],
    }
    result = simulate(simulation)
    assert not result.errors, result.errors
    return str(result.decision)


def job_request(settings: JobSettings) -> dict[str, Any]:
    return job_definition_request(
        settings, name="churn-jobdef", partition="aws", region="us-east-1", account=ACCOUNT
    ).as_engine_request(PRINCIPAL)


def monitor(**overrides: Any) -> ModelMonitor:
    stack, vpc = new_stack()
    return ModelMonitor(stack, "Monitor", **monitor_props(vpc, **overrides))


@pytest.fixture(scope="module")
def secure() -> ModelMonitor:
    return monitor(model_quality=MQ, model_bias=BIAS, model_explainability=EXPLAIN)


@pytest.mark.parametrize("monitor_type", ["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"])
def test_default_job_definitions_are_allowed(secure: ModelMonitor, monitor_type: str) -> None:
    assert decide(job_request(secure.job_settings(monitor_type))) == "Allowed"


def test_schedules_naming_their_job_definition_are_allowed(secure: ModelMonitor) -> None:
    for name in ("churn-data-quality", "churn-model-quality"):
        for update in (False, True):
            request = schedule_request(
                name=name, partition="aws", region="us-east-1", account=ACCOUNT, update=update
            ).as_engine_request(PRINCIPAL)
            assert decide(request) == "Allowed"


def test_monitor_outside_a_vpc_is_denied() -> None:
    insecure = monitor(vpc=None, require_vpc=False)
    assert decide(job_request(insecure.job_settings("DataQuality"))) == "ExplicitlyDenied"


def test_monitor_without_traffic_encryption_is_denied() -> None:
    insecure = monitor(inter_container_traffic_encryption=False)
    assert decide(job_request(insecure.job_settings("DataQuality"))) == "ExplicitlyDenied"


@pytest.mark.parametrize(
    "field",
    ["volume_kms_key_arn", "output_kms_key_arn", "subnets", "security_group_ids", "inter_container_traffic_encryption"],
)
def test_each_missing_setting_alone_is_denied(secure: ModelMonitor, field: str) -> None:
    from dataclasses import replace

    settings = secure.job_settings("ModelQuality")
    empty: Any = () if field in ("subnets", "security_group_ids") else None
    assert decide(job_request(replace(settings, **{field: empty}))) == "ExplicitlyDenied"


def test_relaxed_guardrails_allow_the_same_insecure_monitor() -> None:
    insecure = monitor(vpc=None, require_vpc=False)
    relaxed = MonitoringGuardrails(require_vpc=False)
    assert decide(job_request(insecure.job_settings("DataQuality")), relaxed) == "Allowed"


def test_engine_sees_the_derived_keys(secure: ModelMonitor) -> None:
    request = job_request(secure.job_settings("ModelBias"))
    assert request["action"] == "sagemaker:CreateModelBiasJobDefinition"
    assert request["resource"]["resource"] == (
        f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-bias-job-definition/churn-jobdef"
    )
    assert {
        "sagemaker:VolumeKmsKeyArn",
        "sagemaker:OutputKmsKeyArn",
        "sagemaker:VpcSubnets",
        "sagemaker:VpcSecurityGroupIds",
        "sagemaker:InterContainerTrafficEncryption",
        "sagemaker:MaxRuntimeInSeconds",
        "sagemaker:InstanceTypes",
    } <= set(request["contextVariables"])
