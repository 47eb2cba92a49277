"""The 38-rule IAM semantics checklist (/work/shared/research/anchors-iam-simulators.md §2), one test per rule.

Each test names the AWS documentation page it enforces. Rules where iam-simulate diverges from the docs
(D1-D9, D12-D14) are also covered by test_deviations.py against the oracle itself.
"""

from __future__ import annotations

from typing import Any

from modelgov.policies.engine import simulate

ACCT, OTHER, MGMT = "111111111111", "222222222222", "999999999999"
MP = f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package/churn/3"
QA = f"arn:aws:iam::{ACCT}:role/QA"
QA_SESSION = f"arn:aws:sts::{ACCT}:assumed-role/QA/alice"
USER = f"arn:aws:iam::{ACCT}:user/alice"
UPDATE = "sagemaker:UpdateModelPackage"
STAGE = "sagemaker:ModelLifeCycle:Stage"
STATUS = "sagemaker:ModelLifeCycle:StageStatus"
DOCS = "https://docs.aws.amazon.com/IAM/latest/UserGuide/"
ORGS = "https://docs.aws.amazon.com/organizations/latest/userguide/"


def stmt(effect: str = "Allow", action: Any = UPDATE, resource: Any = "*", **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {"Effect": effect, "Action": action, "Resource": resource}
    if "not_action" in extra:
        out.pop("Action")
        out["NotAction"] = extra.pop("not_action")
    if "not_resource" in extra:
        out.pop("Resource")
        out["NotResource"] = extra.pop("not_resource")
    out.update({k[0].upper() + k[1:]: v for k, v in extra.items()})
    return out


def policy(*statements: dict[str, Any], version: str = "2012-10-17") -> dict[str, Any]:
    return {"Version": version, "Statement": list(statements)}


ALLOW_ALL = policy(stmt(action="*"))
FULL_ACCESS = {"name": "FullAWSAccess", "policy": ALLOW_ALL}


def case(principal: Any = QA, action: str = UPDATE, resource: str = MP, account: str = ACCT,
         ctx: dict[str, Any] | None = None, identity: list[dict[str, Any]] | None = None,
         scps: list[list[dict[str, Any]]] | None = None, rcps: list[list[dict[str, Any]]] | None = None,
         resource_policy: dict[str, Any] | None = None, pb: dict[str, Any] | None = None,
         session: dict[str, Any] | None = None, management: str | None = None) -> dict[str, Any]:
    sim: dict[str, Any] = {
        "request": {"principal": principal, "action": action,
                    "resource": {"resource": resource, "accountId": account}, "contextVariables": ctx or {}},
        "identityPolicies": [{"name": f"id{i}", "policy": p} for i, p in enumerate(identity or [])],
        "serviceControlPolicies": [{"orgIdentifier": f"level{i}", "policies": level}
                                   for i, level in enumerate(scps or [])],
        "resourceControlPolicies": [{"orgIdentifier": f"level{i}", "policies": level}
                                    for i, level in enumerate(rcps or [])],
    }
    if resource_policy is not None:
        sim["resourcePolicy"] = resource_policy
    if pb is not None:
        sim["permissionBoundaryPolicies"] = [{"name": "pb", "policy": pb}]
    if session is not None:
        sim["sessionPolicy"] = session
    if management:
        sim["organization"] = {"managementAccountId": management}
    return sim


def decide(**kw: Any) -> str:
    result = simulate(case(**kw))
    assert not result.errors, [str(e) for e in result.errors]
    return result.decision


def codes(**kw: Any) -> list[str]:
    result = simulate(case(**kw))
    assert result.decision != "Allowed"
    return [e.code for e in result.errors]


def cond(operator: str, key: str, value: Any, effect: str = "Allow") -> dict[str, Any]:
    return stmt(effect, condition={operator: {key: value}})


def test_rule_01_action_names_are_case_insensitive() -> None:
    """reference_policies_elements_action.html"""
    assert decide(identity=[policy(stmt(action="SAGEMAKER:updatemodelpackage"))]) == "Allowed"
    assert decide(action="SageMaker:UPDATEMODELPACKAGE", identity=[policy(stmt())]) == "Allowed"


def test_rule_02_condition_key_names_are_case_insensitive() -> None:
    """reference_policies_elements_condition.html: keys and the tag-key part match whatever the case"""
    identity = [policy(cond("StringEquals", "SAGEMAKER:modellifecycle:STAGE", "Production"))]
    assert decide(identity=identity, ctx={"sagemaker:modellifecycle:stage": "Production"}) == "Allowed"
    identity = [policy(cond("StringEquals", "aws:ResourceTag/TagKey1", "x"))]
    assert decide(identity=identity, ctx={"aws:resourcetag/tagkey1": "x"}) == "Allowed"


def test_rule_03_values_are_case_sensitive_except_ignore_case() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_String"""
    ctx = {STAGE: "production"}
    assert decide(identity=[policy(cond("StringEquals", STAGE, "Production"))], ctx=ctx) == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("StringEqualsIgnoreCase", STAGE, "Production"))], ctx=ctx) == "Allowed"
    assert decide(identity=[policy(cond("StringLike", STAGE, "Prod*"))], ctx=ctx) == "ImplicitlyDenied"


def test_rule_04_duplicate_keys_differing_in_case_are_an_error() -> None:
    """access-analyzer-reference-policy-checks.html (duplicate keys with different case)"""
    bad = stmt(condition={"StringEquals": {STAGE: "Production", STAGE.lower(): "Staging"}})
    assert codes(identity=[policy(bad)]) == ["E016"]


def test_rule_05_operator_names_must_be_spelled_as_documented() -> None:
    """reference_policies_elements_condition_operators.html; the SageMaker DG's own example writes
    `ForAnyvalue:StringEquals` (seeds/000_e90d49b69fb2e9fd.txt:2415), which we reject with the fix."""
    result = simulate(case(identity=[policy(cond("ForAnyvalue:StringEquals", STAGE, "Production"))],
                           ctx={STAGE: "Production"}))
    assert result.decision == "ImplicitlyDenied"
    assert [e.code for e in result.errors] == ["E011"]
    assert "ForAnyValue:StringEquals" in result.errors[0].message
    assert result.errors[0].location == (
        "identityPolicies[0](id0).Statement[0].Condition.ForAnyvalue:StringEquals.sagemaker:ModelLifeCycle:Stage")


def test_rule_06_effect_is_case_sensitive() -> None:
    """reference_policies_elements_effect.html"""
    assert codes(identity=[policy(stmt(effect="allow"))]) == ["E010"]


def test_rule_07_unknown_condition_operator_is_an_error() -> None:
    """access-analyzer-reference-policy-checks.html (invalid condition operator); iam-simulate: D7"""
    deny = cond("StringEqualz", STAGE, "Production", effect="Deny")
    assert codes(identity=[ALLOW_ALL, policy(deny)], ctx={STAGE: "Production"}) == ["E011"]
    assert codes(identity=[policy(cond("String", STAGE, "x"))]) == ["E011"]
    assert codes(identity=[policy(cond("StringEquals:", STAGE, "x"))]) == ["E011"]


def test_rule_08_action_wildcards_star_and_question_mark() -> None:
    """reference_policies_elements_action.html"""
    assert decide(identity=[policy(stmt(action="sagemaker:Update*Package"))]) == "Allowed"
    assert decide(identity=[policy(stmt(action="sagemaker:UpdateModelPackag?"))]) == "Allowed"
    assert decide(identity=[policy(stmt(action="sagemaker:Update?odel*"))]) == "Allowed"
    assert codes(identity=[policy(stmt(action="sagemaker:UpdateModelPackage?"))]) == ["E012"]  # matches nothing
    assert decide(identity=[policy(stmt(action="sagemaker:Describe*"))]) == "ImplicitlyDenied"


def test_rule_09_not_action_covers_every_other_action() -> None:
    """reference_policies_elements_notaction.html: including other services' actions"""
    assert decide(identity=[policy(stmt(not_action="s3:*"))]) == "Allowed"
    assert decide(identity=[policy(stmt(not_action=["sagemaker:Update*"]))]) == "ImplicitlyDenied"


def test_rule_10_resource_wildcards_within_and_beyond_segments() -> None:
    """reference_policies_elements_resource.html"""
    allowed = ["arn:aws:sagemaker:*:111111111111:model-package/*", "arn:aws:sagemaker:us-east-?:*:*",
               "arn:aws:sagemaker:us-east-1:111111111111:model-package/ch*rn/3", "*"]
    for resource in allowed:
        assert decide(identity=[policy(stmt(resource=resource))]) == "Allowed", resource
    denied = ["arn:aws:sagemaker:us-west-2:*:*", "arn:aws:sagemaker:*:222222222222:*",
              "arn:aws:sagemaker:*:*:model-package/churn/?3", "arn:aws:sagemaker:*:*:model-package-group/*"]
    for resource in denied:
        assert decide(identity=[policy(stmt(resource=resource))]) == "ImplicitlyDenied", resource


def test_rule_11_resource_variables_only_in_the_resource_part() -> None:
    """reference_policies_variables.html#policy-vars-resourceelement"""
    ctx = {"aws:PrincipalTag/team": "churn", "aws:RequestedRegion": "us-east-1"}
    in_resource = "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team}/*"
    assert decide(identity=[policy(stmt(resource=in_resource))], ctx=ctx) == "Allowed"
    in_region = "arn:aws:sagemaker:${aws:RequestedRegion}:*:model-package/*"
    assert decide(identity=[policy(stmt(resource=in_region))], ctx=ctx) == "ImplicitlyDenied"


def test_rule_12_not_resource_applies_to_everything_else() -> None:
    """reference_policies_elements_notresource.html"""
    assert decide(identity=[policy(stmt(not_resource="arn:aws:sagemaker:*:*:model-package/fraud/*"))]) == "Allowed"
    assert decide(identity=[ALLOW_ALL, policy(stmt("Deny", not_resource=MP))]) == "Allowed"
    assert decide(identity=[ALLOW_ALL, policy(stmt("Deny", not_resource="arn:aws:s3:::*"))]) == "ExplicitlyDenied"


def test_rule_13_resource_policy_principals() -> None:
    """reference_policies_elements_principal.html: *, account, role vs role session"""
    anonymous = {"type": "Anonymous"}
    everyone = policy(stmt(principal="*"))
    assert decide(principal=anonymous, resource_policy=everyone) == "Allowed"
    assert decide(principal=anonymous, resource_policy=policy(stmt(principal={"AWS": QA}))) == "ImplicitlyDenied"
    account_only = policy(stmt(principal={"AWS": f"arn:aws:iam::{ACCT}:root"}))
    assert decide(resource_policy=account_only) == "ImplicitlyDenied"
    session_only = policy(stmt(principal={"AWS": QA_SESSION}))
    assert decide(principal=QA, resource_policy=session_only) == "ImplicitlyDenied"
    assert decide(principal=QA_SESSION, resource_policy=session_only) == "Allowed"
    assert decide(principal=QA_SESSION, resource_policy=policy(stmt(principal={"AWS": QA}))) == "Allowed"


def test_rule_14_not_principal_with_deny() -> None:
    """reference_policies_elements_notprincipal.html; access_policies_boundaries.html (NotPrincipal + PB)"""
    deny_others = stmt("Deny", notPrincipal={"AWS": [QA, f"arn:aws:iam::{ACCT}:root"]})
    rp = policy(stmt(principal="*"), deny_others)
    assert decide(principal=QA, resource_policy=rp) == "Allowed"
    outsider = f"arn:aws:iam::{OTHER}:user/bob"
    assert decide(principal=outsider, resource_policy=rp, identity=[ALLOW_ALL]) == "ExplicitlyDenied"
    assert decide(principal=QA, resource_policy=rp, identity=[ALLOW_ALL], pb=ALLOW_ALL) == "ExplicitlyDenied"
    assert codes(identity=[policy(stmt(notPrincipal={"AWS": QA}))]) == ["E010"]


def test_rule_15_keys_and_values_combine_with_and_or() -> None:
    """reference_policies_multi-value-conditions.html"""
    both = stmt(condition={"StringEquals": {STAGE: "Production", STATUS: "PendingApproval"}})
    assert decide(identity=[policy(both)], ctx={STAGE: "Production", STATUS: "PendingApproval"}) == "Allowed"
    assert decide(identity=[policy(both)], ctx={STAGE: "Production", STATUS: "Approved"}) == "ImplicitlyDenied"
    either = cond("StringEquals", STAGE, ["Staging", "Production"])
    assert decide(identity=[policy(either)], ctx={STAGE: "Production"}) == "Allowed"
    neither = cond("StringNotEquals", STAGE, ["Staging", "Production"])
    assert decide(identity=[policy(neither)], ctx={STAGE: "Production"}) == "ImplicitlyDenied"
    assert decide(identity=[policy(neither)], ctx={STAGE: "Development"}) == "Allowed"


def test_rule_16_missing_key_fails_except_negated_operators() -> None:
    """reference_policies_elements_condition_operators.html (missing keys)"""
    assert decide(identity=[policy(cond("StringEquals", STAGE, "Production"))]) == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("StringNotEquals", STAGE, "Production"))]) == "Allowed"
    assert decide(identity=[policy(cond("NotIpAddress", "aws:SourceIp", "10.0.0.0/8"))]) == "Allowed"
    assert decide(identity=[policy(cond("ArnNotLike", "aws:SourceArn", "arn:aws:s3:::*"))]) == "Allowed"


