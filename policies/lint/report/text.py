"""`--format text`: `file:line:col: CODE severity: message (at PATH; fix: ...)`, then a summary line."""

from __future__ import annotations

from modelgov.policies.findings import catalogue

from ..linter import LintResult


def render_text(result: LintResult) -> str:
    lines: list[str] = []
    for finding in result.findings:
        entry = catalogue()[finding.code]
        loc = finding.location
        where = f"{loc.file}:{loc.line}:{loc.column}" if loc.line else loc.file
        fix = finding.fix or entry.fix
        notes = [f"at {loc.path}"] if loc.path else []
        notes += [f"fix: {fix}"] if fix else []
        lines.append(f"{where}: {finding.code} {entry.severity}: {finding.message}"
                     + (f" ({'; '.join(notes)})" if notes else ""))
    lines.append(f"{result.files} file{'s' if result.files != 1 else ''}, {result.policies} "
                 f"polic{'ies' if result.policies != 1 else 'y'}: {result.count('error')} errors, "
                 f"{result.count('warning')} warnings, {result.count('info')} info")
    return "\n".join(lines) + "\n"
