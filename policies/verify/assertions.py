"""Point checks for platform teams: is one persona transition allowed (or denied) by what is deployed?

`Governance.assert_allowed("qa", "QA->Production:PendingApproval")` evaluates every request of that
transition (each deployed role of the persona, each group, each current status the spec names, each
class of every other condition key) and raises AssertionError with the first counterexample otherwise.
"""

from __future__ import annotations

import itertools
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from modelgov.policies.builders.lifecycle_keys import CREATE_ACTION, UPDATE_ACTION
from modelgov.policies.engine.request import normalize_request
from modelgov.policies.spec import load_spec
from modelgov.policies.spec.models import ANY_STAGE, NONE_STAGE, GovernanceSpec

from . import domain
from .assembly import load_inputs
from .expected import Cell
from .inventory import build_inventory
from .layers import Layers, scp_levels
from .materialize import PERMISSIVE, STRICT
from .model import Inventory
from .prove import ALLOWED, Prover


@dataclass(frozen=True)
class Check:
    request: dict[str, Any]
    decision: str
    decisive: list[dict[str, Any]]


class Governance:
    """The deployed composition of one assembly, ready for per-transition assertions."""

    def __init__(self, spec: GovernanceSpec, inventory: Inventory) -> None:
        self.spec = spec
        self.inventory = inventory
        self.prover = Prover(spec, inventory)
        self.prover.lifecycle_domains(self.prover.all_documents())

    @classmethod
    def load(cls, spec_path: str | Path, inputs: list[str | Path]) -> Governance:
        spec = load_spec(str(spec_path))
        return cls(spec, build_inventory(load_inputs([Path(p) for p in inputs]), spec))

    def _currents(self, persona: str, start: str, to: str, status: str,
                  only_spec_statuses: bool) -> list[tuple[str, str] | None]:
        statuses = list(self.prover.statuses)
        if only_spec_statuses:
            for transition in self.spec.persona(persona).transitions:
                if (transition.from_stage, transition.to) == (start, to) and status in transition.statuses \
                        and transition.from_statuses is not None:
                    statuses = list(transition.from_statuses)
        if start == NONE_STAGE:
            return [None]
        stages = list(self.prover.stages) if start == ANY_STAGE else [start]
        pairs: list[tuple[str, str] | None] = [(s, st) for s in stages for st in statuses]
        return [None, *pairs] if start == ANY_STAGE else pairs

    def checks(self, persona: str, label: str, *, only_spec_statuses: bool) -> list[Check]:
        """Every request of the transition `label` for the persona's deployed roles, decided."""
        self.spec.persona(persona)  # KeyError for an unknown persona
        start, _, rest = label.partition("->")
        to, _, status = rest.partition(":")
        if not (start and to and status):
            raise ValueError(f"transition {label!r} is not 'From->To:Status' (e.g. 'QA->Production:PendingApproval')")
        stages, statuses = list(self.spec.lifecycle.stages), list(self.spec.lifecycle.statuses)
        for what, value, allowed in (("stage", start, [NONE_STAGE, ANY_STAGE, *stages]), ("stage", to, stages),
                                     ("status", status, statuses)):
            if value not in allowed:  # an unknown name would fall into "any other value" and pass vacuously
                raise ValueError(f"transition {label!r}: {what} {value!r} is not in the spec's lifecycle catalog "
                                 f"({', '.join(allowed)}); names are case-sensitive, use one of these")
        principals = [p for p in self.inventory.principals if p.persona == persona]
        if not principals:
            raise AssertionError(f"persona {persona!r} has no deployed role in the input")
        out: list[Check] = []
        for principal in principals:
            layers_of = {g.name: Layers(principal.identity, principal.boundary,
                                        scp_levels(self.spec, self.inventory, principal.account), g.policy)
                         for g in self.inventory.groups}
            modes = [PERMISSIVE, STRICT] if any(x.uncertain() for x in layers_of.values()) else [PERMISSIVE]
            for current in self._currents(persona, start, to, status, only_spec_statuses):
                for action in ([CREATE_ACTION] if current is None else []) + [UPDATE_ACTION]:
                    gclasses = self.prover.group_classes(principal, modes, layers_of, action)
                    uses = domain.collect_keys([d for g in gclasses for d in g.docs], action)
                    combos = self.prover.free_combos(principal, uses, action)
                    cell = Cell(action, current, (to, status), None)
                    for gclass, combo in itertools.product(gclasses, combos):
                        request = self.prover.request(principal.arn, cell, gclass.group, combo)
                        decision = self.prover.decide(gclass, request)
                        normalized, _ = normalize_request(request)
                        decisive: list[dict[str, Any]] = []
                        if normalized is not None:
                            result = next(iter(gclass.prepared.values())).evaluate_request(normalized)
                            decisive = result.decisive
                        out.append(Check(request, decision, decisive))
        return out

    def assert_allowed(self, persona: str, label: str) -> None:
        for check in self.checks(persona, label, only_spec_statuses=True):
            if check.decision != ALLOWED:
                raise AssertionError(_explain(f"{persona} {label} should be allowed", check))

    def assert_denied(self, persona: str, label: str) -> None:
        for check in self.checks(persona, label, only_spec_statuses=False):
            if check.decision != "ImplicitlyDenied" and check.decision != "ExplicitlyDenied":
                raise AssertionError(_explain(f"{persona} {label} should be denied", check))


def _explain(what: str, check: Check) -> str:
    lines = [f"{what}, but the deployed policies say {check.decision}", "counterexample:",
             json.dumps(check.request, indent=2)]
    lines += [f"decisive: {d.get('layer')} {d.get('effect')} {d.get('policy')} Sid {d.get('sid') or '-'}"
              for d in check.decisive] or ["decisive: no statement allows it (implicit deny)"]
    return "\n".join(lines)
