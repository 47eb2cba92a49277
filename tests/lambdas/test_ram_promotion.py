"""lambdas/ram_promotion through the real crhelper flow: RAM calls stubbed and validated by botocore."""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

import pytest
from botocore.stub import ANY

GROUP = "arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"
SHARE = "arn:aws:ram:us-east-1:222222222222:resource-share/7ab63972-b505-7e2a-420d-6f5d3EXAMPLE"
POLICY_PERMISSION = "arn:aws:ram:us-east-1:222222222222:permission/CreatedFromPolicy-8c2e"
PROPS = {"ModelPackageGroupArn": GROUP, "PermissionName": "modelgov-churn-prediction-1a2b3c4"}
PHYSICAL_ID = f"ram-promotion:{GROUP}:{PROPS['PermissionName']}"


@pytest.fixture
def promotion(load_handler, stub_client):
    module = load_handler("ram_promotion")
    client, stubber = stub_client("ram")
    module._clients["ram"] = client
    return module, stubber


def expect_shares(stubber: Any, feature_set: str | None) -> None:
    associations = [] if feature_set is None else [
        {"resourceShareArn": SHARE, "associatedEntity": GROUP, "associationType": "RESOURCE", "status": "ASSOCIATED"}]
    stubber.add_response("get_resource_share_associations", {"resourceShareAssociations": associations},
                         {"associationType": "RESOURCE", "resourceArn": GROUP})
    if feature_set is not None:
        stubber.add_response("get_resource_shares", {"resourceShares": [
            {"resourceShareArn": SHARE, "name": "policy-share", "featureSet": feature_set, "status": "ACTIVE"}]},
            {"resourceOwner": "SELF", "resourceShareArns": [SHARE]})


def expect_promotion(stubber: Any, *, permission_exists: bool = False) -> None:
    stubber.add_response("list_resource_share_permissions", {"permissions": [
        {"arn": POLICY_PERMISSION, "featureSet": "CREATED_FROM_POLICY", "resourceType": "sagemaker:ModelPackageGroup",
         "permissionType": "CUSTOMER_MANAGED"}]}, {"resourceShareArn": SHARE})
    expect_permission(stubber, exists=permission_exists)
    if not permission_exists:
        stubber.add_response("promote_permission_created_from_policy",
                             {"permission": {"name": PROPS["PermissionName"]}},
                             {"permissionArn": POLICY_PERMISSION, "name": PROPS["PermissionName"], "clientToken": ANY})


def expect_permission(stubber: Any, *, exists: bool = True, created: float = 0.0) -> None:
    """The list_permissions call that looks for the permission promoted under PROPS' PermissionName."""
    existing = [{"arn": "arn:aws:ram:us-east-1:222222222222:permission/" + PROPS["PermissionName"],
                 "name": PROPS["PermissionName"],
                 "creationTime": dt.datetime.fromtimestamp(created, dt.UTC)}] if exists else []
    stubber.add_response("list_permissions", {"permissions": existing},
                         {"resourceType": "sagemaker:ModelPackageGroup", "permissionType": "CUSTOMER_MANAGED"})


def expect_share_promotion(stubber: Any, error: str | None = None) -> None:
    if error:
        stubber.add_client_error("promote_resource_share_created_from_policy", error, f"{error} from RAM",
                                 expected_params={"resourceShareArn": SHARE})
    else:
        stubber.add_response("promote_resource_share_created_from_policy", {"returnValue": True},
                             {"resourceShareArn": SHARE})


def only(responses: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(responses) == 1, responses
    return responses[0]


def test_create_promotes_permission_then_share_and_waits_for_standard(promotion, cr_event, invoke, crhelper_aws):
    module, stubber = promotion
    expect_shares(stubber, "CREATED_FROM_POLICY")
    expect_promotion(stubber)
    expect_share_promotion(stubber)
    expect_shares(stubber, "PROMOTING_TO_STANDARD")
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", PHYSICAL_ID)
    assert response["Data"] == {"ResourceShareArns": SHARE, "PermissionName": PROPS["PermissionName"]}
    stubber.assert_no_pending_responses()
    assert crhelper_aws.operations()[-3:] == ["RemoveTargets", "RemovePermission", "DeleteRule"]


def test_repeat_after_success_makes_no_promotion_call(promotion, cr_event, invoke):
    module, stubber = promotion
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", PHYSICAL_ID)
    stubber.assert_no_pending_responses()


def test_repeat_with_permission_already_promoted_only_promotes_the_share(promotion, cr_event, invoke):
    module, stubber = promotion
    expect_shares(stubber, "CREATED_FROM_POLICY")
    expect_promotion(stubber, permission_exists=True)
    expect_share_promotion(stubber, "InvalidStateTransitionException")
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_update_keeps_the_physical_id_for_the_same_group(promotion, cr_event, invoke):
    module, stubber = promotion
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber)
    event = cr_event("Update", {**PROPS, "TimeoutSeconds": "600"}, old_properties=PROPS, physical_id=PHYSICAL_ID)
    response = only(invoke(module, event))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", PHYSICAL_ID)


