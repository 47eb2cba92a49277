"""The crhelper harness itself: responses reach the local server over TLS, polling and sleeps stay offline."""

from __future__ import annotations

from pathlib import Path
from typing import Any

HANDLER = '''
from crhelper import CfnResource

helper = CfnResource(polling_interval=1)
POLLS = {"left": 0}


@helper.create
def create(event, context):
    POLLS["left"] = int(event["ResourceProperties"].get("Polls", "0"))
    if event["ResourceProperties"].get("Fail"):
        raise RuntimeError("create refused: " + event["ResourceProperties"]["Fail"])
    return "fixed-id"


@helper.poll_create
def poll_create(event, context):
    POLLS["left"] -= 1
    return "polled-id" if POLLS["left"] <= 0 else None


@helper.delete
def delete(event, context):
    return None


def handler(event, context):
    if "Polls" not in event["ResourceProperties"]:
        helper._poll_create_func = None
    helper(event, context)
'''


def _module(tmp_path: Path, load_handler: Any) -> Any:
    path = tmp_path / "index.py"
    path.write_text(HANDLER)
    return load_handler(path)


def test_create_sends_one_success_to_the_local_server(tmp_path, load_handler, cr_event, invoke, cfn_server):
    event = cr_event("Create", {"Name": "x"})
    responses = invoke(_module(tmp_path, load_handler), event)
    assert [(r["Status"], r["PhysicalResourceId"], r["RequestId"]) for r in responses] == [
        ("SUCCESS", "fixed-id", event["RequestId"])]
    assert cfn_server.paths == [f"/cfn-response/{event['RequestId']}"]


def test_a_raising_create_sends_failed_with_its_message(tmp_path, load_handler, cr_event, invoke):
    responses = invoke(_module(tmp_path, load_handler), cr_event("Create", {"Fail": "bad input"}))
    assert [(r["Status"], r["Reason"]) for r in responses] == [("FAILED", "create refused: bad input")]


def test_delete_records_the_log_flush_sleep_instead_of_sleeping(tmp_path, load_handler, cr_event, invoke,
                                                                crhelper_aws):
    responses = invoke(_module(tmp_path, load_handler), cr_event("Delete", {}, physical_id="fixed-id"))
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", "fixed-id")]
    assert crhelper_aws.delete_sleeps == [120]


def test_polling_is_driven_until_done_and_torn_down(tmp_path, load_handler, cr_event, invoke, crhelper_aws):
    responses = invoke(_module(tmp_path, load_handler), cr_event("Create", {"Polls": "3"}))
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", "polled-id")]
    assert crhelper_aws.operations() == ["PutRule", "AddPermission", "PutTargets",
                                         "RemoveTargets", "RemovePermission", "DeleteRule"]


def test_polling_that_never_finishes_sends_nothing(tmp_path, load_handler, cr_event, invoke):
    assert invoke(_module(tmp_path, load_handler), cr_event("Create", {"Polls": "50"}), max_polls=3) == []


def test_context_counts_down(make_context):
    context = make_context(remaining_ms=5_000)
    assert 0 < context.get_remaining_time_in_millis() <= 5_000
