"""Input and policy errors, returned as values: an error makes a case undecidable, never Allowed.

Codes live in policies/data/findings/engine.yaml (E codes); the location is a JSON path into the simulation
input with the policy name, e.g. `identityPolicies[0](QA).Statement[1].Condition.StringEqualz`.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..findings import Finding, Location


@dataclass(frozen=True)
class EngineError:
    code: str
    message: str
    location: str

    def to_dict(self) -> dict[str, str]:
        return {"code": self.code, "location": self.location, "message": self.message}

    def to_finding(self, file: str = "") -> Finding:
        return Finding(code=self.code, message=self.message, location=Location(file=file, path=self.location))

    def __str__(self) -> str:
        return f"{self.location}: {self.code} {self.message}"


class InputError(Exception):
    """Raised inside compilation for one problem; the validation layer turns it into an EngineError."""

    def __init__(self, code: str, message: str, path: str = "") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.path = path  # below the statement, e.g. Condition.StringEqualz.aws:SourceIp
