"""ModelMonitor against its synthesized template: one behaviour per test."""

from __future__ import annotations

import json
from typing import Any

import aws_cdk as cdk
import cdk_nag
import pytest
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk.assertions import Annotations, Match, Template

from modelgov.constructs.model_monitor import (
    BatchTransformInput,
    ModelMonitor,
    ModelQualityMonitor,
    MonitorAlarm,
    analyzer_image_uri,
)
from modelgov.policies.builders.monitoring_context import job_context

from .conftest import BIAS, EXPLAIN, MQ, monitor_props, new_stack

JOB_TYPES = [
    "AWS::SageMaker::DataQualityJobDefinition",
    "AWS::SageMaker::ModelQualityJobDefinition",
    "AWS::SageMaker::ModelBiasJobDefinition",
    "AWS::SageMaker::ModelExplainabilityJobDefinition",
]


@pytest.fixture(scope="module")
def all_four() -> tuple[Template, dict[str, Any]]:
    stack, vpc = new_stack()
    ModelMonitor(
        stack,
        "Monitor",
        **monitor_props(
            vpc,
            model_quality=MQ,
            model_bias=BIAS,
            model_explainability=EXPLAIN,
            alarms=[MonitorAlarm.feature_drift("age")],
        ),
    )
    template = Template.from_stack(stack)
    return template, template.to_json()


def _resources(raw: dict[str, Any], kind: str) -> dict[str, Any]:
    return {k: v for k, v in raw["Resources"].items() if v["Type"] == kind}


def test_one_job_definition_per_type_without_a_fixed_name(all_four: tuple[Template, dict[str, Any]]) -> None:
    _, raw = all_four
    for kind in JOB_TYPES:
        [definition] = _resources(raw, kind).values()
        assert "JobDefinitionName" not in definition["Properties"]


def test_schedules_read_the_generated_name_and_depend_on_the_definition(
    all_four: tuple[Template, dict[str, Any]],
) -> None:
    _, raw = all_four
    schedules = _resources(raw, "AWS::SageMaker::MonitoringSchedule")
    assert len(schedules) == 4
    for schedule in schedules.values():
        config = schedule["Properties"]["MonitoringScheduleConfig"]
        logical_id, attribute = config["MonitoringJobDefinitionName"]["Fn::GetAtt"]
        assert attribute == "JobDefinitionName"
        assert "DependsOn" not in schedule  # the GetAtt is the dependency; a DependsOn duplicates it (W3005)
        assert raw["Resources"][logical_id]["Type"] == (f"AWS::SageMaker::{config['MonitoringType']}JobDefinition")


def test_schedule_names_and_expression(all_four: tuple[Template, dict[str, Any]]) -> None:
    template, _ = all_four
    for suffix, kind in (("data-quality", "DataQuality"), ("model-explainability", "ModelExplainability")):
        template.has_resource_properties(
            "AWS::SageMaker::MonitoringSchedule",
            {
                "MonitoringScheduleName": f"churn-{suffix}",
                "EndpointName": "churn-prod",
                "MonitoringScheduleConfig": Match.object_like(
                    {"MonitoringType": kind, "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"}}
                ),
            },
        )


@pytest.mark.parametrize("kind", JOB_TYPES)
def test_secure_defaults_on_every_job_definition(all_four: tuple[Template, dict[str, Any]], kind: str) -> None:
    _, raw = all_four
    [definition] = _resources(raw, kind).values()
    props = definition["Properties"]
    key = props["JobResources"]["ClusterConfig"]["VolumeKmsKeyId"]["Fn::GetAtt"]
    assert raw["Resources"][key[0]]["Type"] == "AWS::KMS::Key" and key[1] == "Arn"
    output_name = next(k for k in props if k.endswith("JobOutputConfig"))
    assert props[output_name]["KmsKeyId"] == {"Fn::GetAtt": key}
    network = props["NetworkConfig"]
    assert network["EnableInterContainerTrafficEncryption"] is True
    assert network["EnableNetworkIsolation"] is False
    assert len(network["VpcConfig"]["Subnets"]) == 2 and len(network["VpcConfig"]["SecurityGroupIds"]) == 1


def test_created_key_rotates(all_four: tuple[Template, dict[str, Any]]) -> None:
    all_four[0].has_resource_properties("AWS::KMS::Key", {"EnableKeyRotation": True})


