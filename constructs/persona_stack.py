"""Per-account persona stacks, and the builder that adds them and the organization stack to the app."""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from constructs import Construct

from modelgov.policies.builders.persona_accounts import direct_account_ids
from modelgov.policies.spec import GovernanceSpec

from .organization_stack import OrganizationStack
from .personas import PersonaRoles

STACK_PREFIX = "modelgov"


class PersonaStack(cdk.Stack):
    """Roles of the personas deployed to one account directly (not through a StackSet)."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, personas: list[str],
                 **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        self.personas = PersonaRoles(self, "Personas", spec=spec, personas=personas)


def build_persona_stacks(app: cdk.App, spec: GovernanceSpec) -> dict[str, cdk.Stack]:
    """One persona stack per account with directly deployed personas, plus the organization stack."""
    org = spec.organization
    by_account: dict[str, list[str]] = {}
    for persona in spec.personas:
        for account in direct_account_ids(spec, persona):
            by_account.setdefault(account, []).append(persona.name)
    names = {a.id: a.name for a in org.accounts}
    names.setdefault(org.registry_account, "registry")
    stacks: dict[str, cdk.Stack] = {}
    for account, personas in by_account.items():
        label = names.get(account, account)
        stacks[f"personas-{label}"] = PersonaStack(
            app, f"{STACK_PREFIX}-personas-{label}", spec=spec, personas=personas,
            env=cdk.Environment(account=account, region=org.primary_region),
            description=f"modelgov: lifecycle persona roles in account {label}")
    stacks["organization"] = OrganizationStack(
        app, f"{STACK_PREFIX}-organization", spec=spec,
        env=cdk.Environment(account=org.management_account, region=org.primary_region),
        description="modelgov: lifecycle and monitoring guardrail SCPs and persona StackSets")
    return stacks
