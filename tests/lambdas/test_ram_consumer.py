"""lambdas/ram_consumer through the real crhelper flow: RAM and SageMaker calls stubbed and validated."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.stub import ANY

OWNER = "222222222222"
GROUP = f"arn:aws:sagemaker:us-east-1:{OWNER}:model-package-group/churn-prediction"
INVITATION = "arn:aws:ram:us-east-1:222222222222:resource-share-invitation/6f3c1a0e-0b64-4bd5-8d2e-EXAMPLE"
PROPS = {"OwnerAccount": OWNER, "ModelPackageGroupArns": [GROUP], "ResourceShareName": "registry-to-partner"}


@pytest.fixture
def consumer(load_handler, stub_client):
    module = load_handler("ram_consumer")
    ram, ram_stub = stub_client("ram")
    sagemaker, sagemaker_stub = stub_client("sagemaker")
    module._clients.update({"ram": ram, "sagemaker": sagemaker})
    return module, ram_stub, sagemaker_stub


def invitations(stub: Any, *statuses: str, sender: str = OWNER, name: str = "registry-to-partner") -> None:
    stub.add_response("get_resource_share_invitations", {"resourceShareInvitations": [
        {"resourceShareInvitationArn": f"{INVITATION}-{i}", "resourceShareName": name, "senderAccountId": sender,
         "receiverAccountId": "777777777777", "status": status} for i, status in enumerate(statuses)]}, {})


def visible(stub: Any, *arns: str) -> None:
    stub.add_response("list_model_package_groups", {"ModelPackageGroupSummaryList": [
        {"ModelPackageGroupName": a.rsplit("/", 1)[1], "ModelPackageGroupArn": a,
         "CreationTime": "2026-01-01T00:00:00Z", "ModelPackageGroupStatus": "Completed"} for a in arns]},
        {"CrossAccountFilterOption": "CrossAccount"})


def only(responses: list[dict[str, Any]]) -> dict[str, Any]:
    assert len(responses) == 1, responses
    return responses[0]


def test_create_accepts_the_pending_invitation_and_waits_until_the_group_is_listed(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    invitations(ram, "PENDING")
    ram.add_response("accept_resource_share_invitation", {},
                     {"resourceShareInvitationArn": f"{INVITATION}-0", "clientToken": ANY})
    visible(sagemaker)
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "SUCCESS" and response["PhysicalResourceId"].startswith(f"ram-consumer:{OWNER}:")
    assert response["Data"] == {"VisibleGroups": "1"}
    ram.assert_no_pending_responses()
    sagemaker.assert_no_pending_responses()


def test_one_cross_account_listing_per_poll_for_several_groups(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    other = GROUP.replace("churn-prediction", "fraud-detection")
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP, other)
    response = only(invoke(module, cr_event("Create", {**PROPS, "ModelPackageGroupArns": [GROUP, other]})))
    assert (response["Status"], response["Data"]) == ("SUCCESS", {"VisibleGroups": "2"})
    sagemaker.assert_no_pending_responses()


def test_invitations_from_other_accounts_or_shares_are_left_alone(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    ram.add_response("get_resource_share_invitations", {"resourceShareInvitations": [
        {"resourceShareInvitationArn": f"{INVITATION}-x", "senderAccountId": "999999999999", "status": "PENDING",
         "resourceShareName": "registry-to-partner"},
        {"resourceShareInvitationArn": f"{INVITATION}-y", "senderAccountId": OWNER, "status": "PENDING",
         "resourceShareName": "another-share"}]}, {})
    visible(sagemaker, GROUP)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    ram.assert_no_pending_responses()


def test_repeat_with_accepted_invitation_only_checks_visibility(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    ram.assert_no_pending_responses()


def test_already_accepted_race_is_not_an_error(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    invitations(ram, "PENDING")
    ram.add_client_error("accept_resource_share_invitation", "ResourceShareInvitationAlreadyAcceptedException",
                         "already accepted")
    visible(sagemaker, GROUP)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"


def test_update_and_delete(consumer, cr_event, invoke, crhelper_aws):
    module, ram, sagemaker = consumer
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    created = only(invoke(module, cr_event("Create", PROPS)))
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    updated = only(invoke(module, cr_event("Update", {**PROPS, "TimeoutSeconds": "300"}, old_properties=PROPS,
                                           physical_id=created["PhysicalResourceId"])))
    assert updated["PhysicalResourceId"] == created["PhysicalResourceId"]
    deleted = only(invoke(module, cr_event("Delete", PROPS, physical_id=created["PhysicalResourceId"])))
    assert (deleted["Status"], deleted["PhysicalResourceId"]) == ("SUCCESS", created["PhysicalResourceId"])
    ram.assert_no_pending_responses()


def test_throttling_then_success(consumer, cr_event, invoke):
    module, ram, sagemaker = consumer
    invitations(ram, "ACCEPTED")
    sagemaker.add_client_error("list_model_package_groups", "ThrottlingException", "Rate exceeded")
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    sagemaker.assert_no_pending_responses()


def test_expired_invitation_fails_with_the_fix(consumer, cr_event, invoke):
    module, ram, _ = consumer
    invitations(ram, "EXPIRED")
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED"
    assert response["Reason"] == (f"invitations from {OWNER} are EXPIRED; ask the owner to share again, "
                                  "then update this stack")


def test_group_that_never_becomes_visible_fails_at_the_deadline(consumer, cr_event, invoke, monkeypatch):
    module, ram, sagemaker = consumer
    now = [0.0]
    monkeypatch.setattr(module, "clock", lambda: now[0])
    real_step = module._step

    def step_then_advance(*args: Any) -> Any:
        try:
            return real_step(*args)
        finally:
            now[0] += 400

    monkeypatch.setattr(module, "_step", step_then_advance)
    for _ in range(3):
        invitations(ram, "ACCEPTED")
        visible(sagemaker)
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(f"churn-prediction of {OWNER} not discoverable yet")
    assert "promote policy-created shares" in response["Reason"]


def test_access_denied_fails_with_the_service_error(consumer, cr_event, invoke):
    module, ram, _ = consumer
    ram.add_client_error("get_resource_share_invitations", "AccessDeniedException", "not authorized")
    response = only(invoke(module, cr_event("Create", PROPS)))
    assert response["Status"] == "FAILED"
    assert response["Reason"].startswith(f"accepting the share from {OWNER} failed: AccessDeniedException")


@pytest.mark.parametrize(("props", "message"), [
    ({**PROPS, "OwnerAccount": "2222"}, "OwnerAccount '2222' is not a 12-digit account id"),
    ({**PROPS, "ModelPackageGroupArns": []}, "must list at least one"),
    ({**PROPS, "ModelPackageGroupArns": [GROUP.replace(OWNER, "333333333333")]}, "of account 222222222222"),
])
def test_invalid_properties_fail_on_create(consumer, cr_event, invoke, props, message):
    module, _, _ = consumer
    response = only(invoke(module, cr_event("Create", props)))
    assert response["Status"] == "FAILED" and message in response["Reason"]


def test_a_late_poll_after_the_answer_sends_nothing(consumer, cr_event, invoke, crhelper_aws, cfn_server,
                                                    make_context):
    """EventBridge delivers at least once: a poll arriving after the rule was deleted stays silent."""
    module, ram, sagemaker = consumer
    invitations(ram, "ACCEPTED")
    visible(sagemaker)
    invitations(ram, "ACCEPTED")
    visible(sagemaker, GROUP)
    assert only(invoke(module, cr_event("Create", PROPS)))["Status"] == "SUCCESS"
    module.handler(crhelper_aws.scheduled_events()[-1], make_context())
    assert [r["Status"] for r in cfn_server.responses] == ["SUCCESS"]
    ram.assert_no_pending_responses()
