"""`modelgov verify [cdk.out | TEMPLATE...] --spec governance.yaml [--format ...] [--out FILE]`.

Exit 0 when the deployed policies match the spec exactly, 1 on any violation or unproven point,
2 when the spec or the templates cannot be read.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from modelgov.policies.spec import SpecError, load_spec

from . import AssemblyError, verify
from .prove import ACTIONS, DEFAULT_MAX_EVALUATIONS
from .render import RENDERERS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("inputs", nargs="*", default=["cdk.out"], metavar="cdk.out | TEMPLATE",
                        help="a cdk.out folder (default) or CloudFormation template files")
    parser.add_argument("--spec", default="governance.yaml", help="governance spec (default: governance.yaml)")
    parser.add_argument("--format", choices=sorted(RENDERERS), default="text", help="report format (default: text)")
    parser.add_argument("--out", help="write the report to FILE instead of stdout")
    parser.add_argument("--actions", nargs="+", choices=list(ACTIONS), default=list(ACTIONS),
                        help="lifecycle actions to prove (default: both)")
    parser.add_argument("--no-approval", action="store_true",
                        help="do not prove sagemaker:ModelApprovalStatus (for policies that govern only stages)")
    parser.add_argument("--max-evaluations", type=int, default=DEFAULT_MAX_EVALUATIONS,
                        help="request classes per principal and action before giving up as unproven")


def write_atomically(path: Path, text: str) -> None:
    """Nothing half-written: a temporary file in the same folder, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp creates 0600; a report is an ordinary file
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec)
    except SpecError as err:
        print(err, file=sys.stderr)
        return 2
    except OSError as err:
        print(f"{args.spec}: cannot read the spec ({err.strerror}); pass --spec PATH", file=sys.stderr)
        return 2
    try:
        result = verify([Path(p) for p in args.inputs], spec, args.max_evaluations, tuple(args.actions),
                        not args.no_approval)
    except AssemblyError as err:
        print(f"modelgov verify: V001 {err}", file=sys.stderr)
        return 2
    report = RENDERERS[args.format](result)
    if args.out:
        write_atomically(Path(args.out), report)
        print(f"modelgov verify: {'PASS' if result.ok else 'FAIL'}: {len(result.violations)} violation(s); "
              f"{args.format} report written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(report)
    return result.exit_code
