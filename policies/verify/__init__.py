"""`modelgov verify`: prove from synthesized templates that the deployed policies match the spec's lifecycle.

    from modelgov.policies.verify import verify
    result = verify([Path("cdk.out")], spec)    # VerifyResult: violations, matrices, unknowns
"""

from __future__ import annotations

from pathlib import Path

from modelgov.policies.spec.models import GovernanceSpec

from .assembly import AssemblyError, StackEnv, StackTemplate, load_inputs
from .inventory import build_inventory
from .prove import ACTIONS, DEFAULT_MAX_EVALUATIONS, prove
from .result import MatrixEntry, VerifyResult, Violation


def verify_stacks(stacks: list[StackTemplate], spec: GovernanceSpec,
                  max_evaluations: int = DEFAULT_MAX_EVALUATIONS, actions: tuple[str, ...] = ACTIONS,
                  approval: bool = True) -> VerifyResult:
    return prove(spec, build_inventory(stacks, spec), max_evaluations, actions, approval)


def verify(paths: list[Path], spec: GovernanceSpec, max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
           actions: tuple[str, ...] = ACTIONS, approval: bool = True, env: StackEnv | None = None) -> VerifyResult:
    """Verify a cdk.out folder or template files; raises AssemblyError when the input cannot be read.

    `env` is where loose template files deploy (a cdk.out's manifest names each stack's own)."""
    return verify_stacks(load_inputs(paths, env), spec, max_evaluations, actions, approval)


__all__ = ["AssemblyError", "MatrixEntry", "StackEnv", "VerifyResult", "Violation", "verify", "verify_stacks"]
