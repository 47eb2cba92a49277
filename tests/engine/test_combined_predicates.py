"""A condition with many values is matched all at once (a set and one regex); it must agree with matching
the values one by one, which is the documented rule (values of one key are ORed)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from modelgov.policies.engine.conditions import arn, string

FIELD = st.text(alphabet="ab*?:-/", max_size=4)
ARN = st.builds(lambda p, s, r, a, res: f"arn:{p}:{s}:{r}:{a}:{res}", *(st.text(alphabet="ab*?-", max_size=3)
                                                                         for _ in range(4)), FIELD)
REQUEST = st.builds(lambda p, s, r, a, res: f"arn:{p}:{s}:{r}:{a}:{res}", *(st.text(alphabet="ab-", max_size=3)
                                                                             for _ in range(4)),
                    st.text(alphabet="ab:-/", max_size=5))
OPS = st.sampled_from(["ArnLike", "ArnEquals"])


@settings(max_examples=400, deadline=None)
@given(OPS, st.lists(ARN, min_size=2, max_size=6), st.lists(REQUEST, min_size=1, max_size=4))
def test_arn_values_at_once_equal_one_by_one(base: str, values: list[str], requests: list[str]) -> None:
    combined = arn.predicate_any(base, tuple(values))
    for raw in [*requests, *values, *(v.replace("*", "ab").replace("?", "a") for v in values)]:
        rv = arn.request_value(raw)
        assert combined(rv) == any(arn.predicate(base, v)(rv) for v in values), (values, raw)


def test_arn_wildcards_never_cross_a_colon_outside_the_resource() -> None:
    combined = arn.predicate_any("ArnLike", ("arn:aws:iam::*:role/x", "arn:aws:iam::1:role/y"))
    assert combined(arn.request_value("arn:aws:iam::111:role/x"))
    assert not combined(arn.request_value("arn:aws:iam:us-east-1:111:role/x"))  # region is not empty
    assert not combined(arn.request_value("arn:aws:iam::1:role/y:extra"))  # a literal is matched whole
    wide = arn.predicate_any("ArnLike", ("arn:aws:s3:::b/*", "arn:aws:iam::1:role/y"))
    assert wide(arn.request_value("arn:aws:s3:::b/k:with:colons"))  # the resource field keeps its colons


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(["StringEquals", "StringNotEquals", "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase"]),
       st.lists(st.text(alphabet="aAbB", max_size=3), min_size=2, max_size=5), st.text(alphabet="aAbB", max_size=3))
def test_string_values_at_once_equal_one_by_one(base: str, values: list[str], raw: str) -> None:
    assert string.predicate_any(base, tuple(values))(raw) == any(string.predicate(base, v)(raw) for v in values)
