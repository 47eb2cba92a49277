"""Verifier fixtures: the composition issue 5 deploys, built from the pure builders without a CDK synth.

A registry stack (persona roles with their managed policies and the trust policies the spec gives them, the
model package groups with their resource policies) and a management stack (the lifecycle SCP on the root), as
StackTemplates that a test may mutate before verifying.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from modelgov.policies.builders.group_policy import build_group_policy
from modelgov.policies.builders.personas import build_persona_policy, build_trust_policy
from modelgov.policies.builders.scp import build_lifecycle_scps
from modelgov.policies.spec import GovernanceSpec, load_spec
from modelgov.policies.verify.assembly import StackEnv, StackTemplate

REPO = Path(__file__).resolve().parents[2]
SPEC_FILE = REPO / "governance.yaml"


def spec() -> GovernanceSpec:
    return load_spec(str(SPEC_FILE))


def logical(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def registry_template(gov: GovernanceSpec) -> dict[str, Any]:
    org = gov.organization
    region, account = org.primary_region, org.registry_account
    resources: dict[str, Any] = {}
    for persona in gov.personas:
        policy_id = f"{logical(persona.name)}Policy"
        resources[policy_id] = {"Type": "AWS::IAM::ManagedPolicy", "Properties": {
            "ManagedPolicyName": f"modelgov-{persona.name}",
            "PolicyDocument": build_persona_policy(gov, persona, partition="aws", region=region, account=account)}}
        resources[f"{logical(persona.name)}Role"] = {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": persona.effective_role_name,
            "AssumeRolePolicyDocument": build_trust_policy(
                persona, partition="aws", account=account,
                trusted_account_ids=[org.account_id(name) for name in persona.trust.accounts]),
            "ManagedPolicyArns": [{"Ref": policy_id}]}}
    for group in gov.model_package_groups:
        ids = lambda names: [org.account_id(n) for n in names]  # noqa: E731
        policy = build_group_policy(group=group.name, partition="aws", region=region, owner_account=account,
                                    readers=ids(group.readers), deployers=ids(group.deployers),
                                    registrars=ids(group.registrars))
        props: dict[str, Any] = {"ModelPackageGroupName": group.name}
        if policy:
            props["ModelPackageGroupPolicy"] = policy
        resources[f"{logical(group.name)}Group"] = {"Type": "AWS::SageMaker::ModelPackageGroup", "Properties": props}
    return {"Resources": resources}


def management_template(gov: GovernanceSpec) -> dict[str, Any]:
    resources: dict[str, Any] = {}
    for index, document in enumerate(build_lifecycle_scps(gov)):
        resources[f"LifecycleScp{index}"] = {"Type": "AWS::Organizations::Policy", "Properties": {
            "Name": f"modelgov-lifecycle-{index}", "Type": "SERVICE_CONTROL_POLICY", "Content": document,
            "TargetIds": [gov.organization.root_id]}}
    return {"Resources": resources}


def stacks(gov: GovernanceSpec, registry: dict[str, Any] | None = None,
           management: dict[str, Any] | None = None) -> list[StackTemplate]:
    org = gov.organization
    region = org.primary_region
    registry = registry if registry is not None else registry_template(gov)
    management = management if management is not None else management_template(gov)
    return [
        StackTemplate("modelgov-registry", "registry.template.json", registry,
                      StackEnv(org.registry_account, region, "aws"), text=json.dumps(registry, indent=1)),
        StackTemplate("modelgov-guardrails", "guardrails.template.json", management,
                      StackEnv(org.management_account, region, "aws"), text=json.dumps(management, indent=1)),
    ]


class Composition:
    """The good composition as editable dicts; `stacks()` wraps the current state for the verifier."""

    def __init__(self, gov: GovernanceSpec) -> None:
        self.spec = gov
        self.registry = copy.deepcopy(registry_template(gov))
        self.management = copy.deepcopy(management_template(gov))

    def resource(self, logical_id: str) -> dict[str, Any]:
        resources: dict[str, Any] = self.registry["Resources"]
        return resources[logical_id]

    def stacks(self) -> list[StackTemplate]:
        return stacks(self.spec, self.registry, self.management)

    def write_assembly(self, folder: Path) -> Path:
        """The composition as a cdk.out folder: one template per stack and a manifest with environments."""
        folder.mkdir(parents=True, exist_ok=True)
        artifacts = {}
        for stack in self.stacks():
            (folder / f"{stack.name}.template.json").write_text(json.dumps(stack.template, indent=1))
            artifacts[stack.name] = {"type": "aws:cloudformation:stack",
                                     "environment": f"aws://{stack.env.account}/{stack.env.region}",
                                     "properties": {"templateFile": f"{stack.name}.template.json"}}
        (folder / "manifest.json").write_text(json.dumps({"version": "55.0.0", "artifacts": artifacts}))
        return folder


@pytest.fixture(scope="session")
def gov() -> GovernanceSpec:
    return spec()


@pytest.fixture
def composition(gov: GovernanceSpec) -> Composition:
    return Composition(gov)
