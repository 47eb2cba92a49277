"""Custom::MonitoringSchedule: a SageMaker monitoring schedule managed through crhelper.

For stacks that use the seed's `Custom::MonitoringSchedule` interface (seed 000 L11838-12088), with its
defects fixed (../shared/research/seed-model-monitor.md §4.2):

- the physical id is the schedule name; Data returns MonitoringScheduleArn and MonitoringScheduleName;
- Create calls CreateMonitoringSchedule, then polls until Scheduled (Failed or Stopped fail with the
  service's FailureReason); a create the service refused answers FAILED with a marker id, so the Delete
  CloudFormation sends next never touches a schedule of that name that someone else owns;
- every property is validated before the first SageMaker call, so a bad value never leaves a schedule;
- Update takes (event, context): a new ScheduleName creates the new schedule and returns its name, so
  CloudFormation deletes the old one; if that replacement then fails, times out or vanishes, it is
  deleted here (CloudFormation keeps the old id and would never delete it); otherwise
  UpdateMonitoringSchedule (and tag changes), polled again;
- a throttled describe while polling waits for the next poll, until PollTimeoutSeconds;
- crhelper's own timeout ("Execution timed out", TIMEOUT_MARGIN s before the Lambda is stopped) is the
  request's only answer: the crhelper resource is polling_resource.FinalResource (lambdas/_shared, copied
  into the asset), so the polling rule goes with it, a late poll is dropped and a step that finishes
  afterwards sends nothing. That FAILED carries the old physical id on Update and the marker on a Create
  whose schedule is not known to exist yet; the schedule a rename or create made that CloudFormation will
  therefore never delete is deleted here;
- Delete goes by the physical id, treats ResourceNotFound as done and waits until the schedule is gone;
- RecordPreprocessorSourceUri and PostAnalyticsProcessorSourceUri each map to their own field;
- compute, runtime, KMS, VPC and network settings are properties (CloudFormation sends strings; they are
  coerced), and a named job definition (MonitoringJobDefinitionName + a required MonitoringType) is preferred over
  the inline definition, which the service accepts for data quality only.

Only the standard library and polling_resource at import: boto3 and crhelper load on the first invocation
(cold import stays far below 150 ms), and clients are created lazily. Tests put stubbed clients into CLIENTS.
"""

from __future__ import annotations

import logging
import re
import time

from polling_resource import Clients, FinalResource, error_code

TYPE_CHECKING = False  # typing alone costs ~2 ms of a cold start, and annotations here are never evaluated
if TYPE_CHECKING:
    from typing import Any

logger = logging.getLogger(__name__)

CLIENTS: dict[str, Any] = Clients()
OWNER_TAG = "modelgov:cfn-owner"
FAILED_CREATE = "modelgov-failed-create:"
NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
DONE, WAITING, BROKEN = "Scheduled", ("Pending",), ("Failed", "Stopped")
THROTTLING = {
    "ThrottlingException",
    "Throttling",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
}
RETRIES = 5
MONITORING_TYPES = ("DataQuality", "ModelQuality", "ModelBias", "ModelExplainability")
NOT_FOUND = ("ResourceNotFound", "ResourceNotFoundException")
DEFAULT_POLL_TIMEOUT = 1800
DELETE_WAIT_LIMIT = 600
TIMEOUT_MARGIN = 10.0  # seconds before the Lambda stops: the timeout's FAILED, rule removal and clean-up

_sleep = time.sleep
_now = time.time


# -- clients and calls ------------------------------------------------------------------------------------


def _call(operation: str, *, retries: int = RETRIES, **params: Any) -> Any:
    """Call SageMaker, retrying throttling with exponential backoff (1, 2, 4, 8 s) before giving up."""
    for attempt in range(retries):
        try:
            return getattr(CLIENTS["sagemaker"], operation)(**params)
        except Exception as error:
            if error_code(error) not in THROTTLING or attempt == retries - 1:
                raise
            logger.warning("%s throttled, retrying (attempt %d)", operation, attempt + 1)
            _sleep(2**attempt)
    raise AssertionError("unreachable")


def _describe(name: str, retries: int = RETRIES) -> dict[str, Any] | None:
    try:
        return dict(_call("describe_monitoring_schedule", retries=retries, MonitoringScheduleName=name))
    except Exception as error:
        if error_code(error) in NOT_FOUND:
            return None
        raise


