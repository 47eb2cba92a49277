"""`--format sarif`: SARIF 2.1.0 for GitHub code scanning, one rule per catalogued L code.

Rules come from the catalogue (title, why, fix, severity), so the report never disagrees with the
docs; locations use repository-relative URIs under %SRCROOT% as code scanning expects.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from modelgov.policies.findings import Finding, catalogue

from ..linter import LintResult

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


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    entry = catalogue()[finding.code]
    loc = finding.location
    physical: dict[str, Any] = {"artifactLocation": _uri(loc.file)}
    if loc.line >= 1:
        region: dict[str, int] = {"startLine": loc.line, "startColumn": max(loc.column, 1)}
        if loc.end_line >= loc.line and (loc.end_line > loc.line or loc.end_column > loc.column):
            region.update(endLine=loc.end_line, endColumn=loc.end_column)
        physical["region"] = region
    location: dict[str, Any] = {"physicalLocation": physical}
    if loc.path:
        location["logicalLocations"] = [{"fullyQualifiedName": loc.path, "kind": "member"}]
    fix = finding.fix or entry.fix
    return {
        "ruleId": finding.code, "ruleIndex": index[finding.code], "level": LEVELS[entry.severity],
        "message": {"text": finding.message + (f" (fix: {fix})" if fix else "")},
        "locations": [location],
        "partialFingerprints": {"modelgovFinding/v1": "|".join(finding.identity())},
    }


def render_sarif(result: LintResult) -> str:
    codes = sorted({f.code for f in result.findings})
    index = {code: i for i, code in enumerate(codes)}
    log = {
        "$schema": SCHEMA, "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "modelgov", "informationUri": "https://github.com/modelgov/modelgov",
                                "version": "0.1.0", "rules": [_rule(code) for code in codes]}},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": Path.cwd().resolve().as_uri() + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": [_result(f, index) for f in result.findings],
        }],
    }
    return json.dumps(log, indent=2) + "\n"