def test_runtime_defaults_fit_the_hourly_cadence(all_four: tuple[Template, dict[str, Any]]) -> None:
    _, raw = all_four
    runtimes = {
        kind.split("::")[-1]: next(iter(_resources(raw, kind).values()))["Properties"]["StoppingCondition"][
            "MaxRuntimeInSeconds"
        ]
        for kind in JOB_TYPES
    }
    assert runtimes == {
        "DataQualityJobDefinition": 3600,
        "ModelQualityJobDefinition": 1800,
        "ModelBiasJobDefinition": 1800,
        "ModelExplainabilityJobDefinition": 3600,
    }


def test_inputs_per_type(all_four: tuple[Template, dict[str, Any]]) -> None:
    template, _ = all_four
    template.has_resource_properties(
        "AWS::SageMaker::ModelQualityJobDefinition",
        {
            "ModelQualityAppSpecification": Match.object_like({"ProblemType": "BinaryClassification"}),
            "ModelQualityJobInput": {
                "EndpointInput": Match.object_like(
                    {
                        "EndpointName": "churn-prod",
                        "InferenceAttribute": "0",
                        "LocalPath": "/opt/ml/processing/input/endpoint",
                    }
                ),
                "GroundTruthS3Input": {"S3Uri": "s3://labels/churn/"},
            },
        },
    )
    template.has_resource_properties(
        "AWS::SageMaker::ModelBiasJobDefinition",
        {"ModelBiasAppSpecification": Match.object_like({"ConfigUri": "s3://clarify/churn/analysis_config.json"})},
    )
    template.has_resource_properties(
        "AWS::SageMaker::DataQualityJobDefinition",
        {
            "DataQualityBaselineConfig": {
                "ConstraintsResource": {"S3Uri": "s3://baselines/churn/constraints.json"},
                "StatisticsResource": {"S3Uri": "s3://baselines/churn/statistics.json"},
            },
            "DataQualityJobOutputConfig": Match.object_like(
                {
                    "MonitoringOutputs": [
                        {
                            "S3Output": {
                                "LocalPath": "/opt/ml/processing/output",
                                "S3Uri": "s3://reports/monitor/data-quality",
                                "S3UploadMode": "EndOfJob",
                            }
                        }
                    ]
                }
            ),
        },
    )


def test_failure_rules_send_to_the_topic(all_four: tuple[Template, dict[str, Any]]) -> None:
    template, raw = all_four
    rules = _resources(raw, "AWS::Events::Rule")
    patterns = sorted((r["Properties"]["EventPattern"] for r in rules.values()), key=lambda p: p["detail-type"])
    assert [p["detail-type"] for p in patterns] == [
        ["SageMaker Monitoring Schedule State Change"],
        ["SageMaker Processing Job State Change"],
    ]
    assert patterns[0]["detail"]["MonitoringScheduleStatus"] == ["Failed"]
    assert sorted(patterns[0]["detail"]["MonitoringScheduleName"]) == [
        "churn-data-quality",
        "churn-model-bias",
        "churn-model-explainability",
        "churn-model-quality",
    ]
    assert patterns[1]["detail"]["ProcessingJobStatus"] == ["Failed"]
    assert len(patterns[1]["detail"]["MonitoringScheduleArn"]) == 4
    [topic] = _resources(raw, "AWS::SNS::Topic")
    for rule in rules.values():
        assert rule["Properties"]["Targets"][0]["Arn"] == {"Ref": topic}


def test_topic_is_encrypted(all_four: tuple[Template, dict[str, Any]]) -> None:
    all_four[0].has_resource_properties("AWS::SNS::Topic", {"KmsMasterKeyId": Match.any_value()})


def test_feature_drift_alarm_uses_documented_namespace_and_dimensions(
    all_four: tuple[Template, dict[str, Any]],
) -> None:
    all_four[0].has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "/aws/sagemaker/Endpoints/data-metric",
            "MetricName": "feature_baseline_drift_age",
            "Statistic": "Sum",
            "Threshold": 0.1,
            "ComparisonOperator": "GreaterThanThreshold",
            "TreatMissingData": "notBreaching",
            "Dimensions": [
                {"Name": "EndpointName", "Value": "churn-prod"},
                {"Name": "ScheduleName", "Value": "churn-data-quality"},
            ],
            "AlarmActions": [{"Ref": Match.any_value()}],
        },
    )