def test_update_to_another_group_returns_a_new_physical_id(promotion, cr_event, invoke):
    module, stubber = promotion
    other = GROUP.replace("churn-prediction", "fraud-detection")
    stubber.add_response("get_resource_share_associations", {"resourceShareAssociations": [
        {"resourceShareArn": SHARE, "associatedEntity": other, "associationType": "RESOURCE", "status": "ASSOCIATED"}]},
        {"associationType": "RESOURCE", "resourceArn": other})
    stubber.add_response("get_resource_shares", {"resourceShares": [
        {"resourceShareArn": SHARE, "featureSet": "STANDARD"}]},
        {"resourceOwner": "SELF", "resourceShareArns": [SHARE]})
    expect_permission(stubber)
    event = cr_event("Update", {**PROPS, "ModelPackageGroupArn": other}, old_properties=PROPS, physical_id=PHYSICAL_ID)
    response = only(invoke(module, event))
    assert response["Status"] == "SUCCESS" and response["PhysicalResourceId"] == f"ram-promotion:{other}:" + \
        PROPS["PermissionName"]


def test_delete_is_a_no_op_that_succeeds(promotion, cr_event, invoke, crhelper_aws):
    module, stubber = promotion
    response = only(invoke(module, cr_event("Delete", PROPS, physical_id=PHYSICAL_ID)))
    assert (response["Status"], response["PhysicalResourceId"]) == ("SUCCESS", PHYSICAL_ID)
    stubber.assert_no_pending_responses()
    assert crhelper_aws.operations() == [] and crhelper_aws.delete_sleeps == [5]


def test_throttling_is_retried_on_the_next_poll(promotion, cr_event, invoke):
    module, stubber = promotion
    stubber.add_client_error("get_resource_share_associations", "ThrottlingException", "Rate exceeded")
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_unpromotable_policy_fails_with_a_readable_reason(promotion, cr_event, invoke):
    module, stubber = promotion
    expect_shares(stubber, "CREATED_FROM_POLICY")
    stubber.add_response("list_resource_share_permissions", {"permissions": [
        {"arn": POLICY_PERMISSION, "featureSet": "CREATED_FROM_POLICY"}]}, {"resourceShareArn": SHARE})
    stubber.add_response("list_permissions", {"permissions": []})
    stubber.add_client_error("promote_permission_created_from_policy", "OperationNotPermittedException",
                             "The operation is not permitted")
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED"
    assert "churn-prediction cannot be promoted (OperationNotPermittedException)" in response["Reason"]
    assert "role principal or Action \"*\"" in response["Reason"] and len(response["Reason"]) <= 256


def advancing_clock(module: Any, monkeypatch: Any, step: float, start: float = 1_000_000.0) -> list[float]:
    """module.clock starts at `start` and moves `step` seconds after every poll (polls are minutes apart)."""
    now = [start]
    monkeypatch.setattr(module, "clock", lambda: now[0])
    real_step = module._step

    def step_then_advance(*args: Any) -> Any:
        try:
            return real_step(*args)
        finally:
            now[0] += step

    monkeypatch.setattr(module, "_step", step_then_advance)
    return now


def test_a_standard_share_alone_is_not_promotion_of_the_policy_share(promotion, cr_event, invoke, monkeypatch):
    """RegistryShare's own STANDARD share is there before RAM creates the policy share: keep waiting."""
    module, stubber = promotion
    advancing_clock(module, monkeypatch, 60)
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber, exists=False)
    expect_shares(stubber, "CREATED_FROM_POLICY")
    expect_promotion(stubber)
    expect_share_promotion(stubber)
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber, created=1_000_000.0)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_only_standard_shares_until_the_deadline_fail_with_the_cause(promotion, cr_event, invoke, monkeypatch):
    module, stubber = promotion
    advancing_clock(module, monkeypatch, 400)
    for _ in range(2):
        expect_shares(stubber, "STANDARD")
        expect_permission(stubber, exists=False)
    response = only(invoke(module, cr_event("Create", {**PROPS, "TimeoutSeconds": "600"})))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("churn-prediction not promoted within 600 s: no share created from the "
                                         "resource policy of churn-prediction has been promoted")


def expect_unmatched_poll(stubber: Any, created: float, error: str | None = "UnmatchedPolicyPermissionException"):
    """A poll after the permission was promoted: the share is still CREATED_FROM_POLICY, promote it again."""
    expect_shares(stubber, "CREATED_FROM_POLICY")
    stubber.add_response("list_resource_share_permissions", {"permissions": [
        {"arn": POLICY_PERMISSION, "featureSet": "CREATED_FROM_POLICY"}]}, {"resourceShareArn": SHARE})
    expect_permission(stubber, created=created)
    expect_share_promotion(stubber, error)


