"""The monitor rules over templates: schedules paired with the job definitions they name."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Template

from modelgov.constructs.model_monitor import ModelMonitor
from modelgov.policies.builders.monitor_template import check_template

from .conftest import BIAS, EXPLAIN, MQ, monitor_props, new_stack


def _codes(template: dict[str, Any]) -> list[tuple[str, str | None, str, str]]:
    return [(v.schedule, v.job_definition, v.violation.code, v.violation.prop) for v in check_template(template)]


def _template(
    schedule_config: dict[str, Any],
    definition: dict[str, Any] | None = None,
    kind: str = "AWS::SageMaker::ModelQualityJobDefinition",
) -> dict[str, Any]:
    resources: dict[str, Any] = {
        "Schedule": {
            "Type": "AWS::SageMaker::MonitoringSchedule",
            "Properties": {"MonitoringScheduleName": "churn-mq", "MonitoringScheduleConfig": schedule_config},
        }
    }
    if definition is not None:
        resources["JobDef"] = {"Type": kind, "Properties": definition}
    return {"Resources": resources}


MQ_DEFINITION: dict[str, Any] = {
    "ModelQualityAppSpecification": {"ImageUri": "img", "ProblemType": "Regression"},
    "ModelQualityJobInput": {
        "EndpointInput": {"EndpointName": "ep", "LocalPath": "/opt/ml/processing/input"},
        "GroundTruthS3Input": {"S3Uri": "s3://labels/gt"},
    },
    "ModelQualityJobOutputConfig": {
        "MonitoringOutputs": [{"S3Output": {"LocalPath": "/opt/ml/processing/output", "S3Uri": "s3://reports/mq"}}]
    },
    "JobResources": {"ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.xlarge", "VolumeSizeInGB": 20}},
    "RoleArn": "arn:aws:iam::111111111111:role/r",
    "StoppingCondition": {"MaxRuntimeInSeconds": 1800},
}
HOURLY = {"ScheduleExpression": "cron(0 * ? * * *)"}


def test_the_constructs_template_is_clean() -> None:
    stack, vpc = new_stack()
    ModelMonitor(
        stack, "Monitor", **monitor_props(vpc, model_quality=MQ, model_bias=BIAS, model_explainability=EXPLAIN)
    )
    template = Template.from_stack(stack).to_json()
    assert check_template(template) == []
    assert sum(r["Type"] == "AWS::SageMaker::MonitoringSchedule" for r in template["Resources"].values()) == 4


def test_get_att_pairing_applies_the_half_period_rule() -> None:
    config = {
        "MonitoringJobDefinitionName": {"Fn::GetAtt": ["JobDef", "JobDefinitionName"]},
        "MonitoringType": "ModelQuality",
        "ScheduleConfig": HOURLY,
    }
    definition = {**MQ_DEFINITION, "StoppingCondition": {"MaxRuntimeInSeconds": 3600}}
    assert _codes(_template(config, definition)) == [("Schedule", "JobDef", "C313", "max_runtime")]


def test_literal_name_pairing_finds_missing_ground_truth() -> None:
    definition = {
        **MQ_DEFINITION,
        "JobDefinitionName": "mq-def",
        "ModelQualityJobInput": {"EndpointInput": MQ_DEFINITION["ModelQualityJobInput"]["EndpointInput"]},
    }
    config = {"MonitoringJobDefinitionName": "mq-def", "MonitoringType": "ModelQuality", "ScheduleConfig": HOURLY}
    assert _codes(_template(config, definition)) == [("Schedule", "JobDef", "C316", "ground_truth_s3_uri")]


def test_monitoring_type_must_match_the_job_definition() -> None:
    config = {
        "MonitoringJobDefinitionName": {"Ref": "JobDef"},
        "MonitoringType": "DataQuality",
        "ScheduleConfig": HOURLY,
    }
    assert _codes(_template(config, MQ_DEFINITION)) == [("Schedule", "JobDef", "C310", "monitoring_type")]


@pytest.mark.parametrize(
    ("definition", "prop"),
    [
        (
            {
                **MQ_DEFINITION,
                "ModelQualityJobInput": {
                    "EndpointInput": {"EndpointName": "ep", "LocalPath": "opt/ml/processing/input"},
                    "GroundTruthS3Input": {"S3Uri": "s3://labels/gt"},
                },
            },
            "input_local_path",
        ),
        (
            {
                **MQ_DEFINITION,
                "JobResources": {
                    "ClusterConfig": {"InstanceCount": 1, "InstanceType": "ml.m5.huge", "VolumeSizeInGB": 20}
                },
            },
            "instance_type",
        ),
    ],
)
def test_seed_style_mistakes_are_found(definition: dict[str, Any], prop: str) -> None:
    config = {
        "MonitoringJobDefinitionName": {"Fn::GetAtt": ["JobDef", "JobDefinitionName"]},
        "MonitoringType": "ModelQuality",
        "ScheduleConfig": HOURLY,
    }
    assert [c[3] for c in _codes(_template(config, definition))] == [prop]


def test_unpaired_schedule_gets_the_schedule_rules_only() -> None:
    config = {"MonitoringJobDefinitionName": "defined-elsewhere", "ScheduleConfig": {"ScheduleExpression": "NOW"}}
    assert _codes(_template(config)) == [
        ("Schedule", None, "C312", "data_analysis_start_time"),
        ("Schedule", None, "C312", "data_analysis_end_time"),
    ]


def test_intrinsics_are_skipped_not_guessed() -> None:
    config = {
        "MonitoringJobDefinitionName": {"Fn::GetAtt": ["JobDef", "JobDefinitionName"]},
        "ScheduleConfig": {"ScheduleExpression": {"Ref": "Cron"}},
    }
    definition = {**MQ_DEFINITION, "StoppingCondition": {"MaxRuntimeInSeconds": {"Ref": "Runtime"}}}
    assert _codes(_template(config, definition)) == []
