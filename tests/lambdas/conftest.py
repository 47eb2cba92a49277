"""Fixtures to run crhelper custom-resource handlers end to end, offline and without real sleeps.

A handler is driven exactly as CloudFormation and crhelper drive it in AWS: a real custom-resource event
goes in, crhelper PUTs its response over HTTPS to the event's ResponseURL, and that body is what tests
assert on (exactly one SUCCESS or FAILED per request, with a reason).

Fixtures:

- ``cfn_server``: a CloudFormation response endpoint on https://127.0.0.1:<random port> (never 0.0.0.0),
  serving a throw-away self-signed certificate that crhelper is made to trust. ``cfn_server.responses`` is
  the list of PUT bodies parsed as JSON, in arrival order; ``cfn_server.paths`` the request paths.
- ``cr_event(request_type, properties, *, old_properties=None, physical_id=None, ...)``: a CloudFormation
  custom-resource event (Create/Update/Delete) with RequestId, StackId, LogicalResourceId, ResourceType,
  ServiceToken, ResourceProperties (ServiceToken included, as CloudFormation sends it),
  OldResourceProperties (Update) and PhysicalResourceId (Update/Delete); ResponseURL points at
  ``cfn_server``.
- ``lambda_context`` / ``make_context(remaining_ms=...)``: a fake Lambda context with function_name,
  aws_request_id, invoked_function_arn, memory_limit_in_mb, log_group_name, log_stream_name and a
  get_remaining_time_in_millis() that counts down from ``remaining_ms`` in real time (crhelper arms its
  timeout timer from it; the default 300,000 ms never fires in a test).
- ``crhelper_aws`` (autouse): keeps crhelper offline. Its own lambda/events/logs clients are real botocore
  clients (so every request is validated against the real service model) whose calls are answered by a
  recorder instead of AWS; ``crhelper_aws.calls`` lists ``(service, operation, params)``. DescribeRule
  answers from ``crhelper_aws.rules`` (put and not yet deleted), else ResourceNotFoundException. It also replaces
  the CloudWatch-logs flush sleep crhelper does on Delete (up to 120 s) by a recorder
  (``crhelper_aws.delete_sleeps``), trusts ``cfn_server``'s certificate, and sets fake credentials and
  region us-east-1 so nothing can reach AWS.
- ``load_handler(name)``: a fresh copy of lambdas/<name>/index.py, or of a given index.py Path (module
  state such as a lazily built CfnResource or cached clients never leaks between tests). Fresh copies of the
  shared modules (lambdas/_shared/*.py, which handler_code copies to the top of each asset) are put in
  ``sys.modules`` under their top-level names first, for this test only, so index.py's plain
  ``from polling_resource import ...`` resolves as it does in the Lambda asset. ``load_shared()`` does that
  alone and returns the fresh shared modules by name.
- ``invoke(module, event, context=None, max_polls=10, poll_remaining_ms=300_000)``: calls ``module.handler``
  and, when crhelper set up polling (put_rule/put_targets), re-invokes with the exact event crhelper
  scheduled (the put_targets Input) and a fresh context with ``poll_remaining_ms`` left, until a response
  arrives or ``max_polls`` polls ran. Returns the responses this request produced.
- ``stub_client(service)``: ``(client, Stubber)`` for a real botocore client with fake credentials in
  us-east-1; the Stubber is active. Inject the client into the handler (each handler documents how) and
  queue responses/errors; the Stubber checks operation order and parameters against the service model.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import ipaddress
import itertools
import json
import ssl
import sys
import threading
import time
import types
import uuid
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSResponse
from botocore.stub import Stubber
from crhelper import resource_helper
from crhelper import utils as crhelper_utils
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parents[2]
LAMBDAS = REPO / "lambdas"
SHARED = LAMBDAS / "_shared"
REGION = "us-east-1"
ACCOUNT = "222222222222"
FUNCTION_NAME = "modelgov-test-handler"
STACK_ID = (f"arn:aws:cloudformation:{REGION}:{ACCOUNT}:stack/modelgov-test/"
            "5b6f2f40-0000-11ef-8000-0a1b2c3d4e5f")


# --- CloudFormation response server -------------------------------------------------------------------

@pytest.fixture(scope="session")
def _tls_material(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (IP SAN), written once per session."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5)).not_valid_after(now + dt.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    folder = tmp_path_factory.mktemp("cfn-tls")
    cert_file, key_file = folder / "cert.pem", folder / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class CfnResponseServer:
    """Records every PUT body (JSON) that reaches https://127.0.0.1:<port>/..."""

    def __init__(self, cert_file: Path, key_file: Path) -> None:
        self.cert_file = cert_file
        self.responses: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        server = self

        class _Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("content-length", "0")))
                with server._lock:
                    server.responses.append(json.loads(body))
                    server.paths.append(self.path)
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                return

        self._httpd = HTTPServer(("127.0.0.1", 0), _Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(cert_file), str(key_file))
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.port = self._httpd.server_address[1]
        self._thread = threading.Thread(target=self._httpd.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()

    def url(self, request_id: str) -> str:
        return f"https://127.0.0.1:{self.port}/cfn-response/{request_id}"

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


@pytest.fixture
def cfn_server(_tls_material: tuple[Path, Path]) -> Iterator[CfnResponseServer]:
    server = CfnResponseServer(*_tls_material)
    yield server
    server.close()


# --- events and context -------------------------------------------------------------------------------

@pytest.fixture
def cr_event(cfn_server: CfnResponseServer) -> Callable[..., dict[str, Any]]:
    """Factory for CloudFormation custom-resource events whose ResponseURL is ``cfn_server``."""

    def make(request_type: str, properties: dict[str, Any] | None = None, *,
             old_properties: dict[str, Any] | None = None, physical_id: str | None = None,
             logical_id: str = "Resource", resource_type: str = "Custom::ModelgovTest") -> dict[str, Any]:
        if request_type not in ("Create", "Update", "Delete"):
            raise ValueError(f"request_type {request_type!r}: use Create, Update or Delete")
        token = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{FUNCTION_NAME}"
        request_id = str(uuid.uuid4())
        event: dict[str, Any] = {
            "RequestType": request_type,
            "ServiceToken": token,
            "ResponseURL": cfn_server.url(request_id),
            "StackId": STACK_ID,
            "RequestId": request_id,
            "LogicalResourceId": logical_id,
            "ResourceType": resource_type,
            "ResourceProperties": {"ServiceToken": token, **(properties or {})},
        }
        if request_type == "Update":
            event["OldResourceProperties"] = {"ServiceToken": token, **(old_properties or properties or {})}
        if request_type != "Create":
            if physical_id is None:
                raise ValueError(f"a {request_type} event needs physical_id (CloudFormation always sends it)")
            event["PhysicalResourceId"] = physical_id
        return event

    return make


class FakeLambdaContext:
    """The parts of the Lambda context object that crhelper and handlers read."""

    def __init__(self, remaining_ms: int = 300_000, function_name: str = FUNCTION_NAME) -> None:
        self.function_name = function_name
        self.function_version = "$LATEST"
        self.invoked_function_arn = f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{function_name}"
        self.memory_limit_in_mb = 256
        self.aws_request_id = str(uuid.uuid4())
        self.log_group_name = f"/aws/lambda/{function_name}"
        self.log_stream_name = "2026/01/01/[$LATEST]0123456789abcdef"
        self._deadline = time.monotonic() + remaining_ms / 1000

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@pytest.fixture
def make_context() -> Callable[..., FakeLambdaContext]:
    return FakeLambdaContext


@pytest.fixture
def lambda_context() -> FakeLambdaContext:
    return FakeLambdaContext()


# --- keeping crhelper offline ---------------------------------------------------------------------------

_SESSION: list[botocore.session.Session] = []


def _botocore_client(service: str) -> Any:
    """A real client; one shared botocore session keeps service models loaded once per test process."""
    if not _SESSION:
        _SESSION.append(botocore.session.get_session())
    return _SESSION[0].create_client(service, region_name=REGION, aws_access_key_id="testing",
                                 aws_secret_access_key="testing", aws_session_token="testing")


# Valid responses (per the service models) for the calls crhelper's polling makes.
_CRHELPER_RESPONSES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "PutRule": lambda p: {"RuleArn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{p['Name']}"},
    "PutTargets": lambda p: {"FailedEntryCount": 0, "FailedEntries": []},
    "RemoveTargets": lambda p: {"FailedEntryCount": 0, "FailedEntries": []},
    "DeleteRule": lambda p: {},
    "AddPermission": lambda p: {"Statement": json.dumps({"Sid": p["StatementId"]})},
    "RemovePermission": lambda p: {},
}


