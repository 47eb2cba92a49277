"""L113/L114: an action whose resource types no Resource entry can name (parliament's RESOURCE_MISMATCH).

The matcher is checked against brute force; the rule against policies whose outcome is settled by the
service authorization reference, and against the traps: wildcards, policy variables, intrinsics, actions
without resource types, and what AWS itself grants beyond the reference.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from modelgov.policies.findings import catalogue
from modelgov.policies.lint.linter import lint_paths, lint_text
from modelgov.policies.lint.rules.resources.arnglob import (
    Pattern,
    intersects,
    may_match,
    parse_format,
    parse_policy_arn,
    policy_pattern,
)

ACCOUNT = "111122223333"
GROUP = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package-group/churn"
VERSIONS = f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn/*"
MODEL_PACKAGE = "arn:${Partition}:sagemaker:${Region}:${Account}:model-package/${ModelPackageName}"
MODEL_PACKAGE_GROUP = "arn:${Partition}:sagemaker:${Region}:${Account}:model-package-group/${ModelPackageGroupName}"
BUCKET = "arn:${Partition}:s3:::${BucketName}"
OBJECT = "arn:${Partition}:s3:::${BucketName}/${ObjectName}"
ROLE = "arn:${Partition}:iam::${Account}:role/${RoleNameWithPath}"
LOG_STREAM = "arn:${Partition}:logs:${Region}:${Account}:log-group:${LogGroupName}:log-stream:${LogStreamName}"


def _matches(resource: str, arn_format: str) -> bool:
    policy = parse_policy_arn(resource)
    parsed = parse_format(arn_format)
    assert policy is not None and parsed is not None
    return may_match(policy, parsed)


@pytest.mark.parametrize(("resource", "arn_format", "expected"), [
    (VERSIONS, MODEL_PACKAGE, True),
    (GROUP, MODEL_PACKAGE, False),  # the group is not one of its versions
    (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package-group/*", MODEL_PACKAGE, False),
    (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package/churn", MODEL_PACKAGE_GROUP, False),
    ("arn:aws:sagemaker:*:*:*", MODEL_PACKAGE, True),
    ("arn:aws:sagemaker:*", MODEL_PACKAGE, True),  # a short ARN ending in * covers the remaining segments
    ("arn:aws:s3:*", MODEL_PACKAGE, False),  # ... but not another service
    (f"arn:aws:sagemaker:us-*:{ACCOUNT}:model-package/*", MODEL_PACKAGE, True),
    (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:Model-Package/churn/1", MODEL_PACKAGE, True),  # unsure: no case
    (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package?group/x", MODEL_PACKAGE_GROUP, True),
    (f"arn:aws:sagemaker:us-east-1:{ACCOUNT}:model-package?group/x", MODEL_PACKAGE, True),
    ("arn:aws:s3:::bucket", OBJECT, False),
    ("arn:aws:s3:::bucket/*", BUCKET, False),  # bucket names hold no '/'
    ("arn:aws:s3:::bucket/*", OBJECT, True),
    ("arn:aws:s3:::*", OBJECT, True),  # * spans '/'
    ("arn:aws:s3:::b*", OBJECT, True),
    ("arn:aws:s3:::${aws:username}", OBJECT, True),  # a variable may become 'b/k'
    ("arn:aws:s3:::home/${aws:username}", BUCKET, False),  # ... but nothing makes 'home/...' a bucket
    ("arn:aws:s3:::${aws:username}-data", BUCKET, True),
    (f"arn:aws:iam::{ACCOUNT}:role/${{aws:username}}", ROLE, True),
    (f"arn:aws:iam:us-east-1:{ACCOUNT}:role/x", ROLE, False),  # IAM ARNs have no region
    (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/x:*", LOG_STREAM, True),  # * spans ':' in the resource
    (f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/aws/x", LOG_STREAM, False),
    ("arn:${AWS::Partition}:sagemaker:${AWS::Region}:${AWS::AccountId}:model-package/*", MODEL_PACKAGE, True),
])
def test_resource_pattern_against_an_arn_format(resource: str, arn_format: str, expected: bool) -> None:
    assert _matches(resource, arn_format) is expected


@pytest.mark.parametrize("resource", ["*", "${aws:username}", "${Fn::GetAtt}", "bucket-name", "ar*:aws:s3:::b",
                                      f"arn:aws:sagemaker:us-east-1:{ACCOUNT}"])
def test_values_the_check_cannot_reason_about_are_not_parsed(resource: str) -> None:
    assert parse_policy_arn(resource) is None


def _regex(pattern: Pattern) -> re.Pattern[str]:
    parts = []
    for kind, value in pattern:
        if kind == "c":
            parts.append(re.escape(value))
        else:
            cls = f"[^{re.escape(value)}]" if value else "."
            parts.append(cls if kind == "?" else cls + "*")
    return re.compile("".join(parts), re.DOTALL)


TOKENS = st.sampled_from([("c", "a"), ("c", "/"), ("?", ""), ("*", ""), ("?", "/"), ("*", "/")])


@settings(max_examples=300, deadline=None)
@given(st.lists(TOKENS, max_size=4), st.lists(TOKENS, max_size=4))
def test_intersection_agrees_with_brute_force(p: list[tuple[str, str]], q: list[tuple[str, str]]) -> None:
    """A shortest common string spends each character on a non-star token of p or q, so searching the
    strings up to that length over {a, /, c} decides the intersection exactly."""
    left, right = _regex(tuple(p)), _regex(tuple(q))
    bound = sum(k != "*" for k, _ in p) + sum(k != "*" for k, _ in q)
    brute = any(left.fullmatch(s) and right.fullmatch(s) for n in range(bound + 1)
                for s in map("".join, itertools.product("a/c", repeat=n)))
    assert intersects(tuple(p), tuple(q)) is brute


def test_policy_pattern_reads_variables_as_stars() -> None:
    assert policy_pattern("a${x:y}?*") == (("c", "a"), ("*", ""), ("?", ""), ("*", ""))


# --- the rule -------------------------------------------------------------------------------------------


def _policy(*statements: dict[str, Any]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)}, indent=1)


def _statement(effect: str, action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": effect, "Action": action, "Resource": resource, **extra}


def _found(text: str, kind: str = "identity") -> list[tuple[str, str]]:
    result = lint_text(text, kind=kind)  # type: ignore[arg-type]
    return [(f.code, f.location.path) for f in result.findings if f.code in ("L113", "L114")]


def test_allow_on_the_group_for_a_version_action_grants_nothing() -> None:
    text = _policy(_statement("Allow", ["sagemaker:DescribeModelPackageGroup", "sagemaker:DescribeModelPackage"],
                              GROUP))
    result = lint_text(text, kind="identity")
    [finding] = [f for f in result.findings if f.code == "L113"]
    assert finding.location.path == "Statement[0].Action[1]"
    line = text.splitlines().index('    "sagemaker:DescribeModelPackage"') + 1
    assert (finding.location.line, finding.location.column) == (line, 5)  # the action string's opening quote
    assert finding.message == (
        f"'sagemaker:DescribeModelPackage' acts on sagemaker:model-package ({MODEL_PACKAGE}); no Resource of the "
        f"statement can name one ('{GROUP}'): the Allow grants nothing for it")
    assert catalogue()["L113"].severity == "warning"


def test_deny_that_can_never_apply_is_an_error() -> None:
    text = _policy(_statement("Deny", "sagemaker:UpdateModelPackage", GROUP))
    assert _found(text) == [("L114", "Statement[0].Action")]
    result = lint_text(text, kind="scp")
    assert result.count("error") == 1 and "the guardrail silently does not apply" in result.findings[0].message


@pytest.mark.parametrize(("statement", "kind"), [
    (_statement("Allow", "sagemaker:DescribeModelPackageGroup", GROUP), "identity"),
    (_statement("Allow", "sagemaker:DescribeModelPackage", [GROUP, VERSIONS]), "identity"),  # one entry matches
    (_statement("Deny", "sagemaker:UpdateModelPackage", "*"), "scp"),
    (_statement("Allow", "sagemaker:Describe*", GROUP), "identity"),  # some covered action acts on groups
    (_statement("Allow", "*", GROUP), "identity"),
    (_statement("Allow", "s*:Describe*", "arn:aws:s3:::b"), "identity"),  # wildcard service: not expanded
    (_statement("Allow", "sagemaker:DescribeModelPackag", GROUP), "identity"),  # unknown action: L101's finding
    ({"Effect": "Allow", "NotAction": "sagemaker:DescribeModelPackage", "Resource": GROUP}, "identity"),
    ({"Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "NotResource": GROUP}, "scp"),
    (_statement("Allow", "s3:GetObject", "arn:aws:s3:::${aws:username}"), "identity"),
    (_statement("Allow", "s3:ListAllMyBuckets", "arn:aws:s3:::*"), "identity"),  # the S3 guide's own example
    # no resource types, but AWS's Canvas policy scopes such actions to its own ARNs: unsure, so silent
    (_statement("Allow", "emr-serverless:CreateApplication", "arn:aws:emr-serverless:*:*:/*"), "identity"),
    (_statement("Allow", "sagemaker:ListModelPackageGroups", GROUP), "identity"),
    # SageMaker checks CreateModel against a shared model package's group policy (seed 000:L3078)
    (_statement("Allow", "sagemaker:CreateModel", VERSIONS, Principal={"AWS": "arn:aws:iam::444455556666:root"}),
     "resource"),
])
def test_statements_that_can_work_stay_silent(statement: dict[str, Any], kind: str) -> None:
    assert _found(_policy(statement), kind) == []


@pytest.mark.parametrize(("statement", "path", "words"), [
    (_statement("Allow", "s3:ListBucket", "arn:aws:s3:::bucket/*"), "Statement[0].Action", "s3:bucket"),
    (_statement("Allow", "s3:GetObject", "arn:aws:s3:::bucket"), "Statement[0].Action", "s3:object"),
    (_statement("Allow", "s3:ListBucket", "arn:aws:s3:::home/${aws:username}"), "Statement[0].Action", "s3:bucket"),
    (_statement("Allow", "sagemaker:Describe*", "arn:aws:s3:::bucket"), "Statement[0].Action", "covering"),
    (_statement("Allow", ["s3:ListAllMyBuckets"], GROUP), "Statement[0].Action[0]",
     'supports no resource-level permissions, so only "Resource": "*" matches it'),
    (_statement("Allow", "sagemaker:CreateModel", GROUP), "Statement[0].Action", "sagemaker:model-package"),
    (_statement("Allow", "iam:PassRole", f"arn:aws:iam:us-east-1:{ACCOUNT}:role/x"), "Statement[0].Action",
     "iam:role"),
])
def test_statements_that_grant_nothing_are_reported(statement: dict[str, Any], path: str, words: str) -> None:
    result = lint_text(_policy(statement), kind="identity")
    found = [f for f in result.findings if f.code == "L113"]
    assert [f.location.path for f in found] == [path]
    assert words in found[0].message


def _template(resource: Any) -> str:
    statement = {"Effect": "Deny", "Action": "sagemaker:UpdateModelPackage", "Resource": resource}
    return json.dumps({"Resources": {"Scp": {"Type": "AWS::Organizations::Policy", "Properties": {
        "Type": "SERVICE_CONTROL_POLICY", "Content": {"Version": "2012-10-17", "Statement": [statement]}}}}})


def test_template_arns_are_checked_through_their_literal_parts(tmp_path: Path) -> None:
    """CDK's Fn::Join of literals and Ref AWS::Partition is flattened and checked; a GetAtt is not knowable."""
    joined = {"Fn::Join": ["", ["arn:", {"Ref": "AWS::Partition"}, f":sagemaker:us-east-1:{ACCOUNT}:",
                                "model-package-group/churn"]]}
    path = tmp_path / "t.template.json"
    path.write_text(_template(joined))
    assert [(f.code, f.location.path) for f in lint_paths([str(path)]).findings] == [
        ("L114", "Resources.Scp.Properties.Content.Statement[0].Action")]
    path.write_text(_template([{"Fn::GetAtt": ["Group", "ModelPackageGroupArn"]}, joined]))
    assert lint_paths([str(path)]).findings == []
    path.write_text(_template({"Fn::Sub": "arn:${AWS::Partition}:sagemaker:${AWS::Region}:${Owner}:model-package/*"}))
    assert lint_paths([str(path)]).findings == []


def test_the_reference_app_grants_and_denies_only_what_it_can(reference_cdk_out: Path, tmp_path: Path) -> None:
    """The synthesized reference app: no error, and no statement whose action its resources cannot name;
    pointing its group policies' version grants at the group itself is caught (the check is not vacuous)."""
    from modelgov.policies.spec import load_spec

    spec = load_spec(Path(__file__).resolve().parents[2] / "governance.yaml")
    result = lint_paths([str(reference_cdk_out)], spec=spec)
    assert result.count("error") == 0
    assert [f for f in result.findings if f.code in ("L113", "L114")] == []
    assert result.policies >= 30
    registry = (reference_cdk_out / "modelgov-registry.template.json").read_text(encoding="utf-8")
    broken, count = re.subn(r":model-package/([A-Za-z0-9-]+)/\*", r":model-package-group/\1", registry)
    assert count >= 2
    (tmp_path / "registry.template.json").write_text(broken, encoding="utf-8")
    actions = {f.message.split("'")[1] for f in lint_paths([str(tmp_path)]).findings if f.code == "L113"}
    assert {"sagemaker:DescribeModelPackage", "sagemaker:CreateModel"} <= actions
