"""lint.suppressions: scope by code, path, resource and Sid; expiry; stale reports; every report format."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from datetime import date
from pathlib import Path

import jsonschema
import pytest

from modelgov.policies.cli import main
from modelgov.policies.findings import Finding, catalogue
from modelgov.policies.lint.linter import LintResult, lint_paths
from modelgov.policies.lint.report import render_text
from modelgov.policies.lint.suppress import Suppressed, apply_suppressions
from modelgov.policies.spec import load_spec
from modelgov.policies.spec.lint import Suppression, suppressible

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "governance.yaml").read_text(encoding="utf-8")
SCHEMA = json.loads((REPO / "tests" / "fixtures" / "sarif" / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
# A version action on the group ARN: a Deny of it never applies (L114 error), an Allow grants nothing (L113).
GROUP = "arn:aws:sagemaker:us-east-1:111122223333:model-package-group/churn"
REASON = "version reads are granted on the group on purpose; the group policy is checked by verify"


def _statement(sid: str, effect: str) -> dict[str, str]:
    return {"Sid": sid, "Effect": effect, "Action": "sagemaker:DescribeModelPackage", "Resource": GROUP}


def _policy(*statements: dict[str, str]) -> dict[str, object]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _managed(*statements: dict[str, str]) -> dict[str, object]:
    return {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": _policy(*statements)}}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A spec's folder with one policy file (one L114 error) and one template (L113 in three resources)."""
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "deny.json").write_text(json.dumps(_policy(_statement("DenyDescribe", "Deny")),
                                                                indent=2))
    (tmp_path / "cdk.out").mkdir()
    template = {"Resources": {
        "MonitorRoleA": _managed(_statement("ReadCapture", "Allow"), _statement("ReadBaseline", "Allow")),
        "MonitorRoleB": _managed(_statement("ReadCapture", "Allow")),
        "Registrar": _managed(_statement("ReadCapture", "Allow"))}}
    (tmp_path / "cdk.out" / "app.template.json").write_text(json.dumps(template, indent=2))
    return tmp_path


def _spec(folder: Path, entries: str) -> Path:
    path = folder / "governance.yaml"
    path.write_text(EXAMPLE + "\nlint:\n  suppressions:\n" + entries, encoding="utf-8")
    return path


def _lint(folder: Path, entries: str, today: date | None = None, *paths: str) -> LintResult:
    spec_file = _spec(folder, entries)
    targets = list(paths) or [str(folder / "policies"), str(folder / "cdk.out")]
    return apply_suppressions(lint_paths(targets), load_spec(spec_file), spec_file, today=today)


def _keys(items: Iterable[Finding | Suppressed]) -> set[tuple[str, str, str]]:
    """(code, logical id, Sid) of findings, or of the findings suppressions took."""
    findings = [item.finding if isinstance(item, Suppressed) else item for item in items]
    return {(f.code, f.location.logical_id, f.location.sid) for f in findings}


def test_unsuppressed_project_has_the_expected_findings(project: Path) -> None:
    result = lint_paths([str(project / "policies"), str(project / "cdk.out")])
    assert _keys(result.findings) == {("L114", "", "DenyDescribe"), ("L113", "MonitorRoleA", "ReadCapture"),
                                      ("L113", "MonitorRoleA", "ReadBaseline"), ("L113", "MonitorRoleB", "ReadCapture"),
                                      ("L113", "Registrar", "ReadCapture")}


def test_suppression_by_code_and_path_glob(project: Path) -> None:
    result = _lint(project, f'    - code: L113\n      path: "cdk.out/*.template.json"\n      reason: "{REASON}"\n')
    assert _keys(result.findings) == {("L114", "", "DenyDescribe")}
    assert len(result.suppressed) == 4 and {s.reason for s in result.suppressed} == {REASON}
    assert result.count("warning") == 0 and result.count("error") == 1