def test_unmatched_right_after_the_permission_promotion_is_retried(promotion, cr_event, invoke, monkeypatch):
    module, stubber = promotion
    advancing_clock(module, monkeypatch, 60)
    expect_shares(stubber, "CREATED_FROM_POLICY")
    expect_promotion(stubber)
    expect_share_promotion(stubber, "UnmatchedPolicyPermissionException")
    expect_unmatched_poll(stubber, created=1_000_030.0)  # promoted by the first poll of this request
    expect_unmatched_poll(stubber, created=1_000_030.0, error=None)
    expect_shares(stubber, "STANDARD")
    expect_permission(stubber, created=1_000_030.0)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    stubber.assert_no_pending_responses()


def test_unmatched_until_the_deadline_fails_with_a_readable_reason(promotion, cr_event, invoke, monkeypatch):
    module, stubber = promotion
    advancing_clock(module, monkeypatch, 400)
    expect_shares(stubber, "CREATED_FROM_POLICY")
    expect_promotion(stubber)
    expect_share_promotion(stubber, "UnmatchedPolicyPermissionException")
    expect_unmatched_poll(stubber, created=1_000_030.0)
    response = only(invoke(module, cr_event("Create", {**PROPS, "TimeoutSeconds": "600"})))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("churn-prediction not promoted within 600 s: churn-prediction share cannot "
                                         "be promoted (UnmatchedPolicyPermissionException)")
    assert "align the group policy" in response["Reason"]
    stubber.assert_no_pending_responses()


def test_unmatched_with_a_permission_promoted_earlier_fails_at_once(promotion, cr_event, invoke, monkeypatch):
    """The permission predates this request: the group policy changed since, waiting will not help."""
    module, stubber = promotion
    advancing_clock(module, monkeypatch, 60)
    expect_unmatched_poll(stubber, created=900_000.0)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED" and response["Reason"].startswith(
        "churn-prediction share cannot be promoted (UnmatchedPolicyPermissionException)")
    stubber.assert_no_pending_responses()


def test_promotion_that_never_finishes_fails_at_the_deadline(promotion, cr_event, invoke, monkeypatch):
    module, stubber = promotion
    now = [1_000_000.0]
    monkeypatch.setattr(module, "clock", lambda: now[0])
    expect_shares(stubber, "PROMOTING_TO_STANDARD")
    expect_shares(stubber, "PROMOTING_TO_STANDARD")

    real_step = module._step

    def step_then_advance(*args: Any) -> Any:
        try:
            return real_step(*args)
        finally:
            now[0] += 400  # each poll is minutes apart in AWS

    monkeypatch.setattr(module, "_step", step_then_advance)
    response = only(invoke(module, cr_event("Create", {**PROPS, "TimeoutSeconds": "600"})))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith("churn-prediction not promoted within 600 s")
    assert "PROMOTING_TO_STANDARD" in response["Reason"]


def test_group_without_any_share_times_out_with_the_cause(promotion, cr_event, invoke, monkeypatch):
    module, stubber = promotion
    now = [0.0]
    monkeypatch.setattr(module, "clock", lambda: now[0])
    for _ in range(2):
        expect_shares(stubber, None)
    real_shares = module._shares

    def shares_then_advance(*args: Any) -> Any:
        try:
            return real_shares(*args)
        finally:
            now[0] += 500

    monkeypatch.setattr(module, "_shares", shares_then_advance)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED" and "no resource share is associated" in response["Reason"]
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize(("props", "message"), [
    ({**PROPS, "ModelPackageGroupArn": "churn-prediction"}, "is not a model package group arn"),
    ({**PROPS, "PermissionName": "bad name!"}, "PermissionName 'bad name!' must be 1-36"),
    ({**PROPS, "TimeoutSeconds": "soon"}, "is not a whole number of seconds"),
    ({**PROPS, "TimeoutSeconds": "5"}, "outside 60-3000"),
])
def test_invalid_properties_fail_on_create_without_polling(promotion, cr_event, invoke, crhelper_aws, props, message):
    module, _ = promotion
    response = only(invoke(module, cr_event("Create", props)))
    assert response["Status"] == "FAILED" and message in response["Reason"]
    assert crhelper_aws.operations() == []


def test_lambda_about_to_time_out_sends_one_failed(promotion, cr_event, invoke, monkeypatch, crhelper_aws,
                                                   cfn_server, make_context):
    module, _ = promotion
    calls = []

    def slow_then_done(*args: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            time.sleep(0.8)  # a RAM call hanging past the Lambda's remaining time
            raise module.Pending("still PROMOTING_TO_STANDARD")
        return [SHARE]  # a later poll would find the share promoted

    monkeypatch.setattr(module, "_step", slow_then_done)
    responses = invoke(module, cr_event("Create", PROPS), max_polls=1, poll_remaining_ms=800)
    assert [(r["Status"], r["Reason"]) for r in responses] == [("FAILED", "Execution timed out")]
    assert crhelper_aws.operations()[-3:] == ["RemoveTargets", "RemovePermission", "DeleteRule"]
    assert crhelper_aws.rules == set()
    # EventBridge delivers the scheduled poll once more (at least once): no second response, no step run
    late_poll = crhelper_aws.scheduled_events()[-1]
    module.handler(late_poll, make_context())
    assert [r["Status"] for r in cfn_server.responses] == ["FAILED"]
    assert len(calls) == 1
