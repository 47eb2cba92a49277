"""A compiled policy set: every layer's policies compiled once, with a per-action statement index.

`prepare()` validates and compiles the policies of a simulation (without its request); `evaluate()` then
answers one request at a time without re-parsing anything, which is what the lifecycle verifier needs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .errors import EngineError
from .request import Request
from .statement import NONE, CompiledPolicy, CompiledStatement, compile_policy
from .variables import Context


class Layer:
    """The statements of one policy layer, indexed by the actions they cover."""

    __slots__ = ("name", "policies", "statements", "_by_action", "_by_resource")

    def __init__(self, name: str, policies: list[CompiledPolicy]):
        self.name = name
        self.policies = policies
        self.statements: list[CompiledStatement] = [s for p in policies for s in p.statements]
        self._by_action: dict[str, tuple[CompiledStatement, ...]] = {}
        self._by_resource: dict[tuple[str, str], tuple[tuple[CompiledStatement, bool], ...]] = {}

    def candidates(self, action_lower: str) -> tuple[CompiledStatement, ...]:
        hit = self._by_action.get(action_lower)
        if hit is None:
            hit = tuple(s for s in self.statements if s.action_applies(action_lower))
            self._by_action[action_lower] = hit
        return hit

    def _static_matches(self, request: Request) -> tuple[tuple[CompiledStatement, bool], ...]:
        """Statements whose Action and (variable-free) Resource fit, cached per action and resource.

        The flag says whether the statement's Resource still needs checking (it holds a policy variable).
        """
        key = (request.action_lower, request.resource)
        hit = self._by_resource.get(key)
        if hit is None:
            hit = tuple((s, s.dynamic_resource) for s in self.candidates(request.action_lower)
                        if s.dynamic_resource or s.resource_applies(request, request.context))
            if len(self._by_resource) > 8192:
                self._by_resource.clear()
            self._by_resource[key] = hit
        return hit

    def evaluate(self, request: Request, ctx: Context) -> tuple[list[CompiledStatement], list[CompiledStatement]]:
        """(applicable allows, applicable denies) for a principal-less layer."""
        allows: list[CompiledStatement] = []
        denies: list[CompiledStatement] = []
        for s, dynamic in self._static_matches(request):
            if dynamic and not s.resource_applies(request, ctx):
                continue
            if not s.conditions or s.conditions_apply(ctx):
                (denies if s.deny else allows).append(s)
        return allows, denies

    def evaluate_principals(self, request: Request, ctx: Context, has_boundary: bool
                            ) -> tuple[list[tuple[CompiledStatement, str]], list[tuple[CompiledStatement, str]]]:
        """Like evaluate, with the principal match kind of each applicable statement."""
        allows: list[tuple[CompiledStatement, str]] = []
        denies: list[tuple[CompiledStatement, str]] = []
        for s, dynamic in self._static_matches(request):
            kind = s.principal_match(request, has_boundary)
            if kind == NONE or (dynamic and not s.resource_applies(request, ctx)):
                continue
            if not s.conditions or s.conditions_apply(ctx):
                (denies if s.deny else allows).append((s, kind))
        return allows, denies


@dataclass
class PolicySet:
    scp_levels: list[tuple[str, Layer]] = field(default_factory=list)
    rcp_levels: list[tuple[str, Layer]] = field(default_factory=list)
    identity: Layer = field(default_factory=lambda: Layer("identity", []))
    resource: Layer | None = None
    boundary: Layer | None = None
    session: Layer | None = None
    management_account: str = ""
    errors: list[EngineError] = field(default_factory=list)
    has_identity_policies: bool = False
    has_scps: bool = False


SIMULATION_KEYS = frozenset({"request", "identityPolicies", "serviceControlPolicies", "resourceControlPolicies",
                             "resourcePolicy", "permissionBoundaryPolicies", "sessionPolicy", "organization"})
# iam-simulate inputs we do not model; a non-empty one is an error rather than silently ignored
NOT_SIMULATED = frozenset({"vpcEndpointPolicies", "additionalSettings"})


def _named_list(raw: Any, where: str, layer: str, errors: list[EngineError]) -> list[CompiledPolicy]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(EngineError("E001", f"{where} must be a list of {{name, policy}} objects", where))
        return []
    out: list[CompiledPolicy] = []
    for i, item in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(item, dict) or "policy" not in item:
            errors.append(EngineError("E001", "each entry must be an object with name and policy", at))
            continue
        name = str(item.get("name", f"{layer}{i}"))
        compiled, problems = compile_policy(name, layer, item["policy"], f"{at}({name})")
        errors.extend(problems)
        if compiled:
            out.append(compiled)
    return out


def _levels(raw: Any, where: str, layer: str, errors: list[EngineError]) -> list[tuple[str, Layer]]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        errors.append(EngineError("E001", f"{where} must be a list of {{orgIdentifier, policies}} levels, "
                                          "root first", where))
        return []
    out: list[tuple[str, Layer]] = []
    for i, level in enumerate(raw):
        at = f"{where}[{i}]"
        if not isinstance(level, dict) or not isinstance(level.get("policies", []), list):
            errors.append(EngineError("E001", "each level must be {orgIdentifier, policies: [...]}", at))
            continue
        org = str(level.get("orgIdentifier", f"level{i}"))
        policies = _named_list(level.get("policies", []), f"{at}({org}).policies", layer, errors)
        out.append((org, Layer(f"{layer}:{org}", policies)))
    return out


def compile_policy_set(sim: Any) -> PolicySet:
    """Compile every policy of a simulation input; problems are collected in `errors`."""
    ps = PolicySet()
    if not isinstance(sim, dict):
        ps.errors.append(EngineError("E001", "a simulation must be a JSON object with request and policies",
                                     "$"))
        return ps
    errors = ps.errors
    for key in sorted(set(sim) - SIMULATION_KEYS):
        value = sim[key]
        if key in NOT_SIMULATED:
            if value:
                errors.append(EngineError("E001", f"{key} are not simulated by modelgov; remove them or use "
                                                  "iam-simulate for this case", key))
        else:
            errors.append(EngineError("E001", f"unknown simulation element {key!r}; elements are "
                                              f"{', '.join(sorted(SIMULATION_KEYS))}", key))
    identity = _named_list(sim.get("identityPolicies", []), "identityPolicies", "identity", errors)
    ps.identity = Layer("identity", identity)
    ps.has_identity_policies = bool(sim.get("identityPolicies"))
    ps.scp_levels = _levels(sim.get("serviceControlPolicies", []), "serviceControlPolicies", "scp", errors)
    ps.has_scps = bool(ps.scp_levels)
    ps.rcp_levels = _levels(sim.get("resourceControlPolicies", []), "resourceControlPolicies", "rcp", errors)
    if sim.get("resourcePolicy") is not None:
        compiled, problems = compile_policy("ResourcePolicy", "resource", sim["resourcePolicy"], "resourcePolicy")
        errors.extend(problems)
        ps.resource = Layer("resource", [compiled] if compiled else [])
    boundaries = _named_list(sim.get("permissionBoundaryPolicies"), "permissionBoundaryPolicies",
                             "permissionBoundary", errors)
    if sim.get("permissionBoundaryPolicies"):
        ps.boundary = Layer("permissionBoundary", boundaries)
    if sim.get("sessionPolicy") is not None:
        compiled, problems = compile_policy("SessionPolicy", "session", sim["sessionPolicy"], "sessionPolicy")
        errors.extend(problems)
        ps.session = Layer("session", [compiled] if compiled else [])
    org = sim.get("organization")
    if org is not None:
        account = org.get("managementAccountId") if isinstance(org, dict) else None
        if not isinstance(account, str) or not account.isdigit() or len(account) != 12:
            errors.append(EngineError("E001", "organization.managementAccountId must be a 12-digit account id",
                                      "organization.managementAccountId"))
        else:
            ps.management_account = account
    return ps


def assemble_policy_set(identity: Layer, *, boundary: Layer | None = None,
                        scp_levels: list[tuple[str, Layer]] | None = None, resource: Layer | None = None,
                        errors: list[EngineError] | None = None) -> PolicySet:
    """A policy set from layers compiled beforehand, for callers (the verifier) that meet the same policies in
    thousands of combinations: no canonical JSON per policy and combination, and layers (with their
    per-action indexes) shared between sets. `boundary` None means no permissions boundary."""
    return PolicySet(scp_levels=list(scp_levels or []), identity=identity, resource=resource, boundary=boundary,
                     errors=list(errors or []), has_identity_policies=bool(identity.policies),
                     has_scps=bool(scp_levels))
