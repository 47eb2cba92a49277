"""PersonaStackSet: persona roles rolled out to every account of some OUs by a service-managed StackSet.

The StackSet template is synthesized from the same PersonaRoles construct in a throw-away app with the
bootstrapless synthesizer (member accounts need no CDK bootstrap), so both delivery paths share one
source. Auto-deployment gives accounts that join the OUs later their roles too.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudformation as cloudformation
from constructs import Construct

from modelgov.policies.builders.persona_accounts import stackset_ou_ids
from modelgov.policies.spec import GovernanceSpec

from .personas import PersonaRoles

MAX_TEMPLATE_BODY_BYTES = 51200  # CloudFormation TemplateBody limit
CALL_AS = ("SELF", "DELEGATED_ADMIN")


def persona_template(spec: GovernanceSpec, personas: Sequence[str]) -> dict[str, Any]:
    """The CloudFormation template (a dict) that creates these personas' roles in any member account."""
    with tempfile.TemporaryDirectory(prefix="modelgov-personas-") as outdir:
        app = cdk.App(outdir=outdir, analytics_reporting=False)
        stack = cdk.Stack(app, "PersonaRoles", synthesizer=cdk.BootstraplessSynthesizer())
        PersonaRoles(stack, "Personas", spec=spec, personas=personas)
        template: dict[str, Any] = app.synth().get_stack_by_name("PersonaRoles").template
    return template


class PersonaStackSet(Construct):
    """A SERVICE_MANAGED AWS::CloudFormation::StackSet that deploys persona roles to OUs, auto-deploying.

    IAM is global, so the stack instances go to exactly one region; a second region would try to create
    the same role names twice. Service-managed StackSets never deploy to the management account.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: GovernanceSpec,
        personas: Sequence[str],
        organizational_unit_ids: Sequence[str] | None = None,
        region: str | None = None,
        stack_set_name: str = "modelgov-personas",
        call_as: str = "SELF",
        max_concurrent_percentage: int = 25,
        failure_tolerance_percentage: int = 0,
        retain_stacks_on_account_removal: bool = False,
    ) -> None:
        """Create the StackSet.

        :param personas: persona names whose roles the StackSet carries.
        :param organizational_unit_ids: OU ids to deploy to. Default: the personas' organizational_units.
        :param region: the one region for the stack instances. Default: the spec's first region.
        :param stack_set_name: StackSet name (create-only). Default: "modelgov-personas".
        :param call_as: SELF from the management account, DELEGATED_ADMIN from a delegated administrator.
            Default: SELF.
        :param max_concurrent_percentage: share of accounts deployed at once, 1-100. Default: 25.
        :param failure_tolerance_percentage: share of accounts that may fail before the operation stops,
            0-100. Default: 0 (stop at the first failure).
        :param retain_stacks_on_account_removal: keep the roles when an account leaves the OUs. Default: false
            (the roles are removed with the account's stack instance).
        """
        super().__init__(scope, id)
        if not personas:
            raise ValueError("PersonaStackSet: personas is empty; pass the names of the personas to roll out")
        ou_ids = list(organizational_unit_ids) if organizational_unit_ids is not None else sorted(
            {ou for name in personas for ou in stackset_ou_ids(spec, spec.persona(name))})
        _validate(ou_ids, call_as, max_concurrent_percentage, failure_tolerance_percentage)
        body = json.dumps(persona_template(spec, personas), separators=(",", ":"), sort_keys=True)
        if len(body.encode()) > MAX_TEMPLATE_BODY_BYTES:
            raise ValueError(f"PersonaStackSet {stack_set_name!r}: template is {len(body.encode())} bytes, "
                             f"TemplateBody allows {MAX_TEMPLATE_BODY_BYTES}; split the personas over two StackSets")
        self.resource = cloudformation.CfnStackSet(
            self, "Resource",
            stack_set_name=stack_set_name,
            description=f"modelgov persona roles: {', '.join(personas)}",
            permission_model="SERVICE_MANAGED",
            auto_deployment=cloudformation.CfnStackSet.AutoDeploymentProperty(
                enabled=True, retain_stacks_on_account_removal=retain_stacks_on_account_removal),
            call_as=call_as,
            capabilities=["CAPABILITY_NAMED_IAM"],
            managed_execution={"Active": True},
            operation_preferences=cloudformation.CfnStackSet.OperationPreferencesProperty(
                max_concurrent_percentage=max_concurrent_percentage,
                failure_tolerance_percentage=failure_tolerance_percentage,
                region_concurrency_type="SEQUENTIAL"),
            stack_instances_group=[cloudformation.CfnStackSet.StackInstancesProperty(
                deployment_targets=cloudformation.CfnStackSet.DeploymentTargetsProperty(
                    organizational_unit_ids=ou_ids),
                regions=[region or spec.organization.primary_region])],
            template_body=body,
        )


def _validate(ou_ids: list[str], call_as: str, concurrent: int, tolerance: int) -> None:
    if not ou_ids:
        raise ValueError("PersonaStackSet: no organizational unit to deploy to; set organizational_units on the "
                         "personas in the spec or pass organizational_unit_ids")
    if call_as not in CALL_AS:
        raise ValueError(f"PersonaStackSet: call_as is {call_as!r}; use SELF (management account) or "
                         "DELEGATED_ADMIN (delegated StackSets administrator)")
    if not 1 <= concurrent <= 100:
        raise ValueError(f"PersonaStackSet: max_concurrent_percentage is {concurrent}; use 1 to 100")
    if not 0 <= tolerance <= 100:
        raise ValueError(f"PersonaStackSet: failure_tolerance_percentage is {tolerance}; use 0 to 100")
