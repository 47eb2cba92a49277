"""Who may assume each persona role: the trust policies the builders give the reference composition are proven
exactly, and each way of getting them wrong is a violation with a concrete sts:AssumeRole counterexample."""

from __future__ import annotations

import json
from typing import Any

import pytest

from modelgov.policies.verify import VerifyResult, verify_stacks
from modelgov.policies.verify.result import Violation

from .conftest import SPEC_FILE

QA = "role modelgov-qa in 222222222222"
SCIENTIST = "role modelgov-data-scientist in 222222222222"
PIPELINE = "role modelgov-pipeline in 222222222222"
ANY_ROLE = "modelgov-any-principal"


def trust_of(composition, role: str) -> list[dict[str, Any]]:
    statements: list[dict[str, Any]] = composition.resource(role)["Properties"]["AssumeRolePolicyDocument"][
        "Statement"]
    return statements


def statement(composition, role: str, sid: str) -> dict[str, Any]:
    return next(s for s in trust_of(composition, role) if s["Sid"] == sid)


def trust_violations(result: VerifyResult) -> list[Violation]:
    return [v for v in result.violations if v.kind == "trust"]


def only(result: VerifyResult, code: str, principal: str, label: str) -> Violation:
    found = [v for v in trust_violations(result) if (v.code, v.principal, v.label) == (code, principal, label)]
    assert len(found) == 1, [(v.code, v.principal, v.label) for v in trust_violations(result)]
    return found[0]


def sids(violation: Violation) -> set[str]:
    return {d["sid"] for d in violation.decisive if d["layer"] == "resource"}


def test_reference_composition_proves_who_may_assume_each_persona_role(composition):
    result = verify_stacks(composition.stacks(), composition.spec)
    assert result.violations == [] and result.ok
    assert set(result.trust) == {f"role modelgov-{p.name} in 222222222222" for p in composition.spec.personas}
    allowed = {role: sorted(label for label, e in entries.items() if e.actual == "allowed")
               for role, entries in result.trust.items()}
    assert allowed[QA] == ["Identity Center QASpecialist (role's account)"]
    assert allowed[PIPELINE] == ["sagemaker.amazonaws.com for the role's account"]
    # the data scientist trusts the registry account: every role there, Identity Center roles included
    assert "any role in 222222222222 (registry)" in allowed[SCIENTIST]
    assert "Identity Center QASpecialist_admin (role's account, near miss)" in allowed[SCIENTIST]
    assert "any role in 333333333333 (dev)" not in allowed[SCIENTIST]
    qa = result.trust[QA]
    for label in ("any role in 111111111111 (management)", "any role in 999999999999 (outside the organization)",
                  "Identity Center set the spec does not name (role's account)",
                  "sagemaker.amazonaws.com without aws:SourceAccount",
                  "federated identities (OIDC web identity, SAML)"):
        assert (qa[label].expected, qa[label].actual, qa[label].violation) == ("denied", "denied", False), label
    # both Identity Center ARN forms were tried, and Identity Center roles of the QA set in other accounts too
    assert {"arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASpecialist_"
            "a1b2c3d4e5f6a7b8", "arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/eu-west-2/"
            "AWSReservedSSO_QASpecialist_a1b2c3d4e5f6a7b8"} <= set(qa["Identity Center QASpecialist (role's account)"]
                                                                   .callers)
    assert ("arn:aws:iam::333333333333:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_QASpecialist_"
            "a1b2c3d4e5f6a7b8") in qa["any role in 333333333333 (dev)"].callers
    assert result.stats["trust_evaluations"] > 0 and result.stats["trust_roles"] == 6


@pytest.mark.parametrize("account, label", [
    ("444444444444", "any role in 444444444444 (test)"),
    ("777777777777", "any role in 777777777777 (outside the organization, named by the trust policy)")])
