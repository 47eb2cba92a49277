"""Plain text: a summary line, each violation with its counterexample and decisive statements, the notes, then
the transition matrix of every principal and who may assume each persona role."""

from __future__ import annotations

from ..result import VerifyResult
from .common import counterexample, decisive, location


def render_text(result: VerifyResult) -> str:
    stats = result.stats
    lines = [f"modelgov verify: {'PASS' if result.ok else 'FAIL'}: {len(result.violations)} violation(s), "
             f"{len(result.unknowns)} note(s); {stats.get('principals', 0)} principals, {stats.get('groups', 0)} "
             f"groups, {stats.get('evaluations', 0)} engine evaluations in {stats.get('seconds', 0)} s"]
    for v in result.violations:
        lines.append(f"{location(v)}: {v.code} {v.message}")
        lines.append(f"    counterexample: {counterexample(v.request)}")
        for entry in v.decisive:
            lines.append(f"    decisive: {decisive(entry)}")
        if not v.decisive:
            lines.append("    decisive: no statement allows it (implicit deny)")
        lines.append(f"    expected: {v.expected}; actual: {v.actual}")
    for note in result.unknowns:
        where = note.source.render() or "input"
        lines.append(f"{where}: {note.code} {note.message}")
    for principal, matrix in result.matrices.items():
        persona = result.personas.get(principal, "")
        lines.append(f"matrix {principal}{f' (persona {persona})' if persona else ''}:")
        for label, cell in matrix.items():
            mark = "VIOLATION" if cell.violation else "ok"
            lines.append(f"    {label:<45} expected {cell.expected:<8} actual {cell.actual:<8} {mark}")
    for principal, entries in result.trust.items():
        persona = result.personas.get(principal, "")
        lines.append(f"trust {principal}{f' (persona {persona})' if persona else ''}: who may assume it")
        for caller, trusted in entries.items():
            mark = "VIOLATION" if trusted.violation else "ok"
            lines.append(f"    {caller:<66} expected {trusted.expected:<8} actual {trusted.actual:<8} {mark}")
    return "\n".join(lines) + "\n"
