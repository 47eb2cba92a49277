"""policies/iam/grammar.py: operator names exactly as AWS documents them.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
"""

from __future__ import annotations

import pytest

from modelgov.policies.iam import POLICY_VERSIONS, VALID_OPERATORS, OperatorError, canonical_operator, parse_operator


def test_parse_qualifier_base_and_if_exists() -> None:
    op = parse_operator("ForAnyValue:StringLikeIfExists")
    assert (op.qualifier, op.base, op.family, op.if_exists) == ("ForAnyValue", "StringLike", "String", True)
    assert not op.negated and op.allows_variables


@pytest.mark.parametrize(("name", "negated", "family"), [
    ("StringNotEquals", True, "String"), ("NotIpAddress", True, "IpAddress"), ("ArnNotLike", True, "Arn"),
    ("DateNotEquals", True, "Date"), ("NumericLessThan", False, "Numeric"), ("Bool", False, "Bool"),
    ("BinaryEquals", False, "Binary"), ("Null", False, "Null"),
])
def test_families_and_negation(name: str, negated: bool, family: str) -> None:
    op = parse_operator(name)
    assert (op.negated, op.family) == (negated, family)


@pytest.mark.parametrize(("name", "hint"), [
    ("NullIfExists", "use Null"),
    ("ForAnyvalue:StringEquals", "write 'ForAnyValue:StringEquals'"),
    ("String", "not an IAM condition operator"),
    ("StringEquals:", "remove it"),
    ("StringEqualz", "not an IAM condition operator"),
    ("Any:StringEquals", "unknown qualifier"),
    ("ForAllValues:Null", "Null takes no"),
])
def test_invalid_operators_are_rejected_with_the_fix(name: str, hint: str) -> None:
    with pytest.raises(OperatorError, match=hint.replace("(", r"\(")):
        parse_operator(name)


def test_operator_set_size() -> None:
    # 26 bases x (plain, IfExists) x (none, ForAllValues, ForAnyValue) + Null
    assert len(VALID_OPERATORS) == 26 * 2 * 3 + 1
    assert "NullIfExists" not in VALID_OPERATORS


def test_policy_versions() -> None:
    assert POLICY_VERSIONS == ("2012-10-17", "2008-10-17")


def test_canonical_operator_suggests_the_documented_spelling() -> None:
    assert canonical_operator("ForAnyvalue:stringequals") == "ForAnyValue:StringEquals"
    assert canonical_operator("nullifexists") is None
    assert canonical_operator("StringEqualz") is None
