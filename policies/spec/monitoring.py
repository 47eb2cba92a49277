"""Spec section for Model Monitor guardrails and schedules."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class MonitoringGuardrails(_Strict):
    """What the monitoring guardrail SCP requires of every job definition and schedule."""

    require_volume_kms_key: bool = True
    require_output_kms_key: bool = True
    require_vpc: bool = True
    require_inter_container_traffic_encryption: bool = True
    enforce_job_definition_name_key: bool = Field(
        default=False,
        description="opt-in: sagemaker:ModelMonitorJobDefinitionName is not in the service reference; "
                    "a Null Deny on it would block every CreateMonitoringSchedule")


MonitorType = Literal["DataQuality", "ModelQuality", "ModelBias", "ModelExplainability"]


class MonitorSpec(_Strict):
    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,40}$")
    account: str = Field(description="account name or id where the endpoint runs")
    endpoint_name: str | None = None
    batch_transform_input: str | None = Field(default=None, description="s3:// URI of batch transform capture")
    types: list[MonitorType] = Field(min_length=1)
    schedule: str = "cron(0 * ? * * *)"
    instance_type: str = "ml.m5.xlarge"
    max_runtime_seconds: int = Field(default=1800, ge=1, le=86400)


class MonitoringSpec(_Strict):
    guardrails: MonitoringGuardrails = Field(default_factory=MonitoringGuardrails)
    monitors: list[MonitorSpec] = Field(default_factory=list)