def test_rule_17_if_exists() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_IfExists"""
    assert decide(identity=[policy(cond("StringEqualsIfExists", STAGE, "Development"))]) == "Allowed"
    assert decide(identity=[policy(cond("StringEqualsIfExists", STAGE, "Development"))],
                  ctx={STAGE: "Production"}) == "ImplicitlyDenied"
    deny = cond("StringNotEqualsIfExists", STAGE, "Development", effect="Deny")
    assert decide(identity=[ALLOW_ALL, policy(deny)]) == "ExplicitlyDenied"
    assert codes(identity=[policy(cond("NullIfExists", STAGE, "true"))]) == ["E011"]


def test_rule_18_null_tests_presence() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_Null"""
    assert decide(identity=[policy(cond("Null", STAGE, "true"))]) == "Allowed"
    assert decide(identity=[policy(cond("Null", STAGE, True))], ctx={STAGE: "x"}) == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("Null", STAGE, "false"))], ctx={STAGE: "x"}) == "Allowed"
    assert codes(identity=[policy(cond("Null", STAGE, "${aws:username}"))]) == ["E013"]


def test_rule_19_set_operators_empty_and_missing() -> None:
    """reference_policies_multi-value-conditions.html"""
    action = "sagemaker:CreateModelPackage"
    all_of = [policy(stmt(action=action, condition={"ForAllValues:StringEquals": {"aws:TagKeys": ["a", "b"]}}))]
    any_of = [policy(stmt(action=action, condition={"ForAnyValue:StringEquals": {"aws:TagKeys": ["a", "b"]}}))]
    plain = [policy(stmt(action=action, condition={"StringEquals": {"aws:TagKeys": ["a", "b"]}}))]
    for tags, all_result, any_result in [(["a"], "Allowed", "Allowed"), (["a", "c"], "ImplicitlyDenied", "Allowed"),
                                         ([], "Allowed", "ImplicitlyDenied"), (None, "Allowed", "ImplicitlyDenied")]:
        ctx = {} if tags is None else {"aws:TagKeys": tags}
        assert decide(action=action, identity=all_of, ctx=ctx) == all_result, tags
        assert decide(action=action, identity=any_of, ctx=ctx) == any_result, tags
        assert decide(action=action, identity=plain, ctx=ctx) == "ImplicitlyDenied", tags
    # ForAnyValue stays false for an absent key even with IfExists: observed on AWS in
    # https://repost.aws/questions/QU9HFmDzP0QGuU-fd7rS6B7w (iam-simulate agrees)
    if_exists = [policy(stmt(action=action, condition={"ForAnyValue:StringEqualsIfExists": {"aws:TagKeys": "team"}}))]
    assert decide(action=action, identity=if_exists) == "ImplicitlyDenied"


