"""Seed fixtures: every fixture yields exactly its listed findings, and every seed defect is accounted for."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelgov.policies.findings import catalogue
from modelgov.policies.lint.linter import LintResult, lint_paths
from modelgov.policies.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "policies"
CASES: dict[str, Any] = yaml.safe_load((FIXTURES / "cases.yaml").read_text(encoding="utf-8"))


@cache
def _lint(name: str) -> LintResult:
    case = CASES["fixtures"][name]
    return lint_paths([str(FIXTURES / name)], spec=load_spec(REPO / "governance.yaml"),
                      kind=case.get("policy_type"))


def _found(name: str) -> set[str]:
    return {f"{f.code}:{f.location.line}" for f in _lint(name).findings}


@pytest.mark.parametrize("name", sorted(CASES["fixtures"]))
def test_fixture_yields_exactly_its_listed_findings(name: str) -> None:
    expected = set(CASES["fixtures"][name]["expect"])
    assert _found(name) == expected


@pytest.mark.parametrize("name", sorted(n for n in CASES["fixtures"] if n.startswith("good/")))
def test_good_fixture_yields_nothing(name: str) -> None:
    assert CASES["fixtures"][name]["expect"] == []
    assert _lint(name).policies == 1


@pytest.mark.parametrize("name", sorted(n for n in CASES["fixtures"] if n.startswith("bad/")))
def test_bad_fixture_has_an_error_or_warning(name: str) -> None:
    severities = {catalogue()[f.code].severity for f in _lint(name).findings}
    assert severities & {"error", "warning"} or name.endswith(("L45556.json", "L46946.json", "L43735.json"))


def test_every_fixture_file_is_in_the_table() -> None:
    files = {str(p.relative_to(FIXTURES)) for folder in ("good", "bad") for p in (FIXTURES / folder).iterdir()}
    assert files == set(CASES["fixtures"])


@pytest.mark.parametrize("defect", sorted(CASES["defects"]))
def test_defect_is_caught_or_out_of_scope(defect: str) -> None:
    entry = CASES["defects"][defect]
    if "out_of_scope" in entry:
        assert len(entry["out_of_scope"]) >= 10 and "fixture" not in entry
        return
    found = _found(entry["fixture"])
    assert set(entry["expect"]) <= found
    assert not set(entry.get("absent", [])) & found
    assert entry["expect"] or entry.get("absent")


def test_every_numbered_registry_defect_is_listed() -> None:
    listed = set(CASES["defects"])
    assert {f"D-{n:02d}" for n in range(1, 62)} <= listed
    assert {f"S-{n:02d}" for n in range(1, 10)} <= listed
    assert {f"MON-D{n}" for n in range(1, 7)} <= listed


def test_seed_fixture_lines_match_the_seed_document() -> None:
    """Fixture line N of seed-000-L<start> is seed line start+N-1: check a line that carries a defect."""
    seed = REPO.parent / "shared" / "seeds" / "000_e90d49b69fb2e9fd.txt"
    source = seed.read_text(encoding="utf-8").splitlines()
    fixture = (FIXTURES / "bad" / "seed-000-L02407-lead-engineer.json").read_text(encoding="utf-8").splitlines()
    assert fixture[9 - 1] == source[2415 - 1] == '"ForAnyvalue:StringEquals" : {'
    assert fixture[32 - 1] == source[2438 - 1]
