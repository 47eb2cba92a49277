"""The CDK validation plugin inside a real synth.

In-process `app.synth()` (under pytest CDK raises ValidationFailed with the report) and the reference app.py
through the real CLI (`cdk synth`): the plugin is registered with the stable `Validations.of(app).add_plugins`,
a violation fails synth with the report on stderr and in cdk.out/validation-report.json, no deprecation notice
is printed, and `modelgov:verify=false` turns the proof off.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import aws_cdk as cdk
import pytest

from modelgov.constructs.verify_plugin import PLUGIN_NAME, ModelgovVerifyPlugin

from ..conftest import REPO, tool_env

FULL_ACCESS = "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess"

# app.py itself, with AmazonSageMakerFullAccess attached to the qa persona's role after the app is built: the
# mutation lives in the test, the registration and the context handling are app.py's own.
MUTATED_APP = f"""
import runpy

import aws_cdk as cdk

from modelgov.constructs import reference_app

build = reference_app.build_reference_app


def build_with_full_access(app, spec):
    stacks = build(app, spec)
    role = app.node.find_child("modelgov-personas-registry").node.find_child("Personas").node.find_child("QaRole")
    assert isinstance(role, cdk.aws_iam.CfnRole), role
    role.managed_policy_arns = [*role.managed_policy_arns, {FULL_ACCESS!r}]
    return stacks


reference_app.build_reference_app = build_with_full_access
runpy.run_path({str(REPO / "app.py")!r}, run_name="__main__")
"""


def build(composition, outdir: Path) -> cdk.App:
    app = cdk.App(outdir=str(outdir))
    cdk.Validations.of(app).add_plugins(ModelgovVerifyPlugin(str(REPO / "governance.yaml")))
    for stack in composition.stacks():
        cdk_stack = cdk.Stack(app, stack.name, env=cdk.Environment(account=stack.env.account, region=stack.env.region))
        for logical_id, resource in stack.template["Resources"].items():
            cfn = cdk.CfnResource(cdk_stack, logical_id, type=resource["Type"], properties=resource["Properties"])
            cfn.override_logical_id(logical_id)
    return app


def plugin_report(outdir: Path) -> dict | None:
    """modelgov-verify's entry in the validation report; CDK leaves out a plugin that passed with no finding."""
    report = json.loads((outdir / "validation-report.json").read_text())
    return next((r for r in report["pluginReports"] if r["pluginName"] == PLUGIN_NAME), None)


def cli_synth(outdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = ["cdk", "synth", "--no-notices", "--quiet", "--output", str(outdir), *args]
    return subprocess.run(command, cwd=REPO, env=tool_env(), capture_output=True, text=True, timeout=600)


def mutated_app(tmp_path: Path) -> str:
    script = tmp_path / "mutated_app.py"
    script.write_text(MUTATED_APP)
    return f"{sys.executable} {script}"


def test_good_app_synthesizes(composition, tmp_path):
    build(composition, tmp_path / "out").synth()
    assert plugin_report(tmp_path / "out") is None


def test_violation_fails_synth_with_the_report(composition, tmp_path):
    composition.resource("QaRole")["Properties"]["ManagedPolicyArns"].append(FULL_ACCESS)
    with pytest.raises(Exception, match="ValidationFailed") as raised:
        build(composition, tmp_path / "out").synth()
    assert "(modelgov-verify)" in str(raised.value) and "QaRole" in str(raised.value)
    report = plugin_report(tmp_path / "out")
    assert report is not None and report["conclusion"] == "failure"
    assert {v["ruleName"] for v in report["violations"]} == {"V101"}
    resources = [c["cloudFormationResource"] for v in report["violations"] for c in v["violatingConstructs"]
                 if "cloudFormationResource" in c]
    assert resources and all(r["logicalId"] == "QaRole" for r in resources)


def test_violations_cannot_be_acknowledged_away(composition, tmp_path):
    composition.resource("QaRole")["Properties"]["ManagedPolicyArns"].append(FULL_ACCESS)
    app = build(composition, tmp_path / "out")
    cdk.Validations.of(app).acknowledge(cdk.Acknowledgment(id=f"{PLUGIN_NAME}::V101", reason="trying to skip it"))
    with pytest.raises(Exception, match="ValidationFailed"):
        app.synth()
    report = plugin_report(tmp_path / "out")
    assert report is not None and report["conclusion"] == "failure" and not report.get("suppressedViolations")
    assert {v["severity"] for v in report["violations"]} == {"fatal"}


def test_reference_app_synthesizes_without_deprecation_notice(tmp_path):
    result = cli_synth(tmp_path / "out")
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "policyValidationBeta1" not in output
    assert [line for line in output.splitlines() if "deprecated" in line.lower()] == []
    assert plugin_report(tmp_path / "out") is None


def test_reference_app_violation_fails_cdk_synth_with_the_report(tmp_path):
    result = cli_synth(tmp_path / "out", "--app", mutated_app(tmp_path))
    assert result.returncode != 0, result.stdout + result.stderr
    assert "Synthesis finished with errors" in result.stderr
    heads = [line for line in result.stderr.splitlines() if line.endswith("(modelgov-verify)")]
    assert len(heads) == 26, result.stderr  # MAX_REPORTED violations, then the count of the rest
    assert all(line.startswith("FATAL ") for line in heads)
    assert "more violations; run `modelgov verify` for the full list" in heads[-1]
    where = result.stderr.splitlines()[result.stderr.splitlines().index(heads[0]) + 1]
    assert where.strip().startswith("modelgov-personas-registry/Personas/QaRole (PersonasQaRole"), where
    assert "deprecated" not in result.stderr.lower()
    report = plugin_report(tmp_path / "out")
    assert report is not None and report["conclusion"] == "failure" and len(report["violations"]) == 26


def test_verify_false_in_context_turns_the_proof_off(tmp_path):
    result = cli_synth(tmp_path / "out", "--app", mutated_app(tmp_path), "--context", "modelgov:verify=false")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "modelgov-verify" not in result.stderr
    assert plugin_report(tmp_path / "out") is None
    template = json.loads((tmp_path / "out" / "modelgov-personas-registry.template.json").read_text())
    qa = next(r for r in template["Resources"].values()
              if r["Type"] == "AWS::IAM::Role" and r["Properties"].get("RoleName") == "modelgov-qa")
    assert FULL_ACCESS in qa["Properties"]["ManagedPolicyArns"]  # the mutation is there; only the proof is off
