"""SimulationResult: the decision, the errors that prevented one, the decisive statements and a lazy trace."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .errors import EngineError
from .trace import LayerTrace, render

ALLOWED, IMPLICIT, EXPLICIT = "Allowed", "ImplicitlyDenied", "ExplicitlyDenied"


class SimulationResult:
    """`decision` is Allowed, ImplicitlyDenied or ExplicitlyDenied; with errors it is never Allowed."""

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

    def explain(self) -> str:
        return render(self.decision, self.blocked_by, [str(e) for e in self.errors], self.trace)

    def to_dict(self) -> dict[str, Any]:
        return {"decision": self.decision, "decisive": self.decisive,
                "errors": [e.to_dict() for e in self.errors]}

    def __repr__(self) -> str:
        return f"SimulationResult(decision={self.decision!r}, errors={len(self.errors)})"
