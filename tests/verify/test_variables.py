"""Policy variables are enumerated: a key read through `${...}` in a Condition, Resource or NotResource gets
witness values from what it is compared with, so a pass still means no value opens a forbidden transition."""

from __future__ import annotations

from typing import Any

from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.domain import collect_keys, witnesses

UPDATE = "sagemaker:UpdateModelPackage"


def _tagged_role(composition, tags: dict[str, str], statement: dict[str, Any]) -> None:
    composition.registry["Resources"]["TaggedRole"] = {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "modelgov-tagged", "AssumeRolePolicyDocument": {},
        "Tags": [{"Key": k, "Value": v} for k, v in tags.items()],
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [statement]}}]}}


def _tagged(result) -> list:
    return [v for v in result.violations if v.principal.startswith("role modelgov-tagged")]


def test_stage_read_from_a_principal_tag_fails_with_a_counterexample(composition):
    _tagged_role(composition, {"stage": "QA"}, {
        "Effect": "Allow", "Action": UPDATE, "Resource": "*",
        "Condition": {"StringEquals": {"sagemaker:ModelLifeCycle:Stage": "${aws:PrincipalTag/stage}"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = _tagged(result)
    assert not result.ok and result.exit_code == 1
    assert found and {v.code for v in found} == {"V101"}
    context = found[0].request["contextVariables"]
    assert context["aws:PrincipalTag/stage"] == context["sagemaker:ModelLifeCycle:Stage"]


def test_group_read_from_a_principal_tag_in_the_resource_fails_with_a_counterexample(composition):
    _tagged_role(composition, {"grp": "churn-prediction"}, {
        "Effect": "Allow", "Action": UPDATE,
        "Resource": "arn:aws:sagemaker:us-east-1:222222222222:model-package/${aws:PrincipalTag/grp}/*"})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = _tagged(result)
    assert not result.ok and found and {v.code for v in found} == {"V101"}
    request = found[0].request
    group = request["contextVariables"]["aws:PrincipalTag/grp"]
    assert f"model-package/{group}/" in request["resource"]["resource"]


def test_variable_in_not_resource_is_enumerated(composition):
    _tagged_role(composition, {"grp": "fraud-detection"}, {
        "Effect": "Allow", "Action": UPDATE,
        "NotResource": "arn:aws:sagemaker:us-east-1:222222222222:model-package/${aws:PrincipalTag/grp}/*"})
    found = _tagged(verify_stacks(composition.stacks(), composition.spec))
    assert found and {v.code for v in found} == {"V101"}


def test_two_variables_in_one_value_cannot_be_proven(composition):
    _tagged_role(composition, {}, {
        "Effect": "Deny", "Action": UPDATE, "Resource": "*",
        "Condition": {"StringEquals": {"sagemaker:ModelLifeCycle:Stage":
                                       "${aws:PrincipalTag/a}${aws:PrincipalTag/b}"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    notes = [n for n in result.unknowns if n.code == "V106"]
    assert notes and "modelgov-tagged" in notes[0].message and "${aws:PrincipalTag/a}" in notes[0].message
    assert not result.ok and result.exit_code == 1


def test_witnesses_link_both_sides_of_a_variable_comparison():
    doc = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": UPDATE, "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "team-${aws:PrincipalTag/team}",
                                        "aws:PrincipalTag/team": "risk"}}},
        {"Effect": "Allow", "Action": UPDATE, "Resource": "*",
         "Condition": {"StringEquals": {"aws:RequestTag/team": "team-churn"}}}]}
    uses = collect_keys([doc], UPDATE)
    principal_tag = witnesses(uses["aws:principaltag/team"])
    request_tag = witnesses(uses["aws:requesttag/team"])
    assert "churn" in principal_tag and "risk" in principal_tag  # middle of team-churn; own literal
    assert "team-risk" in request_tag and "team-churn" in request_tag
    assert "${" not in "".join(request_tag)  # the template itself is no value


def test_principal_arn_template_reaches_roles_of_the_calling_account(composition):
    """A group policy open to `role/deployer-*` of whichever account calls: some other account's role opens it."""
    policy = composition.resource("FraudDetectionGroup")["Properties"]["ModelPackageGroupPolicy"]
    policy["Statement"].append({
        "Sid": "AnyDeployer", "Effect": "Allow", "Principal": "*", "Action": UPDATE, "Resource": "*",
        "Condition": {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::${aws:PrincipalAccount}:role/deployer-*"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = [v for v in result.violations if v.principal.startswith("any principal in any AWS account")]
    assert found and {v.code for v in found} == {"V101"}
    assert ":role/deployer-" in found[0].request["principal"]
