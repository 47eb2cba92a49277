"""The public entry points: validate input into errors-as-values, then run the core decision."""

from __future__ import annotations

from typing import Any

from .authorize import authorize
from .errors import EngineError
from .explain import build_trace
from .policyset import PolicySet, compile_policy_set
from .request import Request, normalize_request
from .result import IMPLICIT, SimulationResult

_SESSION_CAPABLE = frozenset({"role", "assumed-role", "federated-user"})


def _decisive(outcome_decisive: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    return [{"layer": layer, "policy": s.policy, "statement_index": s.index, "sid": s.sid, "effect": s.effect}
            for layer, s in outcome_decisive]


class Prepared:
    """A simulation's policies compiled once; `evaluate` answers requests without re-parsing them."""

    def __init__(self, policy_set: PolicySet) -> None:
        self.policy_set = policy_set

    @property
    def errors(self) -> list[EngineError]:
        return self.policy_set.errors

    def _request_errors(self, request: Request) -> list[EngineError]:
        ps = self.policy_set
        kind = request.principal.kind
        errors: list[EngineError] = []
        if ps.session is not None and kind not in _SESSION_CAPABLE:
            errors.append(EngineError("E018", f"a session policy needs a role, role-session or federated-user "
                                              f"principal, got a {kind} principal", "sessionPolicy"))
        if kind in {"anonymous", "service"}:
            for present, where in ((ps.has_identity_policies, "identityPolicies"),
                                   (ps.boundary is not None, "permissionBoundaryPolicies"),
                                   (ps.session is not None and kind == "anonymous", "sessionPolicy")):
                if present:
                    errors.append(EngineError("E018", f"a {kind} principal has no {where}; remove them", where))
            if kind == "anonymous" and ps.has_scps:
                errors.append(EngineError("E018", "an anonymous principal is outside every organization; "
                                                  "remove serviceControlPolicies", "serviceControlPolicies"))
        return errors

    def evaluate(self, request: Any) -> SimulationResult:
        """Decide one request (iam-simulate's `request` object)."""
        normalized, errors = normalize_request(request)
        if normalized is None:
            return SimulationResult(IMPLICIT, [*self.policy_set.errors, *errors], [], [], None)
        return self.evaluate_request(normalized)

    def evaluate_request(self, request: Request) -> SimulationResult:
        """Decide an already-normalized request (skips re-validating the request dict)."""
        errors = [*self.policy_set.errors, *self._request_errors(request)]
        if errors:
            return SimulationResult(IMPLICIT, errors, [], [], None)
        outcome = authorize(self.policy_set, request)
        ps = self.policy_set
        return SimulationResult(outcome.decision, [], outcome.blocked_by,
                                lambda: _decisive(outcome.decisive), lambda: build_trace(ps, request))


def prepare(simulation: Any) -> Prepared:
    """Compile every policy of a simulation (its `request`, if present, is ignored)."""
    return Prepared(compile_policy_set(simulation))


def simulate(simulation: Any) -> SimulationResult:
    """Evaluate one simulation in iam-simulate's input shape."""
    if not isinstance(simulation, dict):
        return SimulationResult(IMPLICIT, [EngineError("E001", "a simulation must be a JSON object", "$")], [],
                                [], None)
    return prepare(simulation).evaluate(simulation.get("request"))
