"""Every V code in policies/data/findings/verify.yaml has a fixture that triggers it, with its catalogued text."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from modelgov.policies.findings import catalogue
from modelgov.policies.verify import VerifyResult, verify_stacks
from modelgov.policies.verify.managed import managed_policy, shipped_names


def codes(result: VerifyResult) -> set[str]:
    return {v.code for v in result.violations} | {n.code for n in result.unknowns}


def _unresolved(c) -> None:
    c.registry["Parameters"] = {"Team": {"Type": "String"}}
    c.resource("AuditorRole")["Properties"]["Policies"] = [{"PolicyName": "p", "PolicyDocument": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "s3:*", "Resource": {"Ref": "Team"}}]}}]


def _unknown_managed(c) -> None:
    c.resource("AuditorRole")["Properties"]["ManagedPolicyArns"].append("arn:aws:iam::aws:policy/PowerUserAccess")


def _foreign_target(c) -> None:
    next(iter(c.management["Resources"].values()))["Properties"]["TargetIds"] = ["ou-zzzz-notinspec"]


def _no_persona_role(c) -> None:
    del c.registry["Resources"]["PipelineRole"]


def _ram_default(c) -> None:
    c.registry["Resources"]["Share"] = {"Type": "AWS::RAM::ResourceShare", "Properties": {
        "Name": "s", "Principals": ["777777777777"],
        "ResourceArns": ["arn:aws:sagemaker:us-east-1:222222222222:model-package-group/churn-prediction"]}}


def _opened(c) -> None:
    c.resource("AuditorRole")["Properties"]["ManagedPolicyArns"].append(
        "arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")


def _closed(c) -> None:
    c.resource("PipelinePolicy")["Properties"]["PolicyDocument"]["Statement"] = [
        {"Effect": "Allow", "Action": "sagemaker:DescribeModelPackage", "Resource": "*"}]


def _engine_error(c) -> None:
    statements = c.resource("PipelinePolicy")["Properties"]["PolicyDocument"]["Statement"]
    statements.append({"Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
                       "Condition": {"StringEquals:": {"sagemaker:ModelLifeCycle:Stage": "Production"}}})


def _two_variables(c) -> None:
    statements = c.resource("PipelinePolicy")["Properties"]["PolicyDocument"]["Statement"]
    statements.append({"Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
                       "Condition": {"StringEquals": {"aws:RequestTag/x": "${aws:PrincipalTag/a}${aws:userid}"}}})


def _trust(c, role: str) -> list:
    statements: list = c.resource(role)["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    return statements


def _trusts_more(c) -> None:
    _trust(c, "QaRole").append({"Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": "arn:aws:iam::444444444444:root"}})


def _trusts_less(c) -> None:
    del _trust(c, "DataScientistRole")[0]  # TrustAccounts: the registry account's roles


def _trusts_unresolved(c) -> None:
    c.registry["Parameters"] = {"Partner": {"Type": "String"}}
    _trust(c, "QaRole").append({"Effect": "Allow", "Action": "sts:AssumeRole",
                                "Principal": {"AWS": {"Ref": "Partner"}}})


def _no_trust(c) -> None:
    c.resource("AuditorRole")["Properties"]["AssumeRolePolicyDocument"] = {}


TRIGGERS: dict[str, tuple[Callable[..., None], dict[str, int]]] = {
    "V002": (_unresolved, {}),
    "V003": (_unknown_managed, {}),
    "V004": (_foreign_target, {}),
    "V005": (_no_persona_role, {}),
    "V006": (_ram_default, {}),
    "V101": (_opened, {}),
    "V102": (_closed, {}),
    "V103": (_unknown_managed, {}),
    "V104": (_engine_error, {}),
    "V105": (lambda c: None, {"max_evaluations": 10}),
    "V106": (_two_variables, {}),
    "V201": (_trusts_more, {}),
    "V202": (_trusts_less, {}),
    "V203": (_trusts_unresolved, {}),
    "V204": (_no_trust, {}),
}


@pytest.mark.parametrize("code", sorted(TRIGGERS))
def test_code_is_triggered(code, composition):
    mutate, options = TRIGGERS[code]
    mutate(composition)
    result = verify_stacks(composition.stacks(), composition.spec, **options)
    assert code in codes(result)
    assert catalogue()[code].severity in ("error", "warning")
    if catalogue()[code].severity == "error":  # every "cannot prove" note blocks: never a PASS
        assert not result.ok and result.exit_code == 1


def test_out_of_budget_fails_even_when_the_app_violates(composition):
    """With --max-evaluations 1 nothing is proven; a violating app must not report PASS."""
    _opened(composition)
    result = verify_stacks(composition.stacks(), composition.spec, max_evaluations=1)
    assert {n.code for n in result.unknowns} >= {"V105"}
    assert not result.ok and result.exit_code == 1


def test_every_v_code_has_a_trigger():
    catalogued = {c for c in catalogue().codes() if c.startswith("V")}
    assert catalogued == set(TRIGGERS) | {"V001"}  # V001 (unreadable input): test_reports, test_inputs


def test_shipped_managed_policies_name_their_seed_and_version():
    assert {"AmazonSageMakerFullAccess", "AmazonSageMakerReadOnly"} <= set(shipped_names())
    for name in shipped_names():
        data = managed_policy(f"arn:aws-us-gov:iam::aws:policy/{name}")
        assert data is not None and data["source"].startswith("../shared/seeds/") and data["version"]
    full = managed_policy("arn:aws:iam::aws:policy/AmazonSageMakerFullAccess")
    assert full is not None and full["document"]["Statement"][0]["Sid"] == "AllowAllNonAdminSageMakerActions"
    assert managed_policy("arn:aws:iam::aws:policy/AdministratorAccess") is None
