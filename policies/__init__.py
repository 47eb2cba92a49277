"""Pure-Python governance policy code: spec, builders, engine, linter, verifier. Never imports aws_cdk."""

from typing import Any


def __getattr__(name: str) -> Any:
    """Lazy re-exports, so `import modelgov.policies` stays cheap: `from modelgov.policies import simulate`."""
    if name == "simulate":
        from .engine import simulate

        return simulate
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
