"""Benchmark: our engine vs iam-simulate's runUnsafeSimulation on the same distinct requests, both warmed.

    .venv/bin/python benchmarks/engine.py [--sets 100] [--requests 20] [--rounds 7] [--seed 7]

`--sets` policy sets come from the seeded corpus (session policies dropped: runUnsafeSimulation ignores
them). Every round asks each set `--requests` requests that no earlier round or warm-up asked: each has
its own action/resource pair (serial numbers in the ARNs) and a freshly drawn context
(`corpus.distinct_requests`), so the per-(action, resource) caches cannot turn a round into lookups.
Both engines warm up on a separate batch of the same kind; then each round of ours is followed by
iam-simulate's round on the same requests (one long-lived node process), so both see the same load.

Prints the median over rounds of the mean microseconds per decision for
  (a) ours, evaluate:       prepare() once per set (what the lifecycle verifier does), then
                            prepared.evaluate(request) for each distinct request
  (b) ours, simulate warm:  simulate(sim) per request, end to end (request validation, policy lookup in the
                            content memo, decision); the memo holds each set's compiled policies
      ours, simulate cold:  simulate(sim) with the memo cleared before every call (validation and
                            compilation of every policy each time; 3 rounds)
      iam-simulate:         runUnsafeSimulation(sim) per request (no validation; loads policies each call)
and the ratios iam-simulate / ours (for (a) and (b) the median of the per-round ratios).
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
from modelgov.policies.engine.corpus import distinct_requests, generate
from modelgov.policies.engine.request import normalize_request
from modelgov.policies.engine.statement import clear_compiled

ROOT = Path(__file__).resolve().parents[1]
DRIVER = ROOT / "tests" / "engine" / "oracle.mjs"

Batch = list[tuple[int, dict[str, Any]]]  # (policy set index, request)


def policy_sets(count: int, seed: int) -> list[dict[str, Any]]:
    """Corpus simulations without session policies whose own request evaluates without errors."""
    out = []
    for sim in generate(count, seed):
        sim = copy.deepcopy(sim)
        sim.pop("sessionPolicy", None)
        if simulate(sim).ok:
            out.append(sim)
    return out


def batch(sets: list[dict[str, Any]], per_set: int, round_no: int, seed: int) -> Batch:
    """Distinct, valid requests for every set; serial numbers never repeat across rounds."""
    out: Batch = []
    for i, sim in enumerate(sets):
        first = (round_no * len(sets) + i) * per_set
        for request in distinct_requests(sim, per_set, seed * 1_000_003 + first, first):
            if not normalize_request(request)[1]:
                out.append((i, request))
    return out


def expand(sets: list[dict[str, Any]], requests: Batch) -> list[dict[str, Any]]:
    return [{**sets[i], "request": request} for i, request in requests]


class Oracle:
    """iam-simulate in one long-lived node process, so its rounds can alternate with ours under equal load."""

    def __init__(self, warmup: list[dict[str, Any]]) -> None:
        node = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
        self.proc = subprocess.Popen([node, str(DRIVER), "--bench-serve"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, cwd=ROOT)
        self._send(warmup)

    def _send(self, sims: list[dict[str, Any]]) -> dict[str, Any]:
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(sims) + "\n")
        self.proc.stdin.flush()
        answer: dict[str, Any] = json.loads(self.proc.stdout.readline())
        return answer

    def round(self, sims: list[dict[str, Any]]) -> float:
        return float(self._send(sims)["perDecisionUs"])

    def close(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        self.proc.wait(timeout=60)


def timed(calls: list[tuple[Any, Any]]) -> float:
    """Mean microseconds per call of fn(arg) over the batch."""
    start = time.perf_counter()
    for fn, arg in calls:
        fn(arg)
    return (time.perf_counter() - start) * 1e6 / len(calls)


def cold(sims: list[dict[str, Any]]) -> float:
    elapsed = 0.0
    for sim in sims:
        clear_compiled()
        start = time.perf_counter()
        simulate(sim)
        elapsed += time.perf_counter() - start
    return elapsed * 1e6 / len(sims)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else "")
    parser.add_argument("--sets", type=int, default=100, help="policy sets drawn from the corpus (before filtering)")
    parser.add_argument("--requests", type=int, default=20, help="distinct requests per set and round")
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    sets = policy_sets(args.sets, args.seed)
    # batch 0 warms up; (a) and (b) each get their own fresh rounds, so neither finds requests the other asked
    batches = [batch(sets, args.requests, r, args.seed) for r in range(2 * args.rounds + 1)]
    eval_rounds, sim_rounds = batches[1:args.rounds + 1], [expand(sets, b) for b in batches[args.rounds + 1:]]
    warm_sims = expand(sets, batches[0])
    oracle = Oracle(warm_sims)
    prepared = [prepare(s) for s in sets]
    timed([(prepared[i].evaluate, request) for i, request in batches[0]])
    timed([(simulate, sim) for sim in warm_sims])
    figures: dict[str, list[float]] = {"evaluate": [], "theirs a": [], "simulate": [], "theirs b": [], "cold": []}
    for requests, sims in zip(eval_rounds, sim_rounds, strict=True):
        figures["evaluate"].append(timed([(prepared[i].evaluate, request) for i, request in requests]))
        figures["theirs a"].append(oracle.round(expand(sets, requests)))
        figures["simulate"].append(timed([(simulate, sim) for sim in sims]))
        figures["theirs b"].append(oracle.round(sims))
    for sims in sim_rounds[:3]:
        figures["cold"].append(cold(sims))
    oracle.close()
    med = {name: statistics.median(values) for name, values in figures.items()}
    ratio_a = statistics.median(t / o for t, o in zip(figures["theirs a"], figures["evaluate"], strict=True))
    ratio_b = statistics.median(t / o for t, o in zip(figures["theirs b"], figures["simulate"], strict=True))
    theirs_all = statistics.median(figures["theirs a"] + figures["theirs b"])
    print(f"corpus: {len(sets)} policy sets (seed {args.seed}), {sum(len(b) for b in batches[1:])} distinct "
          f"requests, {args.rounds} rounds per path after a warm-up batch, each engine's rounds alternating; "
          "median of the rounds' mean per decision")
    print(f"ours  prepared.evaluate : {med['evaluate']:8.1f} us")
    print(f"ours  simulate warm     : {med['simulate']:8.1f} us")
    print(f"ours  simulate cold     : {med['cold']:8.1f} us")
    print(f"iam-simulate unsafe     : {theirs_all:8.1f} us")
    print(f"ratio iam-simulate / ours evaluate      : {ratio_a:5.2f}x  (median of per-round ratios)")
    print(f"ratio iam-simulate / ours simulate warm : {ratio_b:5.2f}x  (median of per-round ratios)")
    print(f"ratio iam-simulate / ours simulate cold : {theirs_all / med['cold']:5.2f}x")


if __name__ == "__main__":
    main()
