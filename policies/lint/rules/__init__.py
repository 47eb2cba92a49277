"""The linter's rules, grouped by topic; each module exposes `check(doc, ctx) -> Iterable[Match]`."""

from __future__ import annotations

from .actions import actions
from .base import Rule
from .conditions import keys, null, operators, set_operators, values
from .grammar import shape, typography
from .lifecycle import stages
from .principals import cross_account, placement, ram_promotion
from .resources import arns, mismatch

RULES: dict[str, Rule] = {
    "grammar.shape": shape.check,
    "grammar.typography": typography.check,
    "actions.actions": actions.check,
    "resources.arns": arns.check,
    "resources.mismatch": mismatch.check,
    "principals.placement": placement.check,
    "principals.confused_deputy": placement.check_confused_deputy,
    "principals.cross_account": cross_account.check,
    "principals.ram_promotion": ram_promotion.check,
    "conditions.operators": operators.check,
    "conditions.keys": keys.check,
    "conditions.null": null.check,
    "conditions.set_operators": set_operators.check,
    "conditions.values": values.check,
    "lifecycle.stages": stages.check,
}
