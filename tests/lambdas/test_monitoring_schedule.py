"""Custom::MonitoringSchedule through the real crhelper flow: stubbed SageMaker, responses captured on 127.0.0.1.

Every scenario ends with exactly one CloudFormation response; the Stubber checks each SageMaker call's
parameters against the service model and the order of calls.
"""

from __future__ import annotations

import ast
import datetime as dt
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.stub import ANY, Stubber

NAME = "churn-data-quality"
ARN = f"arn:aws:sagemaker:us-east-1:222222222222:monitoring-schedule/{NAME}"
ROLE = "arn:aws:iam::222222222222:role/monitor-execution"
PROPS: dict[str, Any] = {
    "ScheduleName": NAME,
    "EndpointName": "churn-prod",
    "ScheduleExpression": "cron(0 * ? * * *)",
    "MonitoringJobDefinitionName": "churn-dq-jobdef",
    "MonitoringType": "DataQuality",
}
INLINE: dict[str, Any] = {
    "ScheduleName": NAME,
    "EndpointName": "churn-prod",
    "ScheduleExpression": "cron(0 * ? * * *)",
    "BaselineConstraintsUri": "s3://baselines/constraints.json",
    "BaselineStatisticsUri": "s3://baselines/stats.json",
    "RecordPreprocessorSourceUri": "s3://scripts/preprocessor.py",
    "PostAnalyticsProcessorSourceUri": "s3://scripts/postprocessor.py",
    "InputLocalPath": "/opt/ml/processing/endpointdata",
    "OutputLocalPath": "/opt/ml/processing/localpath",
    "OutputS3URI": "s3://reports/churn",
    "ImageURI": "156813124566.dkr.ecr.us-east-1.amazonaws.com/analyzer",
    "PassRoleArn": ROLE,
    "InstanceType": "ml.m5.large",
    "InstanceCount": "2",
    "VolumeSizeInGB": "30",
    "MaxRuntimeInSeconds": "1800",
    "VolumeKmsKeyId": "arn:aws:kms:us-east-1:222222222222:key/v",
    "OutputKmsKeyId": "arn:aws:kms:us-east-1:222222222222:key/o",
    "SubnetIds": ["subnet-1", "subnet-2"],
    "SecurityGroupIds": ["sg-1"],
    "EnableInterContainerTrafficEncryption": "true",
    "EnableNetworkIsolation": "false",
}


def describe(status: str, reason: str | None = None, name: str = NAME) -> dict[str, Any]:
    now = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    body: dict[str, Any] = {
        "MonitoringScheduleArn": f"arn:aws:sagemaker:us-east-1:222222222222:monitoring-schedule/{name}",
        "MonitoringScheduleName": name,
        "MonitoringScheduleStatus": status,
        "CreationTime": now,
        "LastModifiedTime": now,
        "MonitoringScheduleConfig": {"MonitoringJobDefinitionName": "churn-dq-jobdef"},
    }
    if reason:
        body["FailureReason"] = reason
    return body


@pytest.fixture
def sagemaker(
    load_handler: Callable[[str], Any],
    stub_client: Callable[[str], tuple[Any, Stubber]],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Any, Stubber, list[float]]:
    module = load_handler("monitoring_schedule")
    client, stubber = stub_client("sagemaker")
    module.CLIENTS["sagemaker"] = client
    sleeps: list[float] = []
    monkeypatch.setattr(module, "_sleep", sleeps.append)
    return module, stubber, sleeps


def only(responses: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(responses) == 1, responses
    return responses[0]


def expect_create(stubber: Stubber, name: str = NAME) -> None:
    stubber.add_response(
        "create_monitoring_schedule",
        {"MonitoringScheduleArn": ARN},
        {"MonitoringScheduleName": name, "MonitoringScheduleConfig": ANY, "Tags": ANY},
    )


def test_create_polls_pending_until_scheduled(sagemaker, cr_event, invoke, crhelper_aws) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber)
    stubber.add_response("describe_monitoring_schedule", describe("Pending"), {"MonitoringScheduleName": NAME})
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"), {"MonitoringScheduleName": NAME})
    response = only(invoke(module, cr_event("Create", PROPS, resource_type="Custom::MonitoringSchedule")))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", NAME)
    assert response["Data"] == {"MonitoringScheduleArn": ARN, "MonitoringScheduleName": NAME}
    assert "PutRule" in crhelper_aws.operations() and "DeleteRule" in crhelper_aws.operations()
    stubber.assert_no_pending_responses()


