"""PersonaRoles: one IAM role per lifecycle persona, wired from the pure policy builders.

Wiring only: trust, managed policy and boundary documents come from modelgov.policies.builders.personas
and land in the template verbatim (L1 resources), so what the engine proved is what is deployed.
"""

from __future__ import annotations

from collections.abc import Sequence

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from modelgov.policies.builders.personas import (
    build_persona_boundary,
    build_persona_policies,
    build_trust_policy,
)
from modelgov.policies.spec import GovernanceSpec, Persona
from modelgov.policies.spec.naming import construct_id

from .nag import nag_text

PERSONA_TAG = "modelgov:persona"

# cdk-nag AwsSolutions-IAM5 flags every wildcard; these are the ones the persona documents need.
_WILDCARD_REASONS = {
    "Resource::*": "sagemaker:ListModelPackageGroups has no resource-level permissions, and the boundary's "
                   "NotAction statement must leave non-lifecycle actions to the identity policies",
    "boundary": "a permissions boundary must allow everything it does not cap (NotAction on Resource *), and "
                "cdk-nag 3.0.2 IAM5 throws on NotAction statements; its lifecycle statements are the persona "
                "policy's, scoped to the spec's groups with stage and status conditions",
    "versions": "model versions are created at run time as model-package/<group>/<n>; the policy is scoped to "
                "the spec's groups and every lifecycle statement carries stage and status conditions",
}

_BOUNDARY_NOT_ACTION = ("a permissions boundary caps only what it names: NotAction on Resource * leaves every other "
                        "action to the identity policies (which grant them), and the lifecycle actions it excludes "
                        "come back only through the persona's own stage- and status-conditioned statements")


class PersonaRoles(Construct):
    """IAM roles for the spec's personas in this stack's account, scoped to the registry's groups.

    Each role trusts what the spec lists (account roots, IAM Identity Center permission-set roles of this
    account, or a service with aws:SourceAccount), carries customer managed policies with the persona's
    transitions and approvals (one, or up to 10 when the spec's groups do not fit one policy's 6,144
    characters), and optionally a permissions boundary capping lifecycle actions to them.
    Role and policy names are create-only: renaming a persona replaces its role.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: GovernanceSpec,
        personas: Sequence[str] | None = None,
        registry_account: str | None = None,
        registry_region: str | None = None,
    ) -> None:
        """Create the roles.

        :param spec: the governance spec the documents are built from.
        :param personas: persona names to create. Default: every persona in the spec.
        :param registry_account: account id holding the model package groups. Default: the spec's
            organization.registry_account.
        :param registry_region: region of the groups. Default: the spec's first region.
        """
        super().__init__(scope, id)
        chosen = _select(spec, personas)
        stack = cdk.Stack.of(self)
        account = registry_account or spec.organization.registry_account
        region = registry_region or spec.organization.primary_region
        partition = cdk.Aws.PARTITION
        self.roles: dict[str, iam.CfnRole] = {}
        self.policies: dict[str, iam.CfnManagedPolicy] = {}  # the first of each persona's policies
        self.policy_sets: dict[str, list[iam.CfnManagedPolicy]] = {}
        self.boundaries: dict[str, iam.CfnManagedPolicy] = {}
        for persona in chosen:
            cid = construct_id(persona.name)
            documents = build_persona_policies(spec, persona, partition=partition, region=region, account=account)
            attached: list[iam.CfnManagedPolicy] = []
            for number, document in enumerate(documents, start=1):
                # the first keeps the single-policy id, name and description (create-only), so small specs
                # deploy unchanged
                suffix = "" if number == 1 else str(number)
                policy = iam.CfnManagedPolicy(
                    self, f"{cid}Policy{suffix}", policy_document=document,
                    managed_policy_name=f"{persona.effective_role_name}-lifecycle{'-' + suffix if suffix else ''}",
                    description=f"modelgov persona {persona.name}: registry read, lifecycle transitions and "
                                f"approvals{f' (part {number})' if suffix else ''}")
                _acknowledge_wildcards(policy)
                attached.append(policy)
            self.policies[persona.name] = attached[0]
            self.policy_sets[persona.name] = attached
            boundary_arn: str | None = None
            if persona.permissions_boundary:
                boundary = iam.CfnManagedPolicy(
                    self, f"{cid}Boundary",
                    policy_document=build_persona_boundary(spec, persona, partition=partition, region=region,
                                                           account=account),
                    managed_policy_name=f"{persona.effective_role_name}-boundary",
                    description=f"modelgov persona {persona.name}: caps lifecycle actions to its own transitions")
                cdk.Validations.of(boundary).acknowledge(
                    cdk.Acknowledgment(id="AwsSolutions-IAM5", reason=_WILDCARD_REASONS["boundary"]),
                    cdk.Acknowledgment(id="CloudFormation-Validate::W2512", reason=_BOUNDARY_NOT_ACTION))
                self.boundaries[persona.name] = boundary
                boundary_arn = boundary.ref
            trusted = [_account(spec, persona, name) for name in persona.trust.accounts]
            role = iam.CfnRole(
                self, f"{cid}Role",
                role_name=persona.effective_role_name,
                description=(persona.description or f"modelgov persona {persona.name}")[:1000],
                assume_role_policy_document=build_trust_policy(persona, partition=partition,
                                                               account=stack.account, trusted_account_ids=trusted),
                managed_policy_arns=[p.ref for p in attached],
                permissions_boundary=boundary_arn,
                tags=[cdk.CfnTag(key=PERSONA_TAG, value=persona.name)],
            )
            self.roles[persona.name] = role
            if persona.approver and trusted:
                cdk.Annotations.of(self).add_warning_v2(
                    "modelgov:C102",
                    f"approver persona {persona.name!r} trusts whole accounts ({', '.join(trusted)}): any principal "
                    "there allowed sts:AssumeRole can approve; trust sso_permission_sets or a service instead")

    def role_arn(self, persona: str) -> str:
        """ARN of the persona's role (a token until deploy)."""
        return self.roles[persona].attr_arn


def _select(spec: GovernanceSpec, names: Sequence[str] | None) -> list[Persona]:
    if names is None:
        return list(spec.personas)
    known = [p.name for p in spec.personas]
    chosen: list[Persona] = []
    for name in names:
        if name not in known:
            raise ValueError(f"PersonaRoles: persona {name!r} is not in the governance spec (personas: "
                             f"{', '.join(known)}); pass a persona name from the spec")
        chosen.append(spec.persona(name))
    return chosen


def _account(spec: GovernanceSpec, persona: Persona, name: str) -> str:
    try:
        return spec.organization.account_id(name)
    except KeyError:
        raise ValueError(f"PersonaRoles: persona {persona.name!r} trusts account {name!r}, which is not in "
                         "organization.accounts; add it there or fix the name") from None


def _acknowledge_wildcards(policy: iam.CfnManagedPolicy) -> None:
    """Acknowledge exactly the wildcards the builders emit, each with its reason (never a blanket IAM5)."""
    validations = cdk.Validations.of(policy)
    validations.acknowledge(cdk.Acknowledgment(id="AwsSolutions-IAM5[Resource::*]",
                                               reason=_WILDCARD_REASONS["Resource::*"]))
    document = policy.policy_document
    resources: set[str] = set()
    for statement in document["Statement"]:
        value = statement.get("Resource", [])
        resources.update([value] if isinstance(value, str) else value)
    for resource in sorted(resources):
        if resource.endswith("/*"):
            finding = cdk.Stack.of(policy).resolve(resource)
            validations.acknowledge(cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{nag_text(finding)}]",
                                                       reason=_WILDCARD_REASONS["versions"]))
