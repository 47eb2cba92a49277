"""benchmarks/engine.py runs end to end on a tiny corpus (a smoke run; figures are read, never judged)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.oracle
def test_benchmark_prints_both_engines_and_ratios() -> None:
    env = {**os.environ, "PATH": f"{ROOT / '.venv' / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--sets", "8", "--requests", "3",
                           "--rounds", "1"],
                          capture_output=True, text=True, check=True, cwd=ROOT, env=env, timeout=300)
    figures = dict(re.findall(r"^(ours  \S+(?: \w+)?|iam-simulate unsafe)\s*:\s*([\d.]+) us$", proc.stdout, re.M))
    assert set(figures) == {"ours  prepared.evaluate", "ours  simulate warm", "ours  simulate cold",
                            "iam-simulate unsafe"}, proc.stdout
    assert all(float(v) > 0 for v in figures.values())
    assert "ratio iam-simulate / ours evaluate" in proc.stdout


def test_benchmark_requests_are_distinct_across_sets_and_rounds_and_valid() -> None:
    """Every timed request is a new (action, resource) pair, so per-pair caches cannot serve a round."""
    from modelgov.policies.engine.corpus import distinct_requests, generate
    from modelgov.policies.engine.request import normalize_request

    sims = generate(12, 3)
    seen: set[tuple[str, str]] = set()
    total = 0
    for round_no in range(3):
        for i, sim in enumerate(sims):
            first = (round_no * len(sims) + i) * 10
            for request in distinct_requests(sim, 10, first, first):
                seen.add((request["action"], request["resource"]["resource"]))
                total += 1
                assert request["principal"] == sim["request"]["principal"]
                assert normalize_request(request)[1] == [], request
    assert len(seen) == total == 360
