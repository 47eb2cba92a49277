"""Shared set-up for the persona and guardrail tests: the reference spec and an engine harness.

`Lab` assembles iam-simulate-shaped simulations the way AWS evaluates a call in the organization: the
root and the ml-workloads OU both carry FullAWSAccess, the OU also carries the generated guardrail SCPs,
the caller's role carries its persona policy (and boundary), and cross-account reads meet the group's
resource policy.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from modelgov.policies.builders.group_policy import build_group_policy
from modelgov.policies.builders.personas import build_persona_boundary, build_persona_policies
from modelgov.policies.builders.scp import build_lifecycle_scps, build_monitoring_scps
from modelgov.policies.engine import simulate
from modelgov.policies.engine.result import SimulationResult
from modelgov.policies.spec import GovernanceSpec, load_spec

REPO = Path(__file__).resolve().parents[2]
PARTITION, REGION = "aws", "us-east-1"
FULL_AWS_ACCESS = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
# AmazonSageMakerFullAccess, statement AllowAllNonAdminSageMakerActions (seed 000_e90d49b69fb2e9fd.txt:52222-52239):
# every registry action, approval and group-policy change included.
SAGEMAKER_FULL_ACCESS = {"Version": "2012-10-17", "Statement": [{
    "Sid": "AllowAllNonAdminSageMakerActions", "Effect": "Allow", "Action": ["sagemaker:*", "sagemaker-geospatial:*"],
    "NotResource": [f"arn:aws:sagemaker:*:*:{kind}/*" for kind in (
        "domain", "user-profile", "app", "space", "partner-app", "flow-definition", "training-plan",
        "reserved-capacity")]}]}


class Lab:
    """Builds and runs simulations against the generated documents for one spec."""

    partition = PARTITION
    full_access = [{"name": "AmazonSageMakerFullAccess", "policy": SAGEMAKER_FULL_ACCESS}]

    def __init__(self, spec: GovernanceSpec) -> None:
        self.spec = spec
        self.registry = spec.organization.registry_account
        self.lifecycle_scps = build_lifecycle_scps(spec, partition=PARTITION)
        self.monitoring_scps = build_monitoring_scps(spec.monitoring.guardrails)

    def version_arn(self, group: str = "churn-prediction", version: int = 3) -> str:
        return f"arn:{PARTITION}:sagemaker:{REGION}:{self.registry}:model-package/{group}/{version}"

    def group_arn(self, group: str = "churn-prediction") -> str:
        return f"arn:{PARTITION}:sagemaker:{REGION}:{self.registry}:model-package-group/{group}"

    def persona_policies(self, persona: str) -> list[dict[str, Any]]:
        documents = build_persona_policies(self.spec, self.spec.persona(persona), partition=PARTITION,
                                           region=REGION, account=self.registry)
        return [{"name": f"{persona}-lifecycle-{i}", "policy": d} for i, d in enumerate(documents, start=1)]

    def boundary(self, persona: str) -> dict[str, Any]:
        return build_persona_boundary(self.spec, self.spec.persona(persona), partition=PARTITION, region=REGION,
                                      account=self.registry)

    def scps(self, guardrails: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
        extra = self.lifecycle_scps + self.monitoring_scps if guardrails is None else guardrails
        org = self.spec.organization
        return [{"orgIdentifier": org.root_id, "policies": [{"name": "FullAWSAccess", "policy": FULL_AWS_ACCESS}]},
                {"orgIdentifier": org.ou_id("ml-workloads"),
                 "policies": [{"name": "FullAWSAccess", "policy": FULL_AWS_ACCESS},
                              *[{"name": f"guardrail-{i}", "policy": d} for i, d in enumerate(extra)]]}]

    def run(self, *, role: str, action: str, context: dict[str, Any] | None = None, resource: str | None = None,
            account: str | None = None, identity: list[dict[str, Any]] | None = None,
            boundary: dict[str, Any] | None = None, scps: list[dict[str, Any]] | None = None,
            resource_policy: dict[str, Any] | None = None) -> SimulationResult:
        """Simulate `role` (a role name) in `account` (default: the registry) calling `action`."""
        caller = account or self.registry
        resource = resource or self.version_arn()
        owner = resource.split(":")[4] or caller
        simulation: dict[str, Any] = {
            "request": {"principal": f"arn:{PARTITION}:iam::{caller}:role/{role}", "action": action,
                        "resource": {"resource": resource, "accountId": owner},
                        "contextVariables": context or {}},
            "identityPolicies": identity if identity is not None else [],
            "serviceControlPolicies": scps if scps is not None else self.scps(),
        }
        if boundary is not None:
            simulation["permissionBoundaryPolicies"] = [{"name": "boundary", "policy": boundary}]
        if resource_policy is not None:
            simulation["resourcePolicy"] = resource_policy
        result = simulate(simulation)
        assert not result.errors, [str(e) for e in result.errors]
        return result

    def group_policy(self, group: str) -> dict[str, Any] | None:
        spec_group = self.spec.group(group)
        org = self.spec.organization
        return build_group_policy(group=group, partition=PARTITION, region=REGION, owner_account=self.registry,
                                  readers=[org.account_id(a) for a in spec_group.readers],
                                  deployers=[org.account_id(a) for a in spec_group.deployers],
                                  registrars=[org.account_id(a) for a in spec_group.registrars])


@pytest.fixture(scope="session")
def spec() -> GovernanceSpec:
    return load_spec(REPO / "governance.yaml")


@pytest.fixture(scope="session")
def lab(spec: GovernanceSpec) -> Lab:
    return Lab(spec)
