"""MonitoringScheduleResource: the `Custom::MonitoringSchedule` interface of the seed, backed by a correct handler.

For teams whose templates already use `Custom::MonitoringSchedule` (seed 000 L11838-12088). New stacks
should prefer ModelMonitor, which uses the native AWS::SageMaker resources. The handler
(lambdas/monitoring_schedule) keeps the schedule name as physical id, polls to Scheduled, updates and
renames, and deletes by physical id; this construct validates the props at synth with the shared monitor
rules and gives the function a least-privilege role:

- sagemaker:CreateMonitoringSchedule (and AddTags of the owner tag) only on the declared schedule name;
  Update/Delete/AddTags/DeleteTags only on schedules tagged with this resource's owner tag
  (`modelgov:cfn-owner` = <stack id>|<logical id>), so a rename can still delete the old schedule and no
  other schedule can be touched; Describe and ListTags (read-only) on this account's schedules;
- iam:PassRole on the execution role, only to sagemaker.amazonaws.com (inline job definitions);
- crhelper's polling: events rules named after the logical id and lambda Add/RemovePermission on itself;
- its own log group.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from modelgov.policies.builders.monitor_rules import MONITOR_TYPES, MonitorInput, check_monitor, check_schedule

from .handler_code import RUNTIME, handler_code

OWNER_TAG = "modelgov:cfn-owner"
RESOURCE_TYPE = "Custom::MonitoringSchedule"
WRITE_ACTIONS = [
    "sagemaker:UpdateMonitoringSchedule",
    "sagemaker:DeleteMonitoringSchedule",
    "sagemaker:AddTags",
    "sagemaker:DeleteTags",
]
READ_ACTIONS = ["sagemaker:DescribeMonitoringSchedule", "sagemaker:ListTags"]
DEFAULT_MAX_RUNTIME = cdk.Duration.hours(1)
DEFAULT_POLL_TIMEOUT = cdk.Duration.minutes(30)
DEFAULT_SERVICE_TIMEOUT = cdk.Duration.minutes(45)


class MonitoringScheduleResource(Construct):
    """One monitoring schedule through `Custom::MonitoringSchedule` (a named job definition, or inline data quality).

    `ref`/`schedule_name` is the schedule name (the physical id); `schedule_arn` is Data.MonitoringScheduleArn.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        schedule_name: str,
        schedule_expression: str = "cron(0 * ? * * *)",
        job_definition_name: str | None = None,
        monitoring_type: str | None = None,
        endpoint_name: str | None = None,
        execution_role: iam.IRole | None = None,
        image_uri: str | None = None,
        output_s3_uri: str | None = None,
        baseline_constraints_uri: str | None = None,
        baseline_statistics_uri: str | None = None,
        record_preprocessor_source_uri: str | None = None,
        post_analytics_processor_source_uri: str | None = None,
        instance_type: str = "ml.m5.xlarge",
        instance_count: int = 1,
        volume_size_in_gb: int = 20,
        max_runtime: cdk.Duration = DEFAULT_MAX_RUNTIME,
        volume_kms_key_arn: str | None = None,
        output_kms_key_arn: str | None = None,
        subnet_ids: Sequence[str] = (),
        security_group_ids: Sequence[str] = (),
        inter_container_traffic_encryption: bool = True,
        network_isolation: bool = False,
        data_analysis_start_time: str | None = None,
        data_analysis_end_time: str | None = None,
        tags: Mapping[str, str] | None = None,
        poll_timeout: cdk.Duration = DEFAULT_POLL_TIMEOUT,
        service_timeout: cdk.Duration = DEFAULT_SERVICE_TIMEOUT,
    ) -> None:
        """Create the handler and the custom resource.

        :param schedule_name: 1-63 letters, digits and hyphens; a change replaces the schedule (new name
            created, then the old one deleted).
        :param schedule_expression: one of the four Model Monitor forms. Default: hourly.
        :param job_definition_name: name of an existing job definition (any type). Default: none, so an
            inline data quality definition is built from the properties below.
        :param monitoring_type: type of the named job definition (DataQuality, ModelQuality, ModelBias or
            ModelExplainability), required with job_definition_name. Default: DataQuality for an inline
            definition, none otherwise (construction fails).
        :param endpoint_name: endpoint of an inline definition. Default: none (required when inline).
        :param execution_role: SageMaker execution role of an inline definition; the handler may pass it.
            Default: none (required when inline).
        :param image_uri: analyzer image of an inline definition. Default: none (required when inline).
        :param output_s3_uri: s3:// prefix for reports of an inline definition. Default: none (required when
            inline).
        :param baseline_constraints_uri: Default: no baseline constraints.
        :param baseline_statistics_uri: Default: no baseline statistics.
        :param record_preprocessor_source_uri: Default: no preprocessing script.
        :param post_analytics_processor_source_uri: Default: no post-processing script.
        :param instance_type: Default: ml.m5.xlarge.
        :param instance_count: Default: 1.
        :param volume_size_in_gb: Default: 20.
        :param max_runtime: Default: one hour (must fit the schedule period).
        :param volume_kms_key_arn: Default: the volume is encrypted with an AWS managed key.
        :param output_kms_key_arn: Default: reports use the bucket's default encryption.
        :param subnet_ids: Default: no VPC (set with security_group_ids).
        :param security_group_ids: Default: no VPC.
        :param inter_container_traffic_encryption: Default: true.
        :param network_isolation: Default: false.
        :param data_analysis_start_time: only with NOW. Default: none.
        :param data_analysis_end_time: only with NOW. Default: none.
        :param tags: schedule tags (updated in place). Default: only the owner tag.
        :param poll_timeout: how long the handler waits for Scheduled. Default: 30 minutes.
        :param service_timeout: CloudFormation's limit for one request. Default: 45 minutes.
        """
        super().__init__(scope, id)
        inline = job_definition_name is None
        if inline and monitoring_type is None:
            monitoring_type = "DataQuality"
        self._validate(
            schedule_name,
            schedule_expression,
            monitoring_type,
            inline,
            endpoint_name,
            execution_role,
            image_uri,
            output_s3_uri,
            baseline_constraints_uri,
            baseline_statistics_uri,
            record_preprocessor_source_uri,
            post_analytics_processor_source_uri,
            instance_type,
            instance_count,
            volume_size_in_gb,
            int(max_runtime.to_seconds()),
            subnet_ids,
            security_group_ids,
            data_analysis_start_time,
            data_analysis_end_time,
        )
        stack = cdk.Stack.of(self)
        self.log_group = logs.LogGroup(
            self, "Logs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=cdk.RemovalPolicy.RETAIN
        )
        self.role = iam.Role(
            self,
            "HandlerRole",
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="modelgov: Custom::MonitoringSchedule handler",
        )
        self.function = lambda_.Function(
            self,
            "Handler",
            runtime=RUNTIME,
            handler="index.handler",
            code=handler_code("monitoring_schedule"),
            role=self.role,
            timeout=cdk.Duration.minutes(5),
            memory_size=256,
            log_group=self.log_group,
            description="modelgov: Custom::MonitoringSchedule (crhelper)",
        )
        properties: dict[str, Any] = {
            "ScheduleName": schedule_name,
            "ScheduleExpression": schedule_expression,
            "MonitoringType": monitoring_type,
            "MonitoringJobDefinitionName": job_definition_name,
            "EndpointName": endpoint_name,
            "ImageURI": image_uri,
            "OutputS3URI": output_s3_uri,
            "PassRoleArn": execution_role.role_arn if execution_role else None,
            "BaselineConstraintsUri": baseline_constraints_uri,
            "BaselineStatisticsUri": baseline_statistics_uri,
            "RecordPreprocessorSourceUri": record_preprocessor_source_uri,
            "PostAnalyticsProcessorSourceUri": post_analytics_processor_source_uri,
            "InstanceType": instance_type,
            "InstanceCount": instance_count,
            "VolumeSizeInGB": volume_size_in_gb,
            "MaxRuntimeInSeconds": int(max_runtime.to_seconds()),
            "VolumeKmsKeyId": volume_kms_key_arn,
            "OutputKmsKeyId": output_kms_key_arn,
            "SubnetIds": list(subnet_ids) or None,
            "SecurityGroupIds": list(security_group_ids) or None,
            "EnableInterContainerTrafficEncryption": inter_container_traffic_encryption,
            "EnableNetworkIsolation": network_isolation,
            "DataAnalysisStartTime": data_analysis_start_time,
            "DataAnalysisEndTime": data_analysis_end_time,
            "Tags": [{"Key": k, "Value": v} for k, v in sorted((tags or {}).items())] or None,
            "PollTimeoutSeconds": int(poll_timeout.to_seconds()),
        }
        if not inline:
            for key in (
                "ImageURI",
                "OutputS3URI",
                "InstanceType",
                "InstanceCount",
                "VolumeSizeInGB",
                "MaxRuntimeInSeconds",
                "EnableInterContainerTrafficEncryption",
                "EnableNetworkIsolation",
            ):
                properties.pop(key)
        self.resource = cdk.CustomResource(
            self,
            "Resource",
            service_token=self.function.function_arn,
            resource_type=RESOURCE_TYPE,
            properties={k: v for k, v in properties.items() if v is not None},
            service_timeout=service_timeout,
        )
        cfn = self.resource.node.default_child
        assert isinstance(cfn, cdk.CfnResource)
        logical_id = stack.get_logical_id(cfn)
        owner = cdk.Fn.join("|", [cdk.Aws.STACK_ID, logical_id])
        self._grant(stack, logical_id, owner, execution_role, schedule_name)
        # Fn::GetAtt on the role already orders the function after it; keep only the policy dependency
        # (CDK adds both, and cfn-lint W3005 reports the duplicate).
        function_cfn = self.function.node.default_child
        policy_cfn = self.role.node.find_child("DefaultPolicy").node.default_child
        assert isinstance(function_cfn, cdk.CfnResource) and isinstance(policy_cfn, cdk.CfnResource)
        function_cfn.add_override("DependsOn", [stack.get_logical_id(policy_cfn)])
        self.schedule_name: str = self.resource.ref
        self.schedule_arn: str = self.resource.get_att_string("MonitoringScheduleArn")

    def _validate(
        self,
        name: str,
        expression: str,
        monitoring_type: str | None,
        inline: bool,
        endpoint: str | None,
        role: iam.IRole | None,
        image: str | None,
        output: str | None,
        constraints: str | None,
        statistics: str | None,
        pre: str | None,
        post: str | None,
        instance_type: str,
        count: int,
        volume: int,
        runtime: int,
        subnets: Sequence[str],
        groups: Sequence[str],
        start: str | None,
        end: str | None,
    ) -> None:
        path = self.node.path
        if not inline and monitoring_type not in MONITOR_TYPES:
            # A defaulted type would schedule a named model quality or bias definition as DataQuality.
            raise ValueError(
                f"{path}: monitoring_type is {monitoring_type!r} with job_definition_name: allowed "
                f"{', '.join(MONITOR_TYPES)}; set monitoring_type to the type of the named job definition"
            )
        if inline:
            if monitoring_type != "DataQuality":
                raise ValueError(
                    f"{path}: monitoring_type is {monitoring_type!r} without job_definition_name: "
                    "allowed DataQuality only for an inline job definition; create the job "
                    "definition (ModelMonitor) and pass job_definition_name"
                )
            missing = [
                p
                for p, v in (
                    ("endpoint_name", endpoint),
                    ("execution_role", role),
                    ("image_uri", image),
                    ("output_s3_uri", output),
                )
                if v is None
            ]
            if missing:
                raise ValueError(
                    f"{path}: {', '.join(missing)} is None: required for an inline data quality "
                    "job definition; set them or pass job_definition_name"
                )
        if bool(subnets) != bool(groups):
            raise ValueError(
                f"{path}: subnet_ids has {len(subnets)} and security_group_ids {len(groups)}: "
                "allowed both or neither; set both to run in a vpc"
            )

        def unresolved(value: object) -> bool:
            return isinstance(value, str) and cdk.Token.is_unresolved(value)

        if inline:
            found = check_monitor(
                MonitorInput(
                    monitor_type="DataQuality",
                    schedule_expression=expression,
                    data_analysis_start_time=start,
                    data_analysis_end_time=end,
                    max_runtime_seconds=runtime,
                    instance_type=instance_type,
                    instance_count=count,
                    volume_size_in_gb=volume,
                    endpoint_name=endpoint,
                    output_s3_uri=output,
                    baseline_constraints_uri=constraints,
                    baseline_statistics_uri=statistics,
                    record_preprocessor_source_uri=pre,
                    post_analytics_processor_source_uri=post,
                    schedule_name=name,
                ),
                is_unresolved=unresolved,
            )
        else:
            found = check_schedule(
                schedule_expression=expression,
                data_analysis_start_time=start,
                data_analysis_end_time=end,
                schedule_name=name,
                is_unresolved=unresolved,
            )
        if found:
            raise ValueError(f"{path}: " + "; ".join(dict.fromkeys(v.message() for v in found)))

    def _grant(
        self, stack: cdk.Stack, logical_id: str, owner: str, execution_role: iam.IRole | None, schedule_name: str
    ) -> None:
        schedules = stack.format_arn(service="sagemaker", resource="monitoring-schedule", resource_name="*")
        # Creating (and tagging with the owner tag) only the schedule this resource declares: otherwise the
        # handler could tag any schedule as its own and then change it.
        declared = stack.format_arn(service="sagemaker", resource="monitoring-schedule", resource_name=schedule_name)
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="CreateOwnedSchedules",
                actions=["sagemaker:CreateMonitoringSchedule", "sagemaker:AddTags"],
                resources=[declared],
                conditions={"StringEquals": {f"aws:RequestTag/{OWNER_TAG}": owner}},
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ChangeOwnedSchedules",
                actions=WRITE_ACTIONS,
                resources=[schedules],
                conditions={"StringEquals": {f"aws:ResourceTag/{OWNER_TAG}": owner}},
            )
        )
        self.role.add_to_policy(iam.PolicyStatement(sid="ReadSchedules", actions=READ_ACTIONS, resources=[schedules]))
        if execution_role is not None:
            self.role.add_to_policy(
                iam.PolicyStatement(
                    sid="PassExecutionRole",
                    actions=["iam:PassRole"],
                    resources=[execution_role.role_arn],
                    conditions={"StringEquals": {"iam:PassedToService": "sagemaker.amazonaws.com"}},
                )
            )
        self.log_group.grant_write(self.role)
        rules = stack.format_arn(service="events", resource="rule", resource_name=f"{logical_id}*")
        polling = iam.Policy(
            self,
            "PollingPolicy",
            roles=[self.role],
            statements=[
                iam.PolicyStatement(
                    sid="CrhelperPollingRules",
                    actions=["events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:DeleteRule"],
                    resources=[rules],
                ),
                iam.PolicyStatement(
                    sid="CrhelperPollingPermission",
                    actions=["lambda:AddPermission", "lambda:RemovePermission"],
                    resources=[self.function.function_arn],
                ),
            ],
        )
        self.resource.node.add_dependency(polling)
        reason_schedules = (
            "schedule names are chosen by the stack and renames delete the old schedule: writes "
            "are limited by the owner tag condition, reads are describe and list-tags only"
        )
        acks = [
            cdk.Acknowledgment(id=f"AwsSolutions-IAM5[Resource::{_nag(schedules)}]", reason=reason_schedules),
            cdk.Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::{_nag(rules)}]",
                reason="crhelper names its polling rules after the logical id plus a random suffix",
            ),
        ]
        cdk.Validations.of(self.role).acknowledge(*acks)
        cdk.Validations.of(polling).acknowledge(*acks)
        cdk.Validations.of(self.function).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-L1",
                reason="the runtime is pinned by handler_code to the version the vendored crhelper is tested with",
            )
        )


def _nag(arn: str) -> str:
    return (
        arn.replace(cdk.Aws.PARTITION, "<AWS::Partition>")
        .replace(cdk.Aws.REGION, "<AWS::Region>")
        .replace(cdk.Aws.ACCOUNT_ID, "<AWS::AccountId>")
    )
