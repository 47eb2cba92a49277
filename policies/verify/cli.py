"""`modelgov verify [cdk.out | TEMPLATE...] --spec governance.yaml [--format ...] [--out FILE]`.

Exit 0 when the deployed policies match the spec exactly, 1 on any violation or unproven point,
2 when the spec or the templates cannot be read.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

from modelgov.policies.spec import SpecError, load_spec

from . import AssemblyError, verify
from .assembly import StackEnv, partition_of
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
    parser.add_argument("--account", help="12-digit account loose template files deploy to (default: unknown, so "
                                           "their roles are verified in every account of the organization)")
    parser.add_argument("--region", help="region loose template files deploy to (default: unknown)")
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
    paths = [Path(p) for p in args.inputs]
    if args.account is not None and not re.fullmatch(r"\d{12}", args.account):
        print(f"modelgov verify: --account {args.account!r} is not a 12-digit AWS account id; pass e.g. "
              "--account 222222222222", file=sys.stderr)
        return 2
    if (args.account or args.region) and len(paths) == 1 and paths[0].is_dir():
        print(f"modelgov verify: --account and --region apply to loose template files; {paths[0]} is a cdk.out "
              "whose manifest names each stack's environment, drop the options", file=sys.stderr)
        return 2
    region = args.region or ""
    env = StackEnv(args.account or "", region, partition_of(region))
    try:
        result = verify(paths, spec, args.max_evaluations, tuple(args.actions), not args.no_approval, env)
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
