"""CDK policy validation plugin: `cdk synth` runs the lifecycle proof and fails with its violations.

    app = cdk.App(policy_validation_beta1=[ModelgovVerifyPlugin("governance.yaml")])

CDK calls `validate` with the synthesized template paths once every stack is written; the plugin reads
each stack's account and region from the construct tree (the manifest is not written yet), proves the
assembly with modelgov.policies.verify and reports each violation with its template and logical id.
Only wiring lives here: the proof itself is policies/ code that never imports aws_cdk.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import aws_cdk as cdk
import jsii

from modelgov.policies.findings import catalogue
from modelgov.policies.spec import load_spec
from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.assembly import StackEnv, load_templates, partition_of
from modelgov.policies.verify.result import blocking

PLUGIN_NAME = "modelgov-verify"
MAX_REPORTED = 25  # the synth report lists this many violations; `modelgov verify` shows them all


def _version() -> str:
    try:
        return package_version("modelgov")
    except PackageNotFoundError:
        return "0.0.0"


@jsii.implements(cdk.IPolicyValidationPluginBeta1)
class ModelgovVerifyPlugin:
    """Prove the app's lifecycle permissions against `spec_path` at synth time.

    Default: every lifecycle action and approval is proven, as `modelgov verify` does.
    """

    def __init__(self, spec_path: str = "governance.yaml") -> None:
        self._spec_path = spec_path

    @property
    def name(self) -> str:
        return PLUGIN_NAME

    @property
    def version(self) -> str:
        return _version()

    @property
    def rule_ids(self) -> list[str]:
        return [code for code in catalogue().codes() if code.startswith("V")]

    def _environments(self, app: cdk.IConstruct) -> dict[str, StackEnv]:
        envs: dict[str, StackEnv] = {}
        for construct in app.node.find_all():
            if not cdk.Stack.is_stack(construct):
                continue
            stack = cdk.Stack.of(construct)
            account = "" if cdk.Token.is_unresolved(stack.account) else stack.account
            region = "" if cdk.Token.is_unresolved(stack.region) else stack.region
            envs[stack.template_file] = StackEnv(account, region, partition_of(region))
        return envs

    def validate(self, context: cdk.IPolicyValidationContextBeta1) -> cdk.PolicyValidationPluginReportBeta1:
        spec = load_spec(self._spec_path)
        envs = self._environments(context.app_construct)
        stacks = []
        for path in context.template_paths:
            stack = load_templates([Path(path)])[0]
            stack.env = envs.get(Path(path).name, StackEnv())
            stacks.append(stack)
        result = verify_stacks(stacks, spec)
        cat = catalogue()
        violations = []
        for v in result.violations[:MAX_REPORTED]:
            where = [cdk.PolicyViolatingResourceBeta1(
                resource_logical_id=v.source.logical_id or "-", template_path=v.source.file or self._spec_path,
                locations=[f"counterexample {v.request['action']} {v.label}"])]
            violations.append(cdk.PolicyViolationBeta1(
                rule_name=v.code, description=v.message, violating_resources=where, fix=cat[v.code].fix,
                severity=cat[v.code].severity))
        hidden = len(result.violations) - MAX_REPORTED
        if hidden > 0:
            violations.append(cdk.PolicyViolationBeta1(
                rule_name="V101", description=f"{hidden} more violations; run `modelgov verify` for the full list",
                violating_resources=[cdk.PolicyViolatingResourceBeta1(
                    resource_logical_id="-", template_path=self._spec_path, locations=["modelgov verify"])],
                severity="error"))
        for note in result.unknowns:
            if not blocking(note.code):
                continue
            where = [cdk.PolicyViolatingResourceBeta1(
                resource_logical_id=note.source.logical_id or "-", template_path=note.source.file or self._spec_path,
                locations=[note.code])]
            violations.append(cdk.PolicyViolationBeta1(
                rule_name=note.code, description=note.message, violating_resources=where, fix=cat[note.code].fix,
                severity=cat[note.code].severity))
        return cdk.PolicyValidationPluginReportBeta1(
            success=not violations, violations=violations, plugin_version=_version(),
            metadata={"evaluations": str(result.stats.get("evaluations", 0)),
                      "seconds": str(result.stats.get("seconds", 0))})