# -- properties -----------------------------------------------------------------------------------------


class PropertyError(ValueError):
    pass


def _required(props: dict[str, Any], key: str) -> str:
    value = props.get(key)
    if value in (None, ""):
        raise PropertyError(
            f"Custom::MonitoringSchedule property {key} is missing; set it in the resource's Properties"
        )
    return str(value)


def _int(props: dict[str, Any], key: str, default: int, low: int, high: int) -> int:
    raw = props.get(key, default)
    try:
        value = int(str(raw))
    except ValueError:
        raise PropertyError(
            f"Custom::MonitoringSchedule property {key} is {raw!r}: allowed an integer {low}-{high}"
        ) from None
    if not low <= value <= high:
        raise PropertyError(f"Custom::MonitoringSchedule property {key} is {value}: allowed {low}-{high}")
    return value


def _bool(props: dict[str, Any], key: str, default: bool) -> bool:
    raw = props.get(key, default)
    if isinstance(raw, bool):
        return raw
    text = str(raw).strip().lower()
    if text not in ("true", "false"):
        raise PropertyError(f"Custom::MonitoringSchedule property {key} is {raw!r}: allowed true or false")
    return text == "true"


def _list(props: dict[str, Any], key: str) -> list[str]:
    raw = props.get(key) or []
    if isinstance(raw, str):
        raw = [part.strip() for part in raw.split(",") if part.strip()]
    return [str(item) for item in raw]


def _tags(props: dict[str, Any]) -> dict[str, str]:
    raw = props.get("Tags") or []
    if isinstance(raw, dict):
        return {str(k): str(v) for k, v in raw.items()}
    try:
        return {str(tag["Key"]): str(tag["Value"]) for tag in raw}
    except (KeyError, TypeError):
        raise PropertyError(
            f"Custom::MonitoringSchedule property Tags is {raw!r}: allowed a list of {{Key, Value}} or a map; "
            "write each tag as Key and Value"
        ) from None


def _schedule_name(props: dict[str, Any]) -> str:
    name = _required(props, "ScheduleName")
    if not NAME.match(name):
        raise PropertyError(
            f"Custom::MonitoringSchedule property ScheduleName is {name!r}: allowed 1-63 letters, digits and hyphens"
        )
    return name


def schedule_config(props: dict[str, Any]) -> dict[str, Any]:
    """MonitoringScheduleConfig from the resource properties (seed names kept, defects fixed)."""
    schedule: dict[str, Any] = {"ScheduleExpression": _required(props, "ScheduleExpression")}
    for key in ("DataAnalysisStartTime", "DataAnalysisEndTime"):
        if props.get(key):
            schedule[key] = str(props[key])
    config: dict[str, Any] = {"ScheduleConfig": schedule}
    if props.get("MonitoringJobDefinitionName"):
        # A named definition of another type under a defaulted DataQuality type fails only at run time.
        named_type = props.get("MonitoringType")
        if named_type not in MONITORING_TYPES:
            raise PropertyError(
                f"Custom::MonitoringSchedule property MonitoringType is {named_type!r} with "
                f"MonitoringJobDefinitionName: allowed {', '.join(MONITORING_TYPES)}; set the type of the "
                "named job definition"
            )
        config["MonitoringJobDefinitionName"] = str(props["MonitoringJobDefinitionName"])
        config["MonitoringType"] = str(named_type)
        return config
    monitoring_type = str(props.get("MonitoringType") or "DataQuality")
    if monitoring_type != "DataQuality":
        raise PropertyError(
            f"Custom::MonitoringSchedule property MonitoringType is {monitoring_type!r} without "
            "MonitoringJobDefinitionName: an inline job definition is for DataQuality only; "
            "create the job definition and pass its name"
        )
    config["MonitoringType"] = "DataQuality"
    config["MonitoringJobDefinition"] = _inline_definition(props)
    return config


