"""A pass means no value at all opens a forbidden transition: random requests, including stage and status
names nobody listed, must agree with the spec on a composition the verifier passed (hypothesis)."""

from __future__ import annotations

import itertools

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from modelgov.policies.builders.lifecycle_keys import CREATE_ACTION, UPDATE_ACTION
from modelgov.policies.spec.models import APPROVAL_STATUSES
from modelgov.policies.verify import verify_stacks
from modelgov.policies.verify.assertions import Governance
from modelgov.policies.verify.expected import Cell, expected
from modelgov.policies.verify.inventory import build_inventory
from modelgov.policies.verify.layers import Layers, scp_levels
from modelgov.policies.verify.prove import ALLOWED

from .conftest import Composition, spec

NAMES = st.from_regex(r"\A[a-zA-Z0-9](-?[a-zA-Z0-9]){0,12}\Z")
GOV = spec()
STAGES = st.sampled_from([*GOV.lifecycle.stages, "Staging", "production", "PRODUCTION"]) | NAMES
STATUSES = st.sampled_from([*GOV.lifecycle.statuses, "approved"]) | NAMES
PAIRS = st.none() | st.tuples(STAGES, STATUSES)


def _governance() -> Governance:
    composition = Composition(GOV)
    stacks = composition.stacks()
    assert verify_stacks(stacks, GOV).ok
    return Governance(GOV, build_inventory(stacks, GOV))


GOVERNANCE = _governance()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(principal_index=st.integers(min_value=0, max_value=len(GOVERNANCE.inventory.principals) - 1),
       update=st.booleans(), current=PAIRS, target=PAIRS,
       approval=st.none() | st.sampled_from(list(APPROVAL_STATUSES)))
def test_random_requests_agree_with_the_spec(principal_index, update, current, target, approval):
    governance = GOVERNANCE
    prover = governance.prover
    principal = governance.inventory.principals[principal_index]
    action = UPDATE_ACTION if update else CREATE_ACTION
    cell = Cell(action, current if update else None, target, approval)
    persona = GOV.persona(principal.persona) if principal.persona else None
    want = expected(persona, cell, prover.protected, principal.protected_only)
    if want is None:
        return
    levels = scp_levels(GOV, governance.inventory, principal.account)
    layers_of = {g.name: Layers(principal.identity, principal.boundary, levels, g.policy, prover.layer_cache)
                 for g in governance.inventory.groups}
    for gclass in prover.group_classes(principal, ["permissive"], layers_of, action):
        for combo in itertools.islice(prover.free_combos(principal, {}, action), 1):
            decision = prover.decide(gclass, prover.request(principal.arn, cell, gclass.group, combo))
            assert (decision == ALLOWED) == want, (principal.label, cell, decision)
