"""The seed's three persona policies, corrected only as JSON, against the matrix its prose describes.

They must fail exactly where prose and policy disagree: the policies say `Staging` where the prose says
`QA` (seed-model-registry.md D-05, D-09); the lead engineer's policy matches its prose.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from modelgov.policies.builders.personas import build_trust_policy
from modelgov.policies.spec import GovernanceSpec, load_spec
from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.assembly import StackEnv, StackTemplate

DATA = Path(__file__).parent / "data"
UPDATE = ("sagemaker:UpdateModelPackage",)


def seed_stack(policies: dict[str, dict], spec: GovernanceSpec) -> list[StackTemplate]:
    """The seed's policies on roles that the spec's trust lets its people assume (a role needs a trust policy)."""
    def trust(name: str) -> dict:
        persona = spec.persona(name)
        return build_trust_policy(persona, partition="aws", account="222222222222", trusted_account_ids=[
            spec.organization.account_id(a) for a in persona.trust.accounts])

    resources: dict[str, dict] = {
        f"Role{i}": {"Type": "AWS::IAM::Role", "Properties": {
            "RoleName": f"modelgov-{name}", "AssumeRolePolicyDocument": trust(name),
            "Policies": [{"PolicyName": "seed", "PolicyDocument": document}]}}
        for i, (name, document) in enumerate(policies.items())}
    resources["Group"] = {"Type": "AWS::SageMaker::ModelPackageGroup",
                          "Properties": {"ModelPackageGroupName": "churn-prediction"}}
    return [StackTemplate("seed", "seed.template.json", {"Resources": resources},
                          StackEnv("222222222222", "us-east-1", "aws"))]


@pytest.fixture(scope="module")
def prose():
    return load_spec(str(DATA / "seed_prose_spec.yaml"))


@pytest.fixture(scope="module")
def seed_policies() -> dict[str, dict]:
    return json.loads((DATA / "seed_persona_policies.json").read_text())["policies"]


def test_seed_policies_fail_exactly_on_staging_versus_qa(prose, seed_policies):
    result = verify_stacks(seed_stack(seed_policies, prose), prose, actions=UPDATE, approval=False)
    found = {(v.persona, v.code, v.label.split("->")[1]) for v in result.violations}
    assert found == {
        ("data-scientist", "V102", "QA:PendingApproval"), ("data-scientist", "V101", "Staging:PendingApproval"),
        ("qa", "V102", "QA:Approved"), ("qa", "V102", "QA:Rejected"),
        ("qa", "V101", "Staging:Approved"), ("qa", "V101", "Staging:Rejected"),
    }
    # every current stage, including none and stages nobody listed, is covered by those classes
    qa_denied = next(v for v in result.violations if v.persona == "qa" and v.label.endswith("->QA:Approved")
                     and v.label.startswith("Proposal"))
    assert "modelgov-other-value" in qa_denied.equivalents["current stage"]
    assert not [v for v in result.violations if v.persona == "lead-engineer"]


def test_seed_policies_pass_once_staging_reads_qa(prose, seed_policies):
    fixed = copy.deepcopy(seed_policies)
    for document in fixed.values():
        for statement in document["Statement"]:
            equals = statement["Condition"]["StringEquals"]
            if equals["sagemaker:ModelLifeCycle:stage"] == "Staging":
                equals["sagemaker:ModelLifeCycle:stage"] = "QA"
    result = verify_stacks(seed_stack(fixed, prose), prose, actions=UPDATE, approval=False)
    assert result.violations == [] and result.ok
