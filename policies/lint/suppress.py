"""Apply the spec's `lint.suppressions` to a lint result: accepted findings move aside, with their reason.

Suppressed findings leave `result.findings` (so they change neither the severity counts nor the exit code)
but stay in `result.suppressed`, so every report can still show them with the reason: an acknowledgement
is an audit trail, not a deletion (cdk-nag). A suppression is reported when it has expired (L090), when
the files it names were linted but none of their findings matched (L091, the rot cdk-nag and cfn-lint
users meet), or when no linted file matches its path at all (L092).
"""

from __future__ import annotations

import os
import posixpath
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from fnmatch import fnmatchcase
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from modelgov.policies.findings import Finding, Location
from modelgov.policies.findings.paths import format_path

if TYPE_CHECKING:
    from modelgov.policies.spec import GovernanceSpec
    from modelgov.policies.spec.lint import Suppression

    from .linter import LintResult


@dataclass(frozen=True)
class Suppressed:
    """A finding a suppression accepted, with the reason and where the suppression is written."""

    finding: Finding
    reason: str
    expires: date | None
    source: Location  # the suppression entry in the spec: file, line, column, lint.suppressions[i]


@lru_cache(maxsize=256)
def _glob(pattern: str) -> re.Pattern[str]:
    """A path glob as a regex: `**` spans folders, `*` and `?` stay within one name, the rest is literal."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


class _Scope:
    """Matches one suppression's path glob, anchored at the spec's folder, against linted file names.

    Both the folder and each file are compared as written (made absolute) and with symlinks resolved, so
    a symlinked cdk.out matches the path the spec names whichever way it is reached.
    """

    def __init__(self, suppression: Suppression, bases: Iterable[str]) -> None:
        self.suppression = suppression
        self.regexes = [_glob(posixpath.normpath(posixpath.join(base, suppression.path))) for base in bases]

    def expired(self, day: date) -> bool:
        """The expiry date is the last day the suppression applies."""
        return self.suppression.expires is not None and day > self.suppression.expires

    def covers(self, file: str) -> bool:
        return bool(file) and any(regex.match(name) for regex in self.regexes for name in _absolute(file))

    def matches(self, finding: Finding) -> bool:
        s, loc = self.suppression, finding.location
        return (finding.code == s.code and self.covers(loc.file)
                and (s.resource is None or (bool(loc.logical_id) and fnmatchcase(loc.logical_id, s.resource)))
                and (s.sid is None or loc.sid == s.sid))


@lru_cache(maxsize=4096)
def _absolute(file: str) -> tuple[str, ...]:
    """The file as written, made absolute, and with symlinks resolved (one entry when they agree)."""
    written, real = Path(os.path.abspath(file)).as_posix(), Path(file).resolve().as_posix()
    return (written,) if written == real else (written, real)


def _today() -> date:
    """UTC, so a CI runner and a laptop agree on the day a suppression expires."""
    return datetime.now(UTC).date()


def apply_suppressions(result: LintResult, spec: GovernanceSpec, spec_file: str | Path,
                       today: date | None = None) -> LintResult:
    """Move the findings the spec's suppressions accept into `result.suppressed`; report expired and stale ones.

    Paths are globs relative to the folder of `spec_file`. A finding is taken by the first suppression
    that matches it; codes tagged unsuppressible in the catalogue are never taken, even from a spec built
    in code without the loader's checks.
    """
    from modelgov.policies.spec.lint import suppressible  # the spec's pydantic models load only with --spec

    day = today or _today()
    bases = _absolute(str(Path(spec_file).absolute().parent))
    scopes = [_Scope(s, bases) for s in spec.lint.suppressions]
    live = [i for i, scope in enumerate(scopes) if not scope.expired(day)]
    expired = [i for i, scope in enumerate(scopes) if scope.expired(day)]
    hits = [0] * len(scopes)
    kept: list[Finding] = []
    for finding in result.findings:
        if not suppressible(finding.code):
            kept.append(finding)
            continue
        index = _first(scopes, live, finding)
        if index is not None:
            hits[index] += 1
            scope = scopes[index].suppression
            result.suppressed.append(Suppressed(finding, scope.reason, scope.expires,
                                                _source(spec_file, index, scope)))
            continue
        index = _first(scopes, expired, finding)
        if index is not None:
            hits[index] += 1  # counted for the expiry report; the finding stays
        kept.append(finding)
    result.findings = kept
    result.findings.extend(_reports(scopes, hits, result.linted, spec_file, day))
    result.findings.sort(key=lambda f: (f.location.file, f.location.line, f.location.column, f.code))
    result.suppressions_applied = True
    return result


def _first(scopes: Sequence[_Scope], candidates: Sequence[int], finding: Finding) -> int | None:
    """Index of the first candidate suppression that matches the finding, or None."""
    return next((i for i in candidates if scopes[i].matches(finding)), None)


def _source(spec_file: str | Path, index: int, suppression: Suppression, field: str = "") -> Location:
    line, column = suppression.where(field)
    parts: list[str | int] = ["lint", "suppressions", index, *([field] if field else [])]
    return Location(str(spec_file), line, column, path=format_path(parts))


def _reports(scopes: Sequence[_Scope], hits: Sequence[int], linted: Sequence[str], spec_file: str | Path,
             day: date) -> list[Finding]:
    out: list[Finding] = []
    for index, (scope, count) in enumerate(zip(scopes, hits, strict=True)):
        s = scope.suppression
        what = f"suppression of {s.code} for {s.path!r}"
        if scope.expired(day):
            now = (f"the {count} finding{'s' if count != 1 else ''} it covered {'are' if count != 1 else 'is'} "
                   "reported again" if count else "it matches no finding any more")
            out.append(Finding("L090", f"{what} expired on {s.expires.isoformat()}: {now}",
                               _source(spec_file, index, s, "expires"),
                               fix="fix the finding and remove the entry, or renew expires with a reason that "
                                   "still holds" if count else "remove the entry from lint.suppressions"))
        elif count:
            continue
        elif named := sum(1 for file in set(linted) if scope.covers(file)):
            narrowed = " (with its resource and sid)" if s.resource or s.sid else ""
            out.append(Finding("L091", f"{what} matched no finding{narrowed}, though its path names {named} linted "
                                       f"file{'s' if named != 1 else ''}", _source(spec_file, index, s),
                               fix="remove the entry from lint.suppressions"))
        else:
            out.append(Finding("L092", f"{what}: no file linted in this run matches the path (relative to the "
                                       f"folder of {spec_file})", _source(spec_file, index, s),
                               fix="lint the files it names, or correct the path"))
    return out
