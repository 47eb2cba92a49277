"""SARIF 2.1.0: one result per violation and note, located at the template resource that defines it."""

from __future__ import annotations

import json
from typing import Any

from modelgov.policies.findings import catalogue

from ..model import Source
from ..result import VerifyResult
from .common import counterexample

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def _location(source: Source) -> list[dict[str, Any]]:
    if not source.file:
        return []
    physical: dict[str, Any] = {"artifactLocation": {"uri": source.file}}
    if source.line:
        physical["region"] = {"startLine": source.line}
    location: dict[str, Any] = {"physicalLocation": physical}
    if source.logical_id:
        location["logicalLocations"] = [{"name": source.logical_id, "kind": "resource"}]
    return [location]


def render_sarif(result: VerifyResult) -> str:
    cat = catalogue()
    codes = sorted({v.code for v in result.violations} | {n.code for n in result.unknowns})
    rules = []
    for code in codes:
        entry = cat[code]
        rules.append({"id": code, "name": entry.title, "shortDescription": {"text": entry.title},
                      "fullDescription": {"text": entry.why}, "help": {"text": entry.fix},
                      "defaultConfiguration": {"level": "error" if entry.severity == "error" else
                                               "warning" if entry.severity == "warning" else "note"}})
    results = []
    for v in result.violations:
        results.append({"ruleId": v.code, "level": "error",
                        "message": {"text": f"{v.message}; counterexample: {counterexample(v.request)}"},
                        "locations": _location(v.source),
                        "partialFingerprints": {"principalTransition": f"{v.principal}|{v.label}|{v.code}"},
                        "properties": {"kind": v.kind, "counterexample": v.request, "decisive": v.decisive,
                                       "expected": v.expected, "actual": v.actual}})
    for note in result.unknowns:
        severity = cat[note.code].severity
        results.append({"ruleId": note.code, "level": "error" if severity == "error" else "warning",
                        "message": {"text": note.message}, "locations": _location(note.source)})
    log = {"$schema": SCHEMA, "version": "2.1.0", "runs": [{
        "tool": {"driver": {"name": "modelgov verify", "informationUri": "https://github.com/modelgov",
                            "rules": rules}},
        "results": results}]}
    return json.dumps(log, indent=1) + "\n"
