"""The prover's fast paths must give the answers of the plain definitions they replace.

The group and principal classes are read through matchers compiled once per document (a set plus one
regex), and policy sets are assembled from cached compiled layers instead of re-serialized simulations.
A disagreement would merge groups or principals that a policy tells apart (an unsound pass), or decide
differently from the engine's own entry point.
"""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from modelgov.policies.builders.lifecycle_keys import CREATE_ACTION, UPDATE_ACTION
from modelgov.policies.engine import prepare
from modelgov.policies.engine.request import normalize_request
from modelgov.policies.verify import domain
from modelgov.policies.verify.equivalence import (
    AnyArn,
    AnyGlob,
    compile_principal_tests,
    compile_resource_bits,
)
from modelgov.policies.verify.inventory import build_inventory
from modelgov.policies.verify.layers import Layers, scp_levels
from modelgov.policies.verify.materialize import PERMISSIVE, STRICT
from modelgov.policies.verify.prove import Prover

from .conftest import Composition, spec


def _arn_like(pattern: str, arn: str) -> bool:
    """ArnLike as documented, value by value: the five colon-separated fields and the resource part match
    separately (a pattern or value that is not six fields is one glob)."""
    p, a = pattern.split(":", 5), arn.split(":", 5)
    if len(p) != 6 or len(a) != 6:
        return domain._glob(pattern, arn)
    return all(domain._glob(x, y) for x, y in zip(p, a, strict=True))


TEXT = st.text(alphabet="ab:/*?[", max_size=8)
ARNISH = st.builds(lambda *p: ":".join(p), st.just("arn"), *(st.text(alphabet="ab*?", max_size=2) for _ in range(4)),
                   st.text(alphabet="ab:/*?", max_size=5))
PATTERNS = st.lists(TEXT | ARNISH, min_size=1, max_size=6)
VALUES = st.text(alphabet="ab:/[", max_size=8) | st.builds(
    lambda *p: ":".join(p), st.just("arn"), *(st.text(alphabet="ab", max_size=2) for _ in range(4)),
    st.text(alphabet="ab:/", max_size=5))


@settings(max_examples=500, deadline=None)
@given(PATTERNS, st.lists(VALUES, min_size=1, max_size=4))
def test_any_glob_equals_glob_one_by_one(patterns: list[str], values: list[str]) -> None:
    matcher = AnyGlob(patterns)
    for value in [*values, *patterns]:
        assert matcher(value) == any(domain._glob(p, value) for p in patterns), (patterns, value)


@settings(max_examples=500, deadline=None)
@given(PATTERNS, st.lists(VALUES, min_size=1, max_size=4))
def test_any_arn_equals_arn_like_one_by_one(patterns: list[str], values: list[str]) -> None:
    matcher = AnyArn(patterns)
    for value in [*values, *patterns]:
        assert matcher(value) == any(_arn_like(p, value) for p in patterns), (patterns, value)


def test_an_arn_wildcard_stays_inside_its_field() -> None:
    matcher = AnyArn(["arn:aws:iam::*:role/x"])
    assert matcher("arn:aws:iam::111122223333:role/x")
    assert not matcher("arn:aws:iam:us-east-1:111122223333:role/x")


def test_compiled_principal_tests_read_conditions_and_principals() -> None:
    doc = {"Statement": [
        {"Effect": "Deny", "Action": "*", "Resource": "*",
         "Condition": {"ArnNotLike": {"aws:PrincipalArn": ["arn:aws:iam::1:role/a", "arn:aws:iam::1:role/b*"]},
                       "StringEqualsIgnoreCase": {"aws:PrincipalArn": "ARN:AWS:IAM::1:ROLE/C"}}},
        {"Effect": "Allow", "Action": "*", "Resource": "*", "Principal": {"AWS": "arn:aws:iam::2:root"}}]}
    test = compile_principal_tests(doc)
    # per statement: each aws:PrincipalArn block, then its Principal and NotPrincipal elements
    assert test("arn:aws:iam::1:role/a") == [True, False, False, False, False, False]
    assert test("arn:aws:iam::1:role/bee") == [True, False, False, False, False, False]
    assert test("arn:aws:iam::1:role/c") == [False, True, False, False, False, False]
    assert test("arn:aws:iam::2:root") == [False, False, False, False, True, False]


def test_compiled_resource_bits_follow_resource_and_not_resource() -> None:
    versions = "arn:aws:sagemaker:*:*:model-package"
    docs = [{"Statement": [
        {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": f"{versions}/a/*"},
        {"Effect": "Deny", "Action": "sagemaker:*", "NotResource": [f"{versions}/b/*"]},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"},  # not for the action: no bit
        {"Effect": "Allow", "Action": "sagemaker:UpdateModelPackage", "Resource": f"{versions}/${{aws:username}}"}]}]
    bits = compile_resource_bits(docs, UPDATE_ACTION)
    a, b = "arn:aws:sagemaker:us-east-1:1:model-package/a/1", "arn:aws:sagemaker:us-east-1:1:model-package/b/1"
    assert bits(a) == (True, True, a)
    assert bits(b) == (False, False, b)


def test_assembled_policy_sets_decide_like_prepared_simulations() -> None:
    """Layers.prepared() (cached compiled layers) against prepare(Layers.simulation()) (the engine's entry
    point) for every principal x group x mode x action of the reference composition, over the lifecycle
    grid the prover enumerates."""
    gov = spec()
    inventory = build_inventory(Composition(gov).stacks(), gov)
    prover = Prover(gov, inventory)
    prover.lifecycle_domains(prover.all_documents())
    compared = 0
    cache: dict = {}
    for principal in inventory.principals:
        levels = scp_levels(gov, inventory, principal.account)
        for group in inventory.groups:
            layers = Layers(principal.identity, principal.boundary, levels, group.policy, cache)
            for mode, action in itertools.product((PERMISSIVE, STRICT), (CREATE_ACTION, UPDATE_ACTION)):
                assembled, reference = layers.prepared(mode, action), prepare(layers.simulation(mode, action))
                assert [str(e) for e in assembled.errors] == [str(e) for e in reference.errors]
                for stage, status in itertools.product(prover.stages, prover.statuses):
                    request, _ = normalize_request({
                        "principal": principal.arn, "action": action,
                        "resource": {"resource": group.version_arn, "accountId": group.account},
                        "contextVariables": {"sagemaker:ModelLifeCycle:Stage": stage,
                                             "sagemaker:ModelLifeCycle:StageStatus": status,
                                             "aws:RequestedRegion": group.region}})
                    assert request is not None
                    got, want = assembled.evaluate_request(request), reference.evaluate_request(request)
                    assert (got.decision, got.decisive) == (want.decision, want.decisive)
                    compared += 1
    assert compared > 5000
