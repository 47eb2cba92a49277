"""The engine's public contract: import paths, prepare/evaluate, decisive statements, traces, errors."""

from __future__ import annotations

import subprocess
import sys
from typing import Any

from modelgov.policies.engine import EngineError, SimulationResult, prepare, simulate

ACCT = "111111111111"
QA = f"arn:aws:iam::{ACCT}:role/QA"
MP = f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package/churn/{{n}}"
QA_POLICY = {"Version": "2012-10-17", "Statement": [{
    "Sid": "QAPromote", "Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
    "Condition": {"StringEquals": {"sagemaker:ModelLifeCycle:Stage": "Production",
                                   "sagemaker:ModelLifeCycle:StageStatus": "PendingApproval"}}}]}
GUARD = {"Version": "2012-10-17", "Statement": [{
    "Sid": "OnlyQA", "Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
    "Condition": {"StringEquals": {"sagemaker:ModelLifeCycle:Stage": "Production"},
                  "ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/QA"}}}]}
FULL = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}


def policies() -> dict[str, Any]:
    return {"identityPolicies": [{"name": "QAPromote", "policy": QA_POLICY}],
            "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": [
                {"name": "FullAWSAccess", "policy": FULL}, {"name": "OnlyQA", "policy": GUARD}]}],
            "resourceControlPolicies": []}


def request(stage: str | None, status: str | None, principal: str = QA, n: int = 3) -> dict[str, Any]:
    ctx = {k: v for k, v in (("sagemaker:ModelLifeCycle:Stage", stage),
                             ("sagemaker:ModelLifeCycle:StageStatus", status)) if v is not None}
    return {"principal": principal, "action": "sagemaker:UpdateModelPackage",
            "resource": {"resource": MP.format(n=n), "accountId": ACCT}, "contextVariables": ctx}


def test_lazy_reexport_from_policies() -> None:
    code = ("import sys, modelgov.policies as p; assert 'modelgov.policies.engine' not in sys.modules; "
            "from modelgov.policies import simulate; import modelgov.policies.engine as e; "
            "assert simulate is e.simulate")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_engine_imports_without_aws_cdk() -> None:
    code = ("import sys; sys.modules['aws_cdk'] = None; sys.modules['constructs'] = None; "
            "from modelgov.policies.engine import simulate, prepare; from modelgov.policies import iam")
    subprocess.run([sys.executable, "-c", code], check=True)


def test_only_qa_in_production_pending_approval_over_the_whole_grid() -> None:
    prepared = prepare(policies())
    stages = ["Development", "Staging", "Production", "Archived", None]
    statuses = ["Approved", "PendingApproval", "Rejected", None]
    allowed = [(p, s, t) for p in (QA, f"arn:aws:iam::{ACCT}:role/DataScientist") for s in stages for t in statuses
               if prepared.evaluate(request(s, t, p)).decision == "Allowed"]
    assert allowed == [(QA, "Production", "PendingApproval")]


def test_decisive_statements_name_layer_policy_index_and_sid() -> None:
    prepared = prepare(policies())
    ok = prepared.evaluate(request("Production", "PendingApproval"))
    assert isinstance(ok, SimulationResult) and ok.allowed
    assert ok.decisive == [{"layer": "identity", "policy": "QAPromote", "statement_index": 0,
                            "sid": "QAPromote", "effect": "Allow"}]
    denied = prepared.evaluate(request("Production", None, f"arn:aws:iam::{ACCT}:role/DataScientist"))
    assert denied.decision == "ExplicitlyDenied"
    assert denied.decisive == [{"layer": "scp:r-root", "policy": "OnlyQA", "statement_index": 0, "sid": "OnlyQA",
                                "effect": "Deny"}]
    assert denied.to_dict()["errors"] == []


def test_trace_explains_every_layer_statement_and_condition() -> None:
    result = simulate({**policies(), "request": request("Production", "Approved")})
    layers = {t.layer: t for t in result.trace}
    assert set(layers) == {"scp:r-root", "identity"}
    assert layers["identity"].result == "ImplicitlyDenied"
    (qa,) = layers["identity"].statements
    assert (qa.action, qa.resource, qa.applies) == (True, True, False)
    status = [c for c in qa.conditions if c.key == "sagemaker:ModelLifeCycle:StageStatus"][0]
    assert (status.request_value, status.matched) == ("Approved", False)
    text = result.explain()
    assert text.startswith("decision: ImplicitlyDenied")
    assert "StringEquals sagemaker:ModelLifeCycle:StageStatus: request 'Approved' vs ['PendingApproval'] -> false" \
        in text


