"""`--format text`: `file:line:col: CODE severity: message [path] (fix: ...)`, then a summary line."""

from __future__ import annotations

from modelgov.policies.findings import catalogue

from ..linter import LintResult


def render_text(result: LintResult) -> str:
    lines: list[str] = []
    for finding in result.findings:
        entry = catalogue()[finding.code]
        loc = finding.location
        where = f"{loc.file}:{loc.line}:{loc.column}" if loc.line else loc.file
        place = f" [{loc.path}]" if loc.path else ""
        fix = finding.fix or entry.fix
        lines.append(f"{where}: {finding.code} {entry.severity}: {finding.message}{place}"
                     + (f" (fix: {fix})" if fix else ""))
    lines.append(f"{result.files} file{'s' if result.files != 1 else ''}, {result.policies} "
                 f"polic{'ies' if result.policies != 1 else 'y'}: {result.count('error')} errors, "
                 f"{result.count('warning')} warnings, {result.count('info')} info")
    return "\n".join(lines) + "\n"
