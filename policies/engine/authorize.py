"""The core decision: combine the layers the way AWS documents, assuming valid, normalized input.

Sources (one rule each, tested in tests/engine/test_checklist.py):
- reference_policies_evaluation-logic.html: explicit deny anywhere wins; SCPs must allow at every level;
  within one account an allow in the identity OR the resource policy suffices; identity allows are
  limited by permission boundaries and session policies.
- reference_policies_evaluation-logic-cross-account.html: across accounts both sides must allow.
- access_policies_boundaries.html: a resource-policy grant to a user or role-session ARN is not limited by
  the boundary's implicit deny; a Deny with NotPrincipal applies to any principal with a boundary.
- access_policies.html#policies_session: a grant naming the session ARN is not limited by the session
  policy (iam-simulate deviation D4); one naming the role is.
- orgs_manage_policies_scps.html: SCPs do not apply to service-linked roles, service principals or the
  management account. orgs_manage_policies_rcps.html: RCPs apply only to supported services, not to
  resources in the management account (deviation D5).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..iam import catalog
from . import services
from .policyset import PolicySet
from .request import Request
from .result import ALLOWED, EXPLICIT, IMPLICIT
from .statement import ACCOUNT, MATCH, CompiledStatement

_DIRECT = frozenset({MATCH, "session-user", "session-role"})
_PB_BYPASS_KINDS = frozenset({"user", "assumed-role", "federated-user"})
_SESSION_KINDS = frozenset({"assumed-role", "federated-user"})


@dataclass
class Outcome:
    decision: str
    blocked_by: list[str] = field(default_factory=list)
    decisive: list[tuple[str, CompiledStatement]] = field(default_factory=list)


def scp_applies(ps: PolicySet, request: Request) -> tuple[bool, str]:
    p = request.principal
    if not ps.scp_levels:
        return False, "no SCPs given"
    if p.kind in {"service", "anonymous"}:
        return False, "SCPs do not restrict AWS service principals or anonymous callers"
    if p.service_linked:
        return False, "SCPs do not restrict service-linked roles"
    if ps.management_account and p.account == ps.management_account:
        return False, "SCPs do not restrict the management account"
    return True, ""


def rcp_applies(ps: PolicySet, request: Request) -> tuple[bool, str]:
    if not ps.rcp_levels:
        return False, "no RCPs given"
    if not catalog.rcp_supported(request.service):
        return False, f"{request.service} does not support RCPs"
    if ps.management_account and request.resource_account == ps.management_account:
        return False, "RCPs do not restrict resources in the management account"
    return True, ""


def _names_session(stmt: CompiledStatement, request: Request) -> bool:
    spec = stmt.principal
    return spec is not None and not stmt.not_principal and request.principal.value in spec.arns


def authorize(ps: PolicySet, request: Request) -> Outcome:
    ctx = request.context
    p = request.principal
    action = request.action_lower
    if services.always_allowed(request):
        return Outcome(ALLOWED, [], [])
    denies: list[tuple[str, CompiledStatement]] = []
    blocked: list[str] = []

    scp_on, _ = scp_applies(ps, request)
    scp_ok = True
    if scp_on:
        for _org, layer in ps.scp_levels:
            allows, level_denies = layer.evaluate(request, ctx)
            denies.extend((layer.name, s) for s in level_denies)
            if not allows:
                scp_ok = False
    rcp_on, _ = rcp_applies(ps, request)
    if rcp_on:
        for _org, layer in ps.rcp_levels:
            for s in layer.candidates(action):
                if s.resource_applies(request, ctx) and s.conditions_apply(ctx):
                    denies.append((layer.name, s))

    caller = p.kind not in {"anonymous", "service"}
    id_allows, id_denies = ps.identity.evaluate(request, ctx) if caller else ([], [])
    denies.extend(("identity", s) for s in id_denies)
    has_pb = ps.boundary is not None
    res_allows: list[tuple[CompiledStatement, str]] = []
    if ps.resource is not None:
        res_allows, res_denies = ps.resource.evaluate_principals(request, ctx, has_pb)
        denies.extend(("resource", s) for s, _ in res_denies)
    pb_allows: list[CompiledStatement] = []
    if ps.boundary is not None and caller:
        pb_allows, pb_denies = ps.boundary.evaluate(request, ctx)
        denies.extend(("permissionBoundary", s) for s in pb_denies)
    session_allows: list[CompiledStatement] = []
    if ps.session is not None and caller:
        session_allows, session_denies = ps.session.evaluate(request, ctx)
        denies.extend(("session", s) for s in session_denies)

    if denies:
        return Outcome(EXPLICIT, sorted({layer.split(":")[0] for layer, _ in denies}), denies)
    if services.immutable(request):
        return Outcome(IMPLICIT, ["service"], [])

    pb_ok = ps.boundary is None or bool(pb_allows)
    session_ok = ps.session is None or bool(session_allows)
    direct = [(s, k) for s, k in res_allows if k in _DIRECT]
    granted: list[tuple[str, CompiledStatement]] = []
    if not caller:
        granted = [("resource", s) for s, _ in direct]
        if not granted:
            blocked.append("resource")
    elif request.same_account:
        account_level = [s for s, k in res_allows if k == ACCOUNT]
        trust = services.account_trust(request, ps.resource is not None, bool(account_level))
        if id_allows and pb_ok and session_ok and trust != services.NONE:
            granted = [("identity", s) for s in id_allows]
            if trust == services.EXPLICIT:
                granted += [("resource", s) for s in account_level]
            granted += [("permissionBoundary", s) for s in pb_allows]
            granted += [("session", s) for s in session_allows]
        for s, kind in direct:
            if not pb_ok and not (kind == MATCH and (p.kind in _PB_BYPASS_KINDS or (
                    p.kind == "role" and s.principal is not None and s.principal.wildcard))):
                continue
            if not session_ok and not (p.kind in _SESSION_KINDS and kind == MATCH and _names_session(s, request)):
                continue
            granted.append(("resource", s))
        if not granted:
            blocked.extend(_implicit_blockers(bool(id_allows), pb_ok, session_ok,
                                              bool(direct) or (ps.resource is None and trust != services.NONE)))
    else:
        resource_ok = bool(direct) or any(k == ACCOUNT for _, k in res_allows)
        if resource_ok and id_allows and pb_ok and session_ok:
            granted = [("resource", s) for s, _ in res_allows]
            granted += [("identity", s) for s in id_allows]
            granted += [("permissionBoundary", s) for s in pb_allows]
            granted += [("session", s) for s in session_allows]
        else:
            if not resource_ok:
                blocked.append("resource")
            blocked.extend(b for b in _implicit_blockers(bool(id_allows), pb_ok, session_ok, True)
                           if b != "resource")
    if not scp_ok:
        blocked.insert(0, "scp")
    if granted and scp_ok:
        return Outcome(ALLOWED, [], granted)
    return Outcome(IMPLICIT, blocked or ["identity"], [])


def _implicit_blockers(identity: bool, pb_ok: bool, session_ok: bool, resource: bool) -> list[str]:
    out: list[str] = []
    if not identity:
        out.append("identity")
    if not pb_ok:
        out.append("permissionBoundary")
    if not session_ok:
        out.append("session")
    if not resource:
        out.append("resource")
    return out