def test_rule_20_single_valued_keys_take_one_value() -> None:
    """reference_policies_condition-single-vs-multi-valued-context-keys.html; iam-simulate truncates (V4)"""
    assert codes(identity=[policy(stmt())], ctx={STAGE: ["Production", "Development"]}) == ["E005"]
    assert decide(identity=[policy(cond("StringEquals", STAGE, "Production"))], ctx={STAGE: ["Production"]}) \
        == "Allowed"


def test_rule_21_string_like_wildcards_and_literal_star_in_equals() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_String"""
    assert decide(identity=[policy(cond("StringLike", STAGE, "Pro?uct*"))], ctx={STAGE: "Production"}) == "Allowed"
    assert decide(identity=[policy(cond("StringEquals", STAGE, "Prod*"))], ctx={STAGE: "Production"}) \
        == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("StringEquals", STAGE, "Prod*"))], ctx={STAGE: "Prod*"}) == "Allowed"
    assert decide(identity=[policy(cond("StringNotLike", STAGE, "Prod*"))], ctx={STAGE: "Production"}) \
        == "ImplicitlyDenied"


def test_rule_22_numeric_values_are_strict_decimals() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_Numeric"""
    key = "aws:MultiFactorAuthAge"
    assert decide(identity=[policy(cond("NumericLessThan", key, "3600"))], ctx={key: "300"}) == "Allowed"
    assert decide(identity=[policy(cond("NumericLessThan", key, 2.5))], ctx={key: "2.25"}) == "Allowed"
    assert decide(identity=[policy(cond("NumericGreaterThanEquals", key, "300"))], ctx={key: "300"}) == "Allowed"
    assert decide(identity=[policy(cond("NumericLessThan", key, "3600"))], ctx={key: "12abc"}) == "ImplicitlyDenied"
    assert codes(identity=[policy(cond("NumericLessThan", key, "12abc"))]) == ["E013"]
    assert codes(identity=[policy(cond("NumericLessThan", key, "1e3"))]) == ["E013"]
    assert codes(identity=[policy(cond("NumericEquals", key, "${aws:username}"))]) == ["E013"]


