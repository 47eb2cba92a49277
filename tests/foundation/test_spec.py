"""Loading governance.yaml: the example loads, and every bad spec fails with file, line, path and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from modelgov.policies.cli import main
from modelgov.policies.spec import SpecError, load_spec, parse_spec

REPO = Path(__file__).resolve().parents[2]
EXAMPLE = (REPO / "governance.yaml").read_text()


def test_example_spec_loads_with_the_seed_lifecycle_catalog() -> None:
    spec = load_spec(REPO / "governance.yaml")
    assert spec.lifecycle.stages == ["Proposal", "Development", "QA", "PreProduction", "Production", "Archived"]
    assert spec.lifecycle.statuses == ["PendingApproval", "InProgress", "OnHold", "Approved", "Rejected",
                                       "Retired"]
    assert {p.name for p in spec.personas} >= {"data-scientist", "qa", "lead-engineer", "pipeline", "auditor"}
    assert "QA->Production:PendingApproval" in [label for t in spec.persona("qa").transitions
                                                for label in t.labels()]
    assert spec.organization.account_id("prod") == "555555555555"


def _error(text: str) -> SpecError:
    with pytest.raises(SpecError) as info:
        parse_spec(text, "bad.yaml")
    return info.value


def _line_of(text: str, needle: str, nth: int = 1) -> int:
    count = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            count += 1
            if count == nth:
                return number
    raise AssertionError(needle)


def test_fails_on_a_stage_missing_from_the_catalog_with_path_and_line() -> None:
    text = EXAMPLE.replace("        to: QA\n        statuses: [PendingApproval]",
                           "        to: Staging\n        statuses: [PendingApproval]")
    err = _error(text)
    [problem] = err.problems
    assert problem.path == "personas[0].transitions[2].to"
    assert problem.line == _line_of(text, "to: Staging")
    assert "'Staging' is not in lifecycle.stages" in problem.message
    assert problem.fix
    assert re.search(r"^bad\.yaml: 1 problem", str(err))
    assert f"bad.yaml:{problem.line}:" in str(err)


def test_fails_on_a_status_missing_from_the_catalog_wherever_it_appears() -> None:
    text = EXAMPLE.replace("protected_statuses: [Approved]", "protected_statuses: [Approve]").replace(
        "      stages: [Production]\n", "      stages: [Prod]\n")
    paths = {p.path for p in _error(text).problems}
    assert paths == {"lifecycle.protected_statuses[0]", "events.rules[1].stages[0]"}


def test_fails_on_invalid_yaml_with_its_position() -> None:
    text = EXAMPLE.replace("  registry_account: \"222222222222\"", "  registry_account: [\"222222222222\"")
    [problem] = _error(text).problems
    assert problem.message.startswith("invalid YAML")
    assert problem.line >= _line_of(text, "registry_account")


def test_fails_on_a_duplicate_key_instead_of_keeping_the_last() -> None:
    text = EXAMPLE.replace("  root_id: r-a1b2\n", "  root_id: r-a1b2\n  root_id: r-c3d4\n")
    [problem] = _error(text).problems
    assert problem.path == "organization.root_id" and "duplicate" in problem.message
    assert problem.line == _line_of(text, "root_id", 2)


def test_fails_on_an_unknown_field_naming_it() -> None:
    text = EXAMPLE.replace("    approver: true\n", "    aprover: true\n", 1)
    problems = _error(text).problems
    assert any(p.path == "personas[1].aprover" and p.message == "unknown field" for p in problems)


def test_fails_on_an_account_id_that_is_not_12_digits() -> None:
    text = EXAMPLE.replace('      id: "444444444444"', '      id: "44444444444"')
    [problem] = _error(text).problems
    assert problem.path == "organization.accounts[2].id"
    assert "44444444444" in problem.message
    assert "12-digit" in problem.fix


def test_fails_on_a_group_name_with_an_underscore() -> None:
    text = EXAMPLE.replace("  - name: fraud-detection", "  - name: fraud_detection")
    [problem] = _error(text).problems
    assert problem.path == "model_package_groups[1].name"
    assert problem.line == _line_of(text, "fraud_detection")
    assert "letters, digits and hyphens" in problem.fix


def test_fails_on_a_reference_to_an_unknown_account() -> None:
    text = EXAMPLE.replace("    readers: [prod]\n", "    readers: [production]\n")
    [problem] = _error(text).problems
    assert problem.path == "model_package_groups[1].readers[0]"
    assert "'production' is not in organization.accounts" in problem.message


def test_fails_when_a_non_approver_sets_a_protected_stage() -> None:
    text = EXAMPLE.replace("      - from: Development\n        to: QA\n",
                           "      - from: Development\n        to: Production\n")
    [problem] = _error(text).problems
    assert problem.path == "personas[0].transitions[2].to"
    assert "not an approver" in problem.message


def test_fails_on_more_than_50_tags_counting_the_construct_tag() -> None:
    tags = "".join(f"      t{i}: v\n" for i in range(50))
    text = EXAMPLE.replace("      team: risk-ml\n", tags)
    [problem] = _error(text).problems
    assert problem.path == "model_package_groups[1].tags" and "51 tags" in problem.message


def test_fails_on_a_missing_required_section() -> None:
    text = EXAMPLE.split("personas:")[0]
    paths = {p.path: p.message for p in _error(text).problems}
    assert paths == {"personas": "required field is missing",
                     "model_package_groups": "required field is missing"}


def test_fails_on_a_duplicate_persona() -> None:
    text = EXAMPLE.replace("  - name: auditor\n", "  - name: qa\n")
    problems = _error(text).problems
    assert any(p.path == "personas[4]" and "appears twice" in p.message for p in problems)


def test_reports_several_problems_at_once() -> None:
    text = EXAMPLE.replace("to: QA\n", "to: Staging\n", 1).replace("readers: [prod]", "readers: [nowhere]")
    assert len(_error(text).problems) == 2


def test_unreadable_file_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match=r"missing\.yaml.*cannot read"):
        load_spec(tmp_path / "missing.yaml")


def test_cli_spec_command_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["spec", str(REPO / "governance.yaml")]) == 0
    assert "valid: 6 personas" in capsys.readouterr().out
    bad = tmp_path / "g.yaml"
    bad.write_text(EXAMPLE.replace("to: QA\n", "to: Staging\n"))
    assert main(["spec", str(bad)]) == 2
    assert "personas[0].transitions[2].to" in capsys.readouterr().err


def test_fails_on_a_guardrail_target_outside_the_organization() -> None:
    text = re.sub(r"guardrail_targets: \[[^\]]*\]", "guardrail_targets: [ml-sandbox]", EXAMPLE, count=1)
    [problem] = _error(text).problems
    assert problem.path == "lifecycle.guardrail_targets[0]"
    assert problem.line == _line_of(text, "guardrail_targets")


def test_fails_on_a_persona_stackset_ou_that_does_not_exist() -> None:
    text = EXAMPLE.replace("\n    organizational_units: [ml-workloads]\n",
                           "\n    organizational_units: [ml-nowhere]\n", 1)
    problems = [p for p in _error(text).problems if p.path.endswith("organizational_units[0]")]
    assert len(problems) == 1 and "'ml-nowhere' is not in organization.organizational_units" in problems[0].message


@pytest.mark.parametrize("snippet", ["version: !!int abc\n", "version: !!python/name:os.system 1\n",
                                     "? [a, b]\n: 1\n"])
def test_fails_cleanly_on_yaml_tags_and_complex_keys(snippet: str) -> None:
    text = snippet + EXAMPLE.replace("version: 1\n", "", 1)
    problems = _error(text).problems
    assert problems and problems[0].line == 1


def test_fails_cleanly_on_a_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(EXAMPLE.replace("customer churn classifier", "caf\xe9").encode("latin-1"))
    with pytest.raises(SpecError, match="not UTF-8"):
        load_spec(path)


def test_fails_on_group_names_that_would_share_a_construct_id() -> None:
    text = EXAMPLE.replace("  - name: fraud-detection", "  - name: churnPrediction")
    [problem] = [p for p in _error(text).problems if "construct id" in p.message]
    assert problem.path == "model_package_groups[1].name"


def test_fails_on_a_reserved_group_tag() -> None:
    text = EXAMPLE.replace("      team: risk-ml\n", "      aws:team: risk-ml\n")
    [problem] = _error(text).problems
    assert problem.path == "model_package_groups[1].tags.aws:team" and "reserved" in problem.message


def test_cli_spec_reports_a_persona_whose_policies_cannot_fit(tmp_path: Path,
                                                              capsys: pytest.CaptureFixture[str]) -> None:
    groups = "".join(f"  - name: group-number-{i:03d}-with-a-long-name\n    description: g\n" for i in range(120))
    text = EXAMPLE.replace("model_package_groups:\n", "model_package_groups:\n" + groups, 1)
    path = tmp_path / "big.yaml"
    path.write_text(text)
    assert main(["spec", str(path)]) == 2
    err = capsys.readouterr().err
    assert "problem" in err and "personas[" in err and "data-scientist" in err


# lint.suppressions: each error names the field's line and column and says how to fix it
GOOD_REASON = "CreateModel on model-package is checked against the group policy (seed 000 L3078)"


def _suppression(**fields: str) -> str:
    entry = {"code": "L113", "path": '"cdk.out/modelgov-monitoring-prod.template.json"', "reason": f'"{GOOD_REASON}"',
             **fields}
    lines = [f"{key}: {value}" for key, value in entry.items() if value != "<omit>"]
    return EXAMPLE + "\nlint:\n  suppressions:\n    - " + "\n      ".join(lines) + "\n"

def _lint_line(text: str, needle: str, nth: int = 1) -> int:
    """Line of `needle` in the appended lint section (governance.yaml's commented example comes first)."""
    start = text.rindex("\nlint:\n")
    return text[:start].count("\n") + 1 + _line_of(text[start + 1:], needle, nth)


def test_lint_suppressions_load_with_scope_expiry_and_position() -> None:
    text = _suppression(resource="MonitorRole*", sid="ReadCapture", expires="2027-06-30")
    [suppression] = parse_spec(text, "g.yaml").lint.suppressions
    assert (suppression.code, suppression.resource, suppression.sid) == ("L113", "MonitorRole*", "ReadCapture")
    assert suppression.expires is not None and suppression.expires.isoformat() == "2027-06-30"
    assert suppression.reason == GOOD_REASON
    assert suppression.where() == (_lint_line(text, "- code: L113"), 7)
    assert suppression.where("expires")[0] == _lint_line(text, "expires: 2027-06-30")
    assert parse_spec(EXAMPLE, "g.yaml").lint.suppressions == []


def test_fails_on_a_suppression_without_a_reason() -> None:
    text = _suppression(reason="<omit>")
    [problem] = _error(text).problems
    assert problem.path == "lint.suppressions[0].reason" and "reason is missing" in problem.message
    assert problem.line == _lint_line(text, "- code: L113") and "say why the finding is accepted" in problem.fix


@pytest.mark.parametrize(("reason", "why"), [
    ('""', "empty"), ("", "empty"), ("TODO", "placeholder"), ('"TBD: explain before release"', "placeholder"),
    ('"<reason>"', "placeholder"), ('"n/a"', "too short"), ('"false positive"', "too short"),
    ('"known false positive"', "too short"),
])
def test_fails_on_an_empty_or_placeholder_reason_with_line_column_and_fix(reason: str, why: str) -> None:
    text = _suppression(reason=reason)
    [problem] = _error(text).problems
    assert problem.path == "lint.suppressions[0].reason" and why in problem.message
    assert problem.line == _lint_line(text, "reason:")
    value_at = text.splitlines()[problem.line - 1].index("reason:") + len("reason: " if reason else "reason:")
    assert problem.column == value_at + 1  # the value, or just after the colon when there is none
    assert GOOD_REASON in problem.fix
    assert f"bad.yaml:{problem.line}:{problem.column}: lint.suppressions[0].reason: " in str(_error(text))


@pytest.mark.parametrize("code", ["L999", "V001", "X1", "113"])
def test_fails_on_a_code_not_in_the_lint_catalogue(code: str) -> None:
    text = _suppression(code=code)
    [problem] = _error(text).problems
    assert problem.path == "lint.suppressions[0].code" and "is not a lint code" in problem.message
    assert problem.line == _lint_line(text, f"- code: {code}") and "docs/lint.md" in problem.fix


@pytest.mark.parametrize("code", ["L000", "L001", "L002", "L003", "L008", "L099", "L090", "L091", "L092"])
def test_fails_on_a_code_that_cannot_be_suppressed(code: str) -> None:
    [problem] = _error(_suppression(code=code)).problems
    assert problem.path == "lint.suppressions[0].code" and "cannot" in problem.message and code in problem.message
    assert problem.fix


@pytest.mark.parametrize("path", ['"/work/cdk.out/x.json"', '"C:/cdk.out/x.json"', '"cdk.out\\\\x.json"', '""'])
def test_fails_on_a_path_that_is_not_a_relative_glob(path: str) -> None:
    [problem] = _error(_suppression(path=path)).problems
    assert problem.path == "lint.suppressions[0].path" and problem.fix


def test_fails_on_a_resource_that_is_not_a_logical_id_glob() -> None:
    [problem] = _error(_suppression(resource='"Resources.MonitorRole"')).problems
    assert problem.path == "lint.suppressions[0].resource" and "logical id" in problem.fix


@pytest.mark.parametrize(("expires", "fix"), [("2027-02-30", "real calendar date"), ("soon", "YYYY-MM-DD"),
                                              ('"2027-13-01"', "YYYY-MM-DD")])
def test_fails_on_an_expiry_that_is_not_a_date(expires: str, fix: str) -> None:
    text = _suppression(expires=expires)
    [problem] = _error(text).problems
    assert problem.path == "lint.suppressions[0].expires" and fix in problem.fix
    assert problem.line == _lint_line(text, "expires:")


def test_fails_on_an_unknown_suppression_field() -> None:
    [problem] = _error(_suppression(reasons='"typo"')).problems
    assert problem.path == "lint.suppressions[0].reasons" and problem.message == "unknown field"


def test_fails_on_a_duplicate_suppression() -> None:
    text = _suppression()
    entry = text[text.rindex("\n    - code: L113") + 1:]
    [problem] = _error(text + entry).problems
    assert problem.path == "lint.suppressions[1]" and "appears twice" in problem.message
    assert problem.line == _lint_line(text + entry, "- code: L113", 2)


def test_cli_spec_command_validates_the_lint_section(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(_suppression(expires="2027-06-30"))
    assert main(["spec", str(good)]) == 0
    bad = tmp_path / "bad.yaml"
    text = _suppression(code="L001", reason="TODO")
    bad.write_text(text)
    assert main(["spec", str(bad)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:{_lint_line(text, '- code: L001')}:13: lint.suppressions[0].code: code L001" in err
    reason_line = _lint_line(text, "reason: TODO")
    assert f"{bad}:{reason_line}:15: lint.suppressions[0].reason: the reason is a placeholder" in err
    assert "(fix: repair the input" in err


def test_the_commented_lint_example_in_governance_yaml_is_valid() -> None:
    block = EXAMPLE[EXAMPLE.index("# lint:"):]
    uncommented = "\n".join(line[2:] for line in block.splitlines())
    [suppression] = parse_spec(EXAMPLE + "\n" + uncommented + "\n", "g.yaml").lint.suppressions
    assert (suppression.code, suppression.resource, suppression.sid) == ("L113", "MonitorRole*", "ReadCapture")
    assert load_spec(REPO / "governance.yaml").lint.suppressions == []  # the reference app needs none