def test_create_sends_named_job_definition_type_and_owner_tag(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    event = cr_event("Create", {**PROPS, "Tags": [{"Key": "team", "Value": "growth"}]})
    stubber.add_response(
        "create_monitoring_schedule",
        {"MonitoringScheduleArn": ARN},
        {
            "MonitoringScheduleName": NAME,
            "MonitoringScheduleConfig": {
                "ScheduleConfig": {"ScheduleExpression": "cron(0 * ? * * *)"},
                "MonitoringJobDefinitionName": "churn-dq-jobdef",
                "MonitoringType": "DataQuality",
            },
            "Tags": [
                {"Key": "modelgov:cfn-owner", "Value": f"{event['StackId']}|Resource"},
                {"Key": "team", "Value": "growth"},
            ],
        },
    )
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    assert only(invoke(module, event))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_create_then_failed_reports_failure_reason_and_keeps_the_name(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber)
    stubber.add_response("describe_monitoring_schedule", describe("Pending"))
    stubber.add_response("describe_monitoring_schedule", describe("Failed", "Endpoint churn-prod not found"))
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED"
    assert response["Reason"] == f"monitoring schedule {NAME} is Failed: Endpoint churn-prod not found"
    assert response["PhysicalResourceId"] == NAME  # the schedule exists, so the rollback Delete removes it


def test_refused_create_returns_a_marker_and_the_rollback_delete_touches_nothing(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    stubber.add_client_error("create_monitoring_schedule", "ResourceInUse", "schedule exists")
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    stubber.add_response(
        "list_tags", {"Tags": [{"Key": "modelgov:cfn-owner", "Value": "another-stack|X"}]}, {"ResourceArn": ARN}
    )
    create = cr_event("Create", PROPS)
    failed = only(invoke(module, create))
    assert failed["Status"] == "FAILED" and "schedule exists" in failed["Reason"]
    assert failed["PhysicalResourceId"] == f"modelgov-failed-create:{create['RequestId']}"
    deleted = only(invoke(module, cr_event("Delete", PROPS, physical_id=failed["PhysicalResourceId"])))
    assert (deleted["Status"], deleted["PhysicalResourceId"]) == ("SUCCESS", failed["PhysicalResourceId"])
    stubber.assert_no_pending_responses()  # no DeleteMonitoringSchedule was made


def test_retried_create_adopts_its_own_schedule(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    event = cr_event("Create", PROPS)
    stubber.add_client_error("create_monitoring_schedule", "ResourceInUse", "schedule exists")
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    stubber.add_response(
        "list_tags", {"Tags": [{"Key": "modelgov:cfn-owner", "Value": f"{event['StackId']}|Resource"}]}
    )
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    assert only(invoke(module, event))["Status"] == "SUCCESS"


def test_update_in_place_calls_update_and_polls(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    new = {**PROPS, "ScheduleExpression": "cron(0 0/6 ? * * *)"}
    stubber.add_response(
        "update_monitoring_schedule",
        {"MonitoringScheduleArn": ARN},
        {
            "MonitoringScheduleName": NAME,
            "MonitoringScheduleConfig": {
                "ScheduleConfig": {"ScheduleExpression": "cron(0 0/6 ? * * *)"},
                "MonitoringJobDefinitionName": "churn-dq-jobdef",
                "MonitoringType": "DataQuality",
            },
        },
    )
    stubber.add_response("describe_monitoring_schedule", describe("Pending"))
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    response = only(invoke(module, cr_event("Update", new, old_properties=PROPS, physical_id=NAME)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", NAME)
    stubber.assert_no_pending_responses()


def test_update_changes_tags(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    old = {**PROPS, "Tags": [{"Key": "team", "Value": "growth"}, {"Key": "tier", "Value": "1"}]}
    new = {**PROPS, "Tags": [{"Key": "team", "Value": "risk"}]}
    stubber.add_response("update_monitoring_schedule", {"MonitoringScheduleArn": ARN})
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    stubber.add_response("add_tags", {}, {"ResourceArn": ARN, "Tags": [{"Key": "team", "Value": "risk"}]})
    stubber.add_response("delete_tags", {}, {"ResourceArn": ARN, "TagKeys": ["tier"]})
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    assert only(invoke(module, cr_event("Update", new, old_properties=old, physical_id=NAME)))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_rename_creates_the_new_schedule_and_returns_its_name(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    renamed = {**PROPS, "ScheduleName": "churn-dq-v2"}
    expect_create(stubber, "churn-dq-v2")
    stubber.add_response(
        "describe_monitoring_schedule",
        describe("Scheduled", name="churn-dq-v2"),
        {"MonitoringScheduleName": "churn-dq-v2"},
    )
    response = only(invoke(module, cr_event("Update", renamed, old_properties=PROPS, physical_id=NAME)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", "churn-dq-v2")
    stubber.assert_no_pending_responses()  # the old schedule is left for CloudFormation's Delete


def test_failed_update_keeps_the_old_physical_id(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    stubber.add_client_error("update_monitoring_schedule", "ValidationException", "bad cron")
    response = only(invoke(module, cr_event("Update", PROPS, physical_id=NAME)))
    assert (response["Status"], response["PhysicalResourceId"], response["Reason"]) == (
        "FAILED",
        NAME,
        "An error occurred (ValidationException) when calling the UpdateMonitoringSchedule operation: bad cron",
    )


def test_delete_by_physical_id_waits_until_gone(sagemaker, cr_event, invoke) -> None:
    module, stubber, sleeps = sagemaker
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": "physical-name"})
    stubber.add_response("describe_monitoring_schedule", describe("Pending", name="physical-name"))
    stubber.add_client_error("describe_monitoring_schedule", "ResourceNotFound", "gone")
    # ScheduleName in the properties differs: the seed deleted by property, this deletes by physical id.
    response = only(invoke(module, cr_event("Delete", PROPS, physical_id="physical-name")))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", "physical-name")
    assert sleeps == [2.0]
    stubber.assert_no_pending_responses()


def test_delete_not_found_succeeds(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    stubber.add_client_error("delete_monitoring_schedule", "ResourceNotFound", "no such schedule")
    assert only(invoke(module, cr_event("Delete", PROPS, physical_id=NAME)))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_delete_of_a_crhelper_generated_id_is_a_no_op(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    response = only(invoke(module, cr_event("Delete", PROPS, physical_id="modelgov-test_Resource_AB12CD34")))
    assert response["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_throttling_is_retried_with_backoff(sagemaker, cr_event, invoke) -> None:
    module, stubber, sleeps = sagemaker
    stubber.add_client_error("delete_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    stubber.add_client_error("delete_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    stubber.add_response("delete_monitoring_schedule", {})
    stubber.add_client_error("describe_monitoring_schedule", "ResourceNotFound", "gone")
    assert only(invoke(module, cr_event("Delete", PROPS, physical_id=NAME)))["Status"] == "SUCCESS"
    assert sleeps == [1, 2]


def test_throttling_that_never_ends_fails_once(sagemaker, cr_event, invoke) -> None:
    module, stubber, sleeps = sagemaker
    for _ in range(5):
        stubber.add_client_error("delete_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    response = only(invoke(module, cr_event("Delete", PROPS, physical_id=NAME)))
    assert response["Status"] == "FAILED" and "Rate exceeded" in response["Reason"]
    assert sleeps == [1, 2, 4, 8]


def test_poll_gives_up_after_the_timeout(sagemaker, cr_event, invoke, monkeypatch) -> None:
    module, stubber, _ = sagemaker
    clock = iter([1000.0, 5000.0, 5000.0])
    monkeypatch.setattr(module, "_now", lambda: next(clock))
    expect_create(stubber)
    stubber.add_response("describe_monitoring_schedule", describe("Pending"))
    response = only(invoke(module, cr_event("Create", {**PROPS, "PollTimeoutSeconds": "600"})))
    assert response["Status"] == "FAILED" and "still Pending after PollTimeoutSeconds" in response["Reason"]


def test_missing_property_fails_with_a_readable_reason(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    props = {k: v for k, v in PROPS.items() if k != "ScheduleExpression"}
    response = only(invoke(module, cr_event("Create", props)))
    assert response["Status"] == "FAILED"
    assert response["Reason"] == (
        "Custom::MonitoringSchedule property ScheduleExpression is missing; set it in the resource's Properties"
    )
    stubber.assert_no_pending_responses()


def test_inline_definition_maps_each_script_and_coerces_strings(sagemaker) -> None:
    module, _, _ = sagemaker
    config = module.schedule_config(INLINE)
    definition = config["MonitoringJobDefinition"]
    assert config["MonitoringType"] == "DataQuality"
    assert definition["MonitoringAppSpecification"] == {
        "ImageUri": INLINE["ImageURI"],
        "RecordPreprocessorSourceUri": "s3://scripts/preprocessor.py",
        "PostAnalyticsProcessorSourceUri": "s3://scripts/postprocessor.py",
    }
    assert definition["MonitoringResources"]["ClusterConfig"] == {
        "InstanceCount": 2,
        "InstanceType": "ml.m5.large",
        "VolumeSizeInGB": 30,
        "VolumeKmsKeyId": INLINE["VolumeKmsKeyId"],
    }
    assert definition["StoppingCondition"] == {"MaxRuntimeInSeconds": 1800}
    assert definition["NetworkConfig"] == {
        "EnableInterContainerTrafficEncryption": True,
        "EnableNetworkIsolation": False,
        "VpcConfig": {"Subnets": ["subnet-1", "subnet-2"], "SecurityGroupIds": ["sg-1"]},
    }
    assert definition["MonitoringOutputConfig"]["KmsKeyId"] == INLINE["OutputKmsKeyId"]
    assert definition["MonitoringInputs"][0]["EndpointInput"]["LocalPath"] == "/opt/ml/processing/endpointdata"


def test_inline_definition_is_accepted_by_the_service_model(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    stubber.add_response(
        "create_monitoring_schedule",
        {"MonitoringScheduleArn": ARN},
        {"MonitoringScheduleName": NAME, "MonitoringScheduleConfig": module.schedule_config(INLINE), "Tags": ANY},
    )
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    assert only(invoke(module, cr_event("Create", INLINE)))["Status"] == "SUCCESS"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"InstanceCount": "0"}, "InstanceCount is 0: allowed 1-100"),
        ({"EnableNetworkIsolation": "maybe"}, "EnableNetworkIsolation is 'maybe': allowed true or false"),
        ({"SecurityGroupIds": []}, "SubnetIds and SecurityGroupIds go together"),
        ({"MonitoringType": "ModelBias"}, "inline job definition is for DataQuality only"),
        ({"ScheduleName": "bad_name"}, "ScheduleName is 'bad_name'"),
    ],
)
def test_fails_invalid_properties(sagemaker, cr_event, invoke, change: dict[str, Any], message: str) -> None:
    module, stubber, _ = sagemaker
    response = only(invoke(module, cr_event("Create", {**INLINE, **change})))
    assert response["Status"] == "FAILED" and message in response["Reason"]
    stubber.assert_no_pending_responses()


def test_import_creates_no_client(load_handler) -> None:
    module = load_handler("monitoring_schedule")
    assert module.CLIENTS == {} and module._resource._helper is None
    assert "boto3" not in module.__dict__ and "crhelper" not in module.__dict__
    assert "boto3" not in sys.modules["polling_resource"].__dict__


def _imported_roots(source: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            roots.add((node.module or "").split(".")[0])
    return {r for r in roots if r not in sys.stdlib_module_names}


def test_handler_imports_only_stdlib_and_polling_resource_which_brings_boto3_and_crhelper() -> None:
    lambdas = Path(__file__).resolve().parents[2] / "lambdas"
    assert _imported_roots(lambdas / "monitoring_schedule" / "index.py") == {"polling_resource"}
    assert _imported_roots(lambdas / "_shared" / "polling_resource.py") == {"boto3", "crhelper"}


def test_update_from_the_seeds_handler_adopts_the_schedule(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    seed_id = "modelgov-test_Resource_AB12CD34"  # crhelper's random id, as the seed's handler returned
    event = cr_event("Update", PROPS, old_properties=PROPS, physical_id=seed_id)
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))  # does ScheduleName exist?
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))  # its ARN, to tag it
    stubber.add_response(
        "add_tags",
        {},
        {"ResourceArn": ARN, "Tags": [{"Key": "modelgov:cfn-owner", "Value": f"{event['StackId']}|Resource"}]},
    )
    stubber.add_response("update_monitoring_schedule", {"MonitoringScheduleArn": ARN})
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))  # poll
    response = only(invoke(module, event))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", NAME)
    stubber.assert_no_pending_responses()  # no CreateMonitoringSchedule: the existing schedule is kept


RENAMED = "churn-dq-v2"


def rename_event(cr_event: Callable[..., dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return cr_event("Update", {**PROPS, "ScheduleName": RENAMED, **extra}, old_properties=PROPS, physical_id=NAME)


def test_rename_then_failed_deletes_the_replacement_and_keeps_the_old_id(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_response("describe_monitoring_schedule", describe("Pending", name=RENAMED))
    stubber.add_response("describe_monitoring_schedule", describe("Failed", "no such endpoint", name=RENAMED))
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": RENAMED})
    response = only(invoke(module, rename_event(cr_event)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NAME)
    assert response["Reason"] == f"monitoring schedule {RENAMED} is Failed: no such endpoint"
    stubber.assert_no_pending_responses()


def test_rename_that_times_out_deletes_the_replacement(sagemaker, cr_event, invoke, monkeypatch) -> None:
    module, stubber, _ = sagemaker
    clock = iter([1000.0, 5000.0])
    monkeypatch.setattr(module, "_now", lambda: next(clock))
    expect_create(stubber, RENAMED)
    stubber.add_response("describe_monitoring_schedule", describe("Pending", name=RENAMED))
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": RENAMED})
    response = only(invoke(module, rename_event(cr_event, PollTimeoutSeconds="600")))
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NAME)
    assert "still Pending after PollTimeoutSeconds" in response["Reason"]
    stubber.assert_no_pending_responses()


def test_rename_whose_schedule_vanished_tolerates_not_found_on_cleanup(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_client_error("describe_monitoring_schedule", "ResourceNotFound", "gone")
    stubber.add_client_error("delete_monitoring_schedule", "ResourceNotFound", "gone")
    response = only(invoke(module, rename_event(cr_event)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NAME)
    assert response["Reason"] == f"monitoring schedule {RENAMED} was not found while waiting for it to be Scheduled"
    stubber.assert_no_pending_responses()


def test_rename_cleanup_that_fails_says_so(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_response("describe_monitoring_schedule", describe("Stopped", "stopped", name=RENAMED))
    stubber.add_client_error("delete_monitoring_schedule", "AccessDeniedException", "denied")
    response = only(invoke(module, rename_event(cr_event)))
    assert response["Status"] == "FAILED"
    assert f"the replacement schedule {RENAMED} could not be deleted" in response["Reason"]


def test_failed_adoption_of_a_seed_schedule_deletes_nothing(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    seed_id = "modelgov-test_Resource_AB12CD34"
    event = cr_event("Update", PROPS, old_properties=PROPS, physical_id=seed_id)
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    stubber.add_response("add_tags", {})
    stubber.add_response("update_monitoring_schedule", {"MonitoringScheduleArn": ARN})
    stubber.add_response("describe_monitoring_schedule", describe("Failed", "bad update"))
    response = only(invoke(module, event))
    assert (response["Status"], response["Reason"]) == ("FAILED", f"monitoring schedule {NAME} is Failed: bad update")
    stubber.assert_no_pending_responses()  # the existing schedule is not the replacement: no delete


@pytest.mark.parametrize("timeout", ["5", "soon", "7200"])
def test_fails_bad_poll_timeout_before_any_create(sagemaker, cr_event, invoke, timeout: str) -> None:
    module, stubber, _ = sagemaker  # nothing stubbed: any SageMaker call would fail with another reason
    event = cr_event("Create", {**PROPS, "PollTimeoutSeconds": timeout})
    response = only(invoke(module, event))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("Custom::MonitoringSchedule property PollTimeoutSeconds is")
    assert response["PhysicalResourceId"] == f"modelgov-failed-create:{event['RequestId']}"
    stubber.assert_no_pending_responses()


def test_fails_bad_property_on_rename_before_any_create(sagemaker, cr_event, invoke) -> None:
    module, stubber, _ = sagemaker
    response = only(invoke(module, rename_event(cr_event, PollTimeoutSeconds="5")))
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NAME)
    assert "PollTimeoutSeconds is 5: allowed 60-3600" in response["Reason"]


def test_fails_malformed_tags_before_any_create(sagemaker, cr_event, invoke) -> None:
    module, _, _ = sagemaker
    response = only(invoke(module, cr_event("Create", {**PROPS, "Tags": [{"Name": "team"}]})))
    assert response["Status"] == "FAILED" and "property Tags is" in response["Reason"]


@pytest.mark.parametrize("monitoring_type", [None, "", "DataDrift"])
def test_fails_named_job_definition_without_a_valid_monitoring_type(
    sagemaker, cr_event, invoke, monitoring_type: str | None
) -> None:
    module, stubber, _ = sagemaker
    props = {k: v for k, v in PROPS.items() if k != "MonitoringType"}
    if monitoring_type is not None:
        props["MonitoringType"] = monitoring_type
    response = only(invoke(module, cr_event("Create", props)))
    assert response["Status"] == "FAILED"
    assert response["Reason"] == (
        f"Custom::MonitoringSchedule property MonitoringType is {monitoring_type!r} with MonitoringJobDefinitionName: "
        "allowed DataQuality, ModelQuality, ModelBias, ModelExplainability; set the type of the named job definition"
    )
    stubber.assert_no_pending_responses()


def test_named_model_bias_definition_keeps_its_type(sagemaker) -> None:
    module, _, _ = sagemaker
    config = module.schedule_config({**PROPS, "MonitoringType": "ModelBias"})
    assert (config["MonitoringJobDefinitionName"], config["MonitoringType"]) == ("churn-dq-jobdef", "ModelBias")


def test_throttled_describe_while_polling_polls_again_without_sleeping(sagemaker, cr_event, invoke) -> None:
    module, stubber, sleeps = sagemaker
    expect_create(stubber)
    stubber.add_client_error("describe_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    stubber.add_client_error("describe_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    stubber.add_response("describe_monitoring_schedule", describe("Scheduled"))
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", NAME)
    assert sleeps == []
    stubber.assert_no_pending_responses()


def test_throttled_describe_after_the_deadline_fails_once(sagemaker, cr_event, invoke, monkeypatch) -> None:
    module, stubber, sleeps = sagemaker
    clock = iter([1000.0, 5000.0])
    monkeypatch.setattr(module, "_now", lambda: next(clock))
    expect_create(stubber)
    stubber.add_client_error("describe_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    response = only(invoke(module, cr_event("Create", {**PROPS, "PollTimeoutSeconds": "600"})))
    assert (response["Status"], response["PhysicalResourceId"]) == ("FAILED", NAME)
    assert "Rate exceeded" in response["Reason"] and sleeps == []


# -- crhelper's own timeout ("Execution timed out") is the request's only answer ----------------------------
# The Lambda is invoked with TIMEOUT_MARGIN + 0.3 s left, so crhelper's timer fires after about 0.3 s; the hung
# SageMaker call returns only once that timer has done its work (FAILED sent, rule removed, clean-up run).


def hang_until_timed_out(module: Any, operation: str) -> list[str]:
    """The next `operation` call hangs past the Lambda's remaining time; returns every SageMaker call made."""
    client = module.CLIENTS["sagemaker"]
    calls: list[str] = []
    hung: list[bool] = []

    def record_and_hang(model: Any, **_: Any) -> None:  # after the Stubber answered, errors included
        calls.append(model.name)
        if model.name == operation and not hung:
            hung.append(True)
            module._resource.helper._timer.join(10)

    client.meta.events.register("after-call.sagemaker", record_and_hang)
    return calls


def about_to_time_out(module: Any, make_context: Callable[..., Any]) -> Any:
    return make_context(remaining_ms=int(module.TIMEOUT_MARGIN * 1000) + 300)


def statuses(responses: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(r["Status"], r["Reason"], r["PhysicalResourceId"]) for r in responses]


def test_a_poll_replayed_after_the_timeout_failed_sends_nothing_and_runs_no_step(
    sagemaker, cr_event, invoke, crhelper_aws, cfn_server, make_context
) -> None:
    """Plain crhelper left the polling rule after its timeout FAILED: the next poll found the schedule
    Scheduled and sent SUCCESS as a second response."""
    module, stubber, _ = sagemaker
    expect_create(stubber)
    stubber.add_response("describe_monitoring_schedule", describe("Pending"))
    calls = hang_until_timed_out(module, "DescribeMonitoringSchedule")
    responses = invoke(module, cr_event("Create", PROPS), max_polls=1,
                       poll_remaining_ms=int(module.TIMEOUT_MARGIN * 1000) + 300)
    # the schedule exists: the FAILED carries its name, so CloudFormation's rollback Delete removes it
    assert statuses(responses) == [("FAILED", "Execution timed out", NAME)]
    assert crhelper_aws.rules == set()
    assert crhelper_aws.operations()[-3:] == ["RemoveTargets", "RemovePermission", "DeleteRule"]
    module.handler(crhelper_aws.scheduled_events()[-1], make_context())  # EventBridge delivers it once more
    assert statuses(cfn_server.responses) == [("FAILED", "Execution timed out", NAME)]
    assert calls == ["CreateMonitoringSchedule", "DescribeMonitoringSchedule"]
    stubber.assert_no_pending_responses()


def test_rename_timed_out_by_crhelper_deletes_the_replacement_and_answers_once_with_the_old_id(
    sagemaker, cr_event, invoke, crhelper_aws, cfn_server, make_context
) -> None:
    """Plain crhelper answered FAILED with an empty physical id, left the replacement schedule and the rule;
    the next poll sent SUCCESS with the new name, which CloudFormation never hears of nor deletes."""
    module, stubber, _ = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_response("describe_monitoring_schedule", describe("Pending", name=RENAMED))
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": RENAMED})
    calls = hang_until_timed_out(module, "DescribeMonitoringSchedule")
    responses = invoke(module, rename_event(cr_event), max_polls=1,
                       poll_remaining_ms=int(module.TIMEOUT_MARGIN * 1000) + 300)
    assert statuses(responses) == [("FAILED", "Execution timed out", NAME)]
    assert crhelper_aws.rules == set()
    module.handler(crhelper_aws.scheduled_events()[-1], make_context())
    assert len(cfn_server.responses) == 1
    assert calls == ["CreateMonitoringSchedule", "DescribeMonitoringSchedule", "DeleteMonitoringSchedule"]
    stubber.assert_no_pending_responses()


def test_rename_whose_cleanup_after_the_timeout_fails_still_answers_once(
    sagemaker, cr_event, invoke, crhelper_aws, cfn_server
) -> None:
    module, stubber, sleeps = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_response("describe_monitoring_schedule", describe("Pending", name=RENAMED))
    stubber.add_client_error("delete_monitoring_schedule", "ThrottlingException", "Rate exceeded")
    stubber.add_client_error("delete_monitoring_schedule", "AccessDeniedException", "denied")
    calls = hang_until_timed_out(module, "DescribeMonitoringSchedule")
    responses = invoke(module, rename_event(cr_event), max_polls=1,
                       poll_remaining_ms=int(module.TIMEOUT_MARGIN * 1000) + 300)
    assert statuses(responses) == [("FAILED", "Execution timed out", NAME)]
    assert calls.count("DeleteMonitoringSchedule") == 2 and sleeps == [1]  # one quick retry within the margin
    assert crhelper_aws.rules == set() and len(cfn_server.responses) == 1
    stubber.assert_no_pending_responses()


def test_create_timed_out_while_creating_answers_the_marker_sets_up_no_polling_and_deletes_its_schedule(
    sagemaker, cr_event, invoke, crhelper_aws, make_context
) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber)
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": NAME})
    calls = hang_until_timed_out(module, "CreateMonitoringSchedule")
    event = cr_event("Create", PROPS)
    responses = invoke(module, event, about_to_time_out(module, make_context))
    marker = f"modelgov-failed-create:{event['RequestId']}"
    assert statuses(responses) == [("FAILED", "Execution timed out", marker)]
    assert crhelper_aws.operations() == []  # no polling rule: nothing could answer this request again
    assert calls == ["CreateMonitoringSchedule", "DeleteMonitoringSchedule"]
    # CloudFormation's rollback Delete of the marker touches nothing
    assert statuses(invoke(module, cr_event("Delete", PROPS, physical_id=marker))) == [("SUCCESS", "", marker)]
    assert calls == ["CreateMonitoringSchedule", "DeleteMonitoringSchedule"]
    stubber.assert_no_pending_responses()


def test_rename_timed_out_while_creating_the_replacement_deletes_it_and_keeps_the_old_id(
    sagemaker, cr_event, invoke, crhelper_aws, make_context
) -> None:
    module, stubber, _ = sagemaker
    expect_create(stubber, RENAMED)
    stubber.add_response("delete_monitoring_schedule", {}, {"MonitoringScheduleName": RENAMED})
    calls = hang_until_timed_out(module, "CreateMonitoringSchedule")
    responses = invoke(module, rename_event(cr_event), about_to_time_out(module, make_context))
    assert statuses(responses) == [("FAILED", "Execution timed out", NAME)]
    assert crhelper_aws.operations() == []
    assert calls == ["CreateMonitoringSchedule", "DeleteMonitoringSchedule"]
    stubber.assert_no_pending_responses()


def test_update_in_place_timed_out_answers_the_old_id_and_deletes_nothing(
    sagemaker, cr_event, invoke, crhelper_aws, make_context
) -> None:
    module, stubber, _ = sagemaker
    stubber.add_response("update_monitoring_schedule", {"MonitoringScheduleArn": ARN})
    calls = hang_until_timed_out(module, "UpdateMonitoringSchedule")
    new = {**PROPS, "ScheduleExpression": "cron(0 0/6 ? * * *)"}
    event = cr_event("Update", new, old_properties=PROPS, physical_id=NAME)
    assert statuses(invoke(module, event, about_to_time_out(module, make_context))) == [
        ("FAILED", "Execution timed out", NAME)]
    assert crhelper_aws.operations() == [] and calls == ["UpdateMonitoringSchedule"]
    stubber.assert_no_pending_responses()


def test_delete_that_never_finishes_gives_up_before_the_timeout(sagemaker, cr_event, invoke, monkeypatch) -> None:
    """Its own reason, not crhelper's "Execution timed out": the last wait ends before the timer's margin."""
    module, stubber, _ = sagemaker
    now, sleeps = [1000.0], []

    def sleep(seconds: float) -> None:
        sleeps.append(seconds)
        now[0] += seconds

    monkeypatch.setattr(module, "_now", lambda: now[0])
    monkeypatch.setattr(module, "_sleep", sleep)
    stubber.add_response("delete_monitoring_schedule", {})
    for _ in range(40):
        stubber.add_response("describe_monitoring_schedule", describe("Pending"))
    response = only(invoke(module, cr_event("Delete", PROPS, physical_id=NAME)))  # 300 s left
    assert response["Status"] == "FAILED" and "still being deleted" in response["Reason"]
    assert max(sleeps) == 15.0
    assert 300 - module.TIMEOUT_MARGIN - 20 < sum(sleeps) <= 300 - module.TIMEOUT_MARGIN - 5