def _inline_definition(props: dict[str, Any]) -> dict[str, Any]:
    baseline: dict[str, Any] = {}
    if props.get("BaselineConstraintsUri"):
        baseline["ConstraintsResource"] = {"S3Uri": str(props["BaselineConstraintsUri"])}
    if props.get("BaselineStatisticsUri"):
        baseline["StatisticsResource"] = {"S3Uri": str(props["BaselineStatisticsUri"])}
    app: dict[str, Any] = {"ImageUri": _required(props, "ImageURI")}
    # The seed wired PostAnalyticsProcessorSourceUri into RecordPreprocessorSourceUri (L12057); each has its own.
    for key in ("RecordPreprocessorSourceUri", "PostAnalyticsProcessorSourceUri"):
        if props.get(key):
            app[key] = str(props[key])
    cluster: dict[str, Any] = {
        "InstanceCount": _int(props, "InstanceCount", 1, 1, 100),
        "InstanceType": str(props.get("InstanceType") or "ml.m5.xlarge"),
        "VolumeSizeInGB": _int(props, "VolumeSizeInGB", 20, 1, 16384),
    }
    if props.get("VolumeKmsKeyId"):
        cluster["VolumeKmsKeyId"] = str(props["VolumeKmsKeyId"])
    output: dict[str, Any] = {
        "MonitoringOutputs": [
            {
                "S3Output": {
                    "S3Uri": _required(props, "OutputS3URI"),
                    "LocalPath": str(props.get("OutputLocalPath") or "/opt/ml/processing/output"),
                    "S3UploadMode": "EndOfJob",
                }
            }
        ]
    }
    if props.get("OutputKmsKeyId"):
        output["KmsKeyId"] = str(props["OutputKmsKeyId"])
    network: dict[str, Any] = {
        "EnableInterContainerTrafficEncryption": _bool(props, "EnableInterContainerTrafficEncryption", True),
        "EnableNetworkIsolation": _bool(props, "EnableNetworkIsolation", False),
    }
    subnets, groups = _list(props, "SubnetIds"), _list(props, "SecurityGroupIds")
    if bool(subnets) != bool(groups):
        raise PropertyError(
            "Custom::MonitoringSchedule properties SubnetIds and SecurityGroupIds go together: set both or neither"
        )
    if subnets:
        network["VpcConfig"] = {"Subnets": subnets, "SecurityGroupIds": groups}
    definition: dict[str, Any] = {
        "MonitoringInputs": [
            {
                "EndpointInput": {
                    "EndpointName": _required(props, "EndpointName"),
                    "LocalPath": str(props.get("InputLocalPath") or "/opt/ml/processing/input/endpoint"),
                    "S3InputMode": "File",
                    "S3DataDistributionType": "FullyReplicated",
                }
            }
        ],
        "MonitoringOutputConfig": output,
        "MonitoringResources": {"ClusterConfig": cluster},
        "MonitoringAppSpecification": app,
        "StoppingCondition": {"MaxRuntimeInSeconds": _int(props, "MaxRuntimeInSeconds", 3600, 1, 86400)},
        "NetworkConfig": network,
        "RoleArn": _required(props, "PassRoleArn"),
    }
    if baseline:
        definition["BaselineConfig"] = baseline
    environment = props.get("Environment")
    if environment:
        definition["Environment"] = {str(k): str(v) for k, v in dict(environment).items()}
    return definition


def _owner(event: dict[str, Any]) -> str:
    return f"{event['StackId']}|{event['LogicalResourceId']}"[:256]


# -- handlers -------------------------------------------------------------------------------------------


def _start(event: dict[str, Any], name: str) -> None:
    """CreateMonitoringSchedule; a retry of our own create (owner tag matches) adopts the schedule."""
    props = event["ResourceProperties"]
    tags = {**_tags(props), OWNER_TAG: _owner(event)}
    try:
        _call(
            "create_monitoring_schedule",
            MonitoringScheduleName=name,
            MonitoringScheduleConfig=schedule_config(props),
            Tags=[{"Key": k, "Value": v} for k, v in sorted(tags.items())],
        )
    except Exception as error:
        if error_code(error) != "ResourceInUse" or not _owned(name, event):
            raise
        logger.info("schedule %s exists and carries this resource's owner tag; adopting it", name)


def _owned(name: str, event: dict[str, Any]) -> bool:
    found = _describe(name)
    if not found:
        return False
    tags = _call("list_tags", ResourceArn=found["MonitoringScheduleArn"]).get("Tags", [])
    return any(t.get("Key") == OWNER_TAG and t.get("Value") == _owner(event) for t in tags)


def _poll_timeout(props: dict[str, Any]) -> int:
    return _int(props, "PollTimeoutSeconds", DEFAULT_POLL_TIMEOUT, 60, 3600)


def _arm_deadline(props: dict[str, Any]) -> None:
    _resource.helper.Data["PollDeadline"] = _now() + _poll_timeout(props)


