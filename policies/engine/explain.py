"""Build the per-layer trace for one request: every statement with its action, resource, principal and
condition checks. Runs only when a trace is read, re-using the compiled policies."""

from __future__ import annotations

from .authorize import rcp_applies, scp_applies
from .policyset import Layer, PolicySet
from .request import Request
from .result import ALLOWED, EXPLICIT, IMPLICIT
from .statement import NONE, CompiledStatement
from .trace import LayerTrace, StatementTrace


def _statement(s: CompiledStatement, request: Request, has_pb: bool, with_principal: bool) -> StatementTrace:
    ctx = request.context
    action = s.action_applies(request.action_lower)
    resource = s.resource_applies(request, ctx)
    principal = s.principal_match(request, has_pb) if with_principal else None
    conditions = tuple(c.explain(ctx) for c in s.conditions)
    applies = action and resource and (principal is None or principal != NONE) and all(c.matched for c in conditions)
    action_detail = f"{'NotAction' if s.not_action else 'Action'} {list(s.action_text)} vs {request.action}"
    return StatementTrace(s.policy, s.index, s.sid, s.effect, action, resource, principal, conditions, applies,
                          action_detail, _resource_detail(s, request))


_VERDICT = {True: "matches", False: "no match", None: "policy variable without a value"}


def _resource_detail(s: CompiledStatement, request: Request) -> str:
    if s.resources is None:
        return "no Resource element"
    element = "NotResource" if s.not_resource else "Resource"
    verdicts = ", ".join(f"{p.source}: {_VERDICT[p.match(request, request.context)]}" for p in s.resources)
    return f"{element} vs {request.resource}: {verdicts}"


def _layer(layer: Layer, request: Request, has_pb: bool, with_principal: bool, note: str = "",
           implicit_allow: bool = False) -> LayerTrace:
    statements = tuple(_statement(s, request, has_pb, with_principal) for s in layer.statements)
    if any(st.applies and st.effect == "Deny" for st in statements):
        result = EXPLICIT
    elif implicit_allow or any(st.applies and st.effect == "Allow" for st in statements):
        result = ALLOWED
    else:
        result = IMPLICIT
    return LayerTrace(layer.name, True, result, note, statements)


def _skipped(name: str, note: str) -> LayerTrace:
    return LayerTrace(name, False, "NotApplicable", note, ())


def build_trace(ps: PolicySet, request: Request) -> list[LayerTrace]:
    out: list[LayerTrace] = []
    has_pb = ps.boundary is not None
    caller = request.principal.kind not in {"anonymous", "service"}
    on, why = scp_applies(ps, request)
    if ps.scp_levels:
        for _, layer in ps.scp_levels:
            out.append(_layer(layer, request, has_pb, False) if on else _skipped(layer.name, why))
    on, why = rcp_applies(ps, request)
    if ps.rcp_levels:
        for _, layer in ps.rcp_levels:
            out.append(_layer(layer, request, has_pb, True, "RCPFullAWSAccess is implicit", True) if on
                       else _skipped(layer.name, why))
    if caller:
        out.append(_layer(ps.identity, request, has_pb, False))
    if ps.resource is not None:
        note = "same account" if request.same_account else "cross-account: identity must allow too"
        out.append(_layer(ps.resource, request, has_pb, True, note))
    if ps.boundary is not None and caller:
        out.append(_layer(ps.boundary, request, has_pb, False))
    if ps.session is not None and caller:
        out.append(_layer(ps.session, request, has_pb, False))
    return out
