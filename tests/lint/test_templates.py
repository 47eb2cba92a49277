"""Templates: every policy-bearing property is found and its findings point into the original file."""

from __future__ import annotations

import json
from pathlib import Path

from modelgov.policies.lint.linter import lint_paths

BAD_POLICY = {"Version": "2012-10-17 ", "Statement": [{"Effect": "Allow", "Action": "s3:GetObject",
                                                       "Resource": "*"}]}


def _template(resources: dict[str, object]) -> dict[str, object]:
    return {"AWSTemplateFormatVersion": "2010-09-09", "Resources": resources}


def _codes(path: Path) -> list[tuple[str, int, int, str]]:
    return [(f.code, f.location.line, f.location.column, f.location.path) for f in lint_paths([str(path)]).findings]


def test_every_policy_property_is_linted(tmp_path: Path) -> None:
    statement = {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::444455556666:root"}, "Action": "s3:*",
                 "Resource": "*"}
    resources = {
        "Role": {"Type": "AWS::IAM::Role", "Properties": {
            "AssumeRolePolicyDocument": BAD_POLICY,
            "Policies": [{"PolicyName": "p", "PolicyDocument": BAD_POLICY}]}},
        "Managed": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": BAD_POLICY}},
        "Scp": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "SERVICE_CONTROL_POLICY",
                                                                     "Content": BAD_POLICY}},
        "Tags": {"Type": "AWS::Organizations::Policy", "Properties": {"Type": "TAG_POLICY", "Content": BAD_POLICY}},
        "Group": {"Type": "AWS::SageMaker::ModelPackageGroup",
                  "Properties": {"ModelPackageGroupPolicy": json.dumps(BAD_POLICY)}},
        "Bus": {"Type": "AWS::Events::EventBusPolicy", "Properties": {"Statement": statement}},
        "Perm": {"Type": "AWS::RAM::Permission", "Properties": {"PolicyTemplate": {
            "Effect": "Allow", "Action": "sagemaker:DescribeModelPackage", "Resource": "*"}}},
        "Bucket": {"Type": "AWS::S3::BucketPolicy", "Properties": {"PolicyDocument": BAD_POLICY}},
        "Key": {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": BAD_POLICY}},
        "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryPolicyText": BAD_POLICY}},
    }
    path = tmp_path / "t.template.json"
    path.write_text(json.dumps(_template(resources), indent=1))
    result = lint_paths([str(path)])
    assert result.policies == 10  # the tag policy is not an IAM policy
    versions = {f.location.path for f in result.findings if f.code == "L011"}
    assert "Resources.Role.Properties.AssumeRolePolicyDocument.Version" in versions
    assert "Resources.Role.Properties.Policies[0].PolicyDocument.Version" in versions
    assert "Resources.Scp.Properties.Content.Version" in versions
    assert not any("Resources.Tags" in p for p in versions)
    paths = {(f.code, f.location.path) for f in result.findings}
    assert ("L130", "Resources.Bus.Properties.Statement.Action") in paths
    assert ("L018", "Resources.Perm.Properties.PolicyTemplate.Resource") in paths


def test_json_string_policy_positions_are_in_the_template(tmp_path: Path) -> None:
    text = ('{"Resources": {"G": {"Type": "AWS::SageMaker::ModelPackageGroup", "Properties": {\n'
            '  "ModelPackageGroupPolicy": "{\\"Version\\": \\"2012-10-17\\", \\"Statement\\": '
            '[{\\"Effect\\": \\"Allow\\", \\"Principal\\": {\\"AWS\\": \\"3333333333\\"}, '
            '\\"Action\\": \\"sagemaker:DescribeModelPackage\\", \\"Resource\\": \\"*\\"}]}"}}}}\n')
    path = tmp_path / "g.json"
    path.write_text(text)
    found = [(c, line, col) for c, line, col, _ in _codes(path) if c == "L111"]
    line_text = text.splitlines()[1]
    assert found == [("L111", 2, line_text.index("3333333333") + 1)]