def test_rule_23_dates_iso_and_epoch_in_one_unit() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_Date;
    reference_policies_condition-keys.html#condition-keys-epochtime (iam-simulate: D3)"""
    epoch = {"aws:EpochTime": "1700000000"}  # 2023-11-14T22:13:20Z
    assert decide(identity=[policy(cond("DateGreaterThan", "aws:EpochTime", "2020-01-01T00:00:00Z"))],
                  ctx=epoch) == "Allowed"
    assert decide(identity=[policy(cond("DateLessThan", "aws:EpochTime", "2023-11-14T22:13:21Z"))],
                  ctx=epoch) == "Allowed"
    assert decide(identity=[policy(cond("DateEquals", "aws:CurrentTime", "1700000000"))],
                  ctx={"aws:CurrentTime": "2023-11-14T22:13:20Z"}) == "Allowed"
    assert decide(identity=[policy(cond("DateLessThan", "aws:CurrentTime", "2024-01-01T01:00:00+02:00"))],
                  ctx={"aws:CurrentTime": "2023-12-31T22:30:00Z"}) == "Allowed"
    assert decide(identity=[policy(cond("DateLessThan", "aws:CurrentTime", "2024-01-01T01:00:00+02:00"))],
                  ctx={"aws:CurrentTime": "2023-12-31T23:30:00Z"}) == "ImplicitlyDenied"
    assert codes(identity=[policy(cond("DateLessThan", "aws:CurrentTime", "Jan 5 2020"))]) == ["E013"]


