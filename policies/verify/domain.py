"""Equivalence classes of condition-key values, from the literals and patterns the policies test.

For a key, two values are equivalent when every comparison any applicable statement makes on that key
gives the same answer for both; the engine then decides the same for both. Witnesses are the policy
literals (with case variants for IgnoreCase), one string per wildcard pattern, one value no policy names
("any other value") and "absent". String keys compared only by string operators are merged by that
signature, so the engine sees each class once; ARN, numeric, date, IP and boolean keys keep every
witness (boundary points for numbers and CIDRs).
"""

from __future__ import annotations

import fnmatch
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.iam import catalog

from .variables import RESOURCE, Link, fill, middles, variables_of

ABSENT: None = None
OTHER_STRING = "modelgov-other-value"
OTHER_ARN = "arn:aws:iam::000000000000:role/modelgov-other"
Value = str | tuple[str, ...] | None

# Keys fixed by the principal, the resource or the call (the engine derives the first four; the proof sets
# the rest, and aws:username is absent for roles); never enumerated as free. aws:userid and
# aws:PrincipalOrgPaths stay free: their values are not known offline.
DERIVED_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:ResourceAccount", "aws:username",
    "aws:PrincipalOrgID", "aws:PrincipalIsAWSService", "aws:RequestedRegion"))


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _glob(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern.replace("[", "[[]"))


def action_matches(statement: dict[str, Any], action: str) -> bool:
    """Whether a statement's Action/NotAction covers `action` (case-insensitive, * and ? wildcards)."""
    action = action.lower()
    if "Action" in statement:
        return any(isinstance(a, str) and _glob(a.lower(), action) for a in _as_list(statement["Action"]))
    if "NotAction" in statement:
        return not any(isinstance(a, str) and _glob(a.lower(), action) for a in _as_list(statement["NotAction"]))
    return False


def split_operator(operator: str) -> tuple[str, str, bool]:
    """(set qualifier, base operator, IfExists) of `ForAnyValue:StringEqualsIfExists`."""
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists") and base != "IfExists"
    return qualifier, base.removesuffix("IfExists") if if_exists else base, if_exists


def family(base: str) -> str:
    for name in ("String", "Arn", "Numeric", "Date", "Bool", "Binary", "Null"):
        if base.startswith(name):
            return name
    if base in ("IpAddress", "NotIpAddress"):
        return "Ip"
    return "Unknown"


@dataclass
class KeyUse:
    """What the policies do with one key: literal values by operator family, and whether sets are used."""

    display: str
    families: set[str] = field(default_factory=set)
    literals: dict[str, set[str]] = field(default_factory=dict)  # family -> literal values
    comparisons: set[tuple[str, str]] = field(default_factory=set)  # (base operator, value)
    multi: bool = False
    variables: bool = False  # compared with, or read as, a policy variable: no class merging
    links: list[Link] = field(default_factory=list)  # where this key is read as `${key}`
    extra: set[str] = field(default_factory=set)  # witnesses from the other side of a variable comparison
    incomplete: str = ""  # why this key's classes cannot be enumerated (V106)


def _variable(uses: dict[str, KeyUse], text: str, other: str, glob: bool, ignore_case: bool,
              supported: bool) -> bool:
    """Record the variables of `text` (compared with `other`); False when it holds none."""
    names = variables_of(text)
    if not names:
        return False
    for name, _ in names:
        use = uses.setdefault(name.lower(), KeyUse(display=name))
        use.variables = True
        use.families.add("String")
        if len(names) > 1 or not supported:
            why = "two variables in one value" if len(names) > 1 else "a variable under this operator"
            use.incomplete = use.incomplete or f"{text!r} ({why}) cannot be enumerated"
        else:
            use.links.append(Link(other, text, glob, ignore_case))
    return True


def _link_witnesses(uses: dict[str, KeyUse]) -> None:
    """One round across each variable comparison: the key gets the template filled with the variable's own
    witnesses, the variable gets what fills the template into each witness of the key."""
    base = {key: witnesses(use, links=False) for key, use in uses.items()}
    for key, use in uses.items():
        for link in use.links:
            other = uses.get(link.other)
            if other is None:
                continue
            for value in base[key]:
                other.extra.update(fill(link.template, value))
            for _, default in variables_of(link.template):
                if default is not None:
                    other.extra.update(fill(link.template, default))
            use.extra.update(middles(link, base[link.other]))


def collect_keys(documents: Iterable[dict[str, Any]], action: str) -> dict[str, KeyUse]:
    """Every condition key tested by a statement that applies to `action`, lower-cased, and every key a
    policy variable reads in its Condition, Resource or NotResource."""
    uses: dict[str, KeyUse] = {}
    for document in documents:
        for statement in _as_list(document.get("Statement")):
            if not isinstance(statement, dict) or not action_matches(statement, action):
                continue
            for element in ("Resource", "NotResource"):
                for resource in _as_list(statement.get(element)):
                    if isinstance(resource, str) and "${" in resource:
                        _variable(uses, resource, RESOURCE, True, False, True)
            for operator, block in (statement.get("Condition") or {}).items():
                if not isinstance(block, dict):
                    continue
                qualifier, base, _ = split_operator(str(operator))
                fam = family(base)
                for key, values in block.items():
                    use = uses.setdefault(str(key).lower(), KeyUse(display=str(key)))
                    use.families.add(fam)
                    use.multi = use.multi or bool(qualifier)
                    for value in _as_list(values):
                        text = str(value).lower() if isinstance(value, bool) else str(value)
                        if "${" in text and _variable(uses, text, str(key).lower(), "Like" in base or fam == "Arn",
                                                      "IgnoreCase" in base, fam in ("String", "Arn")):
                            use.variables = True  # the template is no literal: its values come from the link
                            continue
                        use.literals.setdefault(fam, set()).add(text)
                        use.comparisons.add((base, text))
    _link_witnesses(uses)
    return uses


