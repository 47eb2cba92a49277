"""`lint_paths`: read files, run every rule on every policy, return findings with file, line and column.

A rule that raises is reported as finding L099 rather than skipped (fail closed: a crash is never a pass).
"""

from __future__ import annotations

import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from modelgov.policies.findings import Finding, Location, catalogue

from .document import PolicyDocument, PolicyKind, statements
from .nodes import format_path
from .rules import RULES
from .rules.base import Context, Match
from .sources import Loaded, Note, Skipped, load_file, load_text, scan_folder, stack_accounts
from .suppress import Suppressed

if TYPE_CHECKING:
    from modelgov.policies.spec import GovernanceSpec

# Findings that mean an input was not checked at all (unreadable, or not a policy/template/assembly): exit 2.
INPUT_ERRORS = frozenset({"L000", "L008"})


@dataclass
class LintResult:
    findings: list[Finding] = field(default_factory=list)
    files: int = 0
    policies: int = 0
    skipped: list[Skipped] = field(default_factory=list)  # found by a folder scan, not a policy or template
    linted: list[str] = field(default_factory=list)  # every file read as a policy, template or assembly
    suppressed: list[Suppressed] = field(default_factory=list)  # accepted by the spec's lint.suppressions
    suppressions_applied: bool = False  # apply_suppressions ran: a result without suppressions is not suppressed

    def count(self, severity: str) -> int:
        return sum(1 for f in self.findings if catalogue()[f.code].severity == severity)

    @property
    def unreadable(self) -> bool:
        """Some input was not checked (L000 or L008): the CLI exits 2, since a pass would mean nothing."""
        return any(f.code in INPUT_ERRORS for f in self.findings)


def _note_finding(note: Note) -> Finding:
    return Finding(note.code, note.message, Location(note.file, note.line, note.column, path=note.path,
                                                     logical_id=note.logical_id), fix=note.fix)


def _match_finding(doc: PolicyDocument, match: Match) -> Finding:
    offset = match.offset if match.offset is not None else (match.node.start if match.node else doc.root.start)
    line, column = doc.locate(offset)
    end_line, end_column = (doc.locate(match.node.end) if match.node is not None and match.offset is None
                            else (line, column + 1))
    sid = _sid(doc, match) if match.path else ""
    location = Location(doc.file, line, column, end_line, end_column,
                        format_path([*doc.base_path, *match.path]), doc.logical_id, sid)
    return Finding(match.code, match.message, location, fix=match.fix, detail=match.detail)


def _sid(doc: PolicyDocument, match: Match) -> str:
    """The Sid of the statement a match points into, for reports and acknowledgements."""
    for statement in statements(doc):
        if statement.path and tuple(match.path[:len(statement.path)]) == statement.path:
            return statement.sid
    return ""


def lint_document(doc: PolicyDocument, ctx: Context) -> list[Finding]:
    findings: list[Finding] = []
    for problem in doc.syntax:
        line, column = doc.locate(problem.offset)
        findings.append(Finding(problem.code, problem.message,
                                Location(doc.file, line, column, path=format_path(doc.base_path),
                                         logical_id=doc.logical_id), fix=problem.fix))
    for name, rule in RULES.items():
        try:
            matches: Iterable[Match] = list(rule(doc, ctx))
        except Exception as err:  # noqa: BLE001 - any rule failure must surface as a finding
            line, column = doc.locate(doc.root.start)
            last = traceback.extract_tb(err.__traceback__)[-1]
            findings.append(Finding("L099", f"rule {name} failed on this policy: {type(err).__name__}: {err} "
                                            f"({Path(last.filename).name}:{last.lineno})",
                                    Location(doc.file, line, column, path=format_path(doc.base_path),
                                             logical_id=doc.logical_id),
                                    fix="report this as a modelgov bug; the policy was not fully checked"))
            continue
        findings.extend(_match_finding(doc, match) for match in matches)
    return findings


def _dedupe(findings: list[Finding]) -> list[Finding]:
    seen: set[tuple[str, str, str, str, int, int]] = set()
    out: list[Finding] = []
    for finding in findings:
        key = (*finding.identity(), finding.location.line, finding.location.column)
        if key not in seen:
            seen.add(key)
            out.append(finding)
    return out


def _collect(loaded: Loaded, ctx: Context, result: LintResult, name: str) -> None:
    result.files += loaded.files
    if loaded.files:
        result.linted.append(name)
    result.skipped.extend(loaded.skipped)
    result.findings.extend(_note_finding(note) for note in loaded.notes)
    for doc in loaded.policies:
        result.policies += 1
        result.findings.extend(lint_document(doc, ctx))


def _order(findings: list[Finding]) -> list[Finding]:
    return sorted(_dedupe(findings), key=lambda f: (f.location.file, f.location.line, f.location.column, f.code))


def lint_paths(paths: list[str], spec: GovernanceSpec | None = None, kind: PolicyKind | None = None) -> LintResult:
    """Lint policy files, CloudFormation templates (JSON/YAML) and cdk.out folders.

    Files named in `paths` are linted as given; files a folder scan finds are linted only when they are a
    policy, a template or part of a cloud assembly, and listed in `result.skipped` otherwise.
    """
    ctx = Context(spec=spec)
    result = LintResult()
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            scan = scan_folder(path)
            accounts = stack_accounts(scan.manifests)
            before = result.files
            for file in scan.files:
                _collect(load_file(file, kind, accounts.get(file.resolve(), ""), mode="folder"), ctx, result,
                         str(file))
            if result.files == before:
                found = len(scan.files)
                what = f"; {found} JSON/YAML file{'s' if found != 1 else ''} skipped" if found else ""
                result.findings.append(_note_finding(Note(
                    "L000", raw, 0, 0, f"the folder holds no policy, template or cdk.out assembly{what}",
                    "pass a cdk.out folder after `cdk synth`, or policy and template files")))
        elif path.exists():
            _collect(load_file(path, kind), ctx, result, raw)
        else:
            result.findings.append(_note_finding(Note("L000", raw, 0, 0, "the file does not exist", "check the path")))
    result.skipped.sort(key=lambda s: s.file)
    result.findings = _order(result.findings)
    return result


def lint_text(text: str, file: str = "policy.json", spec: GovernanceSpec | None = None,
              kind: PolicyKind | None = None, yaml_format: bool = False) -> LintResult:
    """Lint one document given as text (tests, editors, the engine's input check)."""
    ctx = Context(spec=spec)
    result = LintResult()
    _collect(load_text(file, text, yaml_format, kind), ctx, result, file)
    result.findings = _order(result.findings)
    return result
