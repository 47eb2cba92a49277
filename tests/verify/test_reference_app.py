"""The verifier on the reference app as `cdk synth` writes it: it passes, and each mutation of the
synthesized templates fails with the right counterexample."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from modelgov.policies.spec import load_spec
from modelgov.policies.verify import VerifyResult, verify

REPO = Path(__file__).resolve().parents[2]
FULL_ACCESS = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, ":iam::aws:policy/AmazonSageMakerFullAccess"]]}


@pytest.fixture(scope="module")
def spec():
    return load_spec(str(REPO / "governance.yaml"))


@pytest.fixture
def assembly(reference_cdk_out: Path, tmp_path: Path) -> Path:
    """A writable copy of the synthesized assembly (templates and manifest only)."""
    folder = tmp_path / "cdk.out"
    folder.mkdir()
    for path in reference_cdk_out.glob("*.json"):
        shutil.copy(path, folder / path.name)
    return folder


def mutate(folder: Path, stack: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = folder / f"{stack}.template.json"
    template = json.loads(path.read_text())
    change(template["Resources"])
    path.write_text(json.dumps(template, indent=1))


def by_prefix(resources: dict[str, Any], prefix: str) -> dict[str, Any]:
    matches = [r for logical_id, r in resources.items() if logical_id.startswith(prefix)]
    assert len(matches) == 1, prefix
    return matches[0]


def test_reference_app_passes(assembly, spec):
    result = verify([assembly], spec)
    assert result.violations == [], [v.message for v in result.violations[:3]]
    assert result.ok and result.exit_code == 0
    personas = {result.personas[p] for p in result.matrices}
    assert {"data-scientist", "qa", "lead-engineer", "pipeline"} <= personas
    # who may assume each persona role is proven too: the five registry roles and the auditor's StackSet copies
    auditors = {p for p in result.trust if p.startswith("role modelgov-auditor in ")}
    assert auditors == {f"role modelgov-auditor in {a}" for a in ("222222222222", "333333333333", "444444444444",
                                                                  "555555555555")}
    assert len(result.trust) == 9 and result.stats["trust_evaluations"] > 0
    for principal, entries in result.trust.items():
        allowed = {label for label, entry in entries.items() if entry.actual == "allowed"}
        assert allowed, principal
        assert all(entry.actual == ("allowed" if label in allowed else "denied") and not entry.violation
                   for label, entry in entries.items())
    assert {label for label, e in result.trust["role modelgov-auditor in 444444444444"].items()
            if e.actual == "allowed"} == {"Identity Center Auditor (role's account)"}


def test_sso_pattern_widened_in_the_synthesized_template(assembly, spec):
    """The QA role's Identity Center patterns with `*` for the 16-character suffix admit QASpecialist_admin."""
    def widen(resources: dict[str, Any]) -> None:
        role = by_prefix(resources, "PersonasQaRole")["Properties"]
        role["AssumeRolePolicyDocument"] = json.loads(
            json.dumps(role["AssumeRolePolicyDocument"]).replace("_????????????????", "_*"))

    mutate(assembly, "modelgov-personas-registry", widen)
    result = verify([assembly], spec)
    trust = {v.label: v for v in result.violations if v.kind == "trust"}
    near = trust.pop("Identity Center QASpecialist_admin (role's account, near miss)")
    assert set(trust) == {"Identity Center set the spec does not name (role's account)"}
    assert (near.code, near.principal) == ("V201", "role modelgov-qa in 222222222222")
    assert near.request["principal"] == ("arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/"
                                         "AWSReservedSSO_QASpecialist_admin_a1b2c3d4e5f6a7b8")
    assert near.source.file.endswith("modelgov-personas-registry.template.json")
    assert any(d["sid"] == "TrustPermissionSets" and d["logical_id"].startswith("PersonasQaRole")
               for d in near.decisive)


def test_dropping_the_lifecycle_scp(assembly, spec):
    def drop(resources: dict[str, Any]) -> None:
        del resources[next(k for k in resources if k.startswith("GuardrailsLifecycle"))]

    mutate(assembly, "modelgov-organization", drop)
    result = verify([assembly], spec)
    found = [v for v in result.violations if v.code == "V101" and v.covers("none->Production:Approved")]
    assert found and found[0].principal.startswith("any other role in account 222222222222")
    assert found[0].request["contextVariables"]["sagemaker:ModelLifeCycle:Stage"] == "Production"


def test_full_access_on_the_data_scientist_is_contained_by_its_boundary_only(assembly, spec):
    def attach(resources: dict[str, Any]) -> None:
        by_prefix(resources, "PersonasDataScientistRole")["Properties"]["ManagedPolicyArns"].append(FULL_ACCESS)

    mutate(assembly, "modelgov-personas-registry", attach)
    assert verify([assembly], spec).violations == []  # governance.yaml gives the data scientist a boundary

    def unbound(resources: dict[str, Any]) -> None:
        del by_prefix(resources, "PersonasDataScientistRole")["Properties"]["PermissionsBoundary"]

    mutate(assembly, "modelgov-personas-registry", unbound)
    result = verify([assembly], spec)
    found = [v for v in result.violations if v.code == "V101" and v.persona == "data-scientist"
             and v.covers("Development->QA:InProgress")]
    assert found, [v.label for v in result.violations]
    assert found[0].request["principal"] == "arn:aws:iam::222222222222:role/modelgov-data-scientist"
    assert any(d["sid"] == "AllowAllNonAdminSageMakerActions" for d in found[0].decisive)


def test_update_in_a_consumer_group_policy(assembly, spec):
    def grant(resources: dict[str, Any]) -> None:
        policy = by_prefix(resources, "ChurnPredictionGroup")["Properties"]["ModelPackageGroupPolicy"]
        deploy = next(s for s in policy["Statement"] if s["Sid"] == "DeployVersions")
        deploy["Action"] = [*deploy["Action"], "sagemaker:UpdateModelPackage"]

    mutate(assembly, "modelgov-registry", grant)
    result = verify([assembly], spec)
    found = [v for v in result.violations if v.code == "V101" and "account 444444444444" in v.principal]
    assert found
    request = found[0].request
    assert request["action"] == "sagemaker:UpdateModelPackage"
    assert request["principal"].startswith("arn:aws:iam::444444444444:")
    assert request["resource"]["resource"] == \
        "arn:aws:sagemaker:us-east-1:222222222222:model-package/churn-prediction/1"
    assert any(d["sid"] == "DeployVersions" for d in found[0].decisive)


def test_renamed_stage_in_one_statement(assembly, spec):
    def rename(resources: dict[str, Any]) -> None:
        document = by_prefix(resources, "PersonasDataScientistPolicy")["Properties"]["PolicyDocument"]
        stage = "sagemaker:ModelLifeCycle:Stage"
        statement = next(s for s in document["Statement"]
                         if s.get("Condition", {}).get("StringEquals", {}).get(stage) == "QA")
        statement["Condition"]["StringEquals"]["sagemaker:ModelLifeCycle:Stage"] = "Staging"

    mutate(assembly, "modelgov-personas-registry", rename)
    result: VerifyResult = verify([assembly], spec)
    found = [v for v in result.violations if v.code == "V102" and v.persona == "data-scientist"
             and v.covers("Development->QA:PendingApproval")]
    assert found, [v.label for v in result.violations]
    context = found[0].request["contextVariables"]
    assert context["sagemaker:ModelLifeCycle:Stage"] == "QA"
    assert context["sagemaker:CurrentModelLifeCycleStage"] == "Development"
    assert found[0].decisive == []  # nothing allows it any more: an implicit deny
