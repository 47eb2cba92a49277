"""Condition-operator grammar: `[ForAllValues:|ForAnyValue:]<Base>[IfExists]`, and policy Version values.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and .../reference_policies_multi-value-conditions.html. Names are matched exactly: AWS documents them in
one spelling, Access Analyzer reports anything else as "Invalid condition operator", and `NullIfExists`
is its own error ("Null with if exists"). A near miss (`ForAnyvalue:`, `stringequals`) is rejected with the
exact spelling to use, so the engine fails closed while the linter can offer the fix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

POLICY_VERSIONS: tuple[str, ...] = ("2012-10-17", "2008-10-17")
VARIABLE_VERSION = "2012-10-17"  # policy variables are substituted only in this version

QUALIFIERS: tuple[str, ...] = ("ForAllValues", "ForAnyValue")
IF_EXISTS = "IfExists"

# base operator -> family
BASE_OPERATORS: dict[str, str] = {
    **{name: "String" for name in ("StringEquals", "StringNotEquals", "StringEqualsIgnoreCase",
                                   "StringNotEqualsIgnoreCase", "StringLike", "StringNotLike")},
    **{name: "Numeric" for name in ("NumericEquals", "NumericNotEquals", "NumericLessThan",
                                    "NumericLessThanEquals", "NumericGreaterThan",
                                    "NumericGreaterThanEquals")},
    **{name: "Date" for name in ("DateEquals", "DateNotEquals", "DateLessThan", "DateLessThanEquals",
                                 "DateGreaterThan", "DateGreaterThanEquals")},
    "Bool": "Bool",
    "BinaryEquals": "Binary",
    "IpAddress": "IpAddress",
    "NotIpAddress": "IpAddress",
    **{name: "Arn" for name in ("ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike")},
    "Null": "Null",
}
NEGATED: frozenset[str] = frozenset(
    name for name in BASE_OPERATORS if "Not" in name)
# Families whose values may hold policy variables (reference_policies_variables.html#policy-vars-wheretouse).
_LIKE = frozenset({"StringLike", "StringNotLike", "ArnLike", "ArnNotLike", "ArnEquals", "ArnNotEquals"})
VARIABLE_FAMILIES: frozenset[str] = frozenset({"String", "Arn", "Bool"})


@dataclass(frozen=True)
class Operator:
    """A parsed condition operator; `name` is the exact text, `base` the comparison it applies."""

    name: str
    base: str
    family: str
    qualifier: str | None
    if_exists: bool

    @property
    def negated(self) -> bool:
        return self.base in NEGATED

    @property
    def ignore_case(self) -> bool:
        return self.base.endswith("IgnoreCase")

    @property
    def like(self) -> bool:
        return self.base in _LIKE

    @property
    def allows_variables(self) -> bool:
        return self.family in VARIABLE_FAMILIES


class OperatorError(ValueError):
    """An operator name AWS rejects; the message says what to write instead."""


def _valid_names() -> frozenset[str]:
    names: set[str] = set()
    for base in BASE_OPERATORS:
        variants = [base] if base == "Null" else [base, base + IF_EXISTS]
        names.update(variants)
        if base != "Null":
            names.update(f"{q}:{v}" for q in QUALIFIERS for v in variants)
    return frozenset(names)


VALID_OPERATORS: frozenset[str] = _valid_names()
_BY_LOWER: dict[str, str] = {name.lower(): name for name in VALID_OPERATORS}


@lru_cache(maxsize=1024)
def parse_operator(name: str) -> Operator:
    """Parse an operator exactly as AWS spells it; raise OperatorError naming the fix otherwise."""
    if not isinstance(name, str) or not name:
        raise OperatorError("condition operator must be a non-empty string such as StringEquals")
    if name not in VALID_OPERATORS:
        raise OperatorError(_explain_invalid(name))
    qualifier: str | None = None
    rest = name
    if ":" in name:
        qualifier, rest = name.split(":", 1)
    if_exists = rest.endswith(IF_EXISTS) and rest != IF_EXISTS
    base = rest[: -len(IF_EXISTS)] if if_exists else rest
    return Operator(name=name, base=base, family=BASE_OPERATORS[base], qualifier=qualifier,
                    if_exists=if_exists)


def canonical_operator(name: str) -> str | None:
    """The documented spelling of an operator written in another case (`stringequals` -> `StringEquals`)."""
    return _BY_LOWER.get(name.lower()) if isinstance(name, str) else None


def _explain_invalid(name: str) -> str:
    exact = _BY_LOWER.get(name.lower())
    if exact:
        return f"condition operator {name!r} is not spelled as AWS documents it; write {exact!r}"
    if name.lower() in {"nullifexists", *(f"{q.lower()}:nullifexists" for q in QUALIFIERS)}:
        return (f"condition operator {name!r} is invalid: Null already tests presence and takes no IfExists; "
                "use Null")
    if name.endswith(":"):
        return f"condition operator {name!r} ends with a colon; remove it ({name.rstrip(':')!r})"
    qualifier, sep, rest = name.partition(":")
    if sep and qualifier not in QUALIFIERS:
        return (f"condition operator {name!r} has an unknown qualifier {qualifier!r}; "
                "use ForAllValues: or ForAnyValue:")
    if sep and rest.startswith("Null"):
        return f"condition operator {name!r} is invalid: Null takes no ForAllValues/ForAnyValue qualifier"
    return (f"condition operator {name!r} is not an IAM condition operator; use one of StringEquals, "
            "StringLike, NumericLessThan, DateGreaterThan, Bool, BinaryEquals, IpAddress, ArnLike, Null "
            "(optionally with IfExists and a ForAllValues:/ForAnyValue: qualifier)")


def is_policy_version(value: object) -> bool:
    return isinstance(value, str) and value in POLICY_VERSIONS
