"""Robustness: mutated and truncated policies never crash the linter or the engine, and a policy the
linter reports an error in never yields Allowed from the engine (the two fail closed together)."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelgov.policies.engine import simulate
from modelgov.policies.findings import catalogue
from modelgov.policies.lint.linter import LintResult, lint_text

STAGE = "sagemaker:ModelLifeCycle:Stage"
BASE = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Sid": "QaApproves", "Effect": "Allow", "Action": ["sagemaker:UpdateModelPackage"],
    "Resource": "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/*",
    "Condition": {"StringEquals": {STAGE: "QA", "sagemaker:ModelLifeCycle:StageStatus": "Approved"}}}]}, indent=1)
REQUEST = {"principal": "arn:aws:iam::111122223333:role/qa", "action": "sagemaker:UpdateModelPackage",
           "resource": {"resource": "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/1",
                        "accountId": "111122223333"},
           "contextVariables": {STAGE: "QA", "sagemaker:ModelLifeCycle:StageStatus": "Approved"}}
PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _engine(policy: Any) -> str:
    return simulate({"identityPolicies": [{"name": "p", "policy": policy}], "request": REQUEST}).decision


def _strict_load(text: str) -> Any:
    """What the engine receives: JSON without duplicate keys (readers disagree on which one wins)."""
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        keys = [k for k, _ in items]
        if len(keys) != len(set(keys)):
            raise ValueError("duplicate key")
        return dict(items)

    return json.loads(text, object_pairs_hook=pairs)


def _check(result: LintResult, policy: Any) -> None:
    assert not [f for f in result.findings if f.code == "L099"], [f.message for f in result.findings]
    errors = {f.code for f in result.findings if catalogue()[f.code].severity == "error"}
    decision = _engine(policy)
    assert not (errors and decision == "Allowed"), (errors, policy)


def test_the_unmutated_policy_is_clean_and_allowed() -> None:
    assert not lint_text(BASE, kind="identity").findings
    assert _engine(json.loads(BASE)) == "Allowed"


EDIT = st.tuples(st.sampled_from(["delete", "insert", "truncate", "duplicate"]), st.floats(0, 1), st.floats(0, 1),
                 st.sampled_from(list('{}[],:" x*1') + ["\u201c", "\u2013", "\\", "\n", "true"]))


def _apply(text: str, edits: list[tuple[str, float, float, str]]) -> str:
    for kind, a, b, char in edits:
        i, j = sorted((int(a * len(text)), int(b * len(text))))
        if kind == "delete":
            text = text[:i] + text[j:]
        elif kind == "insert":
            text = text[:i] + char + text[i:]
        elif kind == "truncate":
            text = text[:j]
        else:
            text = text[:j] + text[i:j] + text[j:]
    return text


@PROPERTY
@given(st.lists(EDIT, min_size=1, max_size=4))
def test_mutated_text_never_crashes_and_errors_never_allow(edits: list[tuple[str, float, float, str]]) -> None:
    text = _apply(BASE, edits)
    result = lint_text(text, kind="identity")
    lint_text(text, kind="identity", yaml_format=True)  # the YAML reader must not crash either
    try:
        policy = _strict_load(text)
    except ValueError:
        assert result.count("error"), text  # text no JSON reader accepts is always an error
        return
    _check(result, policy)


MISSING = object()
POOLS: dict[str, list[Any]] = {
    "Effect": ["Allow", "Allow", "Deny", "allow", MISSING, 1],
    "Action": ["sagemaker:UpdateModelPackage", ["sagemaker:UpdateModelPackage", "sagemaker:Nope"], "sagemaker:Update*",
               "sagemakr:UpdateModelPackage", "*", [], "s3", MISSING, 5],
    "Resource": ["*", "arn:aws:sagemaker:us-east-1:111122223333:model-package/churn/*", "bucket", [], MISSING,
                 "arn:aws:sagemaker:us-east-1:11112222333:model-package/churn/*", "arn:aws:iam::111122223333::role/x"],
    "Condition": [MISSING, {"StringEquals": {STAGE: "QA"}}, {"ForAnyvalue:StringEquals": {STAGE: "QA"}},
                  {"String": {STAGE: "QA"}}, {"NullIfExists": {STAGE: "false"}}, {"Null": {STAGE: "maybe"}},
                  {"StringEquals": {STAGE: {"a": 1}}}, {"StringEquals": {}}, {"StringEquals": {STAGE: []}},
                  {"NumericLessThan": {"aws:MultiFactorAuthAge": "x"}}, {"StringEquals:": {STAGE: "QA"}}, "x",
                  {"ForAnyValue:StringEquals": {STAGE: "QA"}}, {"Bool": {"aws:SecureTransport": "maybe"}}],
    "Principal": [MISSING, MISSING, {"AWS": "arn:aws:iam::111122223333:root"}, "*"],
    "Sid": [MISSING, "A", "a b", 5],
    "Conditions": [MISSING, MISSING, {}],
}


@st.composite
def policies(draw: st.DrawFn) -> dict[str, Any]:
    statement = {k: v for k, pool in POOLS.items() if (v := draw(st.sampled_from(pool))) is not MISSING}
    policy: dict[str, Any] = {"Statement": [statement] if draw(st.booleans()) else statement}
    version = draw(st.sampled_from(["2012-10-17", "2012-10-17 ", "2008-10-17", "2012-10-18", None]))
    if version is not None:
        policy = {"Version": version, **policy}
    return policy


@PROPERTY
@given(policies())
def test_policies_with_lint_errors_never_yield_allowed(policy: dict[str, Any]) -> None:
    _check(lint_text(json.dumps(policy), kind="identity"), policy)


VOCABULARY = ["Version", "Statement", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
              "NotPrincipal", "Condition", "Sid", "AWS", "Service", "StringEquals", "Null", "Bool",
              "ForAnyValue:StringLike", "aws:TagKeys", STAGE, "Ref", "Fn::Join", "Fn::Sub", "Fn::If"]
SCALARS = st.sampled_from(["*", "s3:GetObject", "arn:aws:s3:::b/*", "Allow", "Deny", "", "true", "arn:",
                           "arn:aws:iam::1:root", "${aws:username}", "sagemaker:Create*", "\u201c", "2012-10-17",
                           5, None, True, 1.5])
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.sampled_from(VOCABULARY), inner, max_size=4), max_leaves=12)
TYPES = ["AWS::IAM::Role", "AWS::SageMaker::ModelPackageGroup", "AWS::Events::EventBusPolicy",
         "AWS::RAM::Permission", "AWS::Organizations::Policy", "AWS::IAM::Policy"]
PROPERTIES = ["AssumeRolePolicyDocument", "Policies", "ModelPackageGroupPolicy", "Statement", "PolicyTemplate",
              "Content", "Type", "PolicyDocument"]


@PROPERTY
@given(JSON_VALUES, st.sampled_from([None, "identity", "resource", "trust", "scp", "rcp", "template"]),
       st.sampled_from(TYPES), st.lists(st.sampled_from(PROPERTIES), max_size=4))
def test_any_json_shape_never_crashes_a_rule(value: Any, kind: Any, rtype: str, props: list[str]) -> None:
    for text in (json.dumps(value),
                 json.dumps({"Resources": {"R": {"Type": rtype, "Properties": {p: value for p in props}}}})):
        result = lint_text(text, kind=kind)
        assert not [f for f in result.findings if f.code == "L099"], [f.message for f in result.findings]
