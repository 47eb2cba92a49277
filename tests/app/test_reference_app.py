"""The reference app as users run it: real `cdk synth`, real cfn-lint, real cdk-nag."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import cdk_nag
import pytest
from cfnlint.api import ManualArgs, lint

from modelgov.constructs.reference_app import build_reference_app
from modelgov.policies.spec import load_spec

REPO = Path(__file__).resolve().parents[2]


def _templates(cdk_out: Path) -> list[Path]:
    return sorted(cdk_out.glob("*.template.json"))


def test_synth_produces_the_registry_stack_in_the_registry_account(reference_cdk_out: Path) -> None:
    manifest = json.loads((reference_cdk_out / "manifest.json").read_text())
    registry = manifest["artifacts"]["modelgov-registry"]
    assert registry["environment"] == "aws://222222222222/us-east-1"
    template = json.loads((reference_cdk_out / "modelgov-registry.template.json").read_text())
    groups = {r["Properties"]["ModelPackageGroupName"] for r in template["Resources"].values()
              if r["Type"] == "AWS::SageMaker::ModelPackageGroup"}
    assert groups == {g.name for g in load_spec(REPO / "governance.yaml").model_package_groups}


def test_cfn_lint_reports_zero_findings_on_every_template(reference_cdk_out: Path) -> None:
    templates = _templates(reference_cdk_out)
    assert templates, "cdk synth produced no templates"
    artifacts = json.loads((reference_cdk_out / "manifest.json").read_text())["artifacts"]
    findings = {}
    for path in templates:
        region = artifacts[path.name.removesuffix(".template.json")]["environment"].rsplit("/", 1)[1]
        matches = lint(path.read_text(), config=ManualArgs(regions=[region]))
        if matches:
            findings[path.name] = [str(m) for m in matches]
    assert findings == {}


def test_no_template_hard_codes_the_aws_partition(reference_cdk_out: Path) -> None:
    for path in _templates(reference_cdk_out):
        assert '"arn:aws:' not in path.read_text(), f"{path.name} hard-codes arn:aws: (use AWS::Partition)"


@pytest.fixture(scope="module")
def reference_stacks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, cdk.Stack]:
    app = cdk.App(outdir=str(tmp_path_factory.mktemp("nag")))
    return build_reference_app(app, load_spec(REPO / "governance.yaml"))


def test_cdk_nag_aws_solutions_has_no_unacknowledged_violation(reference_stacks: dict[str, cdk.Stack]) -> None:
    problems = {}
    for name, stack in reference_stacks.items():
        report = cdk_nag.AwsSolutionsChecks().validate_scope(stack)
        if not report.success:
            problems[name] = sorted({f"{v.rule_name}: {v.description}" for v in report.violations})
    assert problems == {}


def test_every_acknowledgement_carries_a_reason(reference_stacks: dict[str, cdk.Stack]) -> None:
    """CDK records acknowledgements as metadata {"Annotation::<rule id>": "<reason>"} on the scope."""
    seen = 0
    for stack in reference_stacks.values():
        for node in stack.node.find_all():
            for entry in node.node.metadata:
                if entry.type != "aws:cdk:acknowledged-rules":
                    continue
                assert isinstance(entry.data, dict), f"{node.node.path}: unexpected acknowledgement {entry.data!r}"
                for rule, reason in entry.data.items():
                    seen += 1
                    assert isinstance(reason, str) and len(reason.strip()) >= 10, (
                        f"{node.node.path}: acknowledgement {rule} has no reason")
    assert seen > 0, "the reference app acknowledges nothing: this test would check nothing"
