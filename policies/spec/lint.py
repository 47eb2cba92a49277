"""Spec section `lint:`: suppressions of `modelgov lint` findings, each scoped, justified and optionally dated.

A suppression is an accepted risk written down, so the checks that need only the entry (the code is a
catalogued, suppressible lint code; the reason says something; the scope is well formed) are field
validators here: each error then points at the field's line and column and carries its own fix. A
duplicate entry needs the whole list and is found in semantics.py.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator
from pydantic_core import PydanticCustomError

from ..findings import catalogue

# Catalogue tag of the codes no suppression may hide: broken or unread input (L000-L003, L008), a crashed
# rule (L099) and the reports about suppressions themselves. The linter reads the same tag through
# `suppressible`, so the spec and the linter cannot disagree.
UNSUPPRESSIBLE_TAG = "unsuppressible"
# A reason must say why the finding is accepted; these thresholds reject stubs ("n/a", "false positive",
# "known issue") while the shortest useful reasons seen in cdk-nag acknowledgements still pass.
MIN_REASON_CHARS = 20
MIN_REASON_WORDS = 4
_PLACEHOLDER = re.compile(r"\b(todo|tbd|tbc|fixme|xxx+|changeme|placeholder|lorem ipsum)\b", re.IGNORECASE)
_TEMPLATE = re.compile(r"^<[^<>]*>$")  # the whole reason is a template slot such as <reason>
_LOGICAL_ID_GLOB = re.compile(r"^[A-Za-z0-9*?]+$")
REASON_EXAMPLE = ("'CreateModel on model-package is checked against the group policy (seed 000 L3078)'")


def suppressible(code: str) -> bool:
    """A catalogued lint code that does not mark broken input, a crashed rule or a suppression report."""
    return code.startswith("L") and code in catalogue() and UNSUPPRESSIBLE_TAG not in catalogue()[code].tags


def _error(message: str, fix: str) -> PydanticCustomError:
    """A validation error whose fix the loader prints; braces are escaped, pydantic formats the message."""
    return PydanticCustomError("modelgov_spec", message.replace("{", "{{").replace("}", "}}"), {"fix": fix})


def reason_problem(reason: str) -> str:
    """Why a reason does not justify a suppression, or "" when it may stand."""
    text = " ".join(reason.split())
    if not text:
        return "the reason is empty"
    if _PLACEHOLDER.search(text) or _TEMPLATE.match(text):
        return "the reason is a placeholder"
    if len(text) < MIN_REASON_CHARS or len(text.split()) < MIN_REASON_WORDS:
        return (f"the reason is too short to justify a suppression (at least {MIN_REASON_WORDS} words and "
                f"{MIN_REASON_CHARS} characters)")
    return ""


class Suppression(BaseModel):
    """One accepted lint finding: which code, in which files, optionally which resource and statement, why.

    `path` is a glob relative to the spec file's folder (`*` within a folder name, `**` across folders,
    `?` one character); `resource` a glob on the template's logical id; `sid` a statement Sid, exactly.
    After `expires` (an ISO date, inclusive) the suppression no longer applies and is reported.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    code: str
    path: str
    resource: str | None = Field(default=None, description="logical id glob of the template resource")
    sid: str | None = Field(default=None, description="Sid of the statement, matched exactly")
    reason: str = Field(default=None, validate_default=True, description="why the finding is accepted")
    expires: date | None = Field(default=None, description="last day the suppression applies (ISO date)")
    # line and column of the entry and its fields in the spec, set by the loader for lint's reports
    _marks: dict[str, tuple[int, int]] = PrivateAttr(default_factory=dict)

    def record_position(self, field: str, position: tuple[int, int]) -> None:
        """Called by the loader: `field` "" is the entry itself."""
        self._marks[field] = position

    def where(self, field: str = "") -> tuple[int, int]:
        """Line and column of the entry (or one of its fields) in the spec; (0, 0) when built in code."""
        return self._marks.get(field) or self._marks.get("", (0, 0))

    @field_validator("code", mode="before")
    @classmethod
    def _code(cls, value: Any) -> str:
        code = str(value).strip() if isinstance(value, str | int) else ""
        if not code:
            raise _error("the code is empty", "name the code the finding reports, such as L113")
        if code not in catalogue() or not code.startswith("L"):
            raise _error(f"{code!r} is not a lint code in policies/data/findings/lint.yaml",
                         "use a code from the table in docs/lint.md, such as L113")
        if not suppressible(code):
            entry = catalogue()[code]
            if "suppression" in entry.tags:
                raise _error(f"code {code} ({entry.title}) reports on suppressions and cannot itself be suppressed",
                             "act on the report: remove or renew the suppression it names")
            raise _error(f"code {code} ({entry.title}) means the input was not checked as written, so it cannot "
                         "be suppressed", "repair the input; suppressions are for findings on input the linter "
                         "could read")
        return code

    @field_validator("path", mode="before")
    @classmethod
    def _path(cls, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise _error("the path glob is empty", "name the files relative to the spec's folder, such as "
                         "'cdk.out/modelgov-sharing.template.json', or '**' for every file")
        if value.startswith("/") or re.match(r"^[A-Za-z]:", value) or "\\" in value:
            raise _error("the path glob must be relative to the spec's folder, with forward slashes",
                         "write it relative to the folder of governance.yaml, such as 'cdk.out/*.template.json'")
        return value

    @field_validator("resource", mode="before")
    @classmethod
    def _resource(cls, value: Any) -> str | None:
        if value is not None and not (isinstance(value, str) and _LOGICAL_ID_GLOB.match(value)):
            raise _error("a resource is a template logical id glob: letters, digits, * and ?",
                         "copy the logical id from the finding (at Resources.<id>...), such as 'MonitorRole*'")
        return value

    @field_validator("sid", mode="before")
    @classmethod
    def _sid(cls, value: Any) -> str | None:
        if value is not None and not (isinstance(value, str) and value):
            raise _error("the sid is empty", "copy the statement's Sid, or remove sid to cover every statement")
        return value

    @field_validator("reason", mode="before")
    @classmethod
    def _reason(cls, value: Any) -> str:
        if value is None:
            problem = "the reason is missing or empty: every suppression says why its finding is accepted"
        else:
            problem = reason_problem(value) if isinstance(value, str) else "the reason must be text"
        if problem:
            raise _error(problem, f"say why the finding is accepted and where that is checked, such as "
                                  f"{REASON_EXAMPLE}")
        return str(value).strip()


class LintSpec(BaseModel):
    """Settings of `modelgov lint` that belong with the spec: today, the accepted findings."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    suppressions: list[Suppression] = Field(default_factory=list)