def test_role_reads_inputs_and_writes_only_the_report_prefix(all_four: tuple[Template, dict[str, Any]]) -> None:
    _, raw = all_four
    [policy] = [p for p in _resources(raw, "AWS::IAM::Policy").values()]
    statements = {s.get("Sid"): s for s in policy["Properties"]["PolicyDocument"]["Statement"]}

    def arn(value: Any) -> str:
        return json.dumps(value)

    reads = arn(statements["ReadInputs"]["Resource"])
    for expected in (
        "baselines/churn/constraints.json",
        "labels/churn/*",
        "clarify/churn/analysis_config.json",
        "capture/churn/*",
    ):
        assert expected in reads
    assert statements["WriteReports"]["Action"] == "s3:PutObject"
    assert "reports/monitor/*" in arn(statements["WriteReports"]["Resource"])
    assert "ec2:CreateNetworkInterface" in statements["VpcInterfaces"]["Action"]


def test_cdk_nag_is_clean_for_the_monitor(all_four: tuple[Template, dict[str, Any]]) -> None:
    stack, vpc = new_stack()
    ModelMonitor(
        stack,
        "Monitor",
        **monitor_props(
            vpc,
            model_quality=MQ,
            model_bias=BIAS,
            model_explainability=EXPLAIN,
            alarms=[MonitorAlarm.feature_drift("age")],
        ),
    )
    report = cdk_nag.AwsSolutionsChecks().validate_scope(stack)
    mine = [
        (v.rule_name, r.construct_path)
        for v in report.violations
        for r in v.violating_resources
        if "/Monitor/" in (r.construct_path or "")
    ]
    assert mine == []


def test_cfn_lint_is_clean(all_four: tuple[Template, dict[str, Any]]) -> None:
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(all_four[1]), config=ManualArgs(regions=["us-east-1"]))
    # The test VPC's subnets carry the dummy availability zones of an unlooked-up environment (W3010).
    assert [str(m) for m in matches if m.rule.id != "W3010"] == []


def test_batch_transform_input(build: Any) -> None:
    stack, _ = build(
        endpoint_name=None,
        data_capture_s3_uri=None,
        batch_transform_input=BatchTransformInput("s3://capture/batch/", dataset_format="json"),
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::SageMaker::DataQualityJobDefinition",
        {
            "DataQualityJobInput": {
                "BatchTransformInput": Match.object_like(
                    {
                        "DataCapturedDestinationS3Uri": "s3://capture/batch/",
                        "DatasetFormat": {"Json": {"Line": True}},
                        "LocalPath": "/opt/ml/processing/input/batch",
                    }
                )
            },
            "EndpointName": Match.absent(),
        },
    )
    template.has_resource_properties("AWS::SageMaker::MonitoringSchedule", {"EndpointName": Match.absent()})


def test_network_isolation_is_optional(build: Any) -> None:
    stack, _ = build(network_isolation=True)
    Template.from_stack(stack).has_resource_properties(
        "AWS::SageMaker::DataQualityJobDefinition",
        {"NetworkConfig": Match.object_like({"EnableNetworkIsolation": True})},
    )


def test_now_schedule_carries_the_analysis_window(build: Any) -> None:
    stack, _ = build(schedule_expression="NOW", data_analysis_start_time="-PT1H", data_analysis_end_time="-PT0H")
    Template.from_stack(stack).has_resource_properties(
        "AWS::SageMaker::MonitoringSchedule",
        {
            "MonitoringScheduleConfig": Match.object_like(
                {
                    "ScheduleConfig": {
                        "ScheduleExpression": "NOW",
                        "DataAnalysisStartTime": "-PT1H",
                        "DataAnalysisEndTime": "-PT0H",
                    }
                }
            )
        },
    )


def test_alarm_namespace_and_comparison_are_configurable(build: Any) -> None:
    stack, _ = build(
        model_quality=MQ,
        metric_namespaces={"ModelQuality": "custom/model-metrics"},
        alarms=[MonitorAlarm.model_metric_below("f1", 0.7)],
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::CloudWatch::Alarm",
        {
            "Namespace": "custom/model-metrics",
            "MetricName": "f1",
            "Threshold": 0.7,
            "ComparisonOperator": "LessThanThreshold",
            "Dimensions": [
                {"Name": "Endpoint", "Value": "churn-prod"},
                {"Name": "MonitoringSchedule", "Value": "churn-model-quality"},
            ],
        },
    )


