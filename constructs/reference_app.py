"""The reference app: every stack modelgov builds from a governance spec, each in its own environment."""

from __future__ import annotations

import aws_cdk as cdk

from modelgov.policies.spec import GovernanceSpec

from .monitoring_stacks import build_monitoring_stacks
from .persona_stack import build_persona_stacks
from .registry_stack import RegistryStack
from .sharing_stacks import build_sharing_stacks

STACK_PREFIX = "modelgov"


def registry_env(spec: GovernanceSpec) -> cdk.Environment:
    org = spec.organization
    return cdk.Environment(account=org.registry_account, region=org.primary_region)


def management_env(spec: GovernanceSpec) -> cdk.Environment:
    org = spec.organization
    return cdk.Environment(account=org.management_account, region=org.primary_region)


def build_reference_app(app: cdk.App, spec: GovernanceSpec) -> dict[str, cdk.Stack]:
    """Add every modelgov stack for `spec` to `app`; returns them by short name."""
    stacks: dict[str, cdk.Stack] = {}
    registry = RegistryStack(app, f"{STACK_PREFIX}-registry", spec=spec, env=registry_env(spec),
                             description="modelgov: model package groups of the registry account")
    stacks["registry"] = registry
    # Each feature adds its stacks below, one call per feature module.
    stacks.update(build_persona_stacks(app, spec))
    stacks.update(build_sharing_stacks(app, spec))
    stacks.update(build_monitoring_stacks(app, spec))
    return stacks
