"""The CDK validation plugin inside a real `app.synth()`: a good app synthesizes, a violation fails it."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest

from modelgov.constructs.verify_plugin import ModelgovVerifyPlugin

REPO = Path(__file__).resolve().parents[2]


def build(composition, outdir: Path) -> cdk.App:
    app = cdk.App(outdir=str(outdir), policy_validation_beta1=[ModelgovVerifyPlugin(str(REPO / "governance.yaml"))])
    for stack in composition.stacks():
        cdk_stack = cdk.Stack(app, stack.name, env=cdk.Environment(account=stack.env.account, region=stack.env.region))
        for logical_id, resource in stack.template["Resources"].items():
            cfn = cdk.CfnResource(cdk_stack, logical_id, type=resource["Type"], properties=resource["Properties"])
            cfn.override_logical_id(logical_id)
    return app


def test_good_app_synthesizes(composition, tmp_path):
    build(composition, tmp_path / "out").synth()
    report = json.loads((tmp_path / "out" / "validation-report.json").read_text()) \
        if (tmp_path / "out" / "validation-report.json").exists() else {}
    assert "FAILURE" not in json.dumps(report)


def test_violation_fails_synth_with_the_report(composition, tmp_path, capsys):
    composition.resource("QaRole")["Properties"]["ManagedPolicyArns"].append(
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    with pytest.raises(Exception, match="ValidationFailed"):
        build(composition, tmp_path / "out").synth()
    report = (tmp_path / "out" / "validation-report.json").read_text()
    assert "modelgov-verify" in report and "V101" in report and "QaRole" in report
