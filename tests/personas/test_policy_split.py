"""Persona policies split across managed policies: a spec with 40+ groups builds, proves and synthesizes.

Before the split every persona statement repeated every group ARN in one document, which passed
`modelgov spec` and then died in app.py past about 11 groups.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import aws_cdk as cdk
import pytest
import yaml
from aws_cdk.assertions import Template

from modelgov.constructs.personas import PersonaRoles
from modelgov.policies.builders.personas import (
    MAX_MANAGED_POLICIES_PER_ROLE,
    MAX_MANAGED_POLICY_CHARACTERS,
    build_persona_boundary,
    build_persona_policies,
    build_persona_policy,
    policy_size,
)
from modelgov.policies.engine import simulate
from modelgov.policies.spec import GovernanceSpec

REPO = Path(__file__).resolve().parents[2]
ARGS = {"partition": "aws", "region": "us-east-1", "account": "222222222222"}
TOKEN = "${Token[AWS.Partition.9]}"


def _wide_spec(groups: int) -> GovernanceSpec:
    """The reference spec with `groups` generated model package groups (sharing and events reference none)."""
    raw = yaml.safe_load((REPO / "governance.yaml").read_text())
    raw["model_package_groups"] = [{"name": f"model-group-{i:03d}"} for i in range(groups)]
    raw["sharing"], raw["events"] = {}, {}
    return GovernanceSpec.model_validate(raw)


@pytest.fixture(scope="module")
def wide() -> GovernanceSpec:
    return _wide_spec(45)


def _actions_and_resources(documents: list[dict[str, Any]]) -> set[tuple[str, str, str]]:
    """(action, resource, condition) triples: what the documents allow, whatever the cut."""
    out: set[tuple[str, str, str]] = set()
    for document in documents:
        for statement in document["Statement"]:
            actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            condition = json.dumps(statement.get("Condition", {}), sort_keys=True)
            out.update((a, r, condition) for a in actions for r in resources)
    return out


def test_one_policy_no_longer_fits_45_groups(wide: GovernanceSpec) -> None:
    with pytest.raises(ValueError, match=r"persona 'data-scientist': managed policy is \d+ characters"):
        build_persona_policy(wide, wide.persona("data-scientist"), **ARGS)


@pytest.mark.parametrize("partition", ["aws", TOKEN])
def test_45_groups_split_into_several_policies_each_within_the_limit(wide: GovernanceSpec, partition: str) -> None:
    for persona in wide.personas:
        documents = build_persona_policies(wide, persona, **(ARGS | {"partition": partition}))
        sized = documents if partition == "aws" else build_persona_policies(
            wide, persona, **(ARGS | {"partition": "aws-us-gov"}))
        assert 1 < len(documents) <= MAX_MANAGED_POLICIES_PER_ROLE, persona.name
        assert all(policy_size(d) <= MAX_MANAGED_POLICY_CHARACTERS for d in sized), persona.name
        assert len(documents) == len(sized)  # a token partition is sized as the longest real one
        for document in documents:
            sids = [s["Sid"] for s in document["Statement"]]
            assert len(sids) == len(set(sids)), sids


def test_the_split_allows_exactly_what_one_unlimited_document_would(wide: GovernanceSpec) -> None:
    from modelgov.policies.builders.personas import _policy_document
    for persona in wide.personas:
        whole = _policy_document(wide, persona, **ARGS)
        assert _actions_and_resources(build_persona_policies(wide, persona, **ARGS)) == _actions_and_resources([whole])


def test_a_small_spec_still_gets_the_single_policy(spec: GovernanceSpec) -> None:
    for persona in spec.personas:
        assert build_persona_policies(spec, persona, **ARGS) == [build_persona_policy(spec, persona, **ARGS)]


def test_the_engine_allows_a_transition_on_the_last_group_through_a_later_policy(wide: GovernanceSpec) -> None:
    persona = wide.persona("data-scientist")
    documents = build_persona_policies(wide, persona, **ARGS)
    version = "arn:aws:sagemaker:us-east-1:222222222222:model-package/model-group-044/1"
    request = {"principal": "arn:aws:iam::222222222222:role/modelgov-data-scientist",
               "action": "sagemaker:UpdateModelPackage", "resource": {"resource": version, "accountId": "222222222222"},
               "contextVariables": {"sagemaker:CurrentModelLifeCycleStage": "Development",
                                    "sagemaker:CurrentModelLifeCycleStageStatus": "InProgress",
                                    "sagemaker:ModelLifeCycle:Stage": "QA",
                                    "sagemaker:ModelLifeCycle:StageStatus": "PendingApproval"}}
    policies = [{"name": f"p{i}", "policy": d} for i, d in enumerate(documents)]
    assert simulate({"request": request, "identityPolicies": policies}).allowed
    assert not simulate({"request": request, "identityPolicies": policies[:1]}).allowed


def test_fails_when_ten_policies_would_not_hold_the_persona() -> None:
    spec = _wide_spec(100)
    with pytest.raises(ValueError, match=r"persona 'data-scientist': statements need 11 managed policies \(\d+ "
                                         r"characters\), a role carries 10 of at most 6144; give the persona fewer"):
        build_persona_policies(spec, spec.persona("data-scientist"), **ARGS)


def test_a_boundary_too_big_per_group_names_the_registry_versions_instead(wide: GovernanceSpec) -> None:
    boundary = build_persona_boundary(wide, wide.persona("data-scientist"), **ARGS)
    assert policy_size(boundary) <= MAX_MANAGED_POLICY_CHARACTERS
    resources = {r for s in boundary["Statement"][1:] for r in s["Resource"]}
    assert resources == {"arn:aws:sagemaker:us-east-1:222222222222:model-package/*/*"}


def test_persona_roles_attach_every_split_policy(wide: GovernanceSpec) -> None:
    stack = cdk.Stack(cdk.App(), "Wide", env=cdk.Environment(account="222222222222", region="us-east-1"))
    roles = PersonaRoles(stack, "Personas", spec=wide, personas=["data-scientist"])
    template = Template.from_stack(stack)
    policies = template.find_resources("AWS::IAM::ManagedPolicy")
    lifecycle = sorted(p["Properties"]["ManagedPolicyName"] for p in policies.values()
                       if "-lifecycle" in p["Properties"]["ManagedPolicyName"])
    count = len(roles.policy_sets["data-scientist"])
    assert count > 1
    assert lifecycle == sorted(["modelgov-data-scientist-lifecycle",
                                *[f"modelgov-data-scientist-lifecycle-{n}" for n in range(2, count + 1)]])
    role = next(iter(template.find_resources("AWS::IAM::Role").values()))
    attached = [ref["Ref"] for ref in role["Properties"]["ManagedPolicyArns"]]
    assert sorted(attached) == sorted(stack.resolve(p.ref)["Ref"] for p in roles.policy_sets["data-scientist"])


def test_app_prints_a_construction_error_as_one_line_and_exits_1(tmp_path: Path) -> None:
    raw = yaml.safe_load((REPO / "governance.yaml").read_text())
    raw["model_package_groups"] = [{"name": f"model-group-{i:03d}"} for i in range(100)]
    raw["sharing"], raw["events"] = {}, {}
    spec_file = tmp_path / "governance.yaml"
    spec_file.write_text(yaml.safe_dump(raw))
    env = os.environ | {"CDK_OUTDIR": str(tmp_path / "out"), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "1",
                        "CDK_CONTEXT_JSON": json.dumps({"modelgov:spec": str(spec_file)}),
                        "PATH": f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"}
    done = subprocess.run([sys.executable, str(REPO / "app.py")], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[-1].startswith(f"{spec_file}: persona ")
    assert "managed policies" in lines[-1] and "split it into two personas" in lines[-1]


def test_the_stackset_template_attaches_every_split_policy(wide: GovernanceSpec) -> None:
    from modelgov.constructs.persona_stackset import persona_template
    template = persona_template(wide, ["auditor"])
    policies = {k for k, v in template["Resources"].items() if v["Type"] == "AWS::IAM::ManagedPolicy"}
    role = next(v for v in template["Resources"].values() if v["Type"] == "AWS::IAM::Role")
    assert len(policies) == 2
    assert {ref["Ref"] for ref in role["Properties"]["ManagedPolicyArns"]} == policies
