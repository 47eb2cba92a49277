"""The proof on the issue-5 composition built from the builders: the good one passes, each mutation fails
with the right counterexample and decisive statement."""

from __future__ import annotations

from typing import Any

from modelgov.policies.verify import VerifyResult, Violation, verify_stacks

FULL_ACCESS = {"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerFullAccess"}


def violations(result: VerifyResult, label: str = "", **match: Any) -> list[Violation]:
    """Violations with these attributes whose value classes cover `label`."""
    return [v for v in result.violations if all(getattr(v, k) == want for k, want in match.items())
            and (not label or v.covers(label))]


def test_good_composition_passes(composition):
    result = verify_stacks(composition.stacks(), composition.spec)
    assert result.violations == []
    assert result.ok and result.exit_code == 0
    assert result.matrices["role modelgov-qa in 222222222222"]["QA->Production:PendingApproval"].actual == "partly"
    # the QA persona may nominate only from QA/Approved; the matrix says which statuses it covers
    assert result.matrices["role modelgov-qa in 222222222222"]["QA->QA:Approved"].actual == "allowed"


def test_dropping_the_lifecycle_scp_lets_other_roles_set_protected_stages(composition):
    composition.management["Resources"].clear()
    result = verify_stacks(composition.stacks(), composition.spec)
    found = violations(result, code="V101", label="none->Production:Approved")
    assert found and found[0].principal.startswith("any other role in account 222222222222")
    request = found[0].request
    assert request["action"] == "sagemaker:CreateModelPackage"
    assert request["contextVariables"]["sagemaker:ModelLifeCycle:Stage"] == "Production"
    assert request["resource"]["resource"].startswith("arn:aws:sagemaker:us-east-1:222222222222:model-package/")
    assert result.exit_code == 1


def test_protected_stage_is_kept_by_the_scp_for_unknown_roles(composition):
    result = verify_stacks(composition.stacks(), composition.spec)
    unknown_role = "any other role in account 222222222222 (identity policies not in the input)"
    assert unknown_role not in {v.principal for v in result.violations}


def test_full_access_on_the_data_scientist_is_a_violation(composition):
    composition.resource("DataScientistRole")["Properties"]["ManagedPolicyArns"].append(FULL_ACCESS)
    result = verify_stacks(composition.stacks(), composition.spec)
    found = violations(result, code="V101", persona="data-scientist", label="Development->QA:InProgress")
    assert found, [v.label for v in result.violations]
    violation = found[0]
    assert violation.request["principal"] == "arn:aws:iam::222222222222:role/modelgov-data-scientist"
    assert violation.request["contextVariables"]["sagemaker:CurrentModelLifeCycleStage"] == "Development"
    assert violation.request["contextVariables"]["sagemaker:ModelLifeCycle:Stage"] == "QA"
    assert any(d["sid"] == "AllowAllNonAdminSageMakerActions" and "AmazonSageMakerFullAccess" in d["policy"]
               for d in violation.decisive)
    # the SCP still keeps protected stages away from the data scientist
    assert not violations(result, persona="data-scientist", label="Development->Production:Approved")


def test_update_in_a_consumer_group_policy_is_a_violation(composition):
    group = composition.resource("ChurnPredictionGroup")["Properties"]["ModelPackageGroupPolicy"]
    deploy = next(s for s in group["Statement"] if s["Sid"] == "DeployVersions")
    deploy["Action"] = [*deploy["Action"], "sagemaker:UpdateModelPackage"]
    result = verify_stacks(composition.stacks(), composition.spec)
    found = [v for v in violations(result, code="V101") if "account 444444444444" in v.principal]
    assert found
    violation = found[0]
    assert violation.request["action"] == "sagemaker:UpdateModelPackage"
    assert violation.request["principal"].startswith("arn:aws:iam::444444444444:")
    assert "churn-prediction" in violation.request["resource"]["resource"]
    assert any(d["sid"] == "DeployVersions" and d["logical_id"] == "ChurnPredictionGroup" for d in violation.decisive)


def test_renamed_stage_in_one_statement_fails_both_ways(composition):
    document = composition.resource("DataScientistPolicy")["Properties"]["PolicyDocument"]
    renamed = 0
    for statement in document["Statement"]:
        equals = statement.get("Condition", {}).get("StringEquals", {})
        if equals.get("sagemaker:ModelLifeCycle:Stage") == "QA":
            equals["sagemaker:ModelLifeCycle:Stage"] = "Staging"
            renamed += 1
    assert renamed == 1
    result = verify_stacks(composition.stacks(), composition.spec)
    denied = violations(result, code="V102", persona="data-scientist", label="Development->QA:PendingApproval")
    opened = violations(result, code="V101", persona="data-scientist", label="Development->Staging:PendingApproval")
    assert denied and opened
    assert denied[0].request["contextVariables"]["sagemaker:ModelLifeCycle:Stage"] == "QA"
    assert opened[0].request["contextVariables"]["sagemaker:ModelLifeCycle:Stage"] == "Staging"
    assert denied[0].request["contextVariables"]["sagemaker:CurrentModelLifeCycleStage"] == "Development"


def test_unnamed_stage_values_are_covered(composition):
    """A stage nobody listed: an Allow on StringLike "*" for the pipeline opens every stage, including new ones."""
    document = composition.resource("PipelinePolicy")["Properties"]["PolicyDocument"]
    document["Statement"].append({"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
                                  "Condition": {"StringLike": {"sagemaker:ModelLifeCycle:Stage": "Dev*"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    labels = {v.label for v in violations(result, code="V101", persona="pipeline")}
    assert any("->Dev:" in label or "->Devmodelgovx:" in label for label in labels), labels