class CrhelperAws:
    """Answers crhelper's own lambda/events/logs calls after botocore validated them; records each call."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.delete_sleeps: list[float] = []
        self.rules: set[str] = set()  # polling rules put and not yet deleted (DescribeRule answers from it)

    def client(self, service: str, **_: Any) -> Any:
        client = _botocore_client(service)
        pending: list[dict[str, Any]] = []

        def remember(params: dict[str, Any], **__: Any) -> None:
            pending.append(dict(params))  # API parameters; botocore validates them before before-call

        def answer(model: Any, **__: Any) -> tuple[Any, dict[str, Any]]:
            params = pending.pop()
            self.calls.append((service, model.name, params))
            if model.name == "PutRule":
                self.rules.add(params["Name"])
            elif model.name == "DeleteRule":
                self.rules.discard(params["Name"])
            elif model.name == "DescribeRule":
                return self._describe_rule(params["Name"])
            build = _CRHELPER_RESPONSES.get(model.name)
            if build is None:
                raise AssertionError(f"crhelper called {service}.{model.name}, not answered by the fixture")
            return (AWSResponse("https://offline.invalid", 200, {}, None), build(params))

        prefix = client.meta.service_model.service_id.hyphenize()
        client.meta.events.register(f"before-parameter-build.{prefix}", remember)
        client.meta.events.register(f"before-call.{prefix}", answer)
        return client

    @staticmethod
    def _not_found(name: str) -> tuple[Any, dict[str, Any]]:
        error = {"Code": "ResourceNotFoundException", "Message": f"Rule {name} does not exist."}
        return (AWSResponse("https://offline.invalid", 400, {}, None), {"Error": error})

    def _describe_rule(self, name: str) -> tuple[Any, dict[str, Any]]:
        if name not in self.rules:
            return self._not_found(name)
        return (AWSResponse("https://offline.invalid", 200, {}, None),
                {"Name": name, "Arn": f"arn:aws:events:{REGION}:{ACCOUNT}:rule/{name}", "State": "ENABLED",
                 "ScheduleExpression": "rate(1 minute)"})

    def operations(self) -> list[str]:
        return [operation for _, operation, _ in self.calls]

    def scheduled_events(self) -> list[dict[str, Any]]:
        """Events crhelper scheduled for its next poll (the put_targets Input), oldest first."""
        return [json.loads(params["Targets"][0]["Input"])
                for _, operation, params in self.calls if operation == "PutTargets"]


@pytest.fixture(autouse=True)
def crhelper_aws(monkeypatch: pytest.MonkeyPatch, _tls_material: tuple[Path, Path]) -> CrhelperAws:
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_SAM_LOCAL", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    fake = CrhelperAws()
    monkeypatch.setattr(resource_helper, "boto3", types.SimpleNamespace(client=fake.client))

    original_wait = resource_helper.CfnResource._wait_for_cwlogs

    def wait_without_sleeping(self: Any, sleep: Callable[[float], None] | None = None) -> None:
        original_wait(self, sleep=fake.delete_sleeps.append)

    monkeypatch.setattr(resource_helper.CfnResource, "_wait_for_cwlogs", wait_without_sleeping)

    cert_file = _tls_material[0]

    def trusting_context(purpose: Any = ssl.Purpose.SERVER_AUTH, **_: Any) -> ssl.SSLContext:
        context = ssl.create_default_context(purpose)
        context.load_verify_locations(cafile=str(cert_file))
        return context

    monkeypatch.setattr(crhelper_utils, "ssl", types.SimpleNamespace(
        create_default_context=trusting_context, Purpose=ssl.Purpose, CERT_NONE=ssl.CERT_NONE))
    return fake


# --- loading and driving handlers -----------------------------------------------------------------------

_module_counter = itertools.count()


@pytest.fixture
def load_shared(monkeypatch: pytest.MonkeyPatch) -> Callable[[], dict[str, types.ModuleType]]:
    def load() -> dict[str, types.ModuleType]:
        modules = {}
        for path in sorted(SHARED.glob("*.py")):
            # Registered before it runs, as the import system does, under the name index.py imports.
            spec = importlib.util.spec_from_file_location(path.stem, path)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            monkeypatch.setitem(sys.modules, path.stem, module)
            spec.loader.exec_module(module)
            modules[path.stem] = module
        return modules

    return load


@pytest.fixture
def load_handler(load_shared: Callable[[], dict[str, types.ModuleType]]) -> Callable[[str], types.ModuleType]:
    def load(name: str | Path) -> types.ModuleType:
        path = name if isinstance(name, Path) else LAMBDAS / name / "index.py"
        if not path.is_file():
            raise FileNotFoundError(f"{path} not found; a handler folder needs index.py")
        load_shared()
        spec = importlib.util.spec_from_file_location(f"_handler_{path.parent.name}_{next(_module_counter)}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module

    return load


@pytest.fixture
def invoke(cfn_server: CfnResponseServer, crhelper_aws: CrhelperAws) -> Callable[..., list[dict[str, Any]]]:
    def run(module: types.ModuleType, event: dict[str, Any], context: Any = None,
            max_polls: int = 10, poll_remaining_ms: int = 300_000) -> list[dict[str, Any]]:
        context = context or FakeLambdaContext()
        before = len(cfn_server.responses)
        scheduled = len(crhelper_aws.scheduled_events())
        module.handler(event, context)
        events = crhelper_aws.scheduled_events()
        if len(cfn_server.responses) == before and len(events) > scheduled:
            poll_event = json.dumps(events[-1])  # EventBridge delivers this same input on every poll
            for _ in range(max_polls):
                module.handler(json.loads(poll_event), FakeLambdaContext(remaining_ms=poll_remaining_ms))
                if len(cfn_server.responses) > before:
                    break
        return [r for r in cfn_server.responses[before:]]

    return run


@pytest.fixture
def stub_client() -> Iterator[Callable[[str], tuple[Any, Stubber]]]:
    stubbers: list[Stubber] = []

    def make(service: str) -> tuple[Any, Stubber]:
        client = _botocore_client(service)
        stubber = Stubber(client)
        stubber.activate()
        stubbers.append(stubber)
        return client, stubber

    yield make
    for stubber in stubbers:
        stubber.deactivate()
