"""What the polling custom-resource handlers share: a crhelper resource whose timeout FAILED is final.

crhelper answers FAILED ("Execution timed out") when the Lambda is about to time out mid-poll, but leaves
the polling rule in place, so a later poll could answer the same request again. FinalResource's helper
deletes the rule on that timeout and sends nothing more from the invocation (a step that finishes after it
sets up no polling either), and a poll whose rule is gone (EventBridge delivers at least once) is dropped
before it runs. A handler that must undo work once the timeout has answered (a resource CloudFormation will
never delete) passes on_timeout, and timeout_margin to give it time before the Lambda is stopped.

Not a handler folder: constructs/handler_code.py copies this file to the top of every handler asset that
imports it, so index.py imports it as a top-level module. Only the standard library at import: crhelper
(which imports boto3) and boto3 load on first use, keeping the handler's cold import small.
"""

from __future__ import annotations

import logging

TYPE_CHECKING = False  # typing alone costs ~2 ms of a cold start, and annotations here are never evaluated
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    Event = dict[str, Any]
    Step = Callable[[Event, Any], Any]

logger = logging.getLogger(__name__)


class Pending(Exception):
    """Not finished yet: poll again."""


class Clients(dict):  # type: ignore[type-arg]  # dict[str, Any] without importing typing
    """boto3 clients by service name, created on first lookup; tests put stubbed clients in beforehand."""

    def __missing__(self, name: str) -> Any:
        import boto3

        client = self[name] = boto3.client(name)
        return client


def error_code(error: BaseException) -> str:
    """The AWS error code of a botocore ClientError, "" for any other exception."""
    return str((getattr(error, "response", None) or {}).get("Error", {}).get("Code", ""))


def timeout_seconds(props: dict[str, Any], default: int) -> int:
    """TimeoutSeconds of the resource properties: 60-3000, as CloudFormation waits at most an hour."""
    raw = props.get("TimeoutSeconds", default)
    try:
        timeout = int(raw)
    except ValueError:
        raise ValueError(f"TimeoutSeconds {raw!r} is not a whole number of seconds") from None
    if not 60 <= timeout <= 3000:
        raise ValueError(f"TimeoutSeconds {timeout} is outside 60-3000 (CloudFormation waits at most an hour)")
    return timeout


def request_open(helper: Any, event: Event) -> bool:
    """Whether this poll's request is still unanswered: every final response, crhelper's timeout FAILED
    included, deletes the polling rule, but EventBridge can still deliver a poll late (at least once)."""
    rule = str(event.get("CrHelperRule", "")).rsplit("/", 1)[-1]
    try:
        helper._events_client.describe_rule(Name=rule)
    except Exception as error:
        if error_code(error) == "ResourceNotFoundException":
            return False
        logger.warning("could not check polling rule %s (%s); polling anyway", rule, error_code(error) or error)
    return True


def _helper_class() -> type:
    import threading  # loaded with logging already

    from crhelper import CfnResource  # imports boto3: keep it out of the cold import

    class Helper(CfnResource):
        """crhelper whose timeout FAILED is the request's last word: the timer also deletes the polling
        rule, and nothing more is sent for the request from this invocation, nor is polling set up."""

        timed_out = False

        def __init__(self, *args: Any, on_timeout: Step | None = None, timeout_margin: float = 0.5,
                     **kwargs: Any) -> None:
            self._on_timeout = on_timeout
            self._timeout_margin = timeout_margin
            self._answer_lock = threading.Lock()  # one response per invocation: the timer's or the step's
            self._polling_lock = threading.Lock()  # the timer removes polling only after a setup finished
            self._answered = False
            super().__init__(*args, **kwargs)

        def _crhelper_init(self, event: Event, context: Any) -> Any:
            self.timed_out = self._answered = False
            return super()._crhelper_init(event, context)

        def _set_timeout(self) -> None:
            """crhelper's timer, `timeout_margin` seconds (crhelper: 0.5) before the Lambda is stopped."""
            seconds = self._context.get_remaining_time_in_millis() / 1000.0 - self._timeout_margin
            self._timer = threading.Timer(seconds, self._timeout)
            self._timer.start()

        def _timeout(self) -> None:
            with self._answer_lock:
                if self._answered:  # the step's own answer is out: nothing to add
                    return
                self._answered = self.timed_out = True
            logger.error("Execution is about to time out, sending failure message")
            if not self.PhysicalResourceId or self.PhysicalResourceId is True:
                # crhelper would send "" (or "None" once polling is set up): keep the resource CloudFormation
                # knows on Update/Delete, else the id the start step gave (its rollback Delete needs it)
                self.PhysicalResourceId = (self._event.get("PhysicalResourceId") or self.Data.get("PhysicalResourceId")
                                           or self.generate_physical_id(self._event))
            super()._send("FAILED", "Execution timed out")
            with self._polling_lock:
                if "CrHelperRule" in self._event:
                    try:
                        self._remove_polling()
                    except Exception:
                        logger.exception("could not remove the polling rule after the timeout")
            if self._on_timeout is not None:
                try:
                    self._on_timeout(self._event, self._context)
                except Exception:
                    logger.exception("clean-up after the timeout failed")

        def _polling_init(self, event: Event) -> None:
            with self._polling_lock:
                if self.timed_out:
                    logger.warning("request already answered FAILED (timeout); not setting up polling")
                    return
                super()._polling_init(event)

        def _send(self, *args: Any, **kwargs: Any) -> None:
            with self._answer_lock:
                answered, self._answered = self._answered, True
            if answered:
                logger.warning("request already answered%s; not sending another response",
                               " FAILED (timeout)" if self.timed_out else "")
                return
            super()._send(*args, **kwargs)

    return Helper


class FinalResource:
    """A handler's crhelper resource (create, update, poll on create and update, delete), built on first use.

    Building it imports crhelper and creates crhelper's own clients, so a handler module holds one of these
    at import and pays for crhelper only on its first event.

    on_timeout(event, context), if given, runs on crhelper's timer thread once the timeout FAILED is sent and
    the polling rule removed (its errors are logged); timeout_margin is how many seconds before the Lambda
    is stopped the timer fires (crhelper's 0.5 by default), so that clean-up has time to run.
    """

    def __init__(self, *, create: Step, update: Step, poll: Step, delete: Step, on_timeout: Step | None = None,
                 timeout_margin: float = 0.5) -> None:
        self._steps = {"create": create, "update": update, "poll_create": poll, "poll_update": poll,
                       "delete": delete}
        self._on_timeout = on_timeout
        self._timeout_margin = timeout_margin
        self._helper: Any = None

    @property
    def helper(self) -> Any:
        """The crhelper CfnResource (its Data is the response's attributes)."""
        if self._helper is None:
            helper = _helper_class()(json_logging=False, log_level="INFO", boto_level="ERROR",
                                     polling_interval=1, sleep_on_delete=5, on_timeout=self._on_timeout,
                                     timeout_margin=self._timeout_margin)
            for register, step in self._steps.items():
                getattr(helper, register)(step)
            self._helper = helper
        return self._helper

    def __call__(self, event: Event, context: Any) -> None:
        helper = self.helper
        if event.get("CrHelperPoll") and not request_open(helper, event):
            logger.info("polling rule of request %s is gone: already answered, nothing to do",
                        event.get("RequestId"))
            return
        helper(event, context)
