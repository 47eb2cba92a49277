"""Folder scans lint only policies, templates and cloud assemblies; files named explicitly stay strict."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from modelgov.policies.cli import main
from modelgov.policies.lint.linter import lint_paths

REPO = Path(__file__).resolve().parents[2]
# Both carry a defect (Version with a trailing space, L011) so a linted file always shows in the findings.
POLICY = {"Version": "2012-10-17 ", "Statement": [{"Effect": "Allow", "Action": "s3:ListAllMyBuckets",
                                                   "Resource": "*"}]}
TEMPLATE = {"AWSTemplateFormatVersion": "2010-09-09", "Resources": {"P": {
    "Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": POLICY}}}}
PACKAGE = {"name": "app", "private": True, "devDependencies": {"aws-cdk": "2.1148.1"}}


def _project(root: Path) -> Path:
    """A repository-like folder: the governance spec, package.json, one policy and one YAML template."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "governance.yaml", root / "governance.yaml")
    (root / "package.json").write_text(json.dumps(PACKAGE, indent=2))
    (root / "policies").mkdir()
    (root / "policies" / "reader.json").write_text(json.dumps(POLICY, indent=2))
    (root / "stack.yaml").write_text(
        "Resources:\n  P:\n    Type: AWS::IAM::ManagedPolicy\n    Properties:\n      PolicyDocument:\n"
        "        Version: '2012-10-17 '\n        Statement:\n          - Effect: Allow\n"
        "            Action: s3:ListAllMyBuckets\n            Resource: '*'\n")
    return root


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(["lint", *args])
    return code, capsys.readouterr().out


def test_folder_scan_lints_only_the_policy_and_the_template(tmp_path: Path) -> None:
    root = _project(tmp_path / "repo")
    result = lint_paths([str(root)])
    assert result.files == 2 and result.policies == 2
    assert {Path(f.location.file).name for f in result.findings} == {"reader.json", "stack.yaml"}
    assert {(f.code, Path(f.location.file).name) for f in result.findings} == {
        ("L011", "reader.json"), ("L011", "stack.yaml")}
    skipped = {Path(s.file).name: s.reason for s in result.skipped}
    assert skipped == {
        "governance.yaml": "an object with keys version, organization, lifecycle, personas, ...",
        "package.json": "an object with keys name, private, devDependencies"}


def test_skipped_files_are_counted_and_listed_with_verbose(capsys: pytest.CaptureFixture[str],
                                                           tmp_path: Path) -> None:
    root = _project(tmp_path / "repo")
    code, out = _run(capsys, str(root))
    assert code == 1  # the two L011 errors, not the skipped files
    assert out.splitlines()[-1] == ("2 files, 2 policies: 2 errors, 0 warnings, 0 info; 2 files skipped "
                                    "(not a policy, template or assembly; --verbose lists them)")
    assert "governance.yaml" not in out
    code, out = _run(capsys, str(root), "--verbose")
    assert f"{root / 'package.json'}: skipped: not a policy, template or assembly (an object with keys name, " \
           "private, devDependencies)" in out.splitlines()
    assert out.splitlines()[-1].endswith("2 files skipped (not a policy, template or assembly)")
    report = json.loads(_run(capsys, str(root), "--format", "json")[1])
    assert report["summary"]["skipped"] == 2
    assert [Path(s["file"]).name for s in report["skipped"]] == ["governance.yaml", "package.json"]


def test_skipped_files_never_change_the_exit_code(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "package.json").write_text(json.dumps(PACKAGE))
    (root / "ok.json").write_text(json.dumps({**POLICY, "Version": "2012-10-17"}))
    assert _run(capsys, str(root), "--fail-on", "info")[0] == 0


def test_a_folder_with_nothing_to_lint_is_an_input_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    (tmp_path / "package.json").write_text(json.dumps(PACKAGE))
    code, out = _run(capsys, str(tmp_path))
    assert code == 2
    assert "L000 error: the folder holds no policy, template or cdk.out assembly; 1 JSON/YAML file skipped" in out


