"""What one principal's request meets: identity, boundary, SCP levels and the group's resource policy.

Each layer's policies are materialized for a mode (materialize.py) and trimmed to the lifecycle action
under proof, in the shape the engine's `prepare()` takes; results are cached per policy, since the same
SCPs and persona policies appear in every principal's and every group's simulation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.spec.models import GovernanceSpec

from . import domain
from .materialize import materialize
from .model import Inventory, Policy

FULL_ACCESS: dict[str, Any] = {"Version": "2012-10-17",
                               "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}
DEFAULT_SCP = Policy("FullAWSAccess (attached by default)", FULL_ACCESS)
INERT_ACTION = "sagemaker:ListModelPackageGroups"  # never a lifecycle action


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def scp_levels(spec: GovernanceSpec, inventory: Inventory, account: str) -> list[tuple[str, list[Policy]]]:
    """Root -> OUs -> account, each with FullAWSAccess (attached by default) plus the template SCPs there.

    Principals in the management account or outside the organization get no SCP layer at all.
    """
    org = spec.organization
    if account == org.management_account:
        return []
    by_name = {ou.name: ou for ou in org.organizational_units}
    by_id = {ou.id: ou for ou in org.organizational_units}
    member = next((a for a in org.accounts if a.id == account), None)
    if member is None and account != org.registry_account:
        return []
    chain: list[str] = []
    ou_name = member.ou if member else None
    while ou_name and ou_name != "root":
        ou = by_name.get(ou_name) or by_id.get(ou_name)
        if ou is None or ou.id in chain:
            break
        chain.insert(0, ou.id)
        ou_name = ou.parent
    return [(target, [DEFAULT_SCP, *inventory.scps.get(target, [])]) for target in [org.root_id, *chain, account]]


# -- one principal, materialized per mode -----------------------------------------------------------------------
@dataclass
class Layers:
    identity: list[Policy]
    boundary: list[Policy]
    scps: list[tuple[str, list[Policy]]]
    resource: Policy | None
    cache: dict[Any, Any] = field(default_factory=dict)  # shared by the Prover: policies repeat across layers

    def policies(self) -> Iterable[Policy]:
        yield from self.identity
        yield from self.boundary
        for _, level in self.scps:
            yield from level
        if self.resource is not None:
            yield self.resource

    def uncertain(self) -> bool:
        from .intrinsics import is_unknown

        def unsure(policy: Policy) -> bool:
            key = ("unsure", id(policy))
            if key not in self.cache:
                self.cache[key] = bool(policy.uncertain) or is_unknown(policy.document)
            return bool(self.cache[key])

        return any(unsure(p) for p in self.policies())

    def materialized(self, policy: Policy, mode: str) -> dict[str, Any]:
        key = ("mat", id(policy), mode)
        if key not in self.cache:
            self.cache[key] = materialize(policy.document, mode, policy.uncertain)
        return dict(self.cache[key])

    def simulation(self, mode: str, action: str) -> dict[str, Any]:
        def clean(policy: Policy, resource: bool = False) -> dict[str, Any]:
            key = ("clean", id(policy), mode, action, resource)
            if key not in self.cache:
                self.cache[key] = only_for(self.materialized(policy, mode), action, resource)
            return dict(self.cache[key])

        def named(policies: list[Policy]) -> list[dict[str, Any]]:
            return [{"name": p.name, "policy": clean(p)} for p in policies]

        sim: dict[str, Any] = {"identityPolicies": named(self.identity)}
        if self.boundary:
            sim["permissionBoundaryPolicies"] = named(self.boundary)
        if self.scps:
            sim["serviceControlPolicies"] = [{"orgIdentifier": target, "policies": named(level)}
                                             for target, level in self.scps]
        if self.resource is not None:
            sim["resourcePolicy"] = clean(self.resource, resource=True)
        return sim


def only_for(document: dict[str, Any], action: str, resource: bool = False) -> dict[str, Any]:
    """Statements that cannot apply to `action` become an inert stand-in at the same index.

    They cannot change a decision about `action`, and an engine error in one of them (a key the catalogue
    lacks in an unrelated S3 statement, say) must not hide the proof; the index keeps decisive statements
    pointing at the right place.
    """
    statements = []
    for statement in _as_list(document.get("Statement")):
        if isinstance(statement, dict) and not domain.action_matches(statement, action):
            inert = {"Effect": statement.get("Effect", "Allow"), "Action": INERT_ACTION, "Resource": "*"}
            if "Sid" in statement:
                inert["Sid"] = statement["Sid"]
            if "Principal" in statement or "NotPrincipal" in statement:
                inert["Principal"] = {"AWS": "arn:aws:iam::000000000000:root"}
            statements.append(inert)
        else:
            statements.append(statement)
    if not statements:  # every statement dropped as unknown: a policy that grants nothing
        inert = {"Effect": "Allow", "Action": INERT_ACTION, "Resource": "*"}
        statements.append({**inert, "Principal": {"AWS": "arn:aws:iam::000000000000:root"}} if resource else inert)
    return {**document, "Statement": statements}


def documents(sim: dict[str, Any]) -> list[dict[str, Any]]:
    docs = [p["policy"] for p in sim.get("identityPolicies", [])]
    docs += [p["policy"] for p in sim.get("permissionBoundaryPolicies", [])]
    for level in sim.get("serviceControlPolicies", []):
        docs += [p["policy"] for p in level["policies"]]
    if "resourcePolicy" in sim:
        docs.append(sim["resourcePolicy"])
    return docs
