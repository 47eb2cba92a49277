"""benchmarks/verify.py's generated organizations verify (a smoke run; figures are read, never judged)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_one_fresh_run_reports_a_passing_scaled_organization() -> None:
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "verify.py"), "--one", "2"],
                          capture_output=True, text=True, check=True, cwd=ROOT, timeout=300)
    row = json.loads(proc.stdout.strip().splitlines()[-1])
    assert row["ok"] is True, row  # the scaled organization matches its scaled spec
    assert (row["personas"], row["groups"]) == (12, 4)
    assert row["entries"] > row["statements"] > 0 and row["evaluations"] > 0 and row["seconds"] > 0