def test_yaml_template_with_sub_and_short_tags(tmp_path: Path) -> None:
    text = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: !Sub '${AWS::StackName}-role'
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement:
          - Effect: Allow
            Principal: {Service: sagemaker.amazonaws.com}
            Action: sts:AssumeRole
            Condition: {StringEquals: {aws:SourceAccount: !Ref AWS::AccountId}}
      Policies:
        - PolicyName: inline
          PolicyDocument: !Sub |
            {"Version": "2012-10-17", "Statement": [
              {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage",
               "Resource": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model-package/*",
               "Condition": {"ForAnyvalue:StringEquals": {"sagemaker:ModelLifeCycle:Stage": "QA"}}}]}
"""
    path = tmp_path / "t.yaml"
    path.write_text(text)
    found = {(c, line, col) for c, line, col, _ in _codes(path)}
    line = text.splitlines()[19]
    assert ("L201", 20, line.index('"ForAnyvalue') + 1) in found
    assert not {c for c, _, _ in found} - {"L201", "L220"}


def test_policy_built_by_join_is_reported_not_linted(tmp_path: Path) -> None:
    resources = {"P": {"Type": "AWS::IAM::ManagedPolicy",
                       "Properties": {"PolicyDocument": {"Fn::If": ["c", BAD_POLICY, BAD_POLICY]}}}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_template(resources)))
    assert [c for c, *_ in _codes(path)] == ["L009"]


def test_cdk_out_folder_includes_nested_templates(tmp_path: Path) -> None:
    out = tmp_path / "cdk.out"
    (out / "assembly-Stage").mkdir(parents=True)
    resources = {"M": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": BAD_POLICY}}}
    for name in ("Top.template.json", "assembly-Stage/Nested.nested.template.json"):
        (out / name).write_text(json.dumps(_template(resources)))
    (out / "manifest.json").write_text("{}")
    result = lint_paths([str(out)])
    assert result.files == 2
    assert {Path(f.location.file).name for f in result.findings} == {"Top.template.json",
                                                                     "Nested.nested.template.json"}


def test_invalid_template_syntax_is_a_finding_with_position(tmp_path: Path) -> None:
    path = tmp_path / "broken.template.json"
    path.write_text('{"Resources": {"A": {"Type": "AWS::IAM::Policy",}}}')
    assert [(c, line, col) for c, line, col, _ in _codes(path)] == [("L001", 1, 48)]


def test_cdk_out_manifest_tells_the_stack_account(tmp_path: Path) -> None:
    """CDK's default key policy grants kms:* to the stack's own account root: not a cross-account grant."""
    out = tmp_path / "cdk.out"
    out.mkdir()

    def key(account: str) -> dict[str, object]:
        return {"Type": "AWS::KMS::Key", "Properties": {"KeyPolicy": {"Version": "2012-10-17", "Statement": [{
            "Effect": "Allow", "Action": "kms:*", "Resource": "*", "Principal": {"AWS": {"Fn::Join": [
                "", ["arn:", {"Ref": "AWS::Partition"}, f":iam::{account}:root"]]}}}]}}}

    (out / "S.template.json").write_text(json.dumps(_template({"Own": key("222222222222"),
                                                               "Other": key("333333333333")})))
    (out / "manifest.json").write_text(json.dumps({"artifacts": {"S": {
        "type": "aws:cloudformation:stack", "environment": "aws://222222222222/us-east-1",
        "properties": {"templateFile": "S.template.json"}}}}))
    paths = {f.location.path for f in lint_paths([str(out)]).findings if f.code == "L130"}
    assert paths == {"Resources.Other.Properties.KeyPolicy.Statement[0].Action"}


def test_statement_built_by_an_intrinsic_is_reported(tmp_path: Path) -> None:
    policy = {"Version": "2012-10-17", "Statement": [{"Fn::If": ["c", {"Effect": "Allow"}, {"Ref": "AWS::NoValue"}]}]}
    resources = {"P": {"Type": "AWS::IAM::ManagedPolicy", "Properties": {"PolicyDocument": policy}}}
    path = tmp_path / "p.json"
    path.write_text(json.dumps(_template(resources)))
    assert [(c, p) for c, _, _, p in _codes(path)] == [("L009", "Resources.P.Properties.PolicyDocument.Statement[0]")]
