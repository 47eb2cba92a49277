"""Spec section for Model Monitor guardrails and schedules."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


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


S3Uri = Annotated[str, StringConstraints(pattern=r"^s3://[^/\s]+(/\S*)?$")]


class MonitorSpec(_Strict):
    """One ModelMonitor of the reference app; schedule, runtime and input rules are checked at synth."""

    name: str = Field(pattern=r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,40}$")
    account: str = Field(description="account name or id where the endpoint runs")
    endpoint_name: str | None = None
    batch_transform_input: str | None = Field(default=None, description="s3:// URI of batch transform capture")
    types: list[MonitorType] = Field(min_length=1)
    schedule: str = "cron(0 * ? * * *)"
    instance_type: str = "ml.m5.xlarge"
    instance_count: int = Field(default=1, ge=1, le=100)
    volume_size_gb: int = Field(default=20, ge=1, le=16384)
    max_runtime_seconds: int = Field(default=1800, ge=1, le=86400)
    image_uri: str | None = Field(default=None, description="analyzer image; default: the region's "
                                  "sagemaker-model-monitor-analyzer image, when modelgov knows the region")
    output_s3_uri: S3Uri | None = Field(default=None, description="report prefix; required by the stack")
    data_capture_s3_uri: S3Uri | None = Field(default=None, description="the endpoint's capture destination")
    baseline_constraints_uri: S3Uri | None = None
    baseline_statistics_uri: S3Uri | None = None
    ground_truth_s3_uri: S3Uri | None = None
    problem_type: Literal["BinaryClassification", "MulticlassClassification", "Regression"] | None = None
    analysis_config_uri: S3Uri | None = Field(default=None, description="Clarify analysis config (bias, "
                                              "explainability)")
    network_isolation: bool = False
    drift_alarm_features: list[str] = Field(default_factory=list,
                                            description="data quality features with a baseline-drift alarm")


class MonitoringSpec(_Strict):
    guardrails: MonitoringGuardrails = Field(default_factory=MonitoringGuardrails)
    monitors: list[MonitorSpec] = Field(default_factory=list)
