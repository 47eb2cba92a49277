"""CDK policy validation plugin: `cdk synth` runs the lifecycle proof and fails with its violations.

    app = cdk.App()
    cdk.Validations.of(app).add_plugins(ModelgovVerifyPlugin("governance.yaml"))

It implements the stable `IPolicyValidationPlugin` (aws-cdk-lib 2.275: core/lib/validation/validation.d.ts);
the `policy_validation_beta1` App prop and the `...Beta1` types are deprecated. CDK calls `validate` once every
stack's template is written, with each stack's template path, account and region (`stack_templates`); the
plugin proves the assembly with modelgov.policies.verify and reports each violation with its template and
logical id. Only wiring lives here: the proof itself is policies/ code that never imports aws_cdk.
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
from modelgov.policies.verify.assembly import StackEnv, StackTemplate, load_templates, partition_of
from modelgov.policies.verify.result import blocking

PLUGIN_NAME = "modelgov-verify"
MAX_REPORTED = 25  # the synth report lists this many violations; `modelgov verify` shows them all
# Every reported finding blocks. CDK lets `Validations.of(scope).acknowledge(...)` suppress any violation but a
# fatal one (aws-cdk-lib 2.275 core/lib/validation/private/report.js isSuppressibleViolation), and a suppressed
# error no longer fails synth; a proof finding is fixed in the templates or the spec, or the proof is turned off
# in cdk.json ("modelgov:verify": false), never acknowledged away in app code.
SEVERITY = "fatal"


def _version() -> str:
    try:
        return package_version("modelgov")
    except PackageNotFoundError:
        return "0.0.0"


def _stack(entry: cdk.PolicyValidationStack) -> StackTemplate:
    stack = load_templates([Path(entry.template_path)])[0]
    region = entry.region or ""  # None when the stack is environment-agnostic
    stack.env = StackEnv(entry.account_id or "", region, partition_of(region))
    return stack


def _where(logical_id: str | None, file: str | None, location: str) -> list[cdk.PolicyViolatingResource]:
    """The template resource a finding is about, or a resource with no construct for one about the app or the spec.

    CDK reports the latter with an empty construct path and no locations, so such findings name their template in
    the description. (A violation with no resource at all is left out of the CLI's printed report.)
    """
    if logical_id and file:
        return [cdk.PolicyViolatingResource(resource_logical_id=logical_id, template_path=file, locations=[location])]
    return [cdk.PolicyViolatingResource(locations=[location])]


def _described(message: str, file: str | None, where: list[cdk.PolicyViolatingResource]) -> str:
    """A finding without a template resource names its template in the description."""
    return f"{message} (in {Path(file).name})" if file and not where[0].resource_logical_id else message


@jsii.implements(cdk.IPolicyValidationPlugin)
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

    def validate(self, context: cdk.IPolicyValidationContext) -> cdk.PolicyValidationPluginReport:
        spec = load_spec(self._spec_path)
        result = verify_stacks([_stack(entry) for entry in context.stack_templates], spec)
        cat = catalogue()
        violations = []
        for v in result.violations[:MAX_REPORTED]:
            where = _where(v.source.logical_id, v.source.file, f"counterexample {v.request['action']} {v.label}")
            violations.append(cdk.PolicyViolation(
                rule_name=v.code, description=_described(v.message, v.source.file, where), violating_resources=where,
                fix=cat[v.code].fix, severity=SEVERITY))
        hidden = len(result.violations) - MAX_REPORTED
        if hidden > 0:
            violations.append(cdk.PolicyViolation(
                rule_name="V101", description=f"{hidden} more violations; run `modelgov verify` for the full list",
                violating_resources=_where(None, None, "modelgov verify"), severity=SEVERITY))
        for note in result.unknowns:
            if not blocking(note.code):
                continue
            where = _where(note.source.logical_id, note.source.file, note.code)
            violations.append(cdk.PolicyViolation(
                rule_name=note.code, description=_described(note.message, note.source.file, where),
                violating_resources=where, fix=cat[note.code].fix, severity=SEVERITY))
        return cdk.PolicyValidationPluginReport(
            success=not violations, violations=violations, plugin_version=_version(),
            metadata={"evaluations": str(result.stats.get("evaluations", 0)),
                      "seconds": str(result.stats.get("seconds", 0))})
