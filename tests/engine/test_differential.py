"""Differential test: our engine vs @cloud-copilot/iam-simulate on a seeded corpus (marker `oracle`).

iam-simulate runs once, in one node process, over the whole batch (tests/engine/oracle.mjs). Decisions
must be identical except on cases that touch a documented divergence (docs/engine.md#divergences; the
D1-D9 ids of /work/shared/research/iamsim-probe.mjs --deviations plus D12-D15; D10 and D11 were retracted), where
test_deviations.py asserts the AWS-documented behaviour instead.
iam-simulate does not derive global keys (aws:PrincipalArn ...), so the oracle receives the derived
values we compute; that divergence is tested in test_checklist.py (rule 37).
"""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from modelgov.policies.engine import simulate
from modelgov.policies.engine.corpus import deviations, generate
from modelgov.policies.engine.request import derived_keys, parse_principal

ROOT = Path(__file__).resolve().parents[2]
DRIVER = Path(__file__).with_name("oracle.mjs")
CASES = 3000
SEED = 20261121


def node() -> str:
    found = shutil.which("node") or str(ROOT / ".venv" / "bin" / "node")
    assert Path(found).exists(), "node is required for the oracle test; run make setup"
    return found


def run_oracle(simulations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    proc = subprocess.run([node(), str(DRIVER)], input=json.dumps(simulations), capture_output=True, text=True,
                          cwd=ROOT, check=True, timeout=600)
    return [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]


def for_oracle(sim: dict[str, Any]) -> dict[str, Any]:
    """The same case with the global keys we derive passed explicitly (iam-simulate derives none)."""
    out = copy.deepcopy(sim)
    request = out["request"]
    principal = parse_principal(request["principal"])
    ctx = request.setdefault("contextVariables", {})
    present = {k.lower() for k in ctx}
    if principal is not None:
        for key, value in derived_keys(principal, request["resource"]["accountId"]).items():
            if key.lower() not in present:
                ctx[key] = value
    return out


@pytest.mark.oracle
def test_decisions_match_iam_simulate_outside_documented_divergences() -> None:
    simulations = generate(CASES, SEED)
    ours = [simulate(s) for s in simulations]
    assert all(not r.errors for r in ours), [r.errors for r in ours if r.errors][:3]
    theirs = run_oracle([for_oracle(s) for s in simulations])
    assert len(theirs) == len(simulations)
    compared, skipped, features = 0, Counter[str](), Counter[str]()
    mismatches: list[str] = []
    for index, (sim, mine, other) in enumerate(zip(simulations, ours, theirs, strict=True)):
        tags = deviations(sim)
        if tags:
            skipped.update(tags)
            continue
        compared += 1
        features.update(f for f in ("BinaryEquals", "managementAccountId") if f in json.dumps(sim))
        assert other.get("ignored", []) == [], (index, other)
        if mine.decision != other["decision"]:
            mismatches.append(f"case {index}: ours {mine.decision}, iam-simulate {other['decision']}\n"
                              f"{json.dumps(sim)}")
    print(f"\ncompared {compared} cases with iam-simulate; divergence-tagged cases skipped: {dict(skipped)}")
    assert not mismatches, f"{len(mismatches)} mismatches; first:\n" + "\n".join(mismatches[:3])
    assert compared >= 2000
    # both reach the oracle: BinaryEquals conditions, and an organization whose management account is a
    # third one (the exemption itself is divergence D15, asserted in test_deviations.py)
    assert min(features["BinaryEquals"], features["managementAccountId"]) >= 100, features
    assert skipped["D15"] >= 20, skipped
    decisions = Counter(r.decision for r in ours)
    assert min(decisions[d] for d in ("Allowed", "ImplicitlyDenied", "ExplicitlyDenied")) >= 200, decisions
