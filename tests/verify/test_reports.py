"""Reports and the command line: json keys, junit per persona x transition, SARIF against its schema, exit codes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from modelgov.policies.cli import main
from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.render import render_json, render_junit, render_sarif, render_text

REPO = Path(__file__).resolve().parents[2]
SARIF_SCHEMA = REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json"


@pytest.fixture
def failing(composition):
    """The data scientist also holds AmazonSageMakerFullAccess."""
    composition.resource("DataScientistRole")["Properties"]["ManagedPolicyArns"].append(
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    return verify_stacks(composition.stacks(), composition.spec)


def test_json_has_the_three_sections_and_a_counterexample(failing):
    data = json.loads(render_json(failing))
    assert {"violations", "matrices", "unknowns"} <= set(data)
    first = data["violations"][0]
    assert set(first["counterexample"]) == {"principal", "action", "resource", "contextVariables"}
    assert first["expected"] in ("allowed", "denied")
    assert data["matrices"]["role modelgov-data-scientist in 222222222222"]


def test_junit_has_a_testcase_per_persona_transition_and_fails_the_violations(failing):
    root = ET.fromstring(render_junit(failing))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    scientist = suites["data-scientist"]
    names = {case.get("name") for case in scientist.iter("testcase")}
    assert "Development->QA:PendingApproval" in names
    failed = [case for case in scientist.iter("testcase") if case.find("failure") is not None]
    assert failed and all("counterexample" in (case.find("failure").text or "") for case in failed)
    assert int(root.get("failures")) >= len(failed)
    qa_failures = [c for c in suites["qa"].iter("testcase") if c.find("failure") is not None]
    assert qa_failures == []


def test_sarif_is_valid_and_points_at_the_role(failing):
    log = json.loads(render_sarif(failing))
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    results = log["runs"][0]["results"]
    scientist = [r for r in results if "modelgov-data-scientist" in r["message"]["text"]]
    location = scientist[0]["locations"][0]
    assert location["physicalLocation"]["artifactLocation"]["uri"] == "registry.template.json"
    assert location["physicalLocation"]["region"]["startLine"] > 1
    assert location["logicalLocations"][0]["name"] == "DataScientistRole"
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} >= {"V101"}


def test_text_names_location_counterexample_and_decisive_statement(failing):
    text = render_text(failing)
    assert text.startswith("modelgov verify: FAIL")
    assert "registry.template.json:" in text and "V101" in text
    assert "counterexample: principal=arn:aws:iam::222222222222:role/modelgov-data-scientist" in text
    assert "AllowAllNonAdminSageMakerActions" in text


def test_cli_exit_codes(composition, tmp_path, capsys):
    """Loose templates carry no environment, so the good composition is checked through a cdk.out folder."""
    assembly = composition.write_assembly(tmp_path / "cdk.out")
    spec = str(REPO / "governance.yaml")
    assert main(["verify", str(assembly), "--spec", spec]) == 0
    out = tmp_path / "report.json"
    assert main(["verify", str(assembly), "--spec", spec, "--format", "json", "--out", str(out)]) == 0
    assert json.loads(out.read_text())["ok"] is True

    composition.management["Resources"].clear()
    (assembly / "modelgov-guardrails.template.json").write_text(json.dumps(composition.management))
    assert main(["verify", str(assembly), "--spec", spec, "--format", "junit"]) == 1

    (assembly / "modelgov-registry.template.json").write_text("{ not json")
    capsys.readouterr()
    assert main(["verify", str(assembly), "--spec", spec]) == 2
    err = capsys.readouterr().err
    assert "V001" in err and "modelgov-registry.template.json" in err
    assert main(["verify", str(tmp_path / "missing"), "--spec", spec]) == 2


def test_non_utf8_input_is_unreadable_input_naming_the_file(tmp_path, capsys):
    binary = tmp_path / "bin.json"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    assert main(["verify", str(binary), "--spec", str(REPO / "governance.yaml")]) == 2
    err = capsys.readouterr().err
    assert "V001" in err and "bin.json: byte 0 is not UTF-8" in err
    (tmp_path / "manifest.json").write_bytes(b"\xff")
    assert main(["verify", str(tmp_path), "--spec", str(REPO / "governance.yaml")]) == 2
    assert "manifest.json: byte 0 is not UTF-8" in capsys.readouterr().err


@pytest.fixture
def untrusted(composition):
    """Only who may assume the QA role is wrong: a partner account's roles may."""
    composition.resource("QaRole")["Properties"]["AssumeRolePolicyDocument"]["Statement"].append(
        {"Sid": "Partner", "Effect": "Allow", "Action": "sts:AssumeRole",
         "Principal": {"AWS": "arn:aws:iam::444444444444:root"}})
    return verify_stacks(composition.stacks(), composition.spec)


