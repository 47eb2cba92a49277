"""lambdas/_shared/polling_resource.py on its own: minimal polling handlers built on FinalResource, run through
the real crhelper flow (late polls, crhelper's timeout and the clean-up after it), plus the lazy clients and the
TimeoutSeconds check the handlers share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

HANDLER = '''
from polling_resource import FinalResource

CALLS = []


def start(event, context):
    CALLS.append("start")
    _resource.helper.Data["Left"] = int(event["ResourceProperties"]["Polls"])
    return "started"


def poll(event, context):
    CALLS.append("poll")
    left = int(event["CrHelperData"]["Left"]) - len([c for c in CALLS if c == "poll"])
    return "done" if left <= 0 else None


def delete(event, context):
    CALLS.append("delete")
    return event["PhysicalResourceId"]


_resource = FinalResource(create=start, update=start, poll=poll, delete=delete)


def handler(event, context):
    _resource(event, context)
'''


@pytest.fixture
def module(tmp_path: Path, load_handler: Any) -> Any:
    path = tmp_path / "index.py"
    path.write_text(HANDLER)
    return load_handler(path)


def test_create_then_polls_until_done_with_one_success(module, cr_event, invoke, crhelper_aws):
    responses = invoke(module, cr_event("Create", {"Polls": "2"}))
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", "done")]
    assert module.CALLS == ["start", "poll", "poll"]
    assert crhelper_aws.rules == set()


def test_a_poll_delivered_after_the_answer_runs_no_step(module, cr_event, invoke, crhelper_aws, cfn_server,
                                                         make_context):
    invoke(module, cr_event("Create", {"Polls": "1"}))
    module.handler(crhelper_aws.scheduled_events()[-1], make_context())
    assert [r["Status"] for r in cfn_server.responses] == ["SUCCESS"]
    assert module.CALLS == ["start", "poll"]


def test_a_failing_rule_check_lets_the_poll_go_ahead(module, cr_event, invoke, crhelper_aws, monkeypatch):
    """A broken DescribeRule (here AccessDenied) must not stall the stack: the poll runs and answers."""
    denied = {"Error": {"Code": "AccessDeniedException", "Message": "not authorized to DescribeRule"}}
    monkeypatch.setattr(crhelper_aws, "_describe_rule",
                        lambda name: (AWSResponse("https://offline.invalid", 400, {}, None), denied))
    responses = invoke(module, cr_event("Create", {"Polls": "1"}))
    assert [r["Status"] for r in responses] == ["SUCCESS"]
    assert ("events", "DescribeRule") in [(s, o) for s, o, _ in crhelper_aws.calls]


def test_delete_needs_no_polling(module, cr_event, invoke, crhelper_aws):
    responses = invoke(module, cr_event("Delete", {"Polls": "1"}, physical_id="done"))
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("SUCCESS", "done")]
    assert "PutRule" not in crhelper_aws.operations()


HANGING = '''
import threading

from polling_resource import FinalResource

CALLS = []
SEEN = []  # set by the test: what on_timeout saw of the outside world when it ran
TIMED_OUT = threading.Event()
MARGIN = 2.0


def start(event, context):
    CALLS.append("start")
    if event["ResourceProperties"].get("Hang") == "start":
        TIMED_OUT.wait(10)  # a call hanging past the Lambda's remaining time
    return "started"


def poll(event, context):
    CALLS.append("poll")
    if event["ResourceProperties"].get("Hang") == "poll":
        TIMED_OUT.wait(10)
    return "done"


def delete(event, context):
    return event["PhysicalResourceId"]


def cleanup(event, context):
    CALLS.append("cleanup")
    SEEN.extend(f() for f in list(SEEN_AT_CLEANUP))
    TIMED_OUT.set()


SEEN_AT_CLEANUP = []
_resource = FinalResource(create=start, update=start, poll=poll, delete=delete, on_timeout=cleanup,
                          timeout_margin=MARGIN)


def handler(event, context):
    _resource(event, context)
'''


@pytest.fixture
def hanging(tmp_path: Path, load_handler: Any) -> Any:
    path = tmp_path / "index.py"
    path.write_text(HANGING)
    return load_handler(path)


def test_a_step_finishing_after_the_timeout_sets_up_no_polling(hanging, cr_event, crhelper_aws, cfn_server,
                                                               make_context):
    """Plain FinalResource sent the timeout FAILED, then put the polling rule once the step returned, and the
    next poll answered SUCCESS as a second response."""
    hanging.handler(cr_event("Create", {"Hang": "start"}), make_context(remaining_ms=2300))  # timer at ~0.3 s
    hanging._resource.helper._timer.join(10)
    assert [(r["Status"], r["Reason"]) for r in cfn_server.responses] == [("FAILED", "Execution timed out")]
    assert crhelper_aws.operations() == [] and crhelper_aws.scheduled_events() == []
    assert hanging.CALLS == ["start", "cleanup"]


def test_on_timeout_runs_after_the_failed_and_the_rule_removal(hanging, cr_event, invoke, crhelper_aws,
                                                               cfn_server, make_context):
    hanging.SEEN_AT_CLEANUP.append(lambda: ([r["Status"] for r in cfn_server.responses],
                                            crhelper_aws.operations()[-3:], set(crhelper_aws.rules)))
    responses = invoke(hanging, cr_event("Create", {"Hang": "poll"}), max_polls=1, poll_remaining_ms=2300)
    hanging._resource.helper._timer.join(10)
    assert [(r["Status"], r["Reason"]) for r in responses] == [("FAILED", "Execution timed out")]
    assert hanging.SEEN == [(["FAILED"], ["RemoveTargets", "RemovePermission", "DeleteRule"], set())]
    assert hanging.CALLS == ["start", "poll", "cleanup"]
    hanging.handler(crhelper_aws.scheduled_events()[-1], make_context())  # delivered late: dropped
    assert len(cfn_server.responses) == 1 and hanging.CALLS == ["start", "poll", "cleanup"]


@pytest.mark.parametrize(("request_type", "physical_id"), [
    ("Create", "started"),  # the start step's id, which the rollback Delete will name
    ("Update", "old-id"),  # the resource CloudFormation knows, not the update's new id
])
def test_the_timeout_failed_names_a_physical_id(hanging, cr_event, invoke, crhelper_aws, request_type, physical_id):
    """crhelper's own timeout FAILED in a poll carried an empty physical id (CloudFormation needs one)."""
    event = cr_event(request_type, {"Hang": "poll"}, physical_id="old-id" if request_type == "Update" else None)
    responses = invoke(hanging, event, max_polls=1, poll_remaining_ms=2300)
    hanging._resource.helper._timer.join(10)
    assert [(r["Status"], r["PhysicalResourceId"]) for r in responses] == [("FAILED", physical_id)]


