"""lambdas/_shared/polling_resource.py on its own: a minimal polling handler built on FinalResource, run through
the real crhelper flow, plus the lazy clients and the TimeoutSeconds check the RAM handlers share."""

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
