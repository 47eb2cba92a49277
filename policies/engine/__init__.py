"""Offline IAM policy engine: evaluate a request against every policy layer exactly as AWS documents.

    from modelgov.policies.engine import simulate, prepare
    simulate(sim).decision                       # one case, iam-simulate's input shape
    prepared = prepare(sim_without_request)      # compile once ...
    prepared.evaluate(request).decision          # ... evaluate many requests fast

Layers: request model (request.py) -> compiled policy set (policyset.py, statement.py, conditions/) ->
core decision (authorize.py) -> trace and explanation (explain.py, trace.py). Input problems come back
as `result.errors` (E codes, policies/data/findings/engine.yaml) and never yield Allowed.
"""

from .errors import EngineError
from .prepared import Prepared, prepare, simulate
from .result import SimulationResult
from .trace import LayerTrace, StatementTrace

__all__ = ["EngineError", "LayerTrace", "Prepared", "SimulationResult", "StatementTrace", "prepare", "simulate"]
