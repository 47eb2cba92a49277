"""Sharing and events stacks of the reference app, built from governance.yaml's sharing: and events: sections.

- modelgov-sharing (registry account): one RegistryShare per `sharing.shares` entry, RamPromotion for the
  groups of shares with `promote: true`, and one org-external RegistryShare per `sharing.external_consumers`.
- modelgov-consumer-<account> (each external consumer's account): ConsumerAcceptance of that share.
- modelgov-events (registry account): the governance buses and one ModelPackageEvents rule per `events.rules`.
"""

from __future__ import annotations

import re
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from modelgov.policies.spec import GovernanceSpec

from .consumer_acceptance import ConsumerAcceptance
from .model_package_events import GovernanceEventBus, ModelPackageEvents
from .model_package_group import IModelPackageGroup, ModelPackageGroup
from .ram_promotion import RamPromotion
from .registry_share import RamPermission, RegistryShare

PREFIX = "modelgov"
SPEC_FILE = "governance.yaml"


def _construct_id(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[^A-Za-z0-9]+", name) if part) or "Unnamed"


def external_share_name(account: str) -> str:
    return f"{PREFIX}-external-{account}"


def _resolve(path: str, lookup: Any, value: str, what: str) -> str:
    try:
        return str(lookup(value))
    except KeyError:
        raise ValueError(f"{SPEC_FILE} {path}: {what} {value!r} is not in the organization section; add it there "
                         "or use a listed name") from None


class SharingStack(cdk.Stack):
    """RAM shares of the registry's groups, their promotion, and the shares to external consumers."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        org = spec.organization
        imported: dict[str, IModelPackageGroup] = {}

        def group(name: str) -> IModelPackageGroup:
            if name not in imported:
                imported[name] = ModelPackageGroup.from_model_package_group_name(self, f"Group{_construct_id(name)}",
                                                                               name)
            return imported[name]

        promoted: list[str] = []
        self.shares: dict[str, RegistryShare] = {}
        for index, entry in enumerate(spec.sharing.shares):
            path = f"sharing.shares[{index}]"
            principals = entry.principals
            permission = (RamPermission.default() if entry.permission == "default"
                          else RamPermission.customer_managed(entry.permission.name, entry.permission.actions))
            self.shares[entry.name] = RegistryShare(
                self, f"Share{_construct_id(entry.name)}", resource_share_name=entry.name,
                groups=[group(name) for name in entry.groups],
                accounts=[_resolve(f"{path}.principals.accounts", org.account_id, a, "account")
                          for a in principals.accounts],
                organizational_units=[_resolve(f"{path}.principals.organizational_units", org.ou_id, o,
                                               "organizational unit") for o in principals.organizational_units],
                share_with_organization=principals.organization, organization_id=org.id,
                management_account=org.management_account,
                allow_external_principals=entry.allow_external_principals, permission=permission,
                tags={"modelgov:share": entry.name})
            if entry.promote:
                promoted += [name for name in entry.groups if name not in promoted]
        for consumer in spec.sharing.external_consumers:
            name = external_share_name(consumer.account)
            self.shares[name] = RegistryShare(
                self, f"External{consumer.account}", resource_share_name=name,
                groups=[group(g) for g in consumer.groups], accounts=[consumer.account],
                allow_external_principals=True, tags={"modelgov:share": name})
        self.promotion = RamPromotion(self, "Promotion", groups=[group(n) for n in promoted]) if promoted else None


class ConsumerStack(cdk.Stack):
    """In an external consumer's account: accept the registry's invitation and check discoverability."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, account: str, groups: list[str],
                 **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        org = spec.organization
        arns = [self.format_arn(service="sagemaker", region=org.primary_region, account=org.registry_account,
                                resource="model-package-group", resource_name=name) for name in groups]
        self.acceptance = ConsumerAcceptance(self, "Acceptance", owner_account=org.registry_account, group_arns=arns,
                                             resource_share_name=external_share_name(account))


class EventsStack(cdk.Stack):
    """Model package approval and lifecycle rules with their targets, and the org-only governance buses."""

    def __init__(self, scope: Construct, id: str, *, spec: GovernanceSpec, **kwargs: Any) -> None:
        super().__init__(scope, id, **kwargs)
        all_groups = [g.name for g in spec.model_package_groups]
        _check_target_names(spec)
        self.buses: dict[str, GovernanceEventBus] = {}
        self.rules: dict[str, ModelPackageEvents] = {}
        for rule in spec.events.rules:
            events = ModelPackageEvents(
                self, f"Rule{_construct_id(rule.name)}", rule_name=f"{PREFIX}-{rule.name}",
                groups=rule.groups or all_groups, approval_statuses=rule.approval_statuses, stages=rule.stages,
                stage_statuses=rule.stage_statuses)
            for target in rule.targets:
                if target.kind == "sns":
                    events.add_topic(f"Topic{_construct_id(target.name)}", topic_name=f"{PREFIX}-{target.name}")
                elif target.kind == "sqs":
                    events.add_queue(f"Queue{_construct_id(target.name)}", queue_name=f"{PREFIX}-{target.name}")
                elif target.kind == "lambda":
                    # jsii interfaces are not runtime-checkable Protocols: isinstance() on IFunction raises.
                    child_id = f"Function{_construct_id(target.name)}"
                    existing = self.node.try_find_child(child_id)
                    function = (existing if isinstance(existing, lambda_.FunctionBase)
                                else lambda_.Function.from_function_name(self, child_id, target.name))
                    events.add_function(function)
                else:
                    events.add_event_bus(self._bus(target.name, spec.organization.id).event_bus)
            self.rules[rule.name] = events

    def _bus(self, name: str, organization_id: str) -> GovernanceEventBus:
        if name not in self.buses:
            self.buses[name] = GovernanceEventBus(self, f"Bus{_construct_id(name)}",
                                                  event_bus_name=f"{PREFIX}-{name}", organization_id=organization_id)
        return self.buses[name]


def _check_target_names(spec: GovernanceSpec) -> None:
    """Topics and queues are named modelgov-<name>, so a name may serve one target only; buses are shared."""
    seen: dict[tuple[str, str], str] = {}
    for r, rule in enumerate(spec.events.rules):
        for t, target in enumerate(rule.targets):
            key = (target.kind, target.name)
            path = f"events.rules[{r}].targets[{t}]"
            if target.kind in ("sns", "sqs") and key in seen:
                raise ValueError(f"{SPEC_FILE} {path}: {target.kind} target {target.name!r} is already used at "
                                 f"{seen[key]}; give each topic or queue its own name, or put both filters in one rule")
            if target.kind in ("lambda", "governance-bus") and key in seen and seen[key].startswith(
                    f"events.rules[{r}]."):
                raise ValueError(f"{SPEC_FILE} {path}: {target.kind} target {target.name!r} appears twice in the "
                                 "rule; list it once")
            seen.setdefault(key, path)


def build_sharing_stacks(app: cdk.App, spec: GovernanceSpec) -> dict[str, cdk.Stack]:
    """Add the sharing, consumer and events stacks for `spec`; returns them by short name."""
    org = spec.organization
    registry_env = cdk.Environment(account=org.registry_account, region=org.primary_region)
    stacks: dict[str, cdk.Stack] = {}
    registry = app.node.try_find_child(f"{PREFIX}-registry")
    if spec.sharing.shares or spec.sharing.external_consumers:
        sharing = SharingStack(app, f"{PREFIX}-sharing", spec=spec, env=registry_env,
                               description="modelgov: RAM shares of the registry's model package groups")
        if isinstance(registry, cdk.Stack):
            sharing.add_stack_dependency(registry, "groups must exist before they are shared or promoted")
        stacks["sharing"] = sharing
        for consumer in spec.sharing.external_consumers:
            stack = ConsumerStack(app, f"{PREFIX}-consumer-{consumer.account}", spec=spec, account=consumer.account,
                                  groups=consumer.groups,
                                  env=cdk.Environment(account=consumer.account, region=org.primary_region),
                                  description="modelgov: accept the registry's RAM share in a consumer account")
            stack.add_stack_dependency(sharing, "the invitation exists only after the share is created")
            stacks[f"consumer-{consumer.account}"] = stack
    if spec.events.rules:
        stacks["events"] = EventsStack(app, f"{PREFIX}-events", spec=spec, env=registry_env,
                                       description="modelgov: model package approval and lifecycle event rules")
    return stacks
