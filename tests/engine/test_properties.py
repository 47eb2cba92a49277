"""Hypothesis properties over the seeded corpus: monotone denies, order independence, fail-closed errors."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from modelgov.policies.engine import prepare, simulate
from modelgov.policies.engine.corpus import generate

SEEDS = st.integers(min_value=0, max_value=2**31)
FAST = settings(max_examples=120, deadline=None)


def one(seed: int) -> dict[str, Any]:
    return generate(1, seed)[0]


@FAST
@given(SEEDS)
def test_an_added_deny_never_grants(seed: int) -> None:
    sim = one(seed)
    before = simulate(sim).decision
    denied = copy.deepcopy(sim)
    denied["identityPolicies"].append({"name": "extra-deny", "policy": {
        "Version": "2012-10-17", "Statement": [{"Effect": "Deny", "Action": "sagemaker:*", "Resource": "*"}]}})
    after = simulate(denied).decision
    assert not (after == "Allowed" and before != "Allowed")
    principal = sim["request"]["principal"]
    signed = isinstance(principal, str) and principal.startswith("arn:")
    if sim["request"]["action"].startswith("sagemaker:") and signed:
        assert after == "ExplicitlyDenied"


@FAST
@given(SEEDS)
def test_statement_and_policy_order_never_matters(seed: int) -> None:
    sim = one(seed)
    shuffled = copy.deepcopy(sim)
    shuffled["identityPolicies"].reverse()
    for item in shuffled["identityPolicies"]:
        item["policy"]["Statement"].reverse()
    if "resourcePolicy" in shuffled:
        shuffled["resourcePolicy"]["Statement"].reverse()
    assert simulate(shuffled).decision == simulate(sim).decision


@FAST
@given(SEEDS, st.sampled_from(["StringEqualz", "NullIfExists", "ForAnyvalue:StringEquals", "String"]))
def test_an_erroneous_policy_never_yields_allowed(seed: int, operator: str) -> None:
    sim = one(seed)
    sim["identityPolicies"].append({"name": "broken", "policy": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*",
         "Condition": {operator: {"aws:SourceIp": "10.0.0.0/8"}}}]}})
    result = simulate(sim)
    assert result.decision != "Allowed"
    assert result.errors and result.errors[0].code == "E011"
    assert "identityPolicies[" in result.errors[0].location


@FAST
@given(SEEDS)
def test_prepare_then_evaluate_equals_simulate(seed: int) -> None:
    sim = one(seed)
    prepared = prepare(sim)
    first = prepared.evaluate(sim["request"])
    again = prepared.evaluate(sim["request"])  # caches must not change the answer
    assert first.decision == again.decision == simulate(sim).decision
    assert first.decisive == again.decisive


@FAST
@given(SEEDS)
def test_one_prepared_set_answers_other_requests_like_a_fresh_simulation(seed: int) -> None:
    """The verifier re-uses one prepared set for many requests; its caches must never leak between them."""
    base, *others = generate(6, seed)
    prepared = prepare(base)
    for other in others:
        combined = {**base, "request": other["request"]}
        fresh = simulate(combined)
        reused = prepared.evaluate(other["request"])
        assert (reused.decision, [e.code for e in reused.errors]) == (fresh.decision,
                                                                     [e.code for e in fresh.errors])
