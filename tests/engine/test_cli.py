"""`modelgov simulate`: input forms, one JSON line per case in order, --explain, exit codes."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from modelgov.policies.cli import main

ACCT = "111111111111"


def sim(stage: str) -> dict[str, object]:
    return {"request": {"principal": f"arn:aws:iam::{ACCT}:role/QA", "action": "sagemaker:UpdateModelPackage",
                        "resource": {"resource": f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package/g/1",
                                     "accountId": ACCT},
                        "contextVariables": {"sagemaker:ModelLifeCycle:Stage": stage}},
            "identityPolicies": [{"name": "dev", "policy": {"Version": "2012-10-17", "Statement": [
                {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
                 "Condition": {"StringEquals": {"sagemaker:ModelLifeCycle:Stage": "Development"}}}]}}],
            "serviceControlPolicies": [], "resourceControlPolicies": []}


def lines(out: str) -> list[dict[str, object]]:
    return [json.loads(line) for line in out.splitlines()]


@pytest.mark.parametrize("shape", ["array", "jsonl", "object"])
def test_input_shapes_give_one_line_per_case_in_order(shape: str, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    cases = [sim("Development"), sim("Production")]
    path = tmp_path / "cases.json"
    if shape == "array":
        path.write_text(json.dumps(cases))
    elif shape == "jsonl":
        path.write_text("\n".join(json.dumps(c) for c in cases) + "\n")
    else:
        cases = cases[:1]
        path.write_text(json.dumps(cases[0], indent=2))
    assert main(["simulate", str(path)]) == 0
    decisions = [line["decision"] for line in lines(capsys.readouterr().out)]
    assert decisions == ["Allowed", "ImplicitlyDenied"][: len(cases)]


def test_case_errors_are_printed_and_exit_zero(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = sim("Development")
    bad["identityPolicies"][0]["policy"]["Statement"][0]["Condition"] = {  # type: ignore[index]
        "NullIfExists": {"sagemaker:ModelLifeCycle:Stage": "true"}}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([bad]))
    assert main(["simulate", str(path)]) == 0
    (line,) = lines(capsys.readouterr().out)
    assert line["decision"] == "Error"
    assert line["errors"][0]["code"] == "E011"  # type: ignore[index]


def test_a_partly_compiled_set_prints_error_not_its_explicit_deny(tmp_path: Path,
                                                                  capsys: pytest.CaptureFixture[str]) -> None:
    """A valid Deny next to a broken policy must not read as an evaluation: the case is an Error."""
    case = sim("Production")
    case["identityPolicies"].append({"name": "deny", "policy": {  # type: ignore[attr-defined]
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}]}})
    case["identityPolicies"].append({"name": "broken", "policy": {  # type: ignore[attr-defined]
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sagemaker:NoSuchAction",
                                                "Resource": "*"}]}})
    path = tmp_path / "partial.json"
    path.write_text(json.dumps([case, "not an object", sim("Development")]))
    assert main(["simulate", str(path)]) == 0
    partial, not_object, fine = lines(capsys.readouterr().out)
    assert partial["decision"] == "Error" and partial["decisive"] == []
    assert [e["code"] for e in partial["errors"]] == ["E012"]  # type: ignore[index, union-attr]
    assert not_object["decision"] == "Error" and not_object["errors"][0]["location"] == "$"  # type: ignore[index]
    assert fine == {"decision": "Allowed", "decisive": fine["decisive"], "errors": []}
    assert main(["simulate", str(path), "--explain"]) == 0
    first = capsys.readouterr().out.split("# case 1")[0]
    assert "decision: Error" in first and "blocked by" not in first


def test_the_api_keeps_a_fail_closed_decision_and_says_it_is_not_an_evaluation() -> None:
    from modelgov.policies.engine import simulate

    result = simulate("not an object")
    assert result.decision == "ImplicitlyDenied" and not result.allowed
    assert not result.ok and result.shown_decision == "Error"
    assert simulate(sim("Development")).ok


def test_explain_prints_the_trace(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.json"
    path.write_text(json.dumps(sim("Production")))
    assert main(["simulate", str(path), "--explain"]) == 0
    out = capsys.readouterr().out
    assert "decision: ImplicitlyDenied" in out and "[identity] ImplicitlyDenied" in out


def test_unreadable_input_exits_two(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"request": \n{oops}\n')
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:" in err and "invalid JSON" in err
    assert main(["simulate", str(tmp_path / "missing.json")]) == 2
    assert "cannot read" in capsys.readouterr().err


def test_non_utf8_input_names_the_file_and_place(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "latin1.json"
    path.write_bytes(b'{"request":\n {"action": "caf\xe9"}}')
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"{path}:2:17: not UTF-8 (byte 0xe9" in err and "save the file as UTF-8" in err
    monkeypatch.setattr("sys.stdin", io.TextIOWrapper(io.BytesIO(b"\xff{}")))
    assert main(["simulate", "-"]) == 2
    assert "<stdin>:1:1: not UTF-8 (byte 0xff" in capsys.readouterr().err


def test_docs_show_the_real_output_of_the_example(capsys: pytest.CaptureFixture[str]) -> None:
    root = Path(__file__).resolve().parents[2]
    docs = (root / "docs" / "engine.md").read_text(encoding="utf-8")
    assert main(["simulate", str(root / "tests/fixtures/engine/example.json")]) == 0
    for line in capsys.readouterr().out.splitlines():
        assert line in docs
    assert main(["simulate", str(root / "tests/fixtures/engine/example.json"), "--explain"]) == 0
    case1 = capsys.readouterr().out.split("# case 1\n")[1].split("# case 2")[0].strip()
    assert case1 in docs