def test_rule_24_bool_accepts_json_booleans_and_variables() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_Boolean"""
    key = "aws:SecureTransport"
    assert decide(identity=[policy(cond("Bool", key, True))], ctx={key: "true"}) == "Allowed"
    assert decide(identity=[policy(cond("Bool", key, "TRUE"))], ctx={key: True}) == "Allowed"
    assert decide(identity=[policy(cond("Bool", key, "false"))], ctx={key: "true"}) == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("Bool", key, "${aws:PrincipalTag/secure}"))],
                  ctx={key: "true", "aws:PrincipalTag/secure": "true"}) == "Allowed"
    assert codes(identity=[policy(cond("Bool", key, "yes"))]) == ["E013"]


def test_rule_25_binary_equals_compares_bytes() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_BinaryEquals"""
    identity = [policy(cond("BinaryEquals", STAGE, "UHJvZHVjdGlvbg=="))]
    assert decide(identity=identity, ctx={STAGE: "UHJvZHVjdGlvbg=="}) == "Allowed"
    assert decide(identity=identity, ctx={STAGE: "RGV2ZWxvcG1lbnQ="}) == "ImplicitlyDenied"
    assert codes(identity=[policy(cond("BinaryEquals", STAGE, "not base64!"))]) == ["E013"]


def test_rule_26_ip_address_cidr_v4_v6() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_IPAddress"""
    key = "aws:SourceIp"
    for policy_value, request, result in [("10.0.0.0/8", "10.1.2.3", "Allowed"), ("10.0.0.5", "10.0.0.5", "Allowed"),
                                          ("10.0.0.5", "10.0.0.6", "ImplicitlyDenied"),
                                          ("2001:db8::/32", "2001:db8::1", "Allowed"),
                                          ("10.0.0.0/8", "2001:db8::1", "ImplicitlyDenied")]:
        assert decide(identity=[policy(cond("IpAddress", key, policy_value))], ctx={key: request}) == result
    assert decide(identity=[policy(cond("NotIpAddress", key, ["10.0.0.0/8", "192.168.0.0/16"]))],
                  ctx={key: "172.16.0.1"}) == "Allowed"
    assert codes(identity=[policy(cond("IpAddress", key, "10.0.0.0/33"))]) == ["E013"]


def test_rule_27_arn_operators_match_field_by_field() -> None:
    """reference_policies_elements_condition_operators.html#Conditions_ARN"""
    key, value = "aws:SourceArn", f"arn:aws:sagemaker:us-east-1:{ACCT}:pipeline/train"
    assert decide(identity=[policy(cond("ArnLike", key, "arn:aws:sagemaker:*:*:pipeline/*"))], ctx={key: value}) \
        == "Allowed"
    assert decide(identity=[policy(cond("ArnEquals", key, "arn:aws:sagemaker:*:*:pipeline/t?ain"))],
                  ctx={key: value}) == "Allowed"
    # `*` in the account field does not reach into the resource field; StringLike has no fields
    assert codes(identity=[policy(cond("ArnLike", key, "arn:aws:sagemaker:us-east-1:*train"))]) == ["E013"]
    assert decide(identity=[policy(cond("ArnLike", key, "arn:aws:sagemaker:us-east-1:*:train"))],
                  ctx={key: value}) == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("StringLike", key, "arn:aws:sagemaker:us-east-1:*train"))],
                  ctx={key: value}) == "Allowed"
    assert decide(identity=[policy(cond("ArnLike", key, "arn:aws:sagemaker:*:*:*"))], ctx={key: "not-an-arn"}) \
        == "ImplicitlyDenied"
    assert decide(identity=[policy(cond("ArnLike", key, "arn:aws:SageMaker:*:*:*"))], ctx={key: value}) \
        == "ImplicitlyDenied"


