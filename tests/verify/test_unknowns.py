"""Fail closed: an unknown managed policy or an unresolved value never turns into a pass."""

from __future__ import annotations

from modelgov.policies.verify import verify_stacks


def test_unknown_aws_managed_policy_is_reported_and_not_treated_as_empty(composition):
    role = composition.resource("AuditorRole")["Properties"]
    role["ManagedPolicyArns"].append("arn:aws:iam::aws:policy/AdministratorAccess")
    result = verify_stacks(composition.stacks(), composition.spec)
    notes = [n for n in result.unknowns if n.code == "V003"]
    assert notes and "cannot prove: unknown managed policy ARN arn:aws:iam::aws:policy/AdministratorAccess" \
        in notes[0].message
    assert not result.ok and result.exit_code == 1
    auditor = [v for v in result.violations if v.persona == "auditor"]
    assert auditor and {v.code for v in auditor} == {"V103"}
    assert all(v.actual == "unknown" for v in auditor)


def test_incomplete_seed_policy_counts_as_unknown(composition):
    role = composition.resource("AuditorRole")["Properties"]
    role["ManagedPolicyArns"].append("arn:aws:iam::aws:policy/AmazonSageMakerModelRegistryFullAccess")
    result = verify_stacks(composition.stacks(), composition.spec)
    assert any(n.code == "V003" and "full text" in n.message for n in result.unknowns)
    assert not result.ok


def test_shipped_read_only_policy_is_proven_harmless(composition):
    role = composition.resource("AuditorRole")["Properties"]
    role["ManagedPolicyArns"].append({"Fn::Sub": "arn:${AWS::Partition}:iam::aws:policy/AmazonSageMakerReadOnly"})
    result = verify_stacks(composition.stacks(), composition.spec)
    assert result.violations == [] and result.ok


def test_unresolved_exemption_in_a_deny_never_helps_prove_the_deny(composition):
    composition.management["Parameters"] = {"Approvers": {"Type": "String"}}
    for resource in composition.management["Resources"].values():
        for statement in resource["Properties"]["Content"]["Statement"]:
            if "ArnNotLike" in statement.get("Condition", {}):
                statement["Condition"]["ArnNotLike"]["aws:PrincipalArn"] = {"Ref": "Approvers"}
    result = verify_stacks(composition.stacks(), composition.spec)
    assert any(n.code == "V002" and "parameter Approvers" in n.message for n in result.unknowns)
    unknown_role = [v for v in result.violations if v.principal.startswith("any other role in account 222222222222")]
    assert unknown_role and {v.code for v in unknown_role} == {"V103"}
    assert any(v.covers("none->Production:Approved") for v in unknown_role)
