"""`modelgov spec FILE`: validate a governance spec and that its policies fit AWS limits; exit 0 or 2."""

from __future__ import annotations

import argparse
import sys

from .buildable import build_problems
from .loader import SpecError, load_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("spec", nargs="?", default="governance.yaml", help="governance spec (default: %(default)s)")


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec)
    except SpecError as err:
        print(err, file=sys.stderr)
        return 2
    refused = list(build_problems(spec))
    if refused:
        print(f"{args.spec}: {len(refused)} problem{'s' if len(refused) != 1 else ''} building the policies",
              file=sys.stderr)
        for path, message in refused:
            print(f"  {args.spec}: {path}: {message}", file=sys.stderr)
        return 2
    transitions = sum(len(t.statuses) for p in spec.personas for t in p.transitions)
    print(f"{args.spec}: valid: {len(spec.personas)} personas, {transitions} allowed transitions, "
          f"{len(spec.model_package_groups)} model package groups, {len(spec.lifecycle.stages)} stages, "
          f"{len(spec.lifecycle.statuses)} statuses")
    return 0