def test_rule_28_policy_variables() -> None:
    """reference_policies_variables.html (version, no-value, special characters, defaults); D1, D2"""
    team = "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team}/*"
    ctx = {"aws:PrincipalTag/team": "churn"}
    assert decide(identity=[policy(stmt(resource=team))], ctx=ctx) == "Allowed"
    assert decide(identity=[policy(stmt(resource=team), version="2008-10-17")], ctx=ctx) == "ImplicitlyDenied"
    assert decide(identity=[policy(stmt(resource=team))]) == "ImplicitlyDenied"
    defaulted = "arn:aws:sagemaker:*:*:model-package/${aws:PrincipalTag/team, 'churn'}/*"
    assert decide(identity=[policy(stmt(resource=defaulted))]) == "Allowed"
    assert decide(identity=[policy(cond("StringEquals", STAGE, "${aws:PrincipalTag/stage}"))],
                  ctx={STAGE: "Production"}) == "ImplicitlyDenied"
    deny = cond("StringNotEquals", STAGE, "${aws:PrincipalTag/stage}", effect="Deny")
    assert decide(identity=[ALLOW_ALL, policy(deny)], ctx={STAGE: "Production"}) == "ExplicitlyDenied"
    assert decide(identity=[policy(cond("StringEquals", STAGE, "a${*}b"))], ctx={STAGE: "a*b"}) == "Allowed"
    assert decide(identity=[policy(cond("StringLike", STAGE, "a${*}b"))], ctx={STAGE: "axb"}) == "ImplicitlyDenied"


def test_rule_29_same_account_identity_or_resource_policy() -> None:
    """reference_policies_evaluation-logic.html (same account)"""
    assert decide(resource_policy=policy(stmt(principal={"AWS": QA}))) == "Allowed"
    assert decide(resource_policy=policy(stmt(principal={"AWS": ACCT}))) == "ImplicitlyDenied"
    assert decide(resource_policy=policy(stmt(principal={"AWS": ACCT})), identity=[policy(stmt())]) == "Allowed"
    assert decide(identity=[policy(stmt())]) == "Allowed"


def test_rule_29b_trust_and_key_policies_must_allow_even_in_one_account() -> None:
    """reference_policies_evaluation-logic.html (role trust policies, KMS key policies);
    API_GetCallerIdentity.html (no permission needed, an explicit deny does not block it)"""
    role = f"arn:aws:iam::{ACCT}:role/Deployer"
    assume = {"action": "sts:AssumeRole", "resource": role, "identity": [policy(stmt(action="sts:AssumeRole"))]}
    assert decide(**assume) == "Allowed"  # no trust policy given: identity alone, like any service
    service_only = policy(stmt(action="sts:AssumeRole", principal={"Service": "x.amazonaws.com"}))
    assert decide(**assume, resource_policy=service_only) == "ImplicitlyDenied"
    trusts_account = policy(stmt(action="sts:AssumeRole", principal={"AWS": ACCT}))
    assert decide(**assume, resource_policy=trusts_account) == "Allowed"
    key = f"arn:aws:kms:us-east-1:{ACCT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    decrypt = {"action": "kms:Decrypt", "resource": key, "identity": [policy(stmt(action="kms:Decrypt"))]}
    assert decide(**decrypt) == "ImplicitlyDenied"  # no key policy trusting the account
    key_policy = policy(stmt(action="kms:*", principal={"AWS": f"arn:aws:iam::{ACCT}:root"}))
    assert decide(**decrypt, resource_policy=key_policy) == "Allowed"
    deny_all = [policy(stmt("Deny", action="*"))]
    assert decide(action="sts:GetCallerIdentity", resource="*", identity=deny_all) == "Allowed"
    reserved = f"arn:aws:iam::{ACCT}:role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_Admin"
    assert decide(action="iam:PassRole", resource=reserved, identity=[ALLOW_ALL]) == "ImplicitlyDenied"
    managed = "arn:aws:iam::aws:policy/AdministratorAccess"
    assert decide(action="iam:CreatePolicyVersion", resource=managed, account="aws", identity=[ALLOW_ALL]) \
        == "ImplicitlyDenied"
    aws_alias = f"arn:aws:kms:us-east-1:{ACCT}:alias/aws/s3"
    assert decide(action="kms:DeleteAlias", resource=aws_alias, identity=[ALLOW_ALL]) == "ImplicitlyDenied"
    assert decide(action="kms:DeleteAlias", resource=aws_alias.replace("aws/s3", "mine"), identity=[ALLOW_ALL]) \
        == "Allowed"


