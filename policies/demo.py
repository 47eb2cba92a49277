"""`modelgov demo cdk.out --spec governance.yaml`: a short summary of a synthesized app for `make demo`.

Stacks and resources per stack, cfn-lint findings over every template (cfn-lint as a library), modelgov
lint errors and the lifecycle verifier's verdict, each on one line, so a reader sees in seconds what the
app deploys and whether it is governed as the spec says.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from modelgov.policies.spec import GovernanceSpec, SpecError, load_spec
from modelgov.policies.verify.assembly import AssemblyError, StackTemplate, load_assembly


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("assembly", nargs="?", default="cdk.out", help="cdk.out folder (default: cdk.out)")
    parser.add_argument("--spec", default="governance.yaml", help="governance spec (default: governance.yaml)")


def cfn_lint_count(stacks: list[StackTemplate]) -> int:
    """cfn-lint matches over every template file, each file once."""
    from cfnlint.api import lint_file

    files = sorted({stack.file for stack in stacks})
    return sum(len(lint_file(Path(file))) for file in files)


def modelgov_lint_errors(folder: Path, spec: GovernanceSpec) -> int:
    from modelgov.policies.lint.linter import lint_paths

    errors: int = lint_paths([str(folder)], spec).count("error")
    return errors


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec)
    except SpecError as err:
        print(err, file=sys.stderr)
        return 2
    folder = Path(args.assembly)
    try:
        stacks = load_assembly(folder)
    except AssemblyError as err:
        print(f"modelgov demo: {err}", file=sys.stderr)
        return 2
    print(f"cdk.out: {folder} ({len(stacks)} stack{'s' if len(stacks) != 1 else ''})")
    for stack in stacks:
        types = Counter(str(r.get("Type", "?")) for r in stack.resources.values() if isinstance(r, dict))
        env = f"{stack.env.account or '?'}/{stack.env.region or '?'}"
        top = ", ".join(f"{n} {t.split('::')[-1]}" for t, n in types.most_common(4))
        print(f"  {stack.name} [{env}]: {sum(types.values())} resources ({top})")
    print(f"cfn-lint: {cfn_lint_count(stacks)} findings")
    print(f"modelgov lint: {modelgov_lint_errors(folder, spec)} errors")
    from modelgov.policies.verify import verify_stacks

    result = verify_stacks(stacks, spec)
    stats = result.stats
    print(f"modelgov verify: {'PASS' if result.ok else 'FAIL'}: {len(result.violations)} violations, "
          f"{len(result.unknowns)} notes; {stats.get('principals')} principals x {stats.get('groups')} groups, "
          f"{stats.get('evaluations')} evaluations in {stats.get('seconds')} s")
    for violation in result.violations[:5]:
        print(f"  {violation.code} {violation.principal}: {violation.request['action']} {violation.label}")
    for note in [n for n in result.unknowns if n.code in ("V003", "V005", "V104", "V105")][:5]:
        print(f"  {note.code} {note.message}")
    return 0
