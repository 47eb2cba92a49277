"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, one rule per catalogued L code.

Rules come from the catalogue (title, why, fix, severity), so the report never disagrees with the
docs; locations use repository-relative URIs under %SRCROOT% as code scanning expects. Findings the
spec's lint.suppressions accept stay in `results` with a `suppressions` entry (external, accepted, the
reason as justification, the spec entry as location), so code scanning shows them as dismissed with why.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelgov.policies.findings import Finding, Location, catalogue

from ..linter import LintResult
from ..suppress import Suppressed

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {"error": "error", "warning": "warning", "info": "note"}


def _uri(file: str) -> dict[str, str]:
    path = Path(file)
    if path.is_absolute():
        try:
            path = path.resolve().relative_to(Path.cwd().resolve())
        except ValueError:
            return {"uri": path.as_uri()}
    return {"uri": path.as_posix(), "uriBaseId": "%SRCROOT%"}


def _rule(code: str) -> dict[str, Any]:
    entry = catalogue()[code]
    rule: dict[str, Any] = {
        "id": code, "name": "".join(w.capitalize() for w in entry.title.split() if w.isalnum()) or code,
        "shortDescription": {"text": entry.title}, "fullDescription": {"text": entry.why or entry.title},
        "help": {"text": entry.fix or entry.title},
        "defaultConfiguration": {"level": LEVELS[entry.severity]},
        "properties": {"tags": list(entry.tags)},
    }
    if entry.source.startswith("https://"):
        rule["helpUri"] = entry.source
    return rule


def _location(loc: Location) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": _uri(loc.file)}
    if loc.line >= 1:
        region: dict[str, int] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
        if loc.end_line >= loc.line and (loc.end_line > loc.line or loc.end_column > loc.column):
            region.update(endLine=loc.end_line, endColumn=loc.end_column)
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.path:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.path, "kind": "member"}]
    return location


def _suppression(item: Suppressed) -> dict[str, Any]:
    """SARIF 2.1.0 §3.35: kept outside the analysed file (external), accepted, with the spec's reason."""
    suppression: dict[str, Any] = {"kind": "external", "status": "accepted", "justification": item.reason,
                                   "location": _location(item.source)}
    if item.expires:
        suppression["properties"] = {"expires": item.expires.isoformat()}
    return suppression


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    entry = catalogue()[finding.code]
    fix = finding.fix or entry.fix
    return {
        "ruleId": finding.code, "ruleIndex": index[finding.code], "level": LEVELS[entry.severity],
        "message": {"text": finding.message + (f" (fix: {fix})" if fix else "")},
        "locations": [_location(finding.location)],
        "partialFingerprints": {"modelgovFinding/v1": "|".join(finding.identity())},
    }


def _results(result: LintResult, index: dict[str, int]) -> list[dict[str, Any]]:
    """Every finding, suppressed ones kept with their suppression (an empty list: checked, not suppressed)."""
    rows: list[tuple[Finding, list[dict[str, Any]] | None]] = [
        (f, [] if result.suppressions_applied else None) for f in result.findings]
    rows += [(item.finding, [_suppression(item)]) for item in result.suppressed]
    rows.sort(key=lambda row: (row[0].location.file, row[0].location.line, row[0].location.column, row[0].code))
    out = []
    for finding, suppressions in rows:
        item = _result(finding, index)
        if suppressions is not None:
            item["suppressions"] = suppressions
        out.append(item)
    return out


def render_sarif(result: LintResult) -> str:
    codes = sorted({f.code for f in result.findings} | {s.finding.code for s in result.suppressed})
    index = {code: i for i, code in enumerate(codes)}
    log = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "modelgov", "informationUri": "https://github.com/modelgov/modelgov",
                                "version": "0.1.0", "rules": [_rule(code) for code in codes]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": _results(result, index),
        }],
    }
    return json.dumps(log, indent=2) + "\n"
