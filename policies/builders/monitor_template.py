"""Read Model Monitor resources of a synthesized template back into the monitor rules' input.

Why: the construct checks its props at synth, but templates also come from elsewhere (hand-written, other
CDK code, the seed's examples). Pairing each AWS::SageMaker::MonitoringSchedule with the job definition it
names (Fn::GetAtt JobDefinitionName, Ref, or a literal name) and running `check_monitor` gives the linter
and verifier the same rules. Intrinsics stay unresolved and are skipped, never guessed.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from .monitor_rules import MonitorInput, Violation, check_monitor, check_schedule

JOB_DEFINITION_TYPES: dict[str, str] = {
    "AWS::SageMaker::DataQualityJobDefinition": "DataQuality",
    "AWS::SageMaker::ModelQualityJobDefinition": "ModelQuality",
    "AWS::SageMaker::ModelBiasJobDefinition": "ModelBias",
    "AWS::SageMaker::ModelExplainabilityJobDefinition": "ModelExplainability",
}
SCHEDULE_TYPE = "AWS::SageMaker::MonitoringSchedule"


@dataclass(frozen=True)
class TemplateViolation:
    """A rule broken by a template resource: the schedule's logical id and, if any, its job definition's."""

    schedule: str
    job_definition: str | None
    violation: Violation


def _unresolved(value: object) -> bool:
    return isinstance(value, dict | list)


def _get(data: Any, *path: str) -> Any:
    for key in path:
        if not isinstance(data, Mapping):
            return None
        data = data.get(key)
    return data


def _target(name: Any, resources: Mapping[str, Any]) -> str | None:
    """Logical id of the job definition a schedule names, when the template says so."""
    if isinstance(name, Mapping):
        if "Fn::GetAtt" in name and isinstance(name["Fn::GetAtt"], list):
            return str(name["Fn::GetAtt"][0])
        if "Ref" in name:
            return str(name["Ref"])
        return None
    for logical_id, resource in resources.items():
        if resource.get("Type") in JOB_DEFINITION_TYPES and _get(resource, "Properties", "JobDefinitionName") == name:
            return str(logical_id)
    return None


def monitor_input(monitor_type: str, schedule: Mapping[str, Any], definition: Mapping[str, Any]) -> MonitorInput:
    """MonitorInput from a schedule's and a job definition's CloudFormation Properties."""
    schedule_config = _get(schedule, "MonitoringScheduleConfig", "ScheduleConfig") or {}
    app = definition.get(f"{monitor_type}AppSpecification") or {}
    job_input = definition.get(f"{monitor_type}JobInput") or {}
    output = definition.get(f"{monitor_type}JobOutputConfig") or {}
    baseline = definition.get(f"{monitor_type}BaselineConfig") or {}
    endpoint = job_input.get("EndpointInput")
    batch = job_input.get("BatchTransformInput")
    source = endpoint or batch or {}
    cluster = _get(definition, "JobResources", "ClusterConfig") or {}
    s3_output = None
    outputs = output.get("MonitoringOutputs") or []
    if isinstance(outputs, list) and outputs:
        s3_output = _get(outputs[0], "S3Output")
    dataset = _get(batch, "DatasetFormat") if batch else None
    dataset_format = str(next(iter(dataset))).lower() if isinstance(dataset, Mapping) and dataset else None
    return MonitorInput(
        monitor_type=monitor_type,
        schedule_expression=schedule_config.get("ScheduleExpression"),
        data_analysis_start_time=schedule_config.get("DataAnalysisStartTime"),
        data_analysis_end_time=schedule_config.get("DataAnalysisEndTime"),
        max_runtime_seconds=_get(definition, "StoppingCondition", "MaxRuntimeInSeconds"),
        instance_type=cluster.get("InstanceType"),
        instance_count=cluster.get("InstanceCount"),
        volume_size_in_gb=cluster.get("VolumeSizeInGB"),
        endpoint_name=endpoint.get("EndpointName") if endpoint else None,
        batch_capture_s3_uri=batch.get("DataCapturedDestinationS3Uri") if batch else None,
        dataset_format=dataset_format,
        input_local_path=source.get("LocalPath"),
        output_local_path=_get(s3_output, "LocalPath"),
        output_s3_uri=_get(s3_output, "S3Uri"),
        baseline_constraints_uri=_get(baseline, "ConstraintsResource", "S3Uri"),
        baseline_statistics_uri=_get(baseline, "StatisticsResource", "S3Uri"),
        ground_truth_s3_uri=_get(job_input, "GroundTruthS3Input", "S3Uri"),
        problem_type=app.get("ProblemType"),
        analysis_config_uri=app.get("ConfigUri"),
        record_preprocessor_source_uri=app.get("RecordPreprocessorSourceUri"),
        post_analytics_processor_source_uri=app.get("PostAnalyticsProcessorSourceUri"),
        start_time_offset=source.get("StartTimeOffset"),
        end_time_offset=source.get("EndTimeOffset"),
        schedule_name=schedule.get("MonitoringScheduleName"),
    )


def check_template(template: Mapping[str, Any]) -> list[TemplateViolation]:
    """Every monitor rule over every schedule of `template` (and the job definition it names)."""
    return list(_check_template(template))


def _check_template(template: Mapping[str, Any]) -> Iterator[TemplateViolation]:
    resources: Mapping[str, Any] = template.get("Resources") or {}
    for logical_id, resource in resources.items():
        if not isinstance(resource, Mapping) or resource.get("Type") != SCHEDULE_TYPE:
            continue
        schedule = resource.get("Properties") or {}
        config = schedule.get("MonitoringScheduleConfig") or {}
        target = _target(config.get("MonitoringJobDefinitionName"), resources)
        definition = resources.get(target) if target else None
        if definition is not None and definition.get("Type") in JOB_DEFINITION_TYPES:
            monitor_type = JOB_DEFINITION_TYPES[definition["Type"]]
            props = monitor_input(monitor_type, schedule, definition.get("Properties") or {})
            found = check_monitor(props, is_unresolved=_unresolved)
            declared = config.get("MonitoringType")
            if declared is not None and not _unresolved(declared) and declared != monitor_type:
                found.append(
                    Violation(
                        "C310",
                        "monitoring_type",
                        declared,
                        f"{monitor_type} (the job definition's type)",
                        "set MonitoringType to the type of the named job definition",
                    )
                )
        else:
            target = None
            schedule_config = config.get("ScheduleConfig") or {}
            found = check_schedule(
                schedule_expression=schedule_config.get("ScheduleExpression"),
                data_analysis_start_time=schedule_config.get("DataAnalysisStartTime"),
                data_analysis_end_time=schedule_config.get("DataAnalysisEndTime"),
                schedule_name=schedule.get("MonitoringScheduleName"),
                is_unresolved=_unresolved,
            )
        for violation in found:
            yield TemplateViolation(str(logical_id), target, violation)
