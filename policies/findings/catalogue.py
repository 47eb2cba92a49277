"""The finding catalogue: policies/data/findings/*.yaml, one file per stage letter, keyed by code.

Codes are a stage letter and three digits (S spec, L lint, V verify, C construct, E engine input);
code never carries titles or severities, so tuning them is a data change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

Severity = Literal["error", "warning", "info"]
CODE_PATTERN = re.compile(r"^[SLVCE]\d{3}$")
SEVERITY_RANK: dict[str, int] = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class CatalogueEntry:
    code: str
    title: str
    severity: Severity
    why: str
    fix: str
    source: str
    tags: tuple[str, ...] = ()
    experimental: bool = False


class Catalogue:
    def __init__(self, entries: dict[str, CatalogueEntry]) -> None:
        self._entries = entries

    def __getitem__(self, code: str) -> CatalogueEntry:
        try:
            return self._entries[code]
        except KeyError:
            raise KeyError(f"finding code {code!r} is not in policies/data/findings/*.yaml") from None

    def __contains__(self, code: object) -> bool:
        return code in self._entries

    def codes(self) -> list[str]:
        return sorted(self._entries)


def _parse(files: list[tuple[str, str]]) -> Catalogue:
    entries: dict[str, CatalogueEntry] = {}
    for name, text in files:
        data = yaml.safe_load(text) or {}
        for code, raw in data.items():
            if not CODE_PATTERN.match(str(code)):
                raise ValueError(f"{name}: code {code!r} is not a stage letter and three digits")
            if code in entries:
                raise ValueError(f"{name}: code {code} is catalogued twice")
            if raw.get("severity") not in SEVERITY_RANK:
                raise ValueError(f"{name}: {code} severity must be error, warning or info")
            entries[code] = CatalogueEntry(
                code=code, title=raw["title"], severity=raw["severity"], why=raw.get("why", ""),
                fix=raw.get("fix", ""), source=raw.get("source", ""), tags=tuple(raw.get("tags", ())),
                experimental=bool(raw.get("experimental", False)))
    return Catalogue(entries)


@lru_cache(maxsize=1)
def catalogue() -> Catalogue:
    folder = resources.files("modelgov.policies") / "data" / "findings"
    files = sorted((item.name, item.read_text(encoding="utf-8")) for item in folder.iterdir()
                   if item.name.endswith(".yaml"))
    return _parse(files)
