"""The management account's stack: guardrail SCPs and the persona StackSets."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from modelgov.policies.builders.persona_accounts import stackset_ou_ids
from modelgov.policies.spec import GovernanceSpec

from .guardrails import GovernanceGuardrails
from .persona_stackset import PersonaStackSet


class OrganizationStack(cdk.Stack):
    """SCPs for the spec's guardrail targets, and one StackSet per distinct set of persona OUs."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.guardrails = GovernanceGuardrails(self, "Guardrails", spec=spec)
        rollouts: dict[tuple[str, ...], list[str]] = {}
        for persona in spec.personas:
            ous = tuple(sorted(stackset_ou_ids(spec, persona)))
            if ous:
                rollouts.setdefault(ous, []).append(persona.name)
        self.stack_sets: list[PersonaStackSet] = []
        for index, (ous, personas) in enumerate(sorted(rollouts.items())):
            suffix = "" if index == 0 else f"-{index + 1}"
            self.stack_sets.append(PersonaStackSet(
                self, f"PersonaStackSet{suffix}", spec=spec, personas=personas, organizational_unit_ids=list(ous),
                stack_set_name=f"modelgov-personas{suffix}"))