def test_rule_30_resource_grants_versus_boundary_and_session_implicit_denies() -> None:
    """reference_policies_evaluation-logic.html; access_policies.html#policies_session (D4)"""
    pb = policy(stmt(action="s3:*"))
    assert decide(principal=USER, pb=pb, resource_policy=policy(stmt(principal={"AWS": USER}))) == "Allowed"
    assert decide(principal=QA, pb=pb, resource_policy=policy(stmt(principal={"AWS": QA}))) == "ImplicitlyDenied"
    session = policy(stmt(action="s3:GetObject"))
    assert decide(principal=QA_SESSION, session=session,
                  resource_policy=policy(stmt(principal={"AWS": QA_SESSION}))) == "Allowed"
    assert decide(principal=QA_SESSION, session=session,
                  resource_policy=policy(stmt(principal={"AWS": QA}))) == "ImplicitlyDenied"


def test_rule_31_cross_account_needs_both_sides() -> None:
    """reference_policies_evaluation-logic-cross-account.html"""
    other = f"arn:aws:iam::{OTHER}:role/QA"
    assert decide(principal=other, identity=[policy(stmt())]) == "ImplicitlyDenied"
    assert decide(principal=other, resource_policy=policy(stmt(principal={"AWS": other}))) == "ImplicitlyDenied"
    assert decide(principal=other, identity=[policy(stmt())],
                  resource_policy=policy(stmt(principal={"AWS": OTHER}))) == "Allowed"
    result = simulate(case(principal=other, identity=[policy(stmt())]))
    assert result.blocked_by == ["resource"]


def test_rule_32_scps_every_level_exemptions_and_grammar() -> None:
    """orgs_manage_policies_scps.html; orgs_manage_policies_scps_syntax.html (D6, D9)"""
    identity = [ALLOW_ALL]
    assert decide(identity=identity, scps=[[FULL_ACCESS], [FULL_ACCESS]]) == "Allowed"
    assert decide(identity=identity, scps=[[FULL_ACCESS], []]) == "ImplicitlyDenied"
    only_s3 = {"name": "s3", "policy": policy(stmt(action="s3:*"))}
    assert decide(identity=identity, scps=[[FULL_ACCESS], [only_s3]]) == "ImplicitlyDenied"
    deny = {"name": "deny", "policy": policy(stmt("Deny"))}
    assert decide(identity=identity, scps=[[FULL_ACCESS, deny]]) == "ExplicitlyDenied"
    assert decide(identity=identity, scps=[[deny]], management=ACCT) == "Allowed"
    slr = f"arn:aws:iam::{ACCT}:role/aws-service-role/sagemaker.amazonaws.com/AWSServiceRoleForSageMaker"
    assert decide(principal=slr, identity=identity, scps=[[deny]]) == "Allowed"
    assert decide(principal="sagemaker.amazonaws.com", scps=[[deny]],
                  resource_policy=policy(stmt(principal={"Service": "sagemaker.amazonaws.com"}))) == "Allowed"
    mid = {"name": "mid", "policy": policy(stmt(action="sagemaker:*ModelPackage"))}
    assert codes(identity=identity, scps=[[mid]]) == ["E015"]
    with_principal = {"name": "p", "policy": policy(stmt(principal="*"))}
    assert codes(identity=identity, scps=[[with_principal]]) == ["E010"]


def test_rule_33_rcps_only_for_supported_services() -> None:
    """orgs_manage_policies_rcps.html (supported services, management account) (D5)"""
    sqs = f"arn:aws:sqs:us-east-1:{ACCT}:orders"
    deny_sqs = {"name": "d", "policy": policy(stmt("Deny", action="sqs:*", principal="*"))}
    deny_sm = {"name": "d", "policy": policy(stmt("Deny", action="sagemaker:*", principal="*"))}
    identity = [ALLOW_ALL]
    assert decide(action="sqs:SendMessage", resource=sqs, identity=identity, rcps=[[deny_sqs]]) == "ExplicitlyDenied"
    assert decide(action="sqs:SendMessage", resource=sqs, identity=identity, rcps=[[]]) == "Allowed"
    assert decide(action="sqs:SendMessage", resource=sqs, identity=identity, rcps=[[deny_sqs]],
                  management=ACCT) == "Allowed"
    assert decide(identity=identity, rcps=[[deny_sm]]) == "Allowed"
    allow = {"name": "a", "policy": policy(stmt(action="sqs:*", principal="*"))}
    assert codes(action="sqs:SendMessage", resource=sqs, identity=identity, rcps=[[allow]]) == ["E010"]
    star = {"name": "s", "policy": policy(stmt("Deny", action="*", principal="*"))}
    assert codes(action="sqs:SendMessage", resource=sqs, identity=identity, rcps=[[star]]) == ["E010"]


