"""What one principal's request meets: identity, boundary, SCP levels and the group's resource policy.

Each layer's policies are materialized for a mode (materialize.py) and trimmed to the lifecycle action
under proof, in the shape the engine's `prepare()` takes; results are cached per policy, since the same
SCPs and persona policies appear in every principal's and every group's simulation.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.engine import EngineError, Prepared
from modelgov.policies.engine.policyset import Layer, assemble_policy_set
from modelgov.policies.engine.statement import CompiledPolicy, compile_policy
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


def cached_levels(spec: GovernanceSpec, inventory: Inventory, account: str,
                  cache: dict[Any, Any]) -> list[tuple[str, list[Policy]]]:
    """scp_levels, one list object per account in `cache`, so compiled layers and SCP answers keyed on its
    identity are shared by every principal (and every trust caller) of the account."""
    key = ("levels", account)
    hit = cache.get(key)
    if hit is None:
        hit = cache[key] = scp_levels(spec, inventory, account)
    levels: list[tuple[str, list[Policy]]] = hit
    return levels


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

    def clean(self, policy: Policy, mode: str, action: str, resource: bool = False) -> dict[str, Any]:
        """The policy materialized for `mode` and trimmed to `action`; cached, so callers must not mutate it."""
        key = ("clean", id(policy), mode, action, resource)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = only_for(self.materialized(policy, mode), action, resource)
        return dict(hit)

    def documents(self, mode: str, action: str) -> list[dict[str, Any]]:
        """`documents(self.simulation(mode, action))` without building the simulation."""
        docs = [self.clean(p, mode, action) for p in [*self.identity, *self.boundary]]
        docs += [self.clean(p, mode, action) for _, level in self.scps for p in level]
        if self.resource is not None:
            docs.append(self.clean(self.resource, mode, action, resource=True))
        return docs

    def _layer(self, policies: list[Policy], kind: str, name: str, where: str, mode: str,
               action: str) -> tuple[Layer, list[EngineError]]:
        """One engine layer, compiled once per policy list, mode and action and shared by every policy set
        that holds it (an SCP level is the same for every principal of an account)."""
        key = ("layer", kind, name, where, mode, action, tuple(id(p) for p in policies))
        hit = self.cache.get(key)
        if hit is None:
            compiled: list[CompiledPolicy] = []
            errors: list[EngineError] = []
            for i, policy in enumerate(policies):
                done, problems = compile_policy(policy.name, kind, self.clean(policy, mode, action),
                                                f"{where}[{i}]({policy.name})")
                errors += problems
                if done is not None:
                    compiled.append(done)
            hit = self.cache[key] = (Layer(name, compiled), errors)
        return hit[0], list(hit[1])

    def prepared(self, mode: str, action: str) -> Prepared:
        """`prepare(self.simulation(mode, action))`, assembled from cached compiled layers: the proof meets the
        same policies in every principal x group combination, so nothing is compiled or serialized twice."""
        errors: list[EngineError] = []
        identity, problems = self._layer(self.identity, "identity", "identity", "identityPolicies", mode, action)
        errors += problems
        boundary = None
        if self.boundary:
            boundary, problems = self._layer(self.boundary, "permissionBoundary", "permissionBoundary",
                                             "permissionBoundaryPolicies", mode, action)
            errors += problems
        levels: list[tuple[str, Layer]] = []
        for i, (target, level) in enumerate(self.scps):
            layer, problems = self._layer(level, "scp", f"scp:{target}",
                                          f"serviceControlPolicies[{i}]({target}).policies", mode, action)
            errors += problems
            levels.append((target, layer))
        resource = None
        if self.resource is not None:
            key = ("resource-layer", id(self.resource), mode, action)
            hit = self.cache.get(key)
            if hit is None:
                done, problems = compile_policy("ResourcePolicy", "resource",
                                                self.clean(self.resource, mode, action, resource=True),
                                                "resourcePolicy")
                hit = self.cache[key] = (Layer("resource", [done] if done else []), problems)
            resource = hit[0]
            errors += hit[1]
        return Prepared(assemble_policy_set(identity, boundary=boundary, scp_levels=levels, resource=resource,
                                            errors=errors))

    def simulation(self, mode: str, action: str) -> dict[str, Any]:
        """The engine input these layers stand for (what `prepared` compiles; kept for tests and debugging)."""
        def clean(policy: Policy, resource: bool = False) -> dict[str, Any]:
            return self.clean(policy, mode, action, resource)

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
