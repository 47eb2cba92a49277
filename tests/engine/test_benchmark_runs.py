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
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "engine.py"), "--cases", "40", "--rounds", "1"],
                          capture_output=True, text=True, check=True, cwd=ROOT, env=env, timeout=300)
    figures = dict(re.findall(r"^(ours  \S+(?: \w+)?|iam-simulate unsafe)\s*:\s*([\d.]+) us$", proc.stdout, re.M))
    assert set(figures) == {"ours  prepared.evaluate", "ours  simulate warm", "ours  simulate cold",
                            "iam-simulate unsafe"}, proc.stdout
    assert all(float(v) > 0 for v in figures.values())
    assert "ratio iam-simulate / ours evaluate" in proc.stdout
