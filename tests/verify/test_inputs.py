"""Reading inputs: cdk.out manifests, StackSet instances, unreadable files; free condition keys in the proof."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from modelgov.policies.verify import AssemblyError, verify_stacks
from modelgov.policies.verify.assembly import load_inputs
from modelgov.policies.verify.domain import KeyUse, collect_keys, values_for
from modelgov.policies.verify.inventory import build_inventory


def test_stackset_template_is_deployed_to_every_account_of_its_ous(composition):
    body = {"Resources": {"Auditor": {"Type": "AWS::IAM::Role", "Properties": {
        "RoleName": "modelgov-auditor-ou", "AssumeRolePolicyDocument": {},
        "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*"}]}}]}}}}
    composition.management["Resources"]["Personas"] = {"Type": "AWS::CloudFormation::StackSet", "Properties": {
        "StackSetName": "modelgov-personas", "PermissionModel": "SERVICE_MANAGED", "TemplateBody": json.dumps(body),
        "StackInstancesGroup": [{"DeploymentTargets": {"OrganizationalUnitIds": ["ou-a1b2-mlprod01"]},
                                 "Regions": ["us-east-1"]}]}}
    inventory = build_inventory(composition.stacks(), composition.spec)
    deployed = {p.account for p in inventory.principals if p.label.startswith("role modelgov-auditor-ou")}
    assert deployed == {"555555555555"}  # ml-prod holds only the prod account
    result = verify_stacks(composition.stacks(), composition.spec)
    # a role in prod cannot touch the registry's groups: no resource policy grants it UpdateModelPackage
    assert not [v for v in result.violations if "modelgov-auditor-ou" in v.principal]


def test_unreadable_inputs_name_the_file(tmp_path):
    with pytest.raises(AssemblyError, match="manifest.json: no cloud assembly manifest"):
        load_inputs([tmp_path])
    (tmp_path / "manifest.json").write_text("{")
    with pytest.raises(AssemblyError, match=r"manifest.json:1:2: manifest is not JSON"):
        load_inputs([tmp_path])
    bad = tmp_path / "bad.template.yaml"
    bad.write_text("Resources: [unclosed")
    with pytest.raises(AssemblyError, match="bad.template.yaml: not a CloudFormation template"):
        load_inputs([bad])
    with pytest.raises(AssemblyError, match="no such file"):
        load_inputs([tmp_path / "missing.json"])


def test_yaml_template_with_short_form_intrinsics(tmp_path):
    path = tmp_path / "roles.yaml"
    path.write_text("Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
                    "      RoleName: !Sub 'x-${AWS::Region}'\n      AssumeRolePolicyDocument: {}\n")
    stack = load_inputs([path])[0]
    assert stack.resources["R"]["Properties"]["RoleName"] == {"Fn::Sub": "x-${AWS::Region}"}
    assert stack.line_of("R") == 2


def test_free_condition_key_classes():
    doc = {"Statement": [
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*",
         "Condition": {"IpAddress": {"aws:SourceIp": "10.0.0.0/8"},
                       "ForAnyValue:StringEquals": {"aws:TagKeys": ["team"]},
                       "NumericLessThan": {"aws:MultiFactorAuthAge": "3600"}}},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*",
         "Condition": {"StringEquals": {"aws:PrincipalTag/ignored": "x"}}}]}
    uses = collect_keys([doc], "sagemaker:UpdateModelPackage")
    assert set(uses) == {"aws:sourceip", "aws:tagkeys", "aws:multifactorauthage"}
    ips = values_for("aws:sourceip", uses["aws:sourceip"])
    assert None in ips and "10.0.0.0" in ips and "10.255.255.255" in ips and "192.0.2.123" in ips
    tags = values_for("aws:tagkeys", uses["aws:tagkeys"])
    assert None in tags and () in tags and ("team",) in tags
    ages = values_for("aws:multifactorauthage", uses["aws:multifactorauthage"])
    assert {"3599", "3600", "3601"} <= set(ages)
    assert KeyUse("x").multi is False


def test_transition_depending_on_a_principal_tag_is_not_proven_allowed(composition):
    """The QA persona may act only with a session tag: for any other tag value the spec's transition fails."""
    document = composition.resource("QaPolicy")["Properties"]["PolicyDocument"]
    for statement in document["Statement"]:
        if statement["Sid"].startswith("Lifecycle"):
            statement["Condition"]["StringEquals"]["aws:PrincipalTag/team"] = "qa"
    result = verify_stacks(composition.stacks(), composition.spec)
    found = [v for v in result.violations if v.persona == "qa" and v.code == "V102"]
    assert found
    context = found[0].request["contextVariables"]
    assert context.get("aws:PrincipalTag/team") != "qa"


def test_manifest_environment_reaches_the_proof(composition, tmp_path: Path):
    folder = composition.write_assembly(tmp_path / "cdk.out")
    stacks = load_inputs([folder])
    assert {(s.name, s.env.account, s.env.region) for s in stacks} == {
        ("modelgov-registry", "222222222222", "us-east-1"), ("modelgov-guardrails", "111111111111", "us-east-1")}


