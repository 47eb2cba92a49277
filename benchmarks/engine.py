"""Benchmark: our engine vs iam-simulate's runUnsafeSimulation on the same seeded corpus, both warmed.

    .venv/bin/python benchmarks/engine.py [--cases 1000] [--rounds 7] [--seed 7]

Prints the median microseconds per decision for
  - ours, evaluate:       prepare() once per case (policies compiled), then prepared.evaluate(request) timed
  - ours, simulate warm:  simulate(sim) end to end; compiled policies are memoized by content, so after the
                          warm-up round each policy is validated and compiled once
  - ours, simulate cold:  simulate(sim) with the memo cleared before every call (full validation and
                          compilation each time)
  - iam-simulate:         runUnsafeSimulation(sim) (no validation; it loads the policies on every call)
and the ratios. Session policies are dropped from the corpus because runUnsafeSimulation ignores them.
"""

from __future__ import annotations

import argparse
import copy
import json
import shutil
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

from modelgov.policies.engine import prepare, simulate
from modelgov.policies.engine.corpus import generate
from modelgov.policies.engine.statement import clear_compiled

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "engine" / "oracle.mjs"


def corpus(cases: int, seed: int) -> list[dict[str, Any]]:
    out = []
    for sim in generate(cases, seed):
        sim = copy.deepcopy(sim)
        sim.pop("sessionPolicy", None)
        if not simulate(sim).errors:
            out.append(sim)
    return out


def ours_evaluate(sims: list[dict[str, Any]], rounds: int) -> list[float]:
    pairs = [(prepare(s), s["request"]) for s in sims]
    for prepared, request in pairs:  # warm-up: fills the per-action and per-resource caches
        prepared.evaluate(request)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for prepared, request in pairs:
            prepared.evaluate(request)
        samples.append((time.perf_counter() - start) * 1e6 / len(pairs))
    return samples


def ours_simulate(sims: list[dict[str, Any]], rounds: int) -> list[float]:
    for sim in sims:
        simulate(sim)
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        for sim in sims:
            simulate(sim)
        samples.append((time.perf_counter() - start) * 1e6 / len(sims))
    return samples


def ours_cold(sims: list[dict[str, Any]], rounds: int) -> list[float]:
    samples = []
    for _ in range(rounds):
        elapsed = 0.0
        for sim in sims:
            clear_compiled()
            start = time.perf_counter()
            simulate(sim)
            elapsed += time.perf_counter() - start
        samples.append(elapsed * 1e6 / len(sims))
    return samples


def theirs(sims: list[dict[str, Any]], rounds: int) -> list[float]:
    node = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
    proc = subprocess.run([node, str(DRIVER), "--bench", str(rounds)], input=json.dumps(sims), text=True,
                          capture_output=True, check=True, cwd=ROOT)
    result: list[float] = json.loads(proc.stdout)["perDecisionUs"]
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--cases", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sims = corpus(args.cases, args.seed)
    evaluate = statistics.median(ours_evaluate(sims, args.rounds))
    end_to_end = statistics.median(ours_simulate(sims, args.rounds))
    cold = statistics.median(ours_cold(sims, args.rounds))
    oracle = statistics.median(theirs(sims, args.rounds))
    print(f"corpus: {len(sims)} decisions (seed {args.seed}), {args.rounds} warmed rounds, median per decision")
    print(f"ours  prepared.evaluate : {evaluate:8.1f} us")
    print(f"ours  simulate warm     : {end_to_end:8.1f} us")
    print(f"ours  simulate cold     : {cold:8.1f} us")
    print(f"iam-simulate unsafe     : {oracle:8.1f} us")
    print(f"ratio iam-simulate / ours evaluate      : {oracle / evaluate:5.2f}x")
    print(f"ratio iam-simulate / ours simulate warm : {oracle / end_to_end:5.2f}x")
    print(f"ratio iam-simulate / ours simulate cold : {oracle / cold:5.2f}x")


if __name__ == "__main__":
    main()
