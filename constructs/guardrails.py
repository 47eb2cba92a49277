"""GovernanceGuardrails: the lifecycle and monitoring SCPs as AWS::Organizations::Policy resources.

Wiring only: documents come from modelgov.policies.builders.scp. Content is written minified because the
5,120-character SCP quota counts whitespace. Deploy it in the organization's management account (or a
delegated administrator for Organizations policies) with SCPs enabled on the root.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_organizations as organizations
from constructs import Construct

from modelgov.policies.builders.scp import build_lifecycle_scps, build_monitoring_scps
from modelgov.policies.spec import GovernanceSpec
from modelgov.policies.spec.monitoring import MonitoringGuardrails

SCP_TYPE = "SERVICE_CONTROL_POLICY"
MAX_SCPS_PER_TARGET = 5  # Organizations quota, FullAWSAccess included


class GovernanceGuardrails(Construct):
    """Lifecycle and monitoring SCPs attached to the spec's OU and account targets.

    The lifecycle SCP denies setting protected stages, statuses and approval outside the approver
    persona roles, and group-policy changes outside the platform and deployment roles. The monitoring
    SCP denies job definitions without the keys the spec requires.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        spec: GovernanceSpec,
        targets: Sequence[str] | None = None,
        monitoring: MonitoringGuardrails | None = None,
        policy_name_prefix: str = "modelgov",
    ) -> None:
        """Create the SCPs.

        :param spec: the governance spec the documents are built from.
        :param targets: where to attach: 'root', OU names or ids, account names or ids from the spec.
            Default: the spec's lifecycle.guardrail_targets.
        :param monitoring: the monitoring guardrail switches. Default: the spec's monitoring.guardrails.
        :param policy_name_prefix: prefix of the SCP names. Default: "modelgov".
        """
        super().__init__(scope, id)
        target_names = list(targets) if targets is not None else list(spec.lifecycle.guardrail_targets)
        self.target_ids = [_target_id(spec, name) for name in target_names]
        if not self.target_ids:
            raise ValueError("GovernanceGuardrails: targets is empty; list 'root', an OU or an account so the SCPs "
                             "apply somewhere")
        if spec.organization.management_account in self.target_ids:
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C101",
                f"guardrail target {spec.organization.management_account} is the management account, which SCPs "
                "never restrict; protect it by other means or target the OUs that hold the workloads")
        guardrails = monitoring if monitoring is not None else spec.monitoring.guardrails
        partition = cdk.Aws.PARTITION
        lifecycle = build_lifecycle_scps(spec, partition=partition)
        monitors = build_monitoring_scps(guardrails)
        if len(lifecycle) + len(monitors) > MAX_SCPS_PER_TARGET - 1:
            raise ValueError(f"GovernanceGuardrails: {len(lifecycle) + len(monitors)} SCPs, but a target holds "
                             f"{MAX_SCPS_PER_TARGET} including FullAWSAccess; exempt fewer roles or drop "
                             "monitoring guardrails from the spec")
        if guardrails.enforce_job_definition_name_key:
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C100",
                "monitoring.guardrails.enforce_job_definition_name_key denies schedules on "
                "sagemaker:ModelMonitorJobDefinitionName, which is not in the service reference; if SageMaker "
                "never sends it, every CreateMonitoringSchedule is denied; prove it in a sandbox or set it false")
        self.lifecycle_policies = [
            self._policy(f"Lifecycle{i}", f"{policy_name_prefix}-lifecycle-guardrail{_suffix(i, lifecycle)}",
                         "modelgov: only approver personas set protected stages, statuses and approval; only the "
                         "platform changes group policies", document)
            for i, document in enumerate(lifecycle)]
        self.monitoring_policies = [
            self._policy(f"Monitoring{i}", f"{policy_name_prefix}-monitoring-guardrail{_suffix(i, monitors)}",
                         "modelgov: Model Monitor job definitions must set the KMS, VPC and encryption keys "
                         "the spec requires", document)
            for i, document in enumerate(monitors)]

    def _policy(self, cid: str, name: str, description: str, document: dict[str, Any]) -> organizations.CfnPolicy:
        return organizations.CfnPolicy(self, cid, name=name, type=SCP_TYPE, description=description,
                                       content=document,
                                       target_ids=self.target_ids)


def _suffix(index: int, documents: list[dict[str, Any]]) -> str:
    return "" if len(documents) == 1 else f"-{index + 1}"


def _target_id(spec: GovernanceSpec, name: str) -> str:
    org = spec.organization
    if name in ("root", org.root_id):
        return org.root_id
    try:
        return str(org.ou_id(name))
    except KeyError:
        pass
    try:
        return str(org.account_id(name))
    except KeyError:
        raise ValueError(f"GovernanceGuardrails: target {name!r} is not 'root', an OU or an account of the spec; "
                         "use a name or id from organization.organizational_units or organization.accounts") from None
