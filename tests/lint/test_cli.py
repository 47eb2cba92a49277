"""`modelgov lint`: exit codes, report formats, SARIF validated against the official 2.1.0 schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from modelgov.policies.cli import main
from modelgov.policies.lint import linter
from modelgov.policies.lint.rules import RULES

REPO = Path(__file__).resolve().parents[2]
BAD = REPO / "tests" / "fixtures" / "policies" / "bad"
GOOD = REPO / "tests" / "fixtures" / "policies" / "good"
SCHEMA = json.loads((REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


def test_clean_policy_exits_0(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, str(GOOD / "seed-000-L03948-collections.json"))
    assert code == 0 and out.endswith("1 file, 1 policy: 0 errors, 0 warnings, 0 info\n")


def test_errors_exit_1_with_file_line_column(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = BAD / "seed-000-L02293-data-scientist.json"
    code, out = _run(capsys, str(fixture), "--spec", str(REPO / "governance.yaml"))
    assert code == 1
    assert f"{fixture}:25:36: L301 error: stage 'Staging' is not in the catalog" in out


def test_warnings_only_exit_0_unless_fail_on_warning(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(BAD / "seed-000-L47948.json")
    assert _run(capsys, fixture)[0] == 0
    assert _run(capsys, fixture, "--fail-on", "warning")[0] == 1
    assert _run(capsys, str(BAD / "seed-000-L45556.json"), "--fail-on", "warning")[0] == 0  # info only


def test_unreadable_input_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    binary = tmp_path / "policy.json"
    binary.write_bytes(b"\xff\xfe\x00bad")
    assert _run(capsys, str(tmp_path / "missing.json"))[0] == 2
    code, out = _run(capsys, str(binary))
    assert code == 2 and "L000" in out


def test_invalid_spec_exits_2(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "governance.yaml"
    spec.write_text("version: 2\n")
    assert main(["lint", str(GOOD / "seed-000-L03948-collections.json"), "--spec", str(spec)]) == 2


def test_json_format(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _run(capsys, str(BAD / "seed-000-L10363-monitoring-scp.json"), "--format", "json")
    report = json.loads(out)
    assert code == 1
    first: dict[str, Any] = report["findings"][0]
    assert set(first) >= {"code", "severity", "file", "line", "column", "path", "message", "fix"}
    assert {(f["code"], f["line"], f["path"]) for f in report["findings"]} >= {
        ("L212", 15, "Statement[0].Condition.Null"),
        ("L210", 55, "Statement[2].Condition.Null.sagemaker:ModelMonitorJobDefinitionName")}


def test_sarif_validates_against_the_official_schema(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    out = tmp_path / "lint.sarif"
    code, stdout = _run(capsys, str(BAD), "--spec", str(REPO / "governance.yaml"), "--format", "sarif",
                        "--out", str(out))
    assert code == 1 and stdout == ""
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    run = log["runs"][0]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    assert "L301" in rules and "L001" in rules
    located = [r for r in run["results"] if r["ruleId"] == "L301"][0]["locations"][0]["physicalLocation"]
    assert located["region"]["startLine"] >= 1


def test_sarif_schema_rejects_a_broken_log() -> None:
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft4Validator(SCHEMA).validate({"version": "2.0.0", "runs": []})


def test_crashing_rule_is_reported_not_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    def explode(doc: object, ctx: object) -> list[object]:
        raise RuntimeError("boom")

    monkeypatch.setitem(RULES, "test.explode", explode)
    result = linter.lint_paths([str(GOOD / "seed-000-L03948-collections.json")])
    crashed = [f for f in result.findings if f.code == "L099"]
    assert crashed and "test.explode" in crashed[0].message and result.count("error") == 1


def test_policy_type_flag_changes_principal_rules(capsys: pytest.CaptureFixture[str]) -> None:
    fixture = str(BAD / "seed-000-L45788.json")
    assert "L120" not in _run(capsys, fixture)[1]
    assert "L120" in _run(capsys, fixture, "--policy-type", "identity")[1]


def test_docs_code_table_matches_the_catalogue() -> None:
    from modelgov.policies.findings import catalogue

    docs = (REPO / "docs" / "lint.md").read_text(encoding="utf-8")
    for code in (c for c in catalogue().codes() if c.startswith("L")):
        entry = catalogue()[code]
        assert f"| {code} | {entry.severity} | {entry.title} |" in docs, code



def test_summary_counts_read_in_the_singular_for_one(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    mismatch = {"Action": "s3:GetObject", "Resource": "arn:aws:sqs:us-east-1:111122223333:q"}
    path = tmp_path / "one.json"  # one Allow that grants nothing (L113), one Deny that denies nothing (L114)
    path.write_text(json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", **mismatch}, {"Effect": "Deny", **mismatch}]}))
    code, out = _run(capsys, str(path))
    assert code == 1 and out.endswith("1 file, 1 policy: 1 error, 1 warning, 0 info\n")
