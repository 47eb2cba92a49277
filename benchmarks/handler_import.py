"""Cold import time of every Lambda handler (lambdas/*/index.py), each in a fresh Python process.

A Lambda cold start pays for the handler module's import before the first event; crhelper pulls in boto3,
so clients must be created lazily or the import alone outgrows the budget. For each handler this runs
`RUNS` fresh interpreters (no bytecode cache shared with the parent, PYTHONDONTWRITEBYTECODE unset so the
warm .pyc of site-packages is used as in a Lambda image) and times the import inside the child with
perf_counter, so interpreter start-up is excluded. The lambdas/_shared modules a handler imports (handler_code
puts them beside index.py in the asset) are loaded first, inside the timed window, under their top-level
names. Prints the median and max per handler and exits 1 when a median exceeds the target.

Run: .venv/bin/python benchmarks/handler_import.py [--runs 7] [--target-ms 150]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from modelgov.constructs.handler_code import shared_modules

REPO = Path(__file__).resolve().parents[1]
CHILD = """
import importlib.util, sys, time
path = sys.argv[1]
start = time.perf_counter()
if path == "boto3":
    import boto3
    print(f"{(time.perf_counter() - start) * 1000:.3f}")
    raise SystemExit(0)
for shared in sys.argv[2:]:  # as the asset has them: top-level modules beside index.py
    name = shared.rsplit("/", 1)[-1].removesuffix(".py")
    spec = importlib.util.spec_from_file_location(name, shared)
    sys.modules[name] = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sys.modules[name])
spec = importlib.util.spec_from_file_location("index", path)
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)
elapsed = time.perf_counter() - start
assert callable(getattr(module, "handler", None)), path + " has no handler(event, context)"
print(f"{elapsed * 1000:.3f}")
"""


def handlers() -> list[Path]:
    return sorted((REPO / "lambdas").glob("*/index.py"))


def measure(path: Path | str, runs: int, shared: list[Path] | None = None) -> list[float]:
    args = [sys.executable, "-c", CHILD, str(path), *map(str, shared or [])]
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_REGION": "us-east-1", "AWS_DEFAULT_REGION": "us-east-1"})
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    subprocess.run(args, check=True, capture_output=True, env=env)  # warm .pyc
    times = []
    for _ in range(runs):
        out = subprocess.run(args, check=True, capture_output=True, text=True, env=env)
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--target-ms", type=float, default=150.0)
    args = parser.parse_args()
    found = handlers()
    if not found:
        print("no lambdas/*/index.py found")
        return 1
    print(f"cold import of lambdas/*/index.py, {args.runs} fresh processes each, Python "
          f"{sys.version.split()[0]}, target median <= {args.target_ms:.0f} ms")
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average (1 min) {load:.2f} on {os.cpu_count()} cpus; `import boto3` alone is the floor, since "
          "crhelper imports it")
    print(f"{'handler':<28}{'median ms':>10}{'min ms':>10}{'max ms':>10}  verdict")
    floor = measure("boto3", args.runs)
    print(f"{'(import boto3)':<28}{statistics.median(floor):>10.1f}{min(floor):>10.1f}{max(floor):>10.1f}")
    failed = False
    for path in found:
        times = measure(path, args.runs, shared_modules(path.parent))
        median = statistics.median(times)
        ok = median <= args.target_ms
        failed |= not ok
        print(f"{path.parent.name:<28}{median:>10.1f}{min(times):>10.1f}{max(times):>10.1f}  {'ok' if ok else 'OVER'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