PARTNER = "any role in 444444444444 (test)"
QA = "role modelgov-qa in 222222222222"


def test_json_has_a_trust_section_per_persona_role(untrusted):
    data = json.loads(render_json(untrusted))
    assert data["ok"] is False
    assert set(data["trust"]) == {p for p in data["personas"] if p.startswith("role modelgov-")}
    partner = data["trust"][QA][PARTNER]
    assert (partner["expected"], partner["actual"], partner["violation"]) == ("denied", "allowed", True)
    assert "arn:aws:iam::444444444444:role/modelgov-any-principal" in partner["callers"] and partner["why"]
    violation = next(v for v in data["violations"] if v["kind"] == "trust")
    assert (violation["code"], violation["caller"], violation["transition"]) == ("V201", PARTNER, None)
    assert violation["counterexample"]["action"] == "sts:AssumeRole"
    assert {v["kind"] for v in data["violations"]} == {"trust"}


def test_junit_has_a_testcase_per_persona_role_and_caller_class(untrusted):
    root = ET.fromstring(render_junit(untrusted))
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    qa = suites["qa trust"]
    names = [case.get("name") for case in qa.iter("testcase")]
    assert names == list(untrusted.trust[QA]) and PARTNER in names
    failed = [case for case in qa.iter("testcase") if case.find("failure") is not None]
    assert [case.get("name") for case in failed] == [PARTNER]
    failure = failed[0].find("failure")
    assert failure.get("type") == "V201"
    assert "counterexample: principal=arn:aws:iam::444444444444:role/modelgov-any-principal action=sts:AssumeRole" \
        in failure.text and "Sid Partner" in failure.text
    assert not [c for c in suites["lead-engineer trust"].iter("testcase") if c.find("failure") is not None]
    assert int(root.get("failures")) == 1


def test_sarif_locates_a_trust_violation_at_the_role(untrusted):
    log = json.loads(render_sarif(untrusted))
    jsonschema.validate(log, json.loads(SARIF_SCHEMA.read_text()))
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "V201")
    assert result["properties"]["kind"] == "trust"
    assert result["locations"][0]["logicalLocations"][0]["name"] == "QaRole"
    assert "V201" in {rule["id"] for rule in log["runs"][0]["tool"]["driver"]["rules"]}


def test_text_lists_who_may_assume_each_role(untrusted):
    text = render_text(untrusted)
    assert text.startswith("modelgov verify: FAIL: 1 violation(s)")
    lines = text.splitlines()
    start = lines.index(f"trust {QA} (persona qa): who may assume it")
    line = next(line for line in lines[start:] if line.strip().startswith(PARTNER))
    assert line.split()[-5:] == [
        "expected", "denied", "actual", "allowed", "VIOLATION"]
    assert "counterexample: principal=arn:aws:iam::444444444444:role/modelgov-any-principal action=sts:AssumeRole" \
        in text


def test_cli_exits_1_on_a_trust_violation_alone(composition, tmp_path):
    composition.resource("PipelineRole")["Properties"]["AssumeRolePolicyDocument"]["Statement"][0].pop("Condition")
    assembly = composition.write_assembly(tmp_path / "cdk.out")
    out = tmp_path / "report.json"
    assert main(["verify", str(assembly), "--spec", str(REPO / "governance.yaml"), "--format", "json",
                 "--out", str(out)]) == 1
    report = json.loads(out.read_text())
    assert {v["kind"] for v in report["violations"]} == {"trust"}
