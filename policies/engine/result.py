"""SimulationResult: the decision, the errors that prevented one, the decisive statements and a lazy trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import EngineError
from .trace import LayerTrace, render

ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"
# what the JSON form and --explain print for a case whose input had errors: no evaluation happened
ERROR = "Error"


class SimulationResult:
    """`decision` is Allowed, ImplicitlyDenied or ExplicitlyDenied; with errors it is never Allowed.

    Callers that test `decision != "Allowed"` stay fail-closed, so the API keeps a deny for erroneous input;
    `ok` says whether the decision is an evaluation at all, and `shown_decision` is what people read.
    """

    __slots__ = ("decision", "errors", "blocked_by", "_decisive", "_trace_fn", "_trace")

    def __init__(self, decision: str, errors: list[EngineError], blocked_by: list[str],
                 decisive: Callable[[], list[dict[str, Any]]] | list[dict[str, Any]],
                 trace: Callable[[], list[LayerTrace]] | None) -> None:
        self.decision = IMPLICIT if errors and decision == ALLOWED else decision
        self.errors = errors
        self.blocked_by = blocked_by
        self._decisive = decisive
        self._trace_fn = trace
        self._trace: list[LayerTrace] | None = None

    @property
    def decisive(self) -> list[dict[str, Any]]:
        """Statements that decided: the applicable denies, or the allows that granted access."""
        if callable(self._decisive):
            self._decisive = self._decisive()
        return self._decisive

    @property
    def trace(self) -> list[LayerTrace]:
        if self._trace is None:
            self._trace = self._trace_fn() if self._trace_fn else []
        return self._trace

    @property
    def allowed(self) -> bool:
        return self.decision == ALLOWED

    @property
    def ok(self) -> bool:
        """True when the input had no errors, so `decision` is an evaluation rather than a fail-closed deny."""
        return not self.errors

    @property
    def shown_decision(self) -> str:
        """`decision`, or "Error" when input errors stopped the evaluation (a partial set decides nothing)."""
        return self.decision if not self.errors else ERROR

    def explain(self) -> str:
        blocked_by = self.blocked_by if self.ok else []
        return render(self.shown_decision, blocked_by, [str(e) for e in self.errors], self.trace)

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON line; an error case names no decisive statement, since a partial set decides nothing."""
        return {"decision": self.shown_decision, "decisive": self.decisive if self.ok else [],
                "errors": [e.to_dict() for e in self.errors]}

    def __repr__(self) -> str:
        return f"SimulationResult(decision={self.decision!r}, errors={len(self.errors)})"