def test_trusting_an_extra_account_root_is_broader(composition, account, label):
    trust_of(composition, "QaRole").append({"Sid": "Partner", "Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"AWS": f"arn:aws:iam::{account}:root"}})
    result = verify_stacks(composition.stacks(), composition.spec)
    assert not result.ok and result.exit_code == 1
    assert {(v.principal, v.label) for v in trust_violations(result)} == {(QA, label)}
    found = only(result, "V201", QA, label)
    assert found.request["principal"] == f"arn:aws:iam::{account}:role/{ANY_ROLE}"
    assert found.request["action"] == "sts:AssumeRole"
    assert found.request["resource"] == {"resource": "arn:aws:iam::222222222222:role/modelgov-qa",
                                         "accountId": "222222222222"}
    assert (found.expected, found.actual) == ("denied", "Allowed")
    assert sids(found) == {"Partner"}
    assert {d.get("logical_id") for d in found.decisive if d["layer"] == "resource"} == {"QaRole"}
    assert found.source.logical_id == "QaRole"
    assert result.trust[QA][label].violation


def test_sso_pattern_widened_to_any_suffix_admits_the_near_miss_set(composition):
    """`AWSReservedSSO_QASpecialist_*` also matches the roles of a permission set called QASpecialist_admin."""
    condition = statement(composition, "QaRole", "TrustPermissionSets")["Condition"]["ArnLike"]
    condition["aws:PrincipalArn"] = [pattern.replace("_????????????????", "_*")
                                     for pattern in condition["aws:PrincipalArn"]]
    result = verify_stacks(composition.stacks(), composition.spec)
    near = "Identity Center QASpecialist_admin (role's account, near miss)"
    unnamed = "Identity Center set the spec does not name (role's account)"
    assert {(v.code, v.principal, v.label) for v in trust_violations(result)} == {("V201", QA, near),
                                                                                 ("V201", QA, unnamed)}
    # the pattern's own witness: a set QASpecialist_x, which nobody named either
    assert only(result, "V201", QA, unnamed).request["principal"].endswith(
        "/AWSReservedSSO_QASpecialist_x_a1b2c3d4e5f6a7b8")
    found = only(result, "V201", QA, near)
    assert found.request["principal"].endswith("/AWSReservedSSO_QASpecialist_admin_a1b2c3d4e5f6a7b8")
    assert found.request["principal"].startswith("arn:aws:iam::222222222222:role/aws-reserved/sso.amazonaws.com/")
    assert sids(found) == {"TrustPermissionSets"}
    assert "QASpecialist_admin is not in trust.sso_permission_sets (QASpecialist)" in found.message
    assert result.trust[QA]["Identity Center QASpecialist (role's account)"].actual == "allowed"


def test_service_trust_without_source_account_admits_the_confused_deputy(composition):
    del statement(composition, "PipelineRole", "TrustServices")["Condition"]
    result = verify_stacks(composition.stacks(), composition.spec)
    labels = {(v.code, v.label) for v in trust_violations(result) if v.principal == PIPELINE}
    assert labels == {("V201", "sagemaker.amazonaws.com for another account"),
                      ("V201", "sagemaker.amazonaws.com without aws:SourceAccount")}
    other = only(result, "V201", PIPELINE, "sagemaker.amazonaws.com for another account")
    assert other.request["principal"] == "sagemaker.amazonaws.com"
    assert other.request["contextVariables"]["aws:SourceAccount"] != "222222222222"
    assert sids(other) == {"TrustServices"}
    absent = only(result, "V201", PIPELINE, "sagemaker.amazonaws.com without aws:SourceAccount")
    assert "aws:SourceAccount" not in absent.request["contextVariables"]
    assert result.trust[PIPELINE]["sagemaker.amazonaws.com for the role's account"].actual == "allowed"


def test_removing_a_listed_account_locks_its_roles_out(composition):
    trust_of(composition, "DataScientistRole").remove(statement(composition, "DataScientistRole", "TrustAccounts"))
    result = verify_stacks(composition.stacks(), composition.spec)
    assert not result.ok and {v.code for v in trust_violations(result)} == {"V202"}
    found = only(result, "V202", SCIENTIST, "any role in 222222222222 (registry)")
    assert found.request["principal"] == f"arn:aws:iam::222222222222:role/{ANY_ROLE}"
    assert (found.expected, found.actual) == ("allowed", "ImplicitlyDenied")
    assert found.decisive == []  # no statement admits it
    assert "trust.accounts lists 222222222222 (registry)" in found.message
    # the data scientists' own permission set still gets in; other sets' roles in the registry do not
    entries = result.trust[SCIENTIST]
    assert entries["Identity Center DataScientist (role's account)"].actual == "allowed"
    assert entries["Identity Center QASpecialist (role's account)"].violation


def test_a_role_the_trust_policy_names_is_a_caller_of_its_account(composition):
    trust_of(composition, "LeadEngineerRole").append({
        "Sid": "Ci", "Effect": "Allow", "Action": "sts:AssumeRole",
        "Principal": {"AWS": "arn:aws:iam::333333333333:role/ci/release-bot"}})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = only(result, "V201", "role modelgov-lead-engineer in 222222222222", "any role in 333333333333 (dev)")
    assert found.request["principal"] == "arn:aws:iam::333333333333:role/ci/release-bot"
    assert sids(found) == {"Ci"}


def test_an_allowed_identity_provider_is_a_caller_the_spec_cannot_list(composition):
    trust_of(composition, "QaRole").append({
        "Sid": "GitHub", "Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
        "Principal": {"Federated": "arn:aws:iam::222222222222:oidc-provider/token.actions.githubusercontent.com"},
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:org/*"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = only(result, "V201", QA, "federated identities (OIDC web identity, SAML)")
    assert found.request["action"] == "sts:AssumeRoleWithWebIdentity"
    assert found.request["principal"].endswith(":oidc-provider/token.actions.githubusercontent.com")
    assert sids(found) == {"GitHub"}


def test_a_condition_the_caller_chooses_does_not_lock_intended_callers_out(composition):
    """An external id is sent by the caller: the registry's roles can still get in, a partner account too."""
    statement(composition, "DataScientistRole", "TrustAccounts")["Condition"] = {
        "StringEquals": {"sts:ExternalId": "modelgov-ds"}}
    trust_of(composition, "QaRole").append({"Sid": "Partner", "Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"AWS": "arn:aws:iam::555555555555:root"},
                                            "Condition": {"StringEquals": {"sts:ExternalId": "partner"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    assert [(v.principal, v.label) for v in trust_violations(result)] == [(QA, "any role in 555555555555 (prod)")]
    found = trust_violations(result)[0]
    assert found.request["contextVariables"]["sts:ExternalId"] == "partner"


def test_a_condition_on_who_the_caller_is_locks_the_others_out(composition):
    """A principal tag is not the caller's to choose: roles of the registry without it cannot get in."""
    statement(composition, "DataScientistRole", "TrustAccounts")["Condition"] = {
        "StringEquals": {"aws:PrincipalTag/team": "data-science"}}
    result = verify_stacks(composition.stacks(), composition.spec)
    found = only(result, "V202", SCIENTIST, "any role in 222222222222 (registry)")
    assert found.request["contextVariables"].get("aws:PrincipalTag/team") != "data-science"


def test_an_scp_denying_assume_role_locks_a_listed_account_out(composition):
    """The caller's SCPs apply: the root SCP denies sts:AssumeRole on persona roles, so the registry's roles
    cannot become the data scientist although its trust policy lets them."""
    scp = next(iter(composition.management["Resources"].values()))["Properties"]["Content"]
    scp["Statement"].append({"Sid": "NoPersonaRoles", "Effect": "Deny", "Action": "sts:AssumeRole",
                             "Resource": "arn:aws:iam::*:role/modelgov-data-scientist"})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = only(result, "V202", SCIENTIST, "any role in 222222222222 (registry)")
    assert (found.actual, sids(found)) == ("ExplicitlyDenied", set())
    assert [d["sid"] for d in found.decisive if d["layer"].startswith("scp")] == ["NoPersonaRoles"]
    # the management account is exempt from SCPs, and nobody there was let in anyway
    assert result.trust[SCIENTIST]["any role in 111111111111 (management)"].actual == "denied"


@pytest.mark.parametrize("trust", [{}, {"Version": "2012-10-17", "Statement": []}, None])
def test_a_persona_role_without_trust_policy_is_reported_not_crashed(composition, trust):
    properties = composition.resource("AuditorRole")["Properties"]
    if trust is None:
        del properties["AssumeRolePolicyDocument"]
    else:
        properties["AssumeRolePolicyDocument"] = trust
    result = verify_stacks(composition.stacks(), composition.spec)
    notes = [n for n in result.unknowns if n.code == "V204"]
    assert len(notes) == 1 and "role modelgov-auditor in 222222222222" in notes[0].message
    assert notes[0].source.logical_id == "AuditorRole"
    assert "role modelgov-auditor in 222222222222" not in result.trust
    assert not result.ok and result.exit_code == 1 and trust_violations(result) == []


def test_an_unresolved_trusted_principal_is_unknown_never_denied(composition):
    composition.registry["Parameters"] = {"Partner": {"Type": "String"}}
    trust_of(composition, "QaRole").append({"Sid": "Partner", "Effect": "Allow", "Action": "sts:AssumeRole",
                                            "Principal": {"AWS": {"Ref": "Partner"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    assert any(n.code == "V002" and "Partner" in n.message for n in result.unknowns)
    codes = {v.code for v in trust_violations(result) if v.principal == QA}
    assert codes == {"V203"}  # the partner could be anyone: no caller the spec excludes is proven denied
    assert result.trust[QA]["any role in 999999999999 (outside the organization)"].actual == "unknown"
    assert result.trust[QA]["Identity Center QASpecialist (role's account)"].actual == "allowed"


def test_loose_template_trust_is_resolved_in_each_account(composition, tmp_path, capsys):
    """Without --account the auditor's trust names its own account through AWS::AccountId in every account."""
    from modelgov.policies.cli import main

    role = composition.resource("AuditorRole")
    document = json.loads(json.dumps(role["Properties"]["AssumeRolePolicyDocument"]).replace(
        "222222222222", "${AWS::AccountId}"))
    for entry in document["Statement"]:
        entry["Principal"]["AWS"] = {"Fn::Sub": entry["Principal"]["AWS"]}
        arns = entry["Condition"]["ArnLike"]["aws:PrincipalArn"]
        entry["Condition"]["ArnLike"]["aws:PrincipalArn"] = [{"Fn::Sub": arn} for arn in arns]
    template = {"Resources": {"AuditorRole": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "modelgov-auditor", "AssumeRolePolicyDocument": document}}}}
    path = tmp_path / "auditor.json"
    path.write_text(json.dumps(template))
    spec = str(SPEC_FILE)
    assert main(["verify", str(path), "--spec", spec, "--format", "json"]) == 1  # V005: the other personas
    report = json.loads(capsys.readouterr().out)
    assert [v for v in report["violations"] if v["kind"] == "trust"] == []
    assert not [n for n in report["unknowns"] if n["code"] in ("V203", "V204")]
    auditors = [p for p in report["trust"] if p.startswith("role modelgov-auditor in ")]
    assert len(auditors) == 5  # registry, management and the three member accounts
    for principal in auditors:
        account = principal.split()[3]
        entries = report["trust"][principal]
        assert entries["Identity Center Auditor (role's account)"]["actual"] == "allowed"
        assert all(e["actual"] == "denied" for label, e in entries.items() if label.startswith("any role"))
        assert any(f"arn:aws:iam::{account}:role/aws-reserved" in c
                   for c in entries["Identity Center Auditor (role's account)"]["callers"])


def test_a_trust_policy_the_engine_rejects_is_one_unproven_note(composition):
    statement(composition, "QaRole", "TrustPermissionSets")["Condition"]["StringEquals:"] = {"aws:PrincipalTag/x": "y"}
    result = verify_stacks(composition.stacks(), composition.spec)
    notes = [n for n in result.unknowns if n.code == "V104"]
    assert len(notes) == 1 and notes[0].message.startswith(f"{QA} (persona qa): the engine rejects")
    assert "E011" in notes[0].message and notes[0].source.logical_id == "QaRole"
    assert trust_violations(result) == [] and not result.ok
    assert result.trust[QA]["Identity Center QASpecialist (role's account)"].actual == "unknown"
