"""The verifier's answer: violations with counterexamples, per-principal transition matrices, unknowns."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.findings import catalogue

from .model import Note, Source


def blocking(code: str) -> bool:
    """A note blocks a pass when its catalogued severity is error: every "cannot prove" point (V003 unknown
    managed policy, V005 persona without a role, V104 engine error, V105 budget exceeded) is one, so an
    unproven principal can never be reported as PASS. Warnings (V002, V004, V006) are reported only."""
    return code in catalogue() and catalogue()[code].severity == "error"


@dataclass
class Violation:
    """One (principal, transition label) where the deployed decision and the spec disagree, or cannot be proven.

    `request` is a concrete counterexample (principal, action, resource ARN, full context) that the engine
    decided as `actual`; `cells` counts every request shape (groups, statuses, approvals, context classes)
    that disagrees under this label.
    """

    code: str
    principal: str
    persona: str
    label: str
    expected: str  # "allowed" | "denied"
    actual: str  # engine decision, or "unknown"
    request: dict[str, Any]
    decisive: list[dict[str, Any]] = field(default_factory=list)
    message: str = ""
    source: Source = field(default_factory=Source)
    cells: int = 1
    equivalents: dict[str, list[str]] = field(default_factory=dict)  # dimension -> values in the same class
    kind: str = "lifecycle"  # "lifecycle": label is a transition; "trust": label is a caller class

    def covers(self, label: str) -> bool:
        """Whether `label` ('QA->Production:PendingApproval') falls in this violation's classes."""
        mine, theirs = _split(self.label), _split(label)
        if mine is None or theirs is None:
            return self.label == label
        dims = ("current stage", "target stage", "target status")
        return all(t == m or t in self.equivalents.get(d, []) for d, m, t in zip(dims, mine, theirs, strict=True))

    def to_dict(self) -> dict[str, Any]:
        trust = self.kind == "trust"
        return {"code": self.code, "kind": self.kind, "principal": self.principal, "persona": self.persona or None,
                "transition": None if trust else self.label, "caller": self.label if trust else None,
                "expected": self.expected, "actual": self.actual,
                "counterexample": self.request, "decisive": self.decisive, "message": self.message,
                "cells": self.cells, "equivalents": self.equivalents,
                "location": {"file": self.source.file, "line": self.source.line, "stack": self.source.stack,
                             "logical_id": self.source.logical_id}}


def _split(label: str) -> tuple[str, str, str] | None:
    start, arrow, rest = label.partition("->")
    stage, colon, status = rest.partition(":")
    return (start, stage, status) if arrow and colon else None


@dataclass
class MatrixEntry:
    expected: str  # allowed | denied | partly (only some statuses/approvals/context)
    actual: str  # allowed | denied | partly | unknown
    violation: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "actual": self.actual, "violation": self.violation}


@dataclass
class TrustEntry:
    """One class of caller of a persona role: may it assume the role, by the spec and as deployed."""

    expected: str  # allowed | denied | partly
    actual: str  # allowed | denied | partly | unknown
    violation: bool = False
    callers: list[str] = field(default_factory=list)  # the principals tried (ARNs, service principals)
    why: str = ""  # the spec's reason for the expectation

    def to_dict(self) -> dict[str, Any]:
        return {"expected": self.expected, "actual": self.actual, "violation": self.violation,
                "callers": self.callers, "why": self.why}


@dataclass
class VerifyResult:
    violations: list[Violation] = field(default_factory=list)
    matrices: dict[str, dict[str, MatrixEntry]] = field(default_factory=dict)  # principal -> label -> entry
    trust: dict[str, dict[str, TrustEntry]] = field(default_factory=dict)  # persona role -> caller class -> entry
    unknowns: list[Note] = field(default_factory=list)
    personas: dict[str, str] = field(default_factory=dict)  # principal label -> persona name
    stats: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.violations and not any(blocking(n.code) for n in self.unknowns)

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else 1

    def to_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "violations": [v.to_dict() for v in self.violations],
                "matrices": {p: {label: e.to_dict() for label, e in m.items()} for p, m in self.matrices.items()},
                "trust": {p: {label: e.to_dict() for label, e in t.items()} for p, t in self.trust.items()},
                "unknowns": [{"code": n.code, "message": n.message, "file": n.source.file,
                              "logical_id": n.source.logical_id, "line": n.source.line} for n in self.unknowns],
                "personas": self.personas, "stats": self.stats}
