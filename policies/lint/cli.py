"""`modelgov lint PATH... [--spec governance.yaml] [--format text|json|sarif] [--out FILE] [--verbose]`.

Exit 2 when an input cannot be read, a file named on the command line is not a policy, template or
assembly (L000, L008), or the spec is invalid; else 1 when any finding is at or above --fail-on (default:
error); else 0. Files a folder scan skips and findings the spec's lint.suppressions accept never change
the exit code.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, cast

from .document import POLICY_KINDS, PolicyKind
from .linter import lint_paths
from .report import FORMATS, render_text
from .suppress import apply_suppressions

if TYPE_CHECKING:
    from modelgov.policies.spec import GovernanceSpec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("paths", nargs="+", metavar="PATH",
                        help="policy JSON files, CloudFormation templates (JSON/YAML) or cdk.out folders")
    parser.add_argument("--spec", help="governance spec: its lifecycle catalog checks stage and status values, "
                                       "its lint.suppressions accept findings")
    parser.add_argument("--format", choices=sorted(FORMATS), default="text", help="report format (default: text)")
    parser.add_argument("--out", help="write the report to this file instead of standard output")
    parser.add_argument("--fail-on", choices=("error", "warning", "info"), default="error",
                        help="lowest severity that makes the exit code 1 (default: error)")
    parser.add_argument("--policy-type", choices=POLICY_KINDS, default=None,
                        help="kind of standalone policy files (default: inferred from Principal elements)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="list each file a folder scan skipped and each suppressed finding with its reason")


def _write(path: str, text: str) -> None:
    """Write through a temporary file and a rename, so a failed run never leaves half a report."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=".modelgov-", dir=target.parent if str(target.parent) else ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    spec: GovernanceSpec | None = None
    if args.spec:
        from modelgov.policies.spec import SpecError, load_spec  # imported only when asked: pydantic is slow

        try:
            spec = load_spec(args.spec)
        except SpecError as err:
            print(err, file=sys.stderr)
            return 2
    result = lint_paths(list(args.paths), spec=spec, kind=cast(PolicyKind | None, args.policy_type))
    if spec is not None:
        apply_suppressions(result, spec, args.spec)
    report = render_text(result, verbose=args.verbose) if args.format == "text" else FORMATS[args.format](result)
    if args.out:
        try:
            _write(args.out, report)
        except OSError as err:
            print(f"{args.out}: cannot write the report: {err.strerror or err}; choose a writable path",
                  file=sys.stderr)
            return 2
    else:
        sys.stdout.write(report)
    if result.unreadable:
        return 2
    failing = {"error": ("error",), "warning": ("error", "warning"), "info": ("error", "warning", "info")}
    return 1 if any(result.count(severity) for severity in failing[args.fail_on]) else 0