def test_given_keys_are_used_and_no_key_is_created(build: Any) -> None:
    from aws_cdk import aws_kms as kms
    from aws_cdk import aws_sns as sns

    stack, vpc = new_stack()
    key = kms.Key(stack, "OwnKey", enable_key_rotation=True)
    topic = sns.Topic(stack, "OwnTopic", master_key=key)
    ModelMonitor(stack, "Monitor", **monitor_props(vpc, volume_kms_key=key, alarm_topic=topic))
    Template.from_stack(stack).resource_count_is("AWS::KMS::Key", 1)


def test_job_settings_give_the_request_context(build: Any) -> None:
    _, monitor = build(model_quality=MQ)
    context = job_context(monitor.job_settings("ModelQuality"))
    assert context["sagemaker:VolumeKmsKeyArn"] == "arn:aws:kms:us-east-1:555555555555:key/volume"
    assert context["sagemaker:OutputKmsKeyArn"] == "arn:aws:kms:us-east-1:555555555555:key/output"
    assert context["sagemaker:VpcSubnets"] == ["subnet-00000000", "subnet-00000001"]
    assert context["sagemaker:VpcSecurityGroupIds"] == ["sg-00000000"]
    assert context["sagemaker:InterContainerTrafficEncryption"] == "true"
    assert context["sagemaker:NetworkIsolation"] == "false"
    assert context["sagemaker:MaxRuntimeInSeconds"] == "1800"
    assert context["sagemaker:InstanceTypes"] == ["ml.m5.xlarge"]


def test_job_settings_outside_a_vpc_carry_no_vpc_keys(build: Any) -> None:
    _, monitor = build(vpc=None, require_vpc=False, inter_container_traffic_encryption=False)
    context = job_context(monitor.job_settings("DataQuality"))
    assert "sagemaker:VpcSubnets" not in context and "sagemaker:VpcSecurityGroupIds" not in context
    assert context["sagemaker:InterContainerTrafficEncryption"] == "false"


def test_warns_outside_a_vpc(build: Any) -> None:
    stack, _ = build(vpc=None, require_vpc=False)
    Annotations.from_stack(stack).has_warning("/Monitoring/Monitor", Match.string_like_regexp("outside a vpc"))


def test_warns_when_traffic_encryption_is_off(build: Any) -> None:
    stack, _ = build(inter_container_traffic_encryption=False)
    Annotations.from_stack(stack).has_warning("/Monitoring/Monitor", Match.string_like_regexp("modelgov:C302"))


def test_warns_on_uneven_every_n_hours(build: Any) -> None:
    stack, _ = build(schedule_expression="cron(0 17/12 ? * * *)")
    Annotations.from_stack(stack).has_warning("/Monitoring/Monitor", Match.string_like_regexp("17:00 UTC only"))


def test_unresolved_endpoint_name_is_accepted(build: Any) -> None:
    stack, _ = build(endpoint_name=cdk.Fn.import_value("EndpointName"))
    Template.from_stack(stack).resource_count_is("AWS::SageMaker::MonitoringSchedule", 1)


def test_fails_invalid_schedule_expression(build: Any) -> None:
    with pytest.raises(
        ValueError,
        match=r"Monitor: schedule_expression is 'cron\(0 12 \* \* \? \*\)'.*"
        r"cron\(0 H/N \? \* \* \*\)",
    ):
        build(schedule_expression="cron(0 12 * * ? *)")


def test_fails_model_quality_runtime_above_half_the_period(build: Any) -> None:
    slow = ModelQualityMonitor(
        problem_type="Regression", ground_truth_s3_uri="s3://labels/churn/", max_runtime=cdk.Duration.minutes(45)
    )
    with pytest.raises(ValueError, match=r"max_runtime is 2700: allowed 1 to 1800 seconds"):
        build(model_quality=slow)


def test_fails_now_without_analysis_window(build: Any) -> None:
    with pytest.raises(ValueError, match="data_analysis_start_time is None"):
        build(schedule_expression="NOW")


def test_fails_without_vpc(build: Any) -> None:
    with pytest.raises(ValueError, match="vpc is None.*require_vpc=False"):
        build(vpc=None)


