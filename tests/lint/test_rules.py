"""Rule tables: a policy in, the finding (code and JSON path) out, plus policies that must stay silent."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from modelgov.policies.findings import catalogue
from modelgov.policies.iam import VALID_OPERATORS
from modelgov.policies.lint.linter import lint_text
from modelgov.policies.spec import load_spec

REPO = Path(__file__).resolve().parents[2]
SPEC = load_spec(REPO / "governance.yaml")


def policy(*statements: dict[str, Any], version: str | None = "2012-10-17") -> dict[str, Any]:
    out: dict[str, Any] = {"Statement": list(statements)}
    if version is not None:
        out = {"Version": version, **out}
    return out


def allow(action: Any = "sagemaker:DescribeModelPackage", resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": action, "Resource": resource, **extra}


def deny(action: Any, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Action": action, "Resource": resource, **extra}


ROOT = {"AWS": "arn:aws:iam::444455556666:root"}
GROUP = "arn:aws:sagemaker:us-east-1:111122223333:model-package-group/churn"
UPDATE = "sagemaker:UpdateModelPackage"
STAGE = "sagemaker:ModelLifeCycle:Stage"
MON = ["sagemaker:CreateDataQualityJobDefinition"]

# (policy, policy_type or None, code, path)
RULE_CASES: list[tuple[Any, str | None, str, str]] = [
    ('{"Version": "2012-10-17", "Statement": [}', None, "L001", ""),
    ('{"a": 1, "a": 2}', None, "L002", ""),
    ('{\u201cVersion\u201d: \u201c2012-10-17\u201d}', None, "L003", ""),
    (policy(allow(resource="arn:aws:s3:::bucket\u2013name/*")), None, "L004", "Statement[0].Resource"),
    (policy(allow(action="sagemaker:CreateModel ")), None, "L005", "Statement[0].Action"),
    ('{"Resources": {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": '
     '{"Fn::Join": ["", ["{}"]]}}}}}', None, "L009", "Resources.P.Properties.PolicyDocument"),
    (policy(allow(), version=None), None, "L010", ""),
    (policy(allow(), version="2012-10-17 "), None, "L011", "Version"),
    (policy(allow(), version="2012-10-18"), None, "L011", "Version"),
    (policy(allow(), version="2008-10-17"), None, "L012", "Version"),
    ({"Version": "2012-10-17"}, None, "L013", ""),
    ({"Version": "2012-10-17", "Statement": "allow"}, None, "L014", "Statement"),
    (policy(allow(action=5)), None, "L014", "Statement[0].Action"),
    (policy({"Action": "s3:GetObject", "Resource": "*"}), None, "L015", "Statement[0]"),
    (policy(allow() | {"Effect": "allow"}), None, "L015", "Statement[0].Effect"),
    (policy({"Effect": "Allow", "Resource": "*"}), None, "L016", "Statement[0]"),
    (policy(allow(NotAction="s3:*")), None, "L016", "Statement[0].NotAction"),
    (policy({"Effect": "Allow", "Action": "s3:GetObject"}), None, "L017", "Statement[0]"),
    (policy(allow(Conditions={})), None, "L018", "Statement[0].Conditions"),
    ({"Version": "2012-10-17", "Statement": [allow()], "Comment": "x"}, None, "L018", "Comment"),
    (policy(allow(Sid="Allow use")), "identity", "L019", "Statement[0].Sid"),
    ([allow(), allow()], None, "L020", ""),
    (policy(allow(action=["s3:GetObject", "s3:GetObject"])), None, "L021", "Statement[0].Action[1]"),
    (policy(allow(Sid="A"), allow(Sid="A")), None, "L021", "Statement[1].Sid"),
    (policy(allow(action=[])), None, "L022", "Statement[0].Action"),
    (policy(allow(action="sagemaker:DescribeModelPackages")), None, "L101", "Statement[0].Action"),
    (policy(allow(action="sagemaker:Nothing*")), None, "L101", "Statement[0].Action"),
    (policy(allow(action="s3")), None, "L101", "Statement[0].Action"),
    (policy(allow(action="sagemakr:CreateModel")), None, "L102", "Statement[0].Action"),
    (policy(allow(resource="arn:aws:iam::123456789012::role/x")), None, "L110", "Statement[0].Resource"),
    (policy(allow(resource="arn:aws:s3")), None, "L110", "Statement[0].Resource"),
    (policy(allow(resource="bucket-name")), None, "L110", "Statement[0].Resource"),
    (policy(allow(Principal={"AWS": "3333333333"})), "resource", "L111", "Statement[0].Principal.AWS"),
    (policy(allow(resource="arn:aws:sagemaker:us-east-1:12345678901:model-package/x/1")), None, "L111",
     "Statement[0].Resource"),
    (policy(allow(Condition={"StringEquals": {"aws:SourceAccount": "1234"}})), None, "L111",
     "Statement[0].Condition.StringEquals.aws:SourceAccount"),
    (policy(allow(resource="arn:aws:sagemaker:<region>:111122223333:model-package/x/1")), None, "L112",
     "Statement[0].Resource"),
    (policy(allow(Principal=ROOT)), "identity", "L120", "Statement[0].Principal"),
    (policy(allow(resource=GROUP)), "resource", "L121", "Statement[0]"),
    (policy({"Effect": "Allow", "Principal": {"Service": "sagemaker.amazonaws.com"}, "Action": "sts:AssumeRole"}),
     "trust", "L122", "Statement[0].Principal.Service"),
    (policy(allow(action="ecr:*", Principal=ROOT)), "resource", "L130", "Statement[0].Action"),
    (policy(allow(Principal="*")), "resource", "L130", "Statement[0].Principal"),
    (policy(allow(action=[UPDATE], resource=GROUP, Principal=ROOT)), "resource", "L131", "Statement[0].Action[0]"),
    (policy(allow(action="sagemaker:*", resource=GROUP, Principal=ROOT)), "resource", "L131", "Statement[0].Action"),
    (policy(allow(resource=GROUP, Principal={"AWS": "arn:aws:iam::444455556666:role/Consumer"})), "resource",
     "L140", "Statement[0].Principal.AWS"),
    (policy(allow(action="*", resource=GROUP, Principal=ROOT)), "resource", "L140", "Statement[0].Action"),
    (policy(allow(action=UPDATE, Condition={"ForAnyvalue:StringEquals": {STAGE: "QA"}})), None, "L201",
     "Statement[0].Condition.ForAnyvalue:StringEquals"),
    (policy(allow(Condition={"String": {"aws:SourceAccount": "111122223333"}})), None, "L201",
     "Statement[0].Condition.String"),
    (policy(deny(MON, Condition={"NullIfExists": {"sagemaker:VpcSubnets": "true"}})), None, "L201",
     "Statement[0].Condition.NullIfExists"),
    (policy(allow(Condition={"StringEquals:": {"aws:SourceAccount": "111122223333"}})), None, "L201",
     "Statement[0].Condition.StringEquals:"),
    (policy(allow(Condition=["x"])), None, "L202", "Statement[0].Condition"),
    (policy(allow(Condition={"StringEquals": {"aws:SourceAccount": {"a": 1}}})), None, "L202",
     "Statement[0].Condition.StringEquals.aws:SourceAccount"),
    (policy(deny(["sagemaker:CreateMonitoringSchedule"],
                 Condition={"Null": {"sagemaker:ModelMonitorJobDefinitionName": "true"}})), None, "L203",
     "Statement[0].Condition.Null.sagemaker:ModelMonitorJobDefinitionName"),
    (policy(allow(action=["kms:Decrypt"], Condition={"Bool": {"kms:GrantIsForAWSResource": "true"}})), None,
     "L204", "Statement[0].Condition.Bool.kms:GrantIsForAWSResource"),
    (policy(allow(action=["sagemaker:CreateEndpoint", "sagemaker:DeleteEndpoint"],
                  Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}})), None, "L205",
     "Statement[0].Condition.ForAnyValue:StringEquals.aws:TagKeys"),
    (policy(deny(MON, Condition={"Null": {"sagemaker:VolumeKmsKey": "true"}})), None, "L206",
     "Statement[0].Condition.Null.sagemaker:VolumeKmsKey"),
    (policy(allow(Condition={"StringEquals": {"aws:sourceVpce": "vpce-1a2b3c4d"}})), None, "L207",
     "Statement[0].Condition.StringEquals.aws:sourceVpce"),
    (policy(deny(MON, Condition={"Null": {"sagemaker:ModelMonitorJobDefinitionName": "true"}})), None, "L210",
     "Statement[0].Condition.Null.sagemaker:ModelMonitorJobDefinitionName"),
    (policy(allow(action=MON, Condition={"Null": {"sagemaker:ModelApprovalStatus": "true"}})), None, "L211",
     "Statement[0].Condition.Null.sagemaker:ModelApprovalStatus"),
    (policy(deny(MON, Condition={"Null": {"sagemaker:VpcSubnets": "true", "sagemaker:VolumeKmsKeyArn": "true"}})),
     None, "L212", "Statement[0].Condition.Null"),
    (policy(deny(MON, Condition={"Null": {"sagemaker:VpcSubnets": "yes"}})), None, "L213",
     "Statement[0].Condition.Null.sagemaker:VpcSubnets"),
    (policy(allow(action=UPDATE, Condition={"ForAllValues:StringEquals": {STAGE: "QA"}})), None, "L220",
     f"Statement[0].Condition.ForAllValues:StringEquals.{STAGE}"),
    (policy(allow(action=MON, Condition={"StringEquals": {"sagemaker:VpcSubnets": "subnet-1"}})), None, "L221",
     "Statement[0].Condition.StringEquals.sagemaker:VpcSubnets"),
    (policy(deny(MON, Condition={"Bool": {"sagemaker:InterContainerTrafficEncryption": "false"}})), None, "L225",
     "Statement[0].Condition.Bool.sagemaker:InterContainerTrafficEncryption"),
    (policy(allow(Condition={"NumericLessThan": {"aws:MultiFactorAuthAge": "one hour"}})), None, "L230",
     "Statement[0].Condition.NumericLessThan.aws:MultiFactorAuthAge"),
    (policy(allow(Condition={"IpAddress": {"aws:SourceIp": "10.0.0.300/8"}})), None, "L230",
     "Statement[0].Condition.IpAddress.aws:SourceIp"),
    (policy(allow(Condition={"NumericEquals": {"aws:SourceAccount": "111122223333"}})), None, "L231",
     "Statement[0].Condition.NumericEquals.aws:SourceAccount"),
    (policy(allow(action=UPDATE, Condition={"StringEquals": {STAGE: "Staging"}})), None, "L301",
     f"Statement[0].Condition.StringEquals.{STAGE}"),
    (policy(allow(resource=GROUP)), None, "L113", "Statement[0].Action"),  # a version action on the group
    (policy(deny(UPDATE, resource=GROUP)), "scp", "L114", "Statement[0].Action"),
    (policy(allow(action=UPDATE, Condition={"StringEquals": {"sagemaker:ModelLifeCycle:StageStatus": "Done"}})),
     None, "L302", "Statement[0].Condition.StringEquals.sagemaker:ModelLifeCycle:StageStatus"),
    (policy(allow(action=UPDATE, Condition={"StringEquals": {"sagemaker:ModelApprovalStatus": "approved"}})),
     None, "L303", "Statement[0].Condition.StringEquals.sagemaker:ModelApprovalStatus"),
]

# Policies that must not yield the code (traps seen in the seeds and in AWS's own examples).
SILENT_CASES: list[tuple[Any, str | None, str]] = [
    ('{"Version":"2012-10-17",       "Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}',
     None, "L011"),  # seed D-35: whitespace between tokens is harmless
    (policy({"Effect": "Allow", "Principal": ROOT, "Action": "ecr:BatchGetImage"}), "resource", "L017"),
    (policy(allow(action=UPDATE, Condition={"StringLike": {STAGE: "Pre*"}})), None, "L301"),
    (policy(allow(action="sagemaker:CreateModelPackage",
                  Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}})), None, "L220"),
    (policy(allow(action="sagemaker:CreateModelPackage",
                  Condition={"ForAnyValue:StringEquals": {"aws:TagKeys": "team"}})), None, "L205"),
    (policy(deny(MON, Condition={"BoolIfExists": {"sagemaker:InterContainerTrafficEncryption": "false"}})),
     None, "L225"),
    (policy(deny(MON, Condition={"Null": {"sagemaker:VpcSubnets": "true"}})), None, "L212"),
    (policy(allow(action=[UPDATE], resource=GROUP, Principal={"AWS": "arn:aws:iam::111122223333:root"})),
     "resource", "L131"),  # same account as the group
    (policy(allow(Condition={"StringEquals": {"aws:ResourceTag/team": "ml"}})), None, "L203"),
    (policy(allow(resource="arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model-package/*")),
     None, "L110"),
    (policy(allow(action="sagemaker:CreateModel", resource=GROUP.replace("-group/churn", "/churn/*"),
                  Principal=ROOT)), "resource", "L113"),  # the seed's cross-account deploy grant (000:L3078)
    (policy(deny(UPDATE, resource="arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team}-*")), "scp", "L114"),
]


def _text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, indent=1)


def _findings(value: Any, kind: str | None) -> list[tuple[str, str]]:
    result = lint_text(_text(value), spec=SPEC, kind=kind)  # type: ignore[arg-type]
    return [(f.code, f.location.path) for f in result.findings]


@pytest.mark.parametrize(("value", "kind", "code", "path"), RULE_CASES, ids=[f"{c[2]}-{i}" for i, c in
                                                                            enumerate(RULE_CASES)])
def test_rule_finds(value: Any, kind: str | None, code: str, path: str) -> None:
    assert (code, path) in _findings(value, kind)


@pytest.mark.parametrize(("value", "kind", "code"), SILENT_CASES, ids=[f"{c[2]}-{i}" for i, c in
                                                                     enumerate(SILENT_CASES)])
def test_rule_stays_silent(value: Any, kind: str | None, code: str) -> None:
    assert code not in {c for c, _ in _findings(value, kind)}


def test_every_lint_code_is_triggered_by_a_fixture_or_a_rule_case() -> None:
    cases = yaml.safe_load((REPO / "tests" / "fixtures" / "policies" / "cases.yaml").read_text(encoding="utf-8"))
    emitted = {f.split(":")[0] for case in cases["fixtures"].values() for f in case["expect"]}
    emitted |= {code for _, _, code, _ in RULE_CASES}
    lint_codes = {c for c in catalogue().codes() if c.startswith("L")}
    # raised for unreadable input, non-policy files named on the command line and crashed rules: test_cli
    # and the reports on lint.suppressions (expired, stale, out of scope): test_suppress
    assert lint_codes - emitted == {"L000", "L008", "L099", "L090", "L091", "L092"}


# Messages start lowercase unless they start with an IAM element, operator or acronym spelled as AWS does.
PROPER = {"ARN", "Action", "NotAction", "Resource", "NotResource", "Bool", "Condition", "Effect", "Null",
          "Principal", "Sid", "Statement", "Version", "ForAnyValue", "ForAllValues"}


def test_messages_are_lowercase_without_final_period() -> None:
    for value, kind, _, _ in RULE_CASES:
        for finding in lint_text(_text(value), spec=SPEC, kind=kind).findings:  # type: ignore[arg-type]
            assert not finding.message.endswith("."), finding.message
            first = finding.message.split()[0].strip("'\"")
            proper = first in PROPER or first in VALID_OPERATORS or ":" in first
            assert not first[:1].isupper() or proper, finding.message


def test_approval_statuses_match_the_spec_models() -> None:
    from modelgov.policies.lint.rules.lifecycle import stages
    from modelgov.policies.spec import models

    assert stages.APPROVAL_STATUSES == models.APPROVAL_STATUSES