def validate(props: dict[str, Any]) -> str:
    """Every property, before any SageMaker call: a bad value never leaves a schedule behind. Returns the name."""
    name = _schedule_name(props)
    schedule_config(props)
    _tags(props)
    _poll_timeout(props)
    return name


def create(event: dict[str, Any], context: Any) -> None:
    helper = _resource.helper
    # CloudFormation answers a FAILED create with a Delete of the id we return: a marker, so the Delete never
    # removes a schedule of this name that another stack (or person) owns. Set first, so crhelper's timeout
    # FAILED carries it too.
    helper.PhysicalResourceId = FAILED_CREATE + event["RequestId"]
    name = validate(event["ResourceProperties"])
    _start(event, name)
    if helper.timed_out:  # answered FAILED with the marker while creating: CloudFormation won't delete it
        _log_problem(_delete_created(name, "create"))
        return
    _arm_deadline(event["ResourceProperties"])


def update(event: dict[str, Any], context: Any) -> None:
    props, old = event["ResourceProperties"], event.get("OldResourceProperties", {})
    helper = _resource.helper
    helper.PhysicalResourceId = physical = str(event["PhysicalResourceId"])  # what a timeout FAILED carries
    name = validate(props)
    # A stack moving from the seed's handler carries crhelper's random id (never a schedule name) for a
    # schedule that exists under ScheduleName: adopt it in place. The new physical id makes CloudFormation
    # send a Delete for the random id, which names no schedule and is a no-op.
    migrating = (
        not NAME.match(physical)
        and not physical.startswith(FAILED_CREATE)
        and (old.get("ScheduleName") == name)
        and _describe(name) is not None
    )
    if name != physical and not migrating:
        logger.info("ScheduleName changed from %s to %s: replacing", physical, name)
        _start(event, name)
        # CloudFormation keeps the old physical id when this update fails and never deletes the new name:
        # poll (or the timeout's clean-up) must remove the replacement on every failure path.
        helper.Data["Replacement"] = name
        if helper.timed_out:  # answered FAILED while creating it; the timer's clean-up may not have seen it
            _log_problem(_delete_created(name, "rename"))
            return
    else:
        if migrating:  # claim it first: the role may change only schedules that carry its owner tag
            _update_tags(name, {}, {OWNER_TAG: _owner(event)})
        _call(
            "update_monitoring_schedule", MonitoringScheduleName=name, MonitoringScheduleConfig=schedule_config(props)
        )
        _update_tags(name, _tags(old), _tags(props))
    _arm_deadline(props)


def _update_tags(name: str, old: dict[str, str], new: dict[str, str]) -> None:
    changed = {k: v for k, v in new.items() if old.get(k) != v}
    removed = sorted(k for k in old if k not in new and k != OWNER_TAG)
    if not (changed or removed):
        return
    found = _describe(name)
    if not found:
        raise RuntimeError(f"monitoring schedule {name} disappeared during the update")
    arn = found["MonitoringScheduleArn"]
    if changed:
        _call("add_tags", ResourceArn=arn, Tags=[{"Key": k, "Value": v} for k, v in sorted(changed.items())])
    if removed:
        _call("delete_tags", ResourceArn=arn, TagKeys=removed)


def poll(event: dict[str, Any], context: Any) -> str | None:
    """Pending: keep polling; Scheduled: done (physical id = name); Failed/Stopped: fail with the reason.

    A failed rename deletes the schedule it created, since CloudFormation only ever deletes the old one.
    """
    helper = _resource.helper
    name = _schedule_name(event["ResourceProperties"])
    if event["RequestType"] == "Update":  # what a failure (crhelper's timeout included) answers with
        helper.PhysicalResourceId = event["PhysicalResourceId"]
    try:
        return _poll(event, helper, name)
    except Exception as error:
        replacement = _replacement(event, helper.Data)
        if not replacement:
            raise
        problem = _delete_created(replacement, "rename")
        if problem:
            raise RuntimeError(f"{error}; {problem}") from error
        raise


def _replacement(event: dict[str, Any], data: dict[str, Any]) -> str | None:
    """The schedule this rename created (CloudFormation never deletes it if the update fails), if any."""
    name = data.get("Replacement")
    if event["RequestType"] != "Update" or not name or name == event.get("PhysicalResourceId"):
        return None
    return str(name) if name == event["ResourceProperties"].get("ScheduleName") else None