def test_rule_34_permission_boundary_intersects_identity() -> None:
    """access_policies_boundaries.html"""
    assert decide(identity=[policy(stmt())], pb=policy(stmt(action="sagemaker:*"))) == "Allowed"
    assert decide(identity=[policy(stmt())], pb=policy(stmt(action="s3:*"))) == "ImplicitlyDenied"
    assert decide(identity=[policy(stmt(action="s3:*"))], pb=ALLOW_ALL) == "ImplicitlyDenied"
    assert decide(identity=[policy(stmt())], pb=policy(stmt(action="*"), stmt("Deny"))) == "ExplicitlyDenied"


def test_rule_35_session_policy_intersects_and_needs_a_session_principal() -> None:
    """access_policies.html#policies_session"""
    assert decide(principal=QA_SESSION, identity=[policy(stmt())], session=policy(stmt())) == "Allowed"
    assert decide(principal=QA_SESSION, identity=[policy(stmt())], session=policy(stmt(action="s3:*"))) \
        == "ImplicitlyDenied"
    assert decide(principal=QA_SESSION, identity=[policy(stmt(action="s3:*"))], session=ALLOW_ALL) \
        == "ImplicitlyDenied"
    assert codes(principal=USER, identity=[policy(stmt())], session=ALLOW_ALL) == ["E018"]


def test_rule_36_explicit_versus_implicit_deny_with_decisive_statements() -> None:
    """reference_policies_evaluation-logic.html"""
    result = simulate(case(identity=[policy(stmt(sid="Grant")), policy(stmt("Deny", sid="Block"))]))
    assert result.decision == "ExplicitlyDenied"
    assert result.decisive == [{"layer": "identity", "policy": "id1", "statement_index": 0, "sid": "Block",
                                "effect": "Deny"}]
    result = simulate(case(identity=[policy(stmt(action="s3:*"))]))
    assert (result.decision, result.decisive, result.blocked_by) == ("ImplicitlyDenied", [], ["identity"])


def test_rule_37_global_keys_derived_from_the_request_and_explicit_values_win() -> None:
    """reference_policies_condition-keys.html (aws:PrincipalArn, PrincipalAccount, PrincipalType,
    ResourceAccount, PrincipalIsAWSService, PrincipalServiceName, username); iam-simulate derives none (Q5b)"""
    guard = stmt("Deny", condition={"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/QA"}})
    assert decide(identity=[ALLOW_ALL, policy(guard)]) == "Allowed"
    assert decide(principal=QA_SESSION, identity=[ALLOW_ALL, policy(guard)]) == "Allowed"
    assert decide(principal=USER, identity=[ALLOW_ALL, policy(guard)]) == "ExplicitlyDenied"
    assert decide(identity=[ALLOW_ALL, policy(guard)], ctx={"aws:PrincipalArn": USER}) == "ExplicitlyDenied"
    checks = {"StringEquals": {"aws:PrincipalAccount": ACCT, "aws:PrincipalType": "AssumedRole",
                               "aws:ResourceAccount": ACCT}}
    assert decide(principal=QA_SESSION, identity=[policy(stmt(condition=checks))]) == "Allowed"
    home = "arn:aws:sagemaker:*:*:model-package/${aws:username}/*"
    assert decide(principal=f"arn:aws:iam::{ACCT}:user/team/churn", identity=[policy(stmt(resource=home))]) \
        == "Allowed"
    assert decide(principal=QA, identity=[policy(stmt(resource=home))]) == "ImplicitlyDenied"  # roles have none
    is_service = {"Bool": {"aws:PrincipalIsAWSService": "true"},
                  "StringEquals": {"aws:PrincipalServiceName": "sagemaker.amazonaws.com"}}
    service_only = policy(stmt(principal="*", condition=is_service))
    assert decide(principal="sagemaker.amazonaws.com", resource_policy=service_only) == "Allowed"
    assert decide(principal=QA, resource_policy=service_only) == "ImplicitlyDenied"


def test_rule_38_context_keys_must_be_valid_for_the_action() -> None:
    """service authorization reference (SageMaker); iam-simulate drops invalid keys (V1-V3)"""
    assert codes(identity=[policy(stmt())], ctx={"s3:prefix": "x"}) == ["E004"]
    assert codes(action="sagemaker:DescribeModelPackage", identity=[policy(stmt(action="sagemaker:*"))],
                 ctx={STAGE: "Production"}) == ["E004"]
    assert codes(identity=[policy(cond("StringEquals", "sagemaker:Bogus", "x"))]) == ["E014"]
    assert codes(action="sagemaker:UpdateModelPackages") == ["E002"]
    assert codes(resource=f"arn:aws:sagemaker:us-east-1:{ACCT}:model-package-group/churn") == ["E003"]