def test_errors_are_values_with_locations_and_never_allowed() -> None:
    broken = policies()
    broken["identityPolicies"].append({"name": "Broken", "policy": {"Version": "2012-10-17", "Statement": [
        {"Sid": "Typo", "Effect": "Allow", "Action": "sagemaker:UpdateModelPackges", "Resource": "*"}]}})
    result = prepare(broken).evaluate(request("Production", "PendingApproval"))
    assert result.decision == "ImplicitlyDenied"
    (error,) = result.errors
    assert isinstance(error, EngineError)
    assert (error.code, error.location) == ("E012", "identityPolicies[1](Broken).Statement[0](Typo)")
    assert result.to_dict()["errors"][0]["location"] == error.location
    assert error.to_finding("sim.json").location.path == error.location


def test_request_errors_are_reported_per_field() -> None:
    result = prepare(policies()).evaluate({"principal": "QA", "action": "sagemaker:Nope",
                                           "resource": {"resource": "arn:aws:s3:::b", "accountId": "1"}})
    assert sorted(e.code for e in result.errors) == ["E001", "E002", "E006"]
    assert {e.location for e in result.errors} >= {"request.principal", "request.action"}
    assert simulate([]).errors[0].code == "E001"  # type: ignore[arg-type]


def test_prepared_set_serves_many_resources_and_principals() -> None:
    prepared = prepare(policies())
    decisions = {prepared.evaluate(request("Production", "PendingApproval", QA, n)).decision for n in range(50)}
    assert decisions == {"Allowed"}
    assert prepared.evaluate(request("Production", "PendingApproval", f"arn:aws:sts::{ACCT}:assumed-role/QA/x")
                             ).decision == "Allowed"


def test_trace_marks_layers_that_do_not_apply_and_why() -> None:
    sim = {"request": request("Production", "PendingApproval"), "identityPolicies": [{"name": "all", "policy": FULL}],
           "serviceControlPolicies": [{"orgIdentifier": "r-root", "policies": []}],
           "resourceControlPolicies": [{"orgIdentifier": "r-root", "policies": [{"name": "deny", "policy": {
               "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Principal": "*", "Action": "sagemaker:*",
                                                       "Resource": "*"}]}}]}],
           "organization": {"managementAccountId": ACCT}}
    result = simulate(sim)
    assert result.decision == "Allowed"
    layers = {t.layer: t for t in result.trace}
    assert (layers["scp:r-root"].applies, layers["scp:r-root"].note) == (
        False, "SCPs do not restrict the management account")
    assert (layers["rcp:r-root"].result, layers["rcp:r-root"].note) == (
        "NotApplicable", "sagemaker does not support RCPs")
    assert "[rcp:r-root] NotApplicable (sagemaker does not support RCPs)" in result.explain()


def test_unmodelled_or_misspelt_inputs_are_errors_not_silently_ignored() -> None:
    base = {**policies(), "request": request("Production", "PendingApproval")}
    assert simulate(base).decision == "Allowed"
    endpoint = simulate({**base, "vpcEndpointPolicies": [{"name": "e", "policy": FULL}]})
    assert (endpoint.decision, [e.location for e in endpoint.errors]) == ("ImplicitlyDenied", ["vpcEndpointPolicies"])
    assert simulate({**base, "vpcEndpointPolicies": []}).decision == "Allowed"
    typo = simulate({**base, "identityPolicy": []})
    assert typo.errors[0].code == "E001" and "identityPolicy" in typo.errors[0].message


def test_trace_says_which_action_and_resource_entries_failed() -> None:
    sim = {**policies(), "request": request("Production", "PendingApproval")}
    sim["identityPolicies"] = [{"name": "narrow", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "NotAction": "sagemaker:*", "Resource": [
            "arn:aws:sagemaker:*:*:model-package/fraud/*",
            "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team}/*"]}]}}]
    (statement,) = [t for t in simulate(sim).trace if t.layer == "identity"][0].statements
    assert not statement.action and not statement.resource
    assert statement.action_detail == "NotAction ['sagemaker:*'] vs sagemaker:UpdateModelPackage"
    assert "model-package/fraud/*: no match" in statement.resource_detail
    assert "${aws:PrincipalTag/team}/*: policy variable without a value" in statement.resource_detail