def _string_witnesses(use: KeyUse) -> list[str]:
    out: list[str] = []
    patterns: list[str] = []
    for base, value in sorted(use.comparisons):
        fam = family(base)
        if fam != "String":
            continue
        if "Like" in base:
            patterns.append(value)
            out += [value.replace("*", "").replace("?", "x"), value.replace("*", "modelgovx").replace("?", "x")]
        else:
            out.append(value)
            if "IgnoreCase" in base:
                out += [value.lower(), value.upper()]
    # values in the overlap of two patterns ("Dev*" and "*Prod" -> "DevProd"), and literals that fill a pattern
    fillers = [p.replace("*", "").replace("?", "x") for p in patterns] + [v for v in out if "*" not in v]
    for pattern in patterns:
        for filler in fillers:
            out.append(pattern.replace("*", filler, 1).replace("*", "").replace("?", "x"))
    return out


def _ip_witnesses(values: set[str]) -> list[str]:
    out: list[str] = []
    networks = []
    for value in sorted(values):
        try:
            network = ipaddress.ip_network(value, strict=False)
        except ValueError:
            continue
        networks.append(network)
        out += [str(network.network_address), str(network.broadcast_address)]
    for candidate in ("192.0.2.123", "2001:db8::123"):
        address = ipaddress.ip_address(candidate)
        if not any(address.version == n.version and address in n for n in networks):
            out.append(candidate)
    return out


def _numeric_witnesses(values: set[str]) -> list[str]:
    out: list[str] = []
    for value in sorted(values):
        try:
            number = float(value)
        except ValueError:
            continue
        for n in (number - 1, number, number + 1):
            out.append(str(int(n)) if n == int(n) else str(n))
    return out


def other_string(taken: Iterable[str]) -> str:
    """A value equal (ignoring case) to nothing the policies name."""
    lowered = {t.lower() for t in taken}
    candidate, n = OTHER_STRING, 0
    while candidate.lower() in lowered:
        n += 1
        candidate = f"{OTHER_STRING}-{n}"
    return candidate


def witnesses(use: KeyUse, extra: Iterable[str] = (), links: bool = True) -> list[str]:
    """Single values that reach every class of the key (absent is added by the caller)."""
    out: list[str] = list(extra) + (sorted(use.extra) if links else [])
    literals = use.literals
    out += _string_witnesses(use)
    if "Arn" in use.families:
        for value in sorted(literals.get("Arn", ())):
            out += [value, value.replace("*", "modelgovx").replace("?", "x"), value.replace("*", "")]
        out.append(OTHER_ARN)
    if "Bool" in use.families:
        out += ["true", "false"]
    if "Numeric" in use.families:
        out += _numeric_witnesses(literals.get("Numeric", set()))
    if "Date" in use.families:
        out += sorted(literals.get("Date", set())) + ["1970-01-01T00:00:00Z", "2999-12-31T23:59:59Z"]
    if "Ip" in use.families:
        out += _ip_witnesses(literals.get("Ip", set()))
    out.append(other_string(out))
    return list(dict.fromkeys(out))


def signature(use: KeyUse | None, value: Value) -> Any:
    """Values with equal signatures are indistinguishable by every comparison the policies make on the key."""
    if use is None:
        return "absent" if value is None else "present"
    if value is None or isinstance(value, tuple) or use.variables or use.multi or use.families - {"String", "Null"}:
        return value
    return tuple(_compare(base, v, value) for base, v in sorted(use.comparisons) if family(base) == "String")


def _compare(base: str, policy_value: str, value: str) -> bool:
    """The one predicate a string operator applies (its Not form negates the same predicate)."""
    if "IgnoreCase" in base:
        return value.lower() == policy_value.lower()
    if "Like" in base:
        return _glob(policy_value, value)
    return value == policy_value


def multi_valued(key: str, use: KeyUse) -> bool:
    key_type = catalog.condition_key_type(use.display)
    return use.multi or bool(key_type and key_type.multi_valued)


def values_for(key: str, use: KeyUse, extra: Iterable[str] = ()) -> list[Value]:
    """The class representatives of a free key: absent, then witnesses (as sets for multi-valued keys)."""
    singles = witnesses(use, extra)
    if not multi_valued(key, use):
        return [ABSENT, *singles]
    sets: list[Value] = [ABSENT, ()]
    sets += [(w,) for w in singles]
    named = tuple(w for w in singles[:-1])
    if named:
        sets += [named, (*named, singles[-1])]
    return list(dict.fromkeys(sets))


def reduce(use: KeyUse | None, values: list[Value]) -> dict[Any, Value]:
    """signature -> first value with it: the values the engine must see for this key."""
    out: dict[Any, Value] = {}
    for value in values:
        out.setdefault(signature(use, value), value)
    return out