def test_fails_endpoint_and_batch_together(build: Any) -> None:
    with pytest.raises(ValueError, match="endpoint_name/batch_transform_input is 'both'"):
        build(batch_transform_input=BatchTransformInput("s3://capture/batch/"))


def test_fails_unknown_problem_type(build: Any) -> None:
    with pytest.raises(ValueError, match="problem_type is 'Ranking'.*BinaryClassification"):
        build(model_quality=ModelQualityMonitor(problem_type="Ranking", ground_truth_s3_uri="s3://labels/x/"))


def test_fails_invalid_offset(build: Any) -> None:
    bad = ModelQualityMonitor(
        problem_type="Regression", ground_truth_s3_uri="s3://labels/x/", start_time_offset="-PT2D"
    )
    with pytest.raises(ValueError, match="start_time_offset is '-PT2D'"):
        build(model_quality=bad)


def test_fails_no_monitor_type(build: Any) -> None:
    with pytest.raises(ValueError, match="no monitor type configured"):
        build(data_quality=None)


def test_fails_long_monitor_name(build: Any) -> None:
    with pytest.raises(ValueError, match="monitor_name is 'x{43}': allowed 1-42 characters"):
        build(monitor_name="x" * 43)


def test_fails_instance_type(build: Any) -> None:
    with pytest.raises(ValueError, match="instance_type is 'ml.m5.huge'"):
        build(instance_type="ml.m5.huge")


def test_image_defaults_to_the_regional_analyzer(build: Any) -> None:
    stack, _ = build(image_uri=None)
    Template.from_stack(stack).has_resource_properties(
        "AWS::SageMaker::DataQualityJobDefinition",
        {"DataQualityAppSpecification": Match.object_like({"ImageUri": analyzer_image_uri("us-east-1")})},
    )


def test_fails_missing_image_in_an_unknown_region() -> None:
    stack = cdk.Stack(cdk.App(), "Elsewhere", env=cdk.Environment(account="555555555555", region="xx-west-9"))
    with pytest.raises(ValueError, match="image_uri is None for DataQuality"):
        ModelMonitor(stack, "Monitor", **monitor_props(None, image_uri=None, require_vpc=False))


def test_fails_alarm_on_unmonitored_type(build: Any) -> None:
    with pytest.raises(ValueError, match=r"alarms\[0\].monitor_type is 'ModelQuality'"):
        build(alarms=[MonitorAlarm.model_metric_below("f1", 0.5)])


def test_fails_alarm_without_periods(build: Any) -> None:
    alarm = MonitorAlarm(
        "DataQuality",
        "feature_baseline_drift_age",
        0.1,
        evaluation_periods=0,
        comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
    )
    with pytest.raises(ValueError, match="at least 1 period"):
        build(alarms=[alarm])


def test_fails_token_location_when_the_role_is_created_here(build: Any) -> None:
    with pytest.raises(ValueError, match="pass role= to use locations known only at deploy time"):
        build(output_s3_uri=cdk.Fn.import_value("ReportsUri"))


def test_caller_keys_without_a_topic_get_a_topic_key_the_services_may_use(build: Any) -> None:
    from aws_cdk import aws_kms as kms

    stack, vpc = new_stack()
    volume = kms.Key(stack, "VolumeKey", enable_key_rotation=True)
    output = kms.Key(stack, "OutputKey", enable_key_rotation=True)
    ModelMonitor(stack, "Monitor", **monitor_props(vpc, volume_kms_key=volume, output_kms_key=output))
    template = Template.from_stack(stack)
    raw = template.to_json()
    [topic] = _resources(raw, "AWS::SNS::Topic").values()
    topic_key = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    assert topic_key not in {stack.get_logical_id(k.node.default_child) for k in (volume, output)}
    statements = raw["Resources"][topic_key]["Properties"]["KeyPolicy"]["Statement"]
    granted = {
        s["Principal"]["Service"]: sorted(s["Action"])
        for s in statements
        if isinstance(s.get("Principal"), dict) and "Service" in s["Principal"]
    }
    assert granted == {
        "events.amazonaws.com": ["kms:Decrypt", "kms:GenerateDataKey*"],
        "cloudwatch.amazonaws.com": ["kms:Decrypt", "kms:GenerateDataKey*"],
    }
    template.resource_count_is("AWS::KMS::Key", 3)
