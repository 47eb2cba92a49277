"""`--format text`: `file:line:col: CODE severity: message (at PATH; fix: ...)`, then a summary line.

Findings the spec's lint.suppressions accept get a count line before the summary; `--verbose` lists each
with the suppression's place in the spec and its reason, so accepting a finding never hides it entirely.

Files a folder scan skipped are counted in the summary; `--verbose` lists each with its reason. They are
not findings: skipping package.json is no defect, so it must not move the severity counts or the exit code.
"""

from __future__ import annotations

from modelgov.policies.findings import Finding, Location, catalogue

from ..linter import LintResult


def _where(loc: Location) -> str:
    return f"{loc.file}:{loc.line}:{loc.column}" if loc.line else loc.file


def _line(finding: Finding, suppressed: str = "") -> str:
    entry = catalogue()[finding.code]
    loc = finding.location
    fix = finding.fix or entry.fix
    notes = [f"at {loc.path}"] if loc.path else []
    notes += [suppressed] if suppressed else ([f"fix: {fix}"] if fix else [])
    return (f"{_where(loc)}: {finding.code} {entry.severity}: {finding.message}"
            + (f" ({'; '.join(notes)})" if notes else ""))


def render_text(result: LintResult, verbose: bool = False) -> str:
    lines = [_line(finding) for finding in result.findings]
    if verbose:
        lines += [f"{s.file}: skipped: not a policy, template or assembly ({s.reason})" for s in result.skipped]
        for item in result.suppressed:
            until = f", until {item.expires.isoformat()}" if item.expires else ""
            lines.append(_line(item.finding, f"suppressed by {_where(item.source)} {item.source.path}{until}: "
                                             f"{item.reason}"))
    if result.suppressed:
        count = len(result.suppressed)
        lines.append(f"{count} finding{'s' if count != 1 else ''} suppressed by lint.suppressions, not counted"
                     + ("" if verbose else " (--verbose lists them with their reasons)"))
    summary = (f"{result.files} file{'s' if result.files != 1 else ''}, {result.policies} "
               f"polic{'ies' if result.policies != 1 else 'y'}: {_plural(result.count('error'), 'error')}, "
               f"{_plural(result.count('warning'), 'warning')}, {result.count('info')} info")
    if result.skipped:
        count = len(result.skipped)
        summary += (f"; {count} file{'s' if count != 1 else ''} skipped (not a policy, template or assembly"
                    + ("" if verbose else "; --verbose lists them") + ")")
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
