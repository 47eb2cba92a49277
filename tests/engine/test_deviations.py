"""Documented divergences from iam-simulate (docs/engine.md#divergences) and the research probe's cases.

Fixture: tests/fixtures/engine/probe_cases.json, the built-in and --deviations cases of
/work/shared/research/iamsim-probe.mjs plus D12-D14, each with the decision our engine must give.
For every deviation the oracle must still show its known behaviour (so the whitelist stays honest) while
we give the behaviour the cited AWS page documents.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from modelgov.policies.engine import simulate

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = json.loads((ROOT / "tests/fixtures/engine/probe_cases.json").read_text(encoding="utf-8"))


def outcome(sim: dict[str, Any]) -> str:
    result = simulate(sim)
    if result.errors:
        assert result.decision != "Allowed"
        return "error:" + ",".join(e.code for e in result.errors)
    return result.decision


@pytest.mark.parametrize("item", FIXTURE["builtIn"], ids=lambda c: c["id"].split(" ")[0])
def test_probe_builtin_cases(item: dict[str, Any]) -> None:
    assert outcome(item["simulation"]) == item["expect"]


@pytest.mark.parametrize("item", FIXTURE["deviations"], ids=lambda c: c["id"].split(" ")[0])
def test_deviation_follows_the_aws_docs(item: dict[str, Any]) -> None:
    assert item["source"].startswith("https://docs.aws.amazon.com/")
    assert outcome(item["simulation"]) == item["awsExpect"]


def oracle(sims: list[dict[str, Any]]) -> list[str]:
    node = shutil.which("node") or str(ROOT / ".venv/bin/node")
    proc = subprocess.run([node, str(ROOT / "tests/engine/oracle.mjs")], input=json.dumps(sims),
                          capture_output=True, text=True, cwd=ROOT, check=True, timeout=300)
    return [json.loads(line)["decision"] for line in proc.stdout.splitlines() if line.strip()]


@pytest.mark.oracle
def test_oracle_still_shows_every_documented_divergence() -> None:
    theirs = oracle([c["simulation"] for c in FIXTURE["deviations"]])
    assert theirs == [c["iamsimKnown"] for c in FIXTURE["deviations"]]


@pytest.mark.oracle
def test_oracle_agrees_on_every_named_case_we_do_not_diverge_on() -> None:
    shared = [c for c in FIXTURE["builtIn"] if c["expect"] == c["iamsimExpect"]]
    assert len(shared) >= 15
    assert oracle([c["simulation"] for c in shared]) == [c["expect"] for c in shared]