def test_org_wide_group_grant_is_found_for_any_account(composition):
    policy = composition.resource("FraudDetectionGroup")["Properties"]["ModelPackageGroupPolicy"]
    policy["Statement"].append({"Sid": "OrgUpdate", "Effect": "Allow", "Principal": "*",
                                "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
                                "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}})
    result = verify_stacks(composition.stacks(), composition.spec)
    found = [v for v in result.violations if v.principal.startswith("any principal in any AWS account")]
    assert found and all(v.code == "V101" for v in found)
    assert found[0].request["contextVariables"]["aws:PrincipalOrgID"] == "o-a1b2c3d4e5"
    assert "fraud-detection" in found[0].request["resource"]["resource"]


def test_region_guardrail_keeps_the_personas_working(composition):
    """aws:RequestedRegion is the group's region, so a region-lock SCP does not deny in-region lifecycle calls."""
    scp = next(iter(composition.management["Resources"].values()))["Properties"]["Content"]
    scp["Statement"].append({"Sid": "RegionLock", "Effect": "Deny", "NotAction": "iam:*", "Resource": "*",
                             "Condition": {"StringNotEquals": {"aws:RequestedRegion": "us-east-1"}}})
    assert verify_stacks(composition.stacks(), composition.spec).violations == []
    scp["Statement"][-1]["Condition"]["StringNotEquals"]["aws:RequestedRegion"] = "eu-west-1"
    denied = verify_stacks(composition.stacks(), composition.spec).violations
    assert denied and {v.code for v in denied} == {"V102"}


def _share(composition, actions: list[str], permission: bool = True) -> None:
    resources = composition.registry["Resources"]
    share: dict = {"Type": "AWS::RAM::ResourceShare", "Properties": {
        "Name": "to-workloads", "AllowExternalPrincipals": False,
        "Principals": ["arn:aws:organizations::111111111111:ou/o-a1b2c3d4e5/ou-a1b2-mlwork01"],
        "ResourceArns": [{"Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:"
                                     "model-package-group/churn-prediction"}]}}
    if permission:
        resources["SharePermission"] = {"Type": "AWS::RAM::Permission", "Properties": {
            "Name": "registry", "ResourceType": "sagemaker:ModelPackageGroup",
            "PolicyTemplate": {"Effect": "Allow", "Action": actions}}}
        share["Properties"]["PermissionArns"] = [{"Fn::GetAtt": ["SharePermission", "Arn"]}]
    resources["Share"] = share


def test_ram_share_with_a_customer_managed_permission_is_proven(composition):
    _share(composition, ["sagemaker:DescribeModelPackage", "sagemaker:UpdateModelPackage"])
    result = verify_stacks(composition.stacks(), composition.spec)
    found = [v for v in result.violations if "account 333333333333" in v.principal]
    assert found and found[0].code == "V101" and "RAM share to-workloads" in found[0].principal
    assert any(d["sid"] == "RamShare0" for d in found[0].decisive)
    assert found[0].request["resource"]["resource"].endswith("model-package/churn-prediction/1")


def test_ram_share_with_read_permission_passes_and_default_permission_is_reported(composition):
    _share(composition, ["sagemaker:DescribeModelPackage"])
    assert verify_stacks(composition.stacks(), composition.spec).violations == []
    _share(composition, [], permission=False)
    result = verify_stacks(composition.stacks(), composition.spec)
    assert any(n.code == "V006" and "default AWS managed permission" in n.message for n in result.unknowns)


def test_pattern_overlaps_get_a_witness():
    """Allow 'Dev*' minus Deny '*Prod': the proof must try a value in both ('DevProd'), not only each alone."""
    doc = {"Statement": [
        {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalTag/stage": "Dev*"}}},
        {"Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "Resource": "*",
         "Condition": {"StringLike": {"aws:PrincipalTag/stage": "*Prod"}}}]}
    uses = collect_keys([doc], "sagemaker:UpdateModelPackage")
    values = [v for v in values_for("aws:principaltag/stage", uses["aws:principaltag/stage"]) if isinstance(v, str)]
    both = [v for v in values if v.startswith("Dev") and v.endswith("Prod")]
    only_allow = [v for v in values if v.startswith("Dev") and not v.endswith("Prod")]
    neither = [v for v in values if not v.startswith("Dev") and not v.endswith("Prod")]
    assert both and only_allow and neither


AUDITOR_TEMPLATE = {"Resources": {"Auditor": {"Type": "AWS::IAM::Role", "Properties": {
    "RoleName": "modelgov-auditor", "AssumeRolePolicyDocument": {},
    "Policies": [{"PolicyName": "p", "PolicyDocument": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": "*"}]}}]}}}}


def test_loose_template_role_keeps_its_persona_in_every_organization_account(tmp_path, capsys):
    from modelgov.policies.cli import main

    path = tmp_path / "roles.json"
    path.write_text(json.dumps(AUDITOR_TEMPLATE))
    spec = str(Path(__file__).resolve().parents[2] / "governance.yaml")
    assert main(["verify", str(path), "--spec", spec, "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    auditor = [v for v in report["violations"] if v["persona"] == "auditor" and v["code"] == "V101"]
    assert auditor and any("role modelgov-auditor in 222222222222" in v["principal"] for v in auditor)
    assert not any("UNRESOLVED" in v["principal"] for v in report["violations"])
    assert any(n["code"] == "V002" and "--account" in n["message"] for n in report["unknowns"])

    assert main(["verify", str(path), "--spec", spec, "--format", "json", "--account", "222222222222",
                 "--region", "us-east-1"]) == 1
    report = json.loads(capsys.readouterr().out)
    principals = {v["principal"] for v in report["violations"] if v["persona"] == "auditor"}
    assert principals == {"role modelgov-auditor in 222222222222"}
    assert main(["verify", str(path), "--spec", spec, "--account", "2222"]) == 2
    assert "--account '2222' is not a 12-digit AWS account id" in capsys.readouterr().err
    assert main(["verify", str(tmp_path), "--spec", spec, "--account", "222222222222"]) == 2
    assert "apply to loose template files" in capsys.readouterr().err
