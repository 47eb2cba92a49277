"""Condition evaluation: one module per operator family, one shared evaluator for the qualifiers.

Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html
and .../reference_policies_multi-value-conditions.html. Each family module defines only its base
comparison (`predicate`) and how to read a request value (`request_value`); this module applies the rules
every family shares: missing keys, IfExists, ForAllValues/ForAnyValue, values OR'ed (AND'ed for negated
operators), and policy variables without a value (no match, except negated operators, which match).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from ...iam import catalog
from ...iam.grammar import Operator, OperatorError, parse_operator
from ..errors import InputError
from ..variables import Context, Template, parse_template
from . import arn, binary, boolean, date, ipaddress, numeric, string

Predicate = Callable[[object], bool]
FAMILIES: dict[str, ModuleType] = {
    "String": string, "Numeric": numeric, "Date": date, "Bool": boolean, "Binary": binary,
    "IpAddress": ipaddress, "Arn": arn,
}
_LIKE_STRING = frozenset({"StringLike", "StringNotLike"})


@dataclass(frozen=True)
class ConditionTrace:
    """Why one operator/key pair did or did not match."""

    operator: str
    key: str
    request_value: str | tuple[str, ...] | None
    policy_values: tuple[str, ...]
    matched: bool
    reason: str


@dataclass(frozen=True)
class PolicyValue:
    raw: str
    template: Template | None  # set when the value holds variables (resolved per request)
    static: Predicate | None


def _as_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value
    raise InputError("E010", f"condition value {value!r} must be a string, number or boolean")


def _like_predicate(regex: Any) -> Predicate:
    return lambda rv: isinstance(rv, str) and regex.fullmatch(rv) is not None


class CompiledCondition:
    """One operator applied to one key with its values, compiled once per policy."""

    __slots__ = ("op", "key", "display_key", "values", "family", "is_null", "null_goals", "static_preds",
                 "any_pred")

    def __init__(self, op: Operator, display_key: str, values: list[PolicyValue], null_goals: frozenset[str],
                 any_pred: Predicate | None = None):
        self.op = op
        self.key = display_key.lower()
        self.display_key = display_key
        self.values = values
        self.is_null = op.family == "Null"
        self.null_goals = null_goals
        self.family = FAMILIES.get(op.family)
        preds = [v.static for v in values]
        self.static_preds: list[Predicate] | None = (
            [p for p in preds if p is not None] if all(p is not None for p in preds) else None)
        self.any_pred = any_pred  # all values at once (set lookup / one regex), when the family offers it

    def _pred(self, value: PolicyValue, ctx: Context) -> Predicate | None:
        if value.static is not None:
            return value.static
        assert value.template is not None and self.family is not None
        if self.op.base in _LIKE_STRING:
            regex = value.template.regex(ctx)
            return None if regex is None else _like_predicate(regex)
        text = value.template.text(ctx)
        return None if text is None else self.family.predicate(self.op.base, text)

    def _holds(self, raw: str, ctx: Context) -> bool:
        assert self.family is not None
        rv = self.family.request_value(raw)
        if rv is None:
            return False
        preds = self.static_preds
        if self.any_pred is not None:
            hit = self.any_pred(rv)
        elif preds is not None:
            hit = any(p(rv) for p in preds)
        else:
            hit = False
            for value in self.values:
                pred = self._pred(value, ctx)
                if pred is not None and pred(rv):
                    hit = True
                    break
        return not hit if self.op.negated else hit

    def evaluate(self, ctx: Context) -> bool:
        value = ctx.get(self.key)
        op = self.op
        if self.is_null:
            return ("true" if value is None else "false") in self.null_goals
        if value is None:
            if op.qualifier == "ForAllValues":
                return True
            if op.qualifier == "ForAnyValue":
                return False  # even with IfExists: AWS denies (repost.aws QU9HFmDzP0QGuU-fd7rS6B7w)
            return op.if_exists or op.negated
        if op.qualifier is None:
            if isinstance(value, tuple):
                return False
            return self._holds(value, ctx)
        values = value if isinstance(value, tuple) else (value,)
        if op.qualifier == "ForAllValues":
            return all(self._holds(v, ctx) for v in values)
        return any(self._holds(v, ctx) for v in values)

    def explain(self, ctx: Context) -> ConditionTrace:
        value = ctx.get(self.key)
        matched = self.evaluate(ctx)
        op = self.op
        if self.is_null:
            reason = f"key is {'absent' if value is None else 'present'}"
        elif value is None:
            if op.qualifier == "ForAllValues":
                reason = "key absent: ForAllValues is true for an absent key"
            elif op.qualifier == "ForAnyValue":
                reason = "key absent: ForAnyValue is false for an absent key, IfExists or not"
            elif op.if_exists:
                reason = "key absent: IfExists makes it true"
            elif op.negated:
                reason = "key absent: a negated operator matches an absent key"
            else:
                reason = "key absent"
        elif op.qualifier is None and isinstance(value, tuple):
            reason = "multivalued key needs ForAllValues: or ForAnyValue:"
        else:
            reason = self._compare_reason(value, ctx)
            unresolved = [v.raw for v in self.values if v.template is not None and self._pred(v, ctx) is None]
            if unresolved:
                reason += f"; policy variable without a value in {', '.join(unresolved)}"
        return ConditionTrace(op.name, self.display_key, value, tuple(v.raw for v in self.values), matched, reason)


    def _hits(self, raw: str, ctx: Context) -> list[str] | None:
        """Policy values the request value matches in the positive sense; None if it cannot be read."""
        assert self.family is not None
        rv = self.family.request_value(raw)
        if rv is None:
            return None
        out: list[str] = []
        for value in self.values:
            pred = self._pred(value, ctx)
            if pred is not None and pred(rv):
                out.append(value.raw)
        return out

    def _compare_reason(self, value: str | tuple[str, ...], ctx: Context) -> str:
        items = value if isinstance(value, tuple) else (value,)
        if not items:
            return "empty set"
        parts: list[str] = []
        for raw in items:
            hits = self._hits(raw, ctx)
            if hits is None:
                parts.append(f"{raw!r} is not a valid {self.op.family} value")
            elif hits:
                parts.append(f"{raw!r} matches {', '.join(repr(h) for h in hits)}")
            else:
                parts.append(f"{raw!r} matches no policy value")
        return "; ".join(parts)


def compile_condition(op_name: str, key: Any, raw_values: Any, variables: bool) -> CompiledCondition:
    """Compile one operator/key pair; raise InputError with a catalogued E code when it is invalid."""
    try:
        op = parse_operator(op_name)
    except OperatorError as exc:
        raise InputError("E011", str(exc)) from None
    if not isinstance(key, str) or not key:
        raise InputError("E010", f"condition key {key!r} must be a non-empty string")
    if not catalog.condition_key_exists(key):
        raise InputError("E014", f"condition key {key!r} is not a global key and no service publishes it; "
                                 "check the spelling against the service authorization reference")
    display = catalog.canonical_condition_key(key) or key
    items = raw_values if isinstance(raw_values, list) else [raw_values]
    if not items:
        raise InputError("E010", f"condition key {key!r} has an empty value list; give at least one value")
    texts = [_as_text(v) for v in items]
    if op.family == "Null":
        lowered = [t.lower() for t in texts]
        bad = [t for t in lowered if t not in {"true", "false"}]
        if bad:
            raise InputError("E013", f"Null takes true or false, got {bad[0]!r}")
        return CompiledCondition(op, display, [PolicyValue(t, None, None) for t in texts], frozenset(lowered))
    family = FAMILIES[op.family]
    use_vars = variables and op.allows_variables
    values: list[PolicyValue] = []
    literals: list[str] = []  # values compared as plain literals (no variable, no Like pattern)
    for text in texts:
        if variables and not op.allows_variables and "${" in text:
            raise InputError("E013", f"policy variables are not allowed with {op.base} ({text!r}); "
                                     "use a literal value")
        template = parse_template(text, use_vars) if op.family in {"String", "Arn", "Bool"} else None
        try:
            if template is not None and template.has_variables:
                values.append(PolicyValue(text, template, None))
            elif op.base in _LIKE_STRING and template is not None:
                values.append(PolicyValue(text, None, _like_predicate(template.regex({}))))
            else:
                literal = template.text({}) if template is not None else text
                if op.family == "Bool":
                    boolean.check_literal(literal or text)
                values.append(PolicyValue(text, None, family.predicate(op.base, literal or "")))
                literals.append(literal or "")
        except ValueError as exc:
            raise InputError("E013", f"{op.name} value: {exc}") from None
    combine = getattr(family, "predicate_any", None)
    any_pred = (combine(op.base, tuple(literals)) if combine is not None and len(literals) == len(values) > 1
                else None)
    return CompiledCondition(op, display, values, frozenset(), any_pred)
