"""A finding: a catalogued code, a message with the value found, and where it was found."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Location:
    """Where a finding points: file and 1-based line/column, plus the JSON path and template ids."""

    file: str = ""
    line: int = 0
    column: int = 0
    end_line: int = 0
    end_column: int = 0
    path: str = ""
    logical_id: str = ""
    sid: str = ""


@dataclass(frozen=True)
class Finding:
    """Raised by code alone; title, severity and the generic fix come from the catalogue."""

    code: str
    message: str
    location: Location = field(default_factory=Location)
    fix: str = ""
    detail: str = ""  # granular key: CODE[detail], never containing '::'
    children: tuple[Finding, ...] = ()

    @property
    def key(self) -> str:
        return f"{self.code}[{self.detail}]" if self.detail else self.code

    def identity(self) -> tuple[str, str, str, str]:
        """Findings are equal when code, file, path and message match."""
        return (self.code, self.location.file, self.location.path, self.message)
