"""`--format text`: `file:line:col: CODE severity: message (at PATH; fix: ...)`, then a summary line.

Files a folder scan skipped are counted in the summary; `--verbose` lists each with its reason. They are
not findings: skipping package.json is no defect, so it must not move the severity counts or the exit code.
"""

from __future__ import annotations

from modelgov.policies.findings import catalogue

from ..linter import LintResult


def render_text(result: LintResult, verbose: bool = False) -> str:
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
    if verbose:
        lines += [f"{s.file}: skipped: not a policy, template or assembly ({s.reason})" for s in result.skipped]
    summary = (f"{result.files} file{'s' if result.files != 1 else ''}, {result.policies} "
               f"polic{'ies' if result.policies != 1 else 'y'}: {result.count('error')} errors, "
               f"{result.count('warning')} warnings, {result.count('info')} info")
    if result.skipped:
        count = len(result.skipped)
        summary += (f"; {count} file{'s' if count != 1 else ''} skipped (not a policy, template or assembly"
                    + ("" if verbose else "; --verbose lists them") + ")")
    lines.append(summary)
    return "\n".join(lines) + "\n"