def test_a_failing_on_timeout_is_logged_and_the_answer_stands(hanging, cr_event, crhelper_aws, cfn_server,
                                                              make_context, caplog):
    def broken() -> None:
        hanging.TIMED_OUT.set()
        raise RuntimeError("clean-up refused")

    hanging.SEEN_AT_CLEANUP.append(broken)
    hanging.handler(cr_event("Create", {"Hang": "start"}), make_context(remaining_ms=2300))
    hanging._resource.helper._timer.join(10)
    assert [r["Status"] for r in cfn_server.responses] == ["FAILED"] and crhelper_aws.operations() == []
    assert "clean-up after the timeout failed" in caplog.text and "clean-up refused" in caplog.text


def test_the_timer_sends_nothing_once_the_step_has_answered(module, cr_event, invoke, crhelper_aws, cfn_server):
    """The timer firing after the poll's own answer went out (before crhelper cancels it) adds nothing."""
    invoke(module, cr_event("Create", {"Polls": "1"}))
    operations = crhelper_aws.operations()
    module._resource.helper._timeout()
    assert [r["Status"] for r in cfn_server.responses] == ["SUCCESS"]
    assert crhelper_aws.operations() == operations
    assert module._resource.helper.timed_out is False


def test_the_timer_fires_timeout_margin_before_the_end(hanging, module, make_context):
    """crhelper's 0.5 s unless a handler asks for more time to clean up."""
    for mod, margin in ((module, 0.5), (hanging, 2.0)):
        helper = mod._resource.helper
        helper._context = make_context(remaining_ms=60_000)
        helper._set_timeout()
        helper._timer.cancel()
        assert 60 - margin - 0.5 < helper._timer.interval <= 60 - margin


def test_clients_are_created_once_per_service_on_first_use(load_shared, monkeypatch):
    import boto3

    shared = load_shared()["polling_resource"]
    created: list[str] = []
    monkeypatch.setattr(boto3, "client", lambda name: created.append(name) or f"<{name} client>")
    clients = shared.Clients()
    assert clients == {}
    assert (clients["ram"], clients["ram"], clients["sagemaker"]) == ("<ram client>", "<ram client>",
                                                                      "<sagemaker client>")
    assert created == ["ram", "sagemaker"]


@pytest.mark.parametrize(("props", "expected"), [({}, 900), ({"TimeoutSeconds": "60"}, 60),
                                                 ({"TimeoutSeconds": 3000}, 3000)])
def test_timeout_seconds(load_shared, props, expected):
    assert load_shared()["polling_resource"].timeout_seconds(props, 900) == expected


@pytest.mark.parametrize(("value", "message"), [("soon", "TimeoutSeconds 'soon' is not a whole number of seconds"),
                                                ("59", "TimeoutSeconds 59 is outside 60-3000"),
                                                ("3001", "TimeoutSeconds 3001 is outside 60-3000")])
def test_timeout_seconds_out_of_range_says_why(load_shared, value, message):
    with pytest.raises(ValueError, match=message):
        load_shared()["polling_resource"].timeout_seconds({"TimeoutSeconds": value}, 900)


def test_error_code_of_client_errors_and_other_exceptions(load_shared):
    from botocore.exceptions import ClientError

    error_code = load_shared()["polling_resource"].error_code
    assert error_code(ClientError({"Error": {"Code": "ThrottlingException"}}, "ListPermissions")) == \
        "ThrottlingException"
    assert error_code(RuntimeError("boom")) == ""