@pytest.mark.parametrize(("name", "holds"), [
    ("governance.yaml", "an object with keys version, organization, lifecycle, personas, ..."),
    ("package.json", "an object with keys name, private, devDependencies"),
])
def test_a_non_policy_named_explicitly_is_an_error_saying_what_was_expected(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, name: str, holds: str) -> None:
    path = _project(tmp_path / "repo") / name
    code, out = _run(capsys, str(path))
    assert code == 2
    assert out.splitlines()[0] == (
        f"{path}: L008 error: not an IAM policy (no Statement), CloudFormation template (no Resources) or cdk.out "
        f"assembly: the file holds {holds} (fix: pass a policy, a template or a cdk.out folder (a folder scan "
        "skips such files))")


def test_an_assembly_manifest_named_explicitly_points_at_its_folder(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": {}}))
    [finding] = lint_paths([str(tmp_path / "manifest.json")]).findings
    assert finding.code == "L008" and finding.fix == f"pass its folder ({tmp_path}) to lint the assembly's templates"


def test_a_policy_named_explicitly_is_still_linted_when_it_does_not_parse(tmp_path: Path) -> None:
    path = tmp_path / "notes.json"
    path.write_text('{"Version": "2012-10-17", "Statement": [}')
    assert "L001" in {f.code for f in lint_paths([str(path)]).findings}


def test_broken_text_in_a_folder_is_linted_only_when_it_names_a_policy_element(tmp_path: Path) -> None:
    (tmp_path / "policy.json").write_text('{"Version": "2012-10-17", "Statement": [{"Effect": "Allow",, }]}')
    (tmp_path / "tsconfig.json").write_text("// compiler options\n{ compilerOptions: { strict: true, } }")
    result = lint_paths([str(tmp_path)])
    assert {Path(f.location.file).name for f in result.findings} == {"policy.json"}
    assert [(Path(s.file).name, s.reason) for s in result.skipped] == [
        ("tsconfig.json", "not valid JSON or YAML, and it names no policy or template element")]


def test_bare_statements_in_a_folder_are_linted_as_policies(tmp_path: Path) -> None:
    (tmp_path / "fragment.json").write_text(json.dumps([{"Effect": "Allow", "Action": "s3:GetObject",
                                                         "Resource": "*"}]))
    assert [f.code for f in lint_paths([str(tmp_path)]).findings] == ["L020"]


def test_dependencies_hidden_folders_and_virtualenvs_are_not_entered(tmp_path: Path) -> None:
    bad = json.dumps(POLICY)
    for folder in ("node_modules/pkg", ".git/x", "venv/lib", "src"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "policy.json").write_text(bad)
    (tmp_path / "venv" / "pyvenv.cfg").write_text("home = /usr/bin\n")
    (tmp_path / ".eslintrc.json").write_text(bad)
    result = lint_paths([str(tmp_path)])
    assert {str(Path(f.location.file).relative_to(tmp_path)) for f in result.findings} == {"src/policy.json"}
    assert result.skipped == []


def test_assembly_metadata_is_neither_linted_nor_reported_as_skipped(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    (out / "asset.abc123").mkdir(parents=True)
    (out / "asset.abc123" / "package.json").write_text(json.dumps(PACKAGE))
    (out / "asset.abc123" / "policy.json").write_text(json.dumps(POLICY))  # bundled code, not deployed IAM
    (out / "cdk.out").write_text(json.dumps({"version": "48.0.0"}))
    (out / "manifest.json").write_text(json.dumps({"version": "48.0.0", "artifacts": {}}))
    (out / "tree.json").write_text(json.dumps({"version": "tree-0.1", "tree": {}}))
    (out / "S.assets.json").write_text(json.dumps({"version": "48.0.0", "files": {}}))
    (out / "S.template.json").write_text(json.dumps(TEMPLATE))
    result = lint_paths([str(out)])
    assert result.files == 1 and result.skipped == []
    assert {Path(f.location.file).name for f in result.findings} == {"S.template.json"}


def test_repository_root_skips_its_own_configuration(capsys: pytest.CaptureFixture[str]) -> None:
    """`modelgov lint .` at this repository's root: the spec and the Node and CDK configuration are skipped."""
    result = lint_paths([str(REPO)])
    skipped = {str(Path(s.file).relative_to(REPO)) for s in result.skipped}
    assert {"governance.yaml", "package.json", "package-lock.json", "cdk.json"} <= skipped
    linted = {str(Path(f.location.file).relative_to(REPO)) for f in result.findings}
    assert not linted & skipped
    assert not any(part in {"node_modules", ".venv"} for f in linted for part in Path(f).parts)
