"""`--format json`: {"findings": [...], "suppressed": [...], "skipped": [...], "summary": {...}}.

Findings carry title and severity. `suppressed` lists the findings the spec's lint.suppressions accepted,
each with the reason and the suppression's place in the spec; they are not in the severity counts.
`skipped` lists every file a folder scan did not lint, with the reason, for scripts to check.
"""

from __future__ import annotations

import json
from typing import Any

from modelgov.policies.findings import Finding, catalogue

from ..linter import LintResult
from ..suppress import Suppressed


def to_dict(finding: Finding) -> dict[str, Any]:
    entry = catalogue()[finding.code]
    loc = finding.location
    return {
        "code": finding.code, "severity": entry.severity, "title": entry.title, "file": loc.file,
        "line": loc.line, "column": loc.column, "end_line": loc.end_line, "end_column": loc.end_column,
        "path": loc.path, "logical_id": loc.logical_id, "sid": loc.sid, "message": finding.message,
        "fix": finding.fix or entry.fix, "key": finding.key,
    }


def suppressed_dict(item: Suppressed) -> dict[str, Any]:
    """A suppressed finding with the reason, expiry and the suppression's place in the spec."""
    source = item.source
    return {**to_dict(item.finding), "reason": item.reason,
            "expires": item.expires.isoformat() if item.expires else None,
            "suppression": {"file": source.file, "line": source.line, "column": source.column, "path": source.path}}


def render_json(result: LintResult) -> str:
    return json.dumps({"findings": [to_dict(f) for f in result.findings],
                       "suppressed": [suppressed_dict(s) for s in result.suppressed],
                       "skipped": [{"file": s.file, "reason": s.reason} for s in result.skipped],
                       "summary": {"files": result.files, "policies": result.policies,
                                   "errors": result.count("error"), "warnings": result.count("warning"),
                                   "info": result.count("info"), "suppressed": len(result.suppressed),
                                   "skipped": len(result.skipped)}},
                      indent=2) + "\n"