def _delete_created(name: str, what: str, retries: int = RETRIES) -> str | None:
    """Delete the schedule a failed rename or create made; None when gone, else what the user must do."""
    logger.info("removing schedule %s after the failed %s", name, what)
    try:
        _call("delete_monitoring_schedule", retries=retries, MonitoringScheduleName=name)
    except Exception as error:
        if error_code(error) in NOT_FOUND:
            return None
        logger.error("could not delete schedule %s after the failed %s: %s", name, what, error)
        noun = "replacement schedule" if what == "rename" else "schedule"
        return f"the {noun} {name} could not be deleted ({error}); delete it by hand"
    return None


def _log_problem(problem: str | None) -> None:
    if problem:
        logger.error("%s", problem)


def _after_timeout(event: dict[str, Any], context: Any) -> None:
    """crhelper's timeout answered FAILED (the old physical id on Update): delete the rename's replacement.

    Runs on crhelper's timer thread, TIMEOUT_MARGIN s before the Lambda stops, so one quick retry only. A
    rename timed out before its replacement existed is cleaned up by update() itself when the create returns.
    """
    replacement = _replacement(event, _resource.helper.Data)
    if replacement:
        _log_problem(_delete_created(replacement, "rename", retries=2))


def _past_deadline(helper: Any) -> bool:
    deadline = float(helper.Data.get("PollDeadline", 0) or 0)
    return bool(deadline) and _now() > deadline


def _poll(event: dict[str, Any], helper: Any, name: str) -> str | None:
    if event["RequestType"] == "Create":
        # The schedule exists: the Delete after any failure below must remove it. A None return (poll again)
        # overwrites this id, so it only takes effect when this poll raises.
        helper.PhysicalResourceId = name
    try:
        # One attempt per poll: a throttled describe waits for the next poll instead of sleeping here.
        found = _describe(name, retries=1)
    except Exception as error:
        if error_code(error) in THROTTLING and not _past_deadline(helper):
            logger.warning("describe of %s throttled; polling again", name)
            return None
        raise
    status = (found or {}).get("MonitoringScheduleStatus")
    if found is not None and status == DONE:
        helper.Data = {"MonitoringScheduleArn": found["MonitoringScheduleArn"], "MonitoringScheduleName": name}
        return name
    if found is None:
        raise RuntimeError(f"monitoring schedule {name} was not found while waiting for it to be Scheduled")
    if status in BROKEN:
        reason = found.get("FailureReason") or "no FailureReason given"
        raise RuntimeError(f"monitoring schedule {name} is {status}: {reason}")
    if _past_deadline(helper):
        raise RuntimeError(
            f"monitoring schedule {name} is still {status} after PollTimeoutSeconds; check the "
            "schedule in the SageMaker console"
        )
    if status not in WAITING:
        raise RuntimeError(f"monitoring schedule {name} has unexpected status {status}")
    return None


def delete(event: dict[str, Any], context: Any) -> None:
    """Delete by physical id; markers of failed creates and ids that are no schedule name are no-ops."""
    physical = str(event.get("PhysicalResourceId", ""))
    if physical.startswith(FAILED_CREATE) or not NAME.match(physical):
        logger.info("physical id %s names no schedule this resource created; nothing to delete", physical)
        return
    try:
        _call("delete_monitoring_schedule", MonitoringScheduleName=physical)
    except Exception as error:
        if error_code(error) in NOT_FOUND:
            logger.info("schedule %s is already gone", physical)
            return
        raise
    # the last wait (a sleep of at most 15 s and a describe) ends before crhelper's timer, TIMEOUT_MARGIN s early
    remaining = context.get_remaining_time_in_millis() / 1000 - TIMEOUT_MARGIN - 20
    deadline = _now() + max(0.0, min(remaining, DELETE_WAIT_LIMIT))
    delay = 2.0
    while _describe(physical) is not None:
        if _now() > deadline:
            raise RuntimeError(f"monitoring schedule {physical} is still being deleted; retry the stack operation")
        _sleep(delay)
        delay = min(delay * 2, 15.0)


_resource = FinalResource(
    create=create, update=update, poll=poll, delete=delete, on_timeout=_after_timeout, timeout_margin=TIMEOUT_MARGIN
)


def handler(event: dict[str, Any], context: Any) -> None:
    _resource(event, context)