def test_path_is_a_glob_relative_to_the_spec_folder(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")  # the working folder does not matter, the spec's folder does
    one_level = f'    - code: L113\n      path: "*.template.json"\n      reason: "{REASON}"\n'
    assert not _lint(project, one_level, None, "../cdk.out").suppressed  # `*` never spans a folder
    any_level = f'    - code: L113\n      path: "**/app.template.json"\n      reason: "{REASON}"\n'
    assert len(_lint(project, any_level, None, "../cdk.out").suppressed) == 4
    code_only = f'    - code: L114\n      path: "cdk.out/**"\n      reason: "{REASON}"\n'
    assert _keys(_lint(project, code_only).findings) >= {("L114", "", "DenyDescribe")}  # other file, other code


def test_a_symlinked_folder_matches_the_path_the_spec_names(
        project: Path, tmp_path_factory: pytest.TempPathFactory) -> None:
    real = tmp_path_factory.mktemp("real") / "out"
    (project / "cdk.out").rename(real)
    (project / "cdk.out").symlink_to(real, target_is_directory=True)
    result = _lint(project, f'    - code: L113\n      path: "cdk.out/*.template.json"\n      reason: "{REASON}"\n')
    assert len(result.suppressed) == 4 and not [f for f in result.findings if f.code == "L113"]


def test_suppression_by_resource_glob_and_sid(project: Path) -> None:
    by_resource = (f'    - code: L113\n      path: "cdk.out/app.template.json"\n      resource: "MonitorRole*"\n'
                   f'      reason: "{REASON}"\n')
    result = _lint(project, by_resource)
    assert _keys(result.suppressed) == {("L113", "MonitorRoleA", "ReadCapture"),
                                        ("L113", "MonitorRoleA", "ReadBaseline"),
                                        ("L113", "MonitorRoleB", "ReadCapture")}
    assert ("L113", "Registrar", "ReadCapture") in _keys(result.findings)

    by_both = by_resource.replace('      reason:', '      sid: ReadCapture\n      reason:')
    result = _lint(project, by_both)
    assert _keys(result.suppressed) == {("L113", "MonitorRoleA", "ReadCapture"),
                                        ("L113", "MonitorRoleB", "ReadCapture")}
    assert {("L113", "MonitorRoleA", "ReadBaseline"), ("L113", "Registrar", "ReadCapture")} <= _keys(result.findings)


def test_a_resource_scope_never_matches_a_standalone_policy(project: Path) -> None:
    entry = f'    - code: L114\n      path: "policies/*.json"\n      resource: "*"\n      reason: "{REASON}"\n'
    result = _lint(project, entry)
    assert not result.suppressed and ("L114", "", "DenyDescribe") in _keys(result.findings)


def test_expired_suppression_stops_applying_and_is_reported(project: Path) -> None:
    entry = (f'    - code: L114\n      path: policies/deny.json\n      reason: "{REASON}"\n'
             "      expires: 2027-06-30\n")
    last_day = _lint(project, entry, date(2027, 6, 30))
    assert _keys(last_day.suppressed) == {("L114", "", "DenyDescribe")} and last_day.count("error") == 0
    assert "L090" not in {f.code for f in last_day.findings}

    after = _lint(project, entry, date(2027, 7, 1))
    assert not after.suppressed and after.count("error") == 1
    [expired] = [f for f in after.findings if f.code == "L090"]
    spec_lines = (project / "governance.yaml").read_text().splitlines()
    assert spec_lines[expired.location.line - 1].strip() == "expires: 2027-06-30"
    assert expired.location.path == "lint.suppressions[0].expires"
    assert "expired on 2027-06-30" in expired.message and "reported again" in expired.message


def test_stale_suppression_is_reported_where_it_is_written(project: Path) -> None:
    entries = (f'    - code: L113\n      path: "policies/deny.json"\n      reason: "{REASON}"\n'
               f'    - code: L113\n      path: "elsewhere/**"\n      reason: "{REASON}"\n')
    result = _lint(project, entries)
    stale = {f.code: f for f in result.findings if f.code in ("L091", "L092")}
    assert set(stale) == {"L091", "L092"}  # linted file without the finding; no linted file at all
    assert stale["L091"].location.file == str(project / "governance.yaml")
    assert stale["L091"].location.path == "lint.suppressions[0]"
    assert stale["L092"].location.path == "lint.suppressions[1]"
    lines = (project / "governance.yaml").read_text().splitlines()
    assert lines[stale["L091"].location.line - 1].strip() == "- code: L113"
    assert catalogue()["L091"].severity == "warning" and catalogue()["L092"].severity == "info"


def test_the_first_matching_suppression_takes_the_finding_and_the_second_is_stale(project: Path) -> None:
    entries = (f'    - code: L114\n      path: "policies/*"\n      reason: "{REASON}"\n'
               f'    - code: L114\n      path: "policies/deny.json"\n      reason: "{REASON} (narrower)"\n')
    result = _lint(project, entries)
    assert [s.source.path for s in result.suppressed] == ["lint.suppressions[0]"]
    assert [f.location.path for f in result.findings if f.code == "L091"] == ["lint.suppressions[1]"]


def test_unsuppressible_codes_stay_even_from_a_spec_built_in_code(project: Path) -> None:
    (project / "policies" / "broken.json").write_text('{"Version": "2012-10-17" "Statement": []}')
    spec_file = _spec(project, f'    - code: L113\n      path: "**"\n      reason: "{REASON}"\n')
    spec = load_spec(spec_file)
    forged = Suppression.model_construct(code="L001", path="**", resource=None, sid=None, reason=REASON,
                                         expires=None)
    spec.lint.suppressions.append(forged)  # skips the validators, as a spec built in Python could
    result = apply_suppressions(lint_paths([str(project / "policies")]), spec, spec_file)
    assert "L001" in {f.code for f in result.findings} and "L001" not in {s.finding.code for s in result.suppressed}


def test_the_spec_and_the_linter_agree_on_what_cannot_be_suppressed() -> None:
    refused = {code for code in catalogue().codes() if code.startswith("L") and not suppressible(code)}
    assert refused == {"L000", "L001", "L002", "L003", "L008", "L090", "L091", "L092", "L099"}
    assert not suppressible("S001") and not suppressible("L999")


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


def test_exit_code_goes_from_1_to_0_when_the_only_error_is_suppressed(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    policy = str(project / "policies" / "deny.json")
    spec = str(_spec(project, f'    - code: L114\n      path: policies/deny.json\n      reason: "{REASON}"\n'))
    assert _cli(capsys, policy)[0] == 1  # without --spec nothing is suppressed
    code, out = _cli(capsys, policy, "--spec", spec)
    assert code == 0
    assert "L114" not in out and "1 finding suppressed by lint.suppressions, not counted (--verbose lists" in out
    assert out.endswith("1 file, 1 policy: 0 errors, 0 warnings, 0 info\n")
    code, out = _cli(capsys, policy, "--spec", spec, "--verbose")
    assert code == 0 and "L114 error: " in out and f"suppressed by {spec}:" in out and REASON in out


def test_expired_suppression_fails_the_run_again(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(_spec(project, f'    - code: L114\n      path: policies/deny.json\n      reason: "{REASON}"\n'
                              "      expires: 2000-01-01\n"))
    code, out = _cli(capsys, str(project / "policies" / "deny.json"), "--spec", spec)
    assert code == 1 and "L114 error" in out and "L090 warning" in out


def test_json_lists_suppressed_findings_with_reasons(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(_spec(project, f'    - code: L113\n      path: cdk.out/*.json\n      resource: MonitorRole*\n'
                              f'      sid: ReadCapture\n      reason: "{REASON}"\n      expires: 2999-12-31\n'))
    code, out = _cli(capsys, str(project / "cdk.out"), "--spec", spec, "--format", "json")
    report = json.loads(out)
    assert code == 0  # L113 is a warning
    assert report["summary"]["suppressed"] == 2 and report["summary"]["warnings"] == 2
    assert {(s["logical_id"], s["sid"], s["reason"], s["expires"]) for s in report["suppressed"]} == {
        ("MonitorRoleA", "ReadCapture", REASON, "2999-12-31"), ("MonitorRoleB", "ReadCapture", REASON, "2999-12-31")}
    assert report["suppressed"][0]["suppression"]["path"] == "lint.suppressions[0]"
    assert {f["sid"] for f in report["findings"]} == {"ReadBaseline", "ReadCapture"}


def test_json_has_an_empty_suppressed_list_without_a_spec(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(_cli(capsys, str(project / "policies"), "--format", "json")[1])
    assert report["suppressed"] == [] and report["summary"]["suppressed"] == 0


def test_sarif_with_suppressions_validates_against_the_official_schema(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    spec = str(_spec(project, f'    - code: L114\n      path: policies/deny.json\n      reason: "{REASON}"\n'
                              f'    - code: L113\n      path: "elsewhere/*"\n      reason: "{REASON}"\n'
                              "      expires: 2999-01-01\n"))
    out = project / "lint.sarif"
    code, _ = _cli(capsys, str(project / "policies"), str(project / "cdk.out"), "--spec", spec,
                   "--format", "sarif", "--out", str(out))
    log = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(SCHEMA).validate(log)
    assert code == 0
    run = log["runs"][0]
    [kept] = [r for r in run["results"] if r["ruleId"] == "L114"]
    [suppression] = kept["suppressions"]
    assert suppression["kind"] == "external" and suppression["justification"] == REASON
    assert suppression["status"] == "accepted"
    assert suppression["location"]["logicalLocations"][0]["fullyQualifiedName"] == "lint.suppressions[0]"
    others = [r for r in run["results"] if r["ruleId"] != "L114"]
    assert others and all(r["suppressions"] == [] for r in others)  # checked against the spec, not suppressed
    assert {"L114", "L113", "L092"} <= {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert all(run["tool"]["driver"]["rules"][r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])


def test_sarif_without_a_spec_claims_nothing_about_suppression(
        project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    log = json.loads(_cli(capsys, str(project / "policies"), "--format", "sarif")[1])
    assert all("suppressions" not in r for r in log["runs"][0]["results"])


def test_text_report_counts_and_verbose_lists(project: Path) -> None:
    result = _lint(project, f'    - code: L113\n      path: "cdk.out/**"\n      reason: "{REASON}"\n'
                            "      expires: 2999-12-31\n")
    quiet = render_text(result)
    assert "4 findings suppressed by lint.suppressions, not counted (--verbose lists them with their reasons)" in quiet
    assert "L113" not in quiet
    verbose = render_text(result, verbose=True).splitlines()
    listed = [line for line in verbose if "L113 warning" in line]
    assert len(listed) == 4 and all(f"lint.suppressions[0], until 2999-12-31: {REASON})" in line for line in listed)


def test_reference_app_needs_no_suppressions_and_accepts_one(
        reference_cdk_out: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The synthesized app lints clean with governance.yaml; a real L122 is accepted by a resource glob
    and a path reaching outside the spec's folder (`..`)."""
    code, out = _cli(capsys, str(reference_cdk_out), "--spec", str(REPO / "governance.yaml"))
    assert code == 0 and ": 0 errors, 0 warnings, " in out and "suppressed" not in out
    assert not {"L090", "L091", "L092"} & {line.split()[1] for line in out.splitlines()[:-1]}
    before = json.loads(_cli(capsys, str(reference_cdk_out), "--format", "json")[1])
    template = Path(os.path.relpath(reference_cdk_out, tmp_path)) / "modelgov-monitoring-prod.template.json"
    spec = str(_spec(tmp_path, f'    - code: L122\n      path: "{template.as_posix()}"\n'
                               f'      resource: VpcFlowLogs*\n      reason: "{REASON}"\n'))
    report = json.loads(_cli(capsys, str(reference_cdk_out), "--spec", spec, "--format", "json")[1])
    assert [s["logical_id"][:len("VpcFlowLogs")] for s in report["suppressed"]] == ["VpcFlowLogs"]
    assert report["summary"]["info"] == before["summary"]["info"] - 1
