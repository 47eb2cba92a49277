"""`modelgov` command line: a thin shell over library functions (parse, call, render, exit code).

Each subcommand lives in its own module exposing `add_arguments(parser)` and `run(args) -> int`,
imported only when chosen so `modelgov simulate` never pays for the verifier's imports.
Exit codes: 0 clean, 1 findings or violations, 2 unreadable input or bad usage.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

# name -> (module, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "spec": ("modelgov.policies.spec.cli", "validate a governance spec and print its summary"),
    "demo": ("modelgov.policies.demo", "summarize a synthesized cdk.out: stacks, resources, findings"),
    "lint": ("modelgov.policies.lint.cli", "lint IAM policies in policy files, templates and cdk.out folders"),
    "simulate": ("modelgov.policies.engine.cli", "evaluate IAM requests offline against every policy layer"),
    "verify": ("modelgov.policies.verify.cli",
               "prove the deployed lifecycle permissions match the spec, with counterexamples"),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="modelgov", description=__doc__.splitlines()[0] if __doc__ else "")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_module, help_text) in COMMANDS.items():
        sub.add_parser(name, help=help_text, add_help=False)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in {"-h", "--help"} or args[0] not in COMMANDS:
        parser = build_parser()
        if args and args[0] not in {"-h", "--help"}:
            parser.print_usage(sys.stderr)
            print(f"modelgov: unknown command {args[0]!r}; choose from {', '.join(COMMANDS)}", file=sys.stderr)
            return 2
        parser.print_help()
        return 0 if args else 2
    name = args[0]
    module = importlib.import_module(COMMANDS[name][0])
    parser = argparse.ArgumentParser(prog=f"modelgov {name}", description=COMMANDS[name][1])
    module.add_arguments(parser)
    try:
        parsed = parser.parse_args(args[1:])
    except SystemExit as exc:  # argparse exits 2 on usage errors, 0 on --help
        return int(exc.code or 0)
    result: int = module.run(parsed)
    return result


if __name__ == "__main__":
    sys.exit(main())
