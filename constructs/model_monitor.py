"""ModelMonitor: Model Monitor job definitions, schedules, alarms and failure events for one endpoint or batch job.

Wiring only. The rules (schedule grammar, cadence, required inputs, paths) live in
modelgov.policies.builders.monitor_rules so the linter and verifier read the service the same way, and the
IAM request context each job definition sends comes from modelgov.policies.builders.monitoring_context.

Create-only: every property of a job definition is create-only in CloudFormation, so any change replaces
it. Job definitions are therefore never given a name (a fixed name would make every replacement fail); the
schedule reads the generated name through Fn::GetAtt JobDefinitionName, which is also its dependency on
the definition (CloudFormation creates the definition first and deletes it last). A schedule's name is
create-only too, but the rest of a schedule updates in place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sagemaker as sagemaker
from aws_cdk import aws_sns as sns
from constructs import Construct

from modelgov.policies.builders.monitor_rules import (
    MonitorInput,
    Violation,
    check_monitor,
    max_runtime_limit,
    parse_schedule,
    schedule_warnings,
)
from modelgov.policies.builders.monitoring_context import JobSettings

DEFAULT_SCHEDULE = "cron(0 * ? * * *)"
INPUT_LOCAL_PATH = "/opt/ml/processing/input/endpoint"
BATCH_LOCAL_PATH = "/opt/ml/processing/input/batch"
OUTPUT_LOCAL_PATH = "/opt/ml/processing/output"
SUFFIX = {
    "DataQuality": "data-quality",
    "ModelQuality": "model-quality",
    "ModelBias": "model-bias",
    "ModelExplainability": "model-explainability",
}
MAX_MONITOR_NAME = 63 - len("-model-explainability")
_CFN: dict[str, Any] = {
    "DataQuality": sagemaker.CfnDataQualityJobDefinition,
    "ModelQuality": sagemaker.CfnModelQualityJobDefinition,
    "ModelBias": sagemaker.CfnModelBiasJobDefinition,
    "ModelExplainability": sagemaker.CfnModelExplainabilityJobDefinition,
}
# CloudWatch namespaces per monitor type: (real-time endpoint, batch transform), as the developer guide
# prints them (seed 000 L7815-7860, L8614-8629, L9294-9346, L10059-10104). Their spelling is inconsistent
# (leading slash or not), so they are data a caller can override, never guessed.
DEFAULT_NAMESPACES: dict[str, tuple[str, str]] = {
    "DataQuality": ("/aws/sagemaker/Endpoints/data-metric", "/aws/sagemaker/ModelMonitoring/data-metric"),
    "ModelQuality": ("aws/sagemaker/Endpoints/model-metrics", "aws/sagemaker/ModelMonitoring/model-metrics"),
    "ModelBias": ("aws/sagemaker/Endpoints/bias-metrics", "aws/sagemaker/ModelMonitoring/bias-metrics"),
    "ModelExplainability": (
        "aws/sagemaker/Endpoints/explainability-metrics",
        "aws/sagemaker/ModelMonitoring/explainability-metrics",
    ),
}
# Registry account of the sagemaker-model-monitor-analyzer image per region, as published by the SageMaker
# Python SDK (src/sagemaker/image_uri_config/model-monitor.json); the image cannot be pulled directly.
ANALYZER_REGISTRIES: dict[str, str] = {
    "ap-east-1": "001633400207",
    "ap-northeast-1": "574779866223",
    "ap-northeast-2": "709848358524",
    "ap-south-1": "126357580389",
    "ap-southeast-1": "245545462676",
    "ap-southeast-2": "563025443158",
    "ca-central-1": "536280801234",
    "cn-north-1": "453000072557",
    "cn-northwest-1": "453252182341",
    "eu-central-1": "048819808253",
    "eu-north-1": "895015795356",
    "eu-west-1": "468650794304",
    "eu-west-2": "749857270468",
    "eu-west-3": "680080141114",
    "me-south-1": "607024016150",
    "sa-east-1": "539772159869",
    "us-east-1": "156813124566",
    "us-east-2": "777275614652",
    "us-west-1": "890145073186",
    "us-west-2": "159807026194",
}
SCHEDULE_EVENT = "SageMaker Monitoring Schedule State Change"
EXECUTION_EVENT = "SageMaker Processing Job State Change"


@dataclass(frozen=True)
class BatchTransformInput:
    """Monitor a batch transform job through its data capture (BatchDataCaptureConfig.DestinationS3Uri).

    :param data_captured_destination_s3_uri: where the transform job writes its capture manifests.
    :param dataset_format: csv, json or parquet. Default: csv.
    :param header: csv files start with a header row. Default: true.
    :param json_lines: json files hold one record per line. Default: true.
    """

    data_captured_destination_s3_uri: str
    dataset_format: str = "csv"
    header: bool = True
    json_lines: bool = True


@dataclass(frozen=True)
class DataQualityMonitor:
    """Data quality: statistics of the captured inputs compared with a baseline (both files required).

    :param image_uri: Default: the monitor's image_uri (the sagemaker-model-monitor-analyzer image).
    :param max_runtime: Default: the schedule period, at most one hour.
    """

    baseline_constraints_uri: str
    baseline_statistics_uri: str
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    image_uri: str | None = None
    max_runtime: cdk.Duration | None = None


@dataclass(frozen=True)
class ModelQualityMonitor:
    """Model quality: predictions merged with ground-truth labels, metrics for the problem type.

    :param max_runtime: Default: half the schedule period (the merge job shares it), at most 30 minutes.
    """

    problem_type: str
    ground_truth_s3_uri: str
    baseline_constraints_uri: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    probability_threshold_attribute: float | None = None
    start_time_offset: str | None = None
    end_time_offset: str | None = None
    record_preprocessor_source_uri: str | None = None
    post_analytics_processor_source_uri: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    image_uri: str | None = None
    max_runtime: cdk.Duration | None = None


@dataclass(frozen=True)
class ModelBiasMonitor:
    """Bias drift through SageMaker Clarify: analysis config and ground truth required.

    :param image_uri: the Clarify image. Default: the monitor's image_uri.
    :param max_runtime: Default: half the schedule period, at most 30 minutes.
    """

    analysis_config_uri: str
    ground_truth_s3_uri: str
    baseline_constraints_uri: str | None = None
    features_attribute: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    probability_threshold_attribute: float | None = None
    start_time_offset: str | None = None
    end_time_offset: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    image_uri: str | None = None
    max_runtime: cdk.Duration | None = None


@dataclass(frozen=True)
class ModelExplainabilityMonitor:
    """Feature attribution drift through SageMaker Clarify: analysis config required.

    :param image_uri: the Clarify image. Default: the monitor's image_uri.
    :param max_runtime: Default: the schedule period, at most one hour.
    """

    analysis_config_uri: str
    baseline_constraints_uri: str | None = None
    features_attribute: str | None = None
    inference_attribute: str | None = None
    probability_attribute: str | None = None
    environment: Mapping[str, str] = field(default_factory=dict)
    image_uri: str | None = None
    max_runtime: cdk.Duration | None = None


MonitorConfig = DataQualityMonitor | ModelQualityMonitor | ModelBiasMonitor | ModelExplainabilityMonitor
_TYPE_OF: dict[type, str] = {
    DataQualityMonitor: "DataQuality",
    ModelQualityMonitor: "ModelQuality",
    ModelBiasMonitor: "ModelBias",
    ModelExplainabilityMonitor: "ModelExplainability",
}


@dataclass(frozen=True)
class MonitorAlarm:
    """A CloudWatch alarm on one Model Monitor metric.

    :param monitor_type: DataQuality, ModelQuality, ModelBias or ModelExplainability (must be monitored).
    :param metric_name: e.g. feature_baseline_drift_<feature>, f1, rmse, bias_metric_CI, feature_<name>.
    :param threshold: the value compared with the statistic.
    :param comparison_operator: Default: greater than the threshold.
    :param statistic: Default: Maximum.
    :param namespace: Default: the namespace the developer guide prints for the type and input kind.
    :param dimensions: Default: the schedule and endpoint dimensions of the type (see DEFAULT_NAMESPACES).
    :param evaluation_periods: Default: 1.
    """

    monitor_type: str
    metric_name: str
    threshold: float
    comparison_operator: cloudwatch.ComparisonOperator = cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD
    statistic: str = "Maximum"
    namespace: str | None = None
    dimensions: Mapping[str, str] | None = None
    evaluation_periods: int = 1

    @staticmethod
    def feature_drift(feature: str, threshold: float = 0.1) -> MonitorAlarm:
        """Data quality baseline drift of one feature (comparison_threshold defaults to 0.1, seed L11709)."""
        return MonitorAlarm("DataQuality", f"feature_baseline_drift_{feature}", threshold, statistic="Sum")

    @staticmethod
    def model_metric_below(metric_name: str, threshold: float) -> MonitorAlarm:
        """Model quality metric (f1, accuracy, auc ...) falling below a floor."""
        return MonitorAlarm(
            "ModelQuality",
            metric_name,
            threshold,
            comparison_operator=cloudwatch.ComparisonOperator.LESS_THAN_THRESHOLD,
            statistic="Minimum",
        )


class ModelMonitor(Construct):
    """Model Monitor for one real-time endpoint or batch transform job, secure by default.

    Per configured type it creates a job definition (no fixed name) and a schedule named
    `<monitor_name>-<type>`; it adds a KMS key for volumes, reports and the alarm topic unless keys are
    given, a security group in the given VPC, the SageMaker execution role, the alarms asked for, and
    EventBridge rules that send failed schedules and failed monitoring executions to the topic.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        monitor_name: str,
        output_s3_uri: str,
        image_uri: str | None = None,
        endpoint_name: str | None = None,
        batch_transform_input: BatchTransformInput | None = None,
        data_quality: DataQualityMonitor | None = None,
        model_quality: ModelQualityMonitor | None = None,
        model_bias: ModelBiasMonitor | None = None,
        model_explainability: ModelExplainabilityMonitor | None = None,
        data_capture_s3_uri: str | None = None,
        schedule_expression: str = DEFAULT_SCHEDULE,
        data_analysis_start_time: str | None = None,
        data_analysis_end_time: str | None = None,
        instance_type: str = "ml.m5.xlarge",
        instance_count: int = 1,
        volume_size_in_gb: int = 20,
        role: iam.IRole | None = None,
        volume_kms_key: kms.IKey | None = None,
        output_kms_key: kms.IKey | None = None,
        vpc: ec2.IVpc | None = None,
        vpc_subnets: ec2.SubnetSelection | None = None,
        security_groups: Sequence[ec2.ISecurityGroup] | None = None,
        require_vpc: bool = True,
        inter_container_traffic_encryption: bool = True,
        network_isolation: bool = False,
        alarms: Sequence[MonitorAlarm] = (),
        metric_namespaces: Mapping[str, str] | None = None,
        alarm_topic: sns.ITopic | None = None,
        tags: Mapping[str, str] | None = None,
    ) -> None:
        """Create the monitor.

        :param monitor_name: prefix of the schedule names, 1-42 letters, digits and hyphens (create-only).
        :param output_s3_uri: s3:// prefix for reports; each type writes under <prefix>/<type>.
        :param image_uri: container for the jobs. Default: the regional sagemaker-model-monitor-analyzer
            image when the stack's region is literal and listed in ANALYZER_REGISTRIES (right for data and
            model quality; bias and explainability take the Clarify image through their own image_uri);
            otherwise every configured type must name its own image_uri.
        :param endpoint_name: the real-time endpoint to monitor. Default: none (then batch_transform_input).
        :param batch_transform_input: the batch transform capture to monitor. Default: none.
        :param data_quality: Default: no data quality monitor. At least one of the four types is required.
        :param model_quality: Default: no model quality monitor.
        :param model_bias: Default: no bias drift monitor.
        :param model_explainability: Default: no feature attribution monitor.
        :param data_capture_s3_uri: the endpoint's DataCaptureConfig destination, which the created role may
            read. Default: the created role reads no endpoint capture (pass it, or pass role).
        :param schedule_expression: cron(0 * ? * * *), cron(0 H ? * * *), cron(0 H/N ? * * *) or NOW.
            Default: hourly.
        :param data_analysis_start_time: negative ISO 8601 offset, only (and required) with NOW. Default: none.
        :param data_analysis_end_time: negative ISO 8601 offset, only (and required) with NOW. Default: none.
        :param instance_type: a ProcessingInstanceType. Default: ml.m5.xlarge.
        :param instance_count: 1-100. Default: 1.
        :param volume_size_in_gb: 1-16384. Default: 20.
        :param role: the SageMaker execution role of the jobs. Default: a role is created with read on the
            inputs, write on the output prefix, the KMS keys, logs, metrics and VPC interfaces.
        :param volume_kms_key: encrypts the processing volumes. Default: a key is created (rotation on).
        :param output_kms_key: encrypts the reports in S3. Default: the volume key.
        :param vpc: the VPC the jobs run in. Default: none, which fails unless require_vpc is false.
        :param vpc_subnets: Default: the VPC's default subnet selection (private subnets first).
        :param security_groups: Default: a security group is created with no inbound rules.
        :param require_vpc: fail when no VPC is given, as the monitoring guardrail SCP would deny the jobs.
            Default: true.
        :param inter_container_traffic_encryption: Default: true (the guardrail SCP denies false).
        :param network_isolation: run the containers without network access. Default: false, because Clarify
            monitors that start a shadow endpoint need the network.
        :param alarms: CloudWatch alarms on monitor metrics, sent to the alarm topic. Default: none.
        :param metric_namespaces: namespace per monitor type. Default: DEFAULT_NAMESPACES.
        :param alarm_topic: receives alarms and failure events; its key policy must let
            cloudwatch.amazonaws.com and events.amazonaws.com use kms:Decrypt and kms:GenerateDataKey*.
            Default: a topic encrypted with a key created here (the volume key when that is created too),
            whose policy grants both services.
        :param tags: tags for the schedules and (create-only) job definitions. Default: none.
        """
        super().__init__(scope, id)
        configs: dict[str, MonitorConfig] = {
            _TYPE_OF[type(c)]: c for c in (data_quality, model_quality, model_bias, model_explainability) if c
        }
        if image_uri is None:
            region = cdk.Stack.of(self).region
            if not cdk.Token.is_unresolved(region) and region in ANALYZER_REGISTRIES:
                image_uri = analyzer_image_uri(region)
        self._validate_shape(monitor_name, configs, image_uri, alarms, metric_namespaces)
        schedule = parse_schedule(schedule_expression) if not _token(schedule_expression) else None
        runtimes = {t: self._runtime(t, c, schedule) for t, c in configs.items()}
        self._check_rules(
            monitor_name,
            configs,
            runtimes,
            image_uri,
            endpoint_name,
            batch_transform_input,
            output_s3_uri,
            schedule_expression,
            data_analysis_start_time,
            data_analysis_end_time,
            instance_type,
            instance_count,
            volume_size_in_gb,
        )
        if schedule is not None:
            for message in schedule_warnings(schedule):
                cdk.Annotations.of(self).add_warning_v2("modelgov:C303", message)
        if vpc is None:
            if require_vpc:
                raise ValueError(
                    f"{self.node.path}: vpc is None: allowed an ec2 vpc, since the monitoring "
                    "guardrail scp denies job definitions without sagemaker:VpcSubnets; pass vpc=, "
                    "or set require_vpc=False to run outside a vpc"
                )
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C301", "monitoring jobs run outside a vpc; the monitoring guardrail scp denies them"
            )
        if not inter_container_traffic_encryption:
            cdk.Annotations.of(self).add_warning_v2(
                "modelgov:C302",
                "inter_container_traffic_encryption is false; the monitoring guardrail scp denies such job definitions",
            )

        self.monitor_name = monitor_name
        self.endpoint_name = endpoint_name
        self.batch_transform_input = batch_transform_input
        self.key: kms.IKey | None = None
        # The alarm topic is always encrypted with a key created here: only a key whose policy this stack
        # writes can let CloudWatch and EventBridge publish to the topic. A caller's key (possibly imported)
        # would leave every alarm and failure notification silently undelivered.
        if volume_kms_key is None or alarm_topic is None:
            uses = ("volumes, reports and alarms" if volume_kms_key is None else "alarm topic")
            self.key = kms.Key(
                self,
                "Key",
                enable_key_rotation=True,
                description=f"modelgov: Model Monitor {uses} of {monitor_name}",
            )
        self.volume_kms_key: kms.IKey = volume_kms_key or self.key  # type: ignore[assignment]
        self.output_kms_key: kms.IKey = output_kms_key or self.volume_kms_key
        self.subnet_ids: list[str] = []
        self.security_groups: list[ec2.ISecurityGroup] = list(security_groups or [])
        if vpc is not None:
            self.subnet_ids = vpc.select_subnets(**_selection(vpc_subnets)).subnet_ids
            if not self.security_groups:
                self.security_groups = [
                    ec2.SecurityGroup(
                        self,
                        "SecurityGroup",
                        vpc=vpc,
                        allow_all_outbound=True,
                        description=f"modelgov: Model Monitor jobs of {monitor_name} (no inbound)",
                    )
                ]
        self.inter_container_traffic_encryption = inter_container_traffic_encryption
        self.network_isolation = network_isolation
        self.instance_type = instance_type
        self._tags = dict(tags or {})
        self.role = role or self._create_role(
            configs, output_s3_uri, batch_transform_input, data_capture_s3_uri, vpc is not None
        )

        self.job_definitions: dict[str, cdk.CfnResource] = {}
        self.schedules: dict[str, sagemaker.CfnMonitoringSchedule] = {}
        self.max_runtime_seconds: dict[str, int] = runtimes
        for monitor_type, config in configs.items():
            definition = self._job_definition(
                monitor_type,
                config,
                runtimes[monitor_type],
                image_uri,
                endpoint_name,
                batch_transform_input,
                output_s3_uri,
                instance_type,
                instance_count,
                volume_size_in_gb,
            )
            self.job_definitions[monitor_type] = definition
            self.schedules[monitor_type] = self._schedule(
                monitor_type, definition, schedule_expression, data_analysis_start_time, data_analysis_end_time
            )

        self.alarm_topic = alarm_topic or self._create_topic()
        self.alarms = [self._alarm(i, a, metric_namespaces or {}) for i, a in enumerate(alarms)]
        self._failure_rules()

    # -- validation -------------------------------------------------------------------------------------

    def _validate_shape(
        self,
        monitor_name: str,
        configs: Mapping[str, MonitorConfig],
        image_uri: str | None,
        alarms: Sequence[MonitorAlarm],
        namespaces: Mapping[str, str] | None,
    ) -> None:
        path = self.node.path
        if not configs:
            raise ValueError(
                f"{path}: no monitor type configured: allowed data_quality, model_quality, "
                "model_bias, model_explainability; pass at least one"
            )
        if not _token(monitor_name) and (len(monitor_name) > MAX_MONITOR_NAME or not monitor_name):
            raise ValueError(
                f"{path}: monitor_name is {monitor_name!r}: allowed 1-{MAX_MONITOR_NAME} characters, "
                "since schedule names add -<type> and are limited to 63; shorten it"
            )
        for monitor_type, config in configs.items():
            if not (config.image_uri or image_uri):
                raise ValueError(
                    f"{path}: image_uri is None for {monitor_type}: allowed an ecr image uri; pass "
                    "image_uri= (the regional sagemaker-model-monitor-analyzer image) or set the "
                    "type's image_uri"
                )
        for i, alarm in enumerate(alarms):
            if alarm.monitor_type not in configs:
                raise ValueError(
                    f"{path}: alarms[{i}].monitor_type is {alarm.monitor_type!r}: allowed "
                    f"{', '.join(configs)} (the monitored types); add the monitor or drop the "
                    "alarm (C326)"
                )
            if not alarm.metric_name or alarm.evaluation_periods < 1:
                raise ValueError(
                    f"{path}: alarms[{i}] is {alarm.metric_name!r} over {alarm.evaluation_periods} "
                    "periods: allowed a metric name and at least 1 period; fix the alarm (C326)"
                )
        for key in namespaces or {}:
            if key not in SUFFIX:
                raise ValueError(
                    f"{path}: metric_namespaces key is {key!r}: allowed {', '.join(SUFFIX)}; "
                    "use a monitor type as key (C326)"
                )

    def _runtime(self, monitor_type: str, config: MonitorConfig, schedule: Any) -> int:
        if config.max_runtime is not None:
            return int(config.max_runtime.to_seconds())
        limit = max_runtime_limit(monitor_type, schedule) if schedule is not None else 1800
        return min(limit, 1800 if monitor_type in ("ModelQuality", "ModelBias") else 3600)

    def _check_rules(
        self,
        monitor_name: str,
        configs: Mapping[str, MonitorConfig],
        runtimes: Mapping[str, int],
        image_uri: str | None,
        endpoint_name: str | None,
        batch: BatchTransformInput | None,
        output_s3_uri: str,
        schedule_expression: str,
        start: str | None,
        end: str | None,
        instance_type: str,
        instance_count: int,
        volume_size_in_gb: int,
    ) -> None:
        found: list[Violation] = []
        for monitor_type, c in configs.items():
            found += check_monitor(
                MonitorInput(
                    monitor_type=monitor_type,
                    schedule_expression=schedule_expression,
                    data_analysis_start_time=start,
                    data_analysis_end_time=end,
                    max_runtime_seconds=runtimes[monitor_type],
                    instance_type=instance_type,
                    instance_count=instance_count,
                    volume_size_in_gb=volume_size_in_gb,
                    endpoint_name=endpoint_name,
                    batch_capture_s3_uri=batch.data_captured_destination_s3_uri if batch else None,
                    dataset_format=batch.dataset_format if batch else None,
                    input_local_path=BATCH_LOCAL_PATH if batch else INPUT_LOCAL_PATH,
                    output_local_path=OUTPUT_LOCAL_PATH,
                    output_s3_uri=output_s3_uri,
                    baseline_constraints_uri=c.baseline_constraints_uri,
                    baseline_statistics_uri=getattr(c, "baseline_statistics_uri", None),
                    ground_truth_s3_uri=getattr(c, "ground_truth_s3_uri", None),
                    problem_type=getattr(c, "problem_type", None),
                    analysis_config_uri=getattr(c, "analysis_config_uri", None),
                    record_preprocessor_source_uri=getattr(c, "record_preprocessor_source_uri", None),
                    post_analytics_processor_source_uri=getattr(c, "post_analytics_processor_source_uri", None),
                    start_time_offset=getattr(c, "start_time_offset", None),
                    end_time_offset=getattr(c, "end_time_offset", None),
                    schedule_name=f"{monitor_name}-{SUFFIX[monitor_type]}",
                ),
                is_unresolved=_token,
            )
        if found:
            messages = list(dict.fromkeys(v.message() for v in found))
            raise ValueError(f"{self.node.path}: " + "; ".join(messages))

    # -- resources -----------------------------------------------------------------------------------------

    def _create_role(
        self,
        configs: Mapping[str, MonitorConfig],
        output_s3_uri: str,
        batch: BatchTransformInput | None,
        capture: str | None,
        in_vpc: bool,
    ) -> iam.IRole:
        role = iam.Role(
            self,
            "Role",
            assumed_by=iam.ServicePrincipal("sagemaker.amazonaws.com"),
            description=f"modelgov: Model Monitor jobs of {self.monitor_name}",
        )
        reads: list[str] = []
        for c in configs.values():
            reads += [
                u
                for u in (
                    c.baseline_constraints_uri,
                    getattr(c, "baseline_statistics_uri", None),
                    getattr(c, "ground_truth_s3_uri", None),
                    getattr(c, "analysis_config_uri", None),
                    getattr(c, "record_preprocessor_source_uri", None),
                    getattr(c, "post_analytics_processor_source_uri", None),
                )
                if u
            ]
        reads += [u for u in (batch.data_captured_destination_s3_uri if batch else None, capture) if u]
        partition = cdk.Aws.PARTITION
        read_arns = sorted({_object_arn(partition, u, self.node.path) for u in reads})
        buckets = sorted({_bucket_arn(partition, u, self.node.path) for u in [*reads, output_s3_uri]})
        if read_arns:
            role.add_to_policy(iam.PolicyStatement(sid="ReadInputs", actions=["s3:GetObject"], resources=read_arns))
        role.add_to_policy(
            iam.PolicyStatement(sid="ListBuckets", actions=["s3:ListBucket", "s3:GetBucketLocation"], resources=buckets)
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteReports",
                actions=["s3:PutObject"],
                resources=[_object_arn(partition, output_s3_uri, self.node.path)],
            )
        )
        stack = cdk.Stack.of(self)
        role.add_to_policy(
            iam.PolicyStatement(
                sid="JobLogs",
                actions=["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
                resources=[
                    stack.format_arn(
                        service="logs",
                        resource="log-group",
                        resource_name="/aws/sagemaker/ProcessingJobs:*",
                        arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
                    )
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="MonitorMetrics",
                actions=["cloudwatch:PutMetricData"],
                resources=["*"],
                conditions={
                    "StringLike": {
                        "cloudwatch:namespace": [
                            "*aws/sagemaker/Endpoints/*",
                            "*aws/sagemaker/Endpoint/*",
                            "*aws/sagemaker/ModelMonitoring/*",
                        ]
                    }
                },
            )
        )
        for key in {id(k): k for k in (self.volume_kms_key, self.output_kms_key)}.values():
            key.grant(
                role,
                "kms:Encrypt",
                "kms:Decrypt",
                "kms:ReEncrypt*",
                "kms:GenerateDataKey*",
                "kms:DescribeKey",
                "kms:CreateGrant",
            )
        if in_vpc:
            role.add_to_policy(
                iam.PolicyStatement(
                    sid="VpcInterfaces",
                    actions=[
                        "ec2:CreateNetworkInterface",
                        "ec2:CreateNetworkInterfacePermission",
                        "ec2:DeleteNetworkInterface",
                        "ec2:DeleteNetworkInterfacePermission",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeVpcs",
                        "ec2:DescribeDhcpOptions",
                        "ec2:DescribeSubnets",
                        "ec2:DescribeSecurityGroups",
                    ],
                    resources=["*"],
                )
            )
        cdk.Validations.of(role).acknowledge(
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Resource::*]",
                reason="cloudwatch:PutMetricData and the ec2 network-interface actions SageMaker "
                "needs for VPC jobs support no resource-level scoping; metrics are "
                "limited to the Model Monitor namespaces by condition",
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Action::kms:ReEncrypt*]",
                reason="SageMaker re-encrypts job volumes and reports with the monitor's own key",
            ),
            cdk.Acknowledgment(
                id="AwsSolutions-IAM5[Action::kms:GenerateDataKey*]",
                reason="SageMaker generates data keys of the monitor's own key for volumes and reports",
            ),
        )
        for arn in [*read_arns, _object_arn(partition, output_s3_uri, self.node.path)]:
            cdk.Validations.of(role).acknowledge(
                cdk.Acknowledgment(
                    id=f"AwsSolutions-IAM5[Resource::{_nag_resource(arn)}]",
                    reason="Model Monitor reads baselines, ground truth and capture and writes reports under "
                    "these prefixes only",
                )
            )
        log_arn = stack.format_arn(
            service="logs",
            resource="log-group",
            resource_name="/aws/sagemaker/ProcessingJobs:*",
            arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME,
        )
        cdk.Validations.of(role).acknowledge(
            cdk.Acknowledgment(
                id=f"AwsSolutions-IAM5[Resource::{_nag_resource(log_arn)}]",
                reason="processing jobs create one log stream per job in the SageMaker processing log group",
            )
        )
        return role

    def _job_definition(
        self,
        monitor_type: str,
        c: Any,
        runtime: int,
        image_uri: str | None,
        endpoint_name: str | None,
        batch: BatchTransformInput | None,
        output_s3_uri: str,
        instance_type: str,
        instance_count: int,
        volume_size_in_gb: int,
    ) -> cdk.CfnResource:
        cls = _CFN[monitor_type]
        image = c.image_uri or image_uri
        app: dict[str, Any] = {"image_uri": image, "environment": dict(c.environment) or None}
        if monitor_type in ("DataQuality", "ModelQuality"):
            app["record_preprocessor_source_uri"] = c.record_preprocessor_source_uri
            app["post_analytics_processor_source_uri"] = c.post_analytics_processor_source_uri
        if monitor_type == "ModelQuality":
            app["problem_type"] = c.problem_type
        if monitor_type in ("ModelBias", "ModelExplainability"):
            app["config_uri"] = c.analysis_config_uri
        app_name = {
            "DataQuality": "DataQualityAppSpecificationProperty",
            "ModelQuality": "ModelQualityAppSpecificationProperty",
            "ModelBias": "ModelBiasAppSpecificationProperty",
            "ModelExplainability": "ModelExplainabilityAppSpecificationProperty",
        }[monitor_type]
        attributes: dict[str, Any] = {}
        for name in (
            "features_attribute",
            "inference_attribute",
            "probability_attribute",
            "probability_threshold_attribute",
            "start_time_offset",
            "end_time_offset",
        ):
            if getattr(c, name, None) is not None:
                attributes[name] = getattr(c, name)
        job_input: dict[str, Any] = {}
        if batch is not None:
            job_input["batch_transform_input"] = cls.BatchTransformInputProperty(
                data_captured_destination_s3_uri=batch.data_captured_destination_s3_uri,
                dataset_format=_dataset_format(cls, batch),
                local_path=BATCH_LOCAL_PATH,
                s3_input_mode="File",
                s3_data_distribution_type="FullyReplicated",
                **attributes,
            )
        else:
            job_input["endpoint_input"] = cls.EndpointInputProperty(
                endpoint_name=endpoint_name,
                local_path=INPUT_LOCAL_PATH,
                s3_input_mode="File",
                s3_data_distribution_type="FullyReplicated",
                **attributes,
            )
        if monitor_type in ("ModelQuality", "ModelBias"):
            job_input["ground_truth_s3_input"] = cls.MonitoringGroundTruthS3InputProperty(s3_uri=c.ground_truth_s3_uri)
        input_name = {
            "DataQuality": "DataQualityJobInputProperty",
            "ModelQuality": "ModelQualityJobInputProperty",
            "ModelBias": "ModelBiasJobInputProperty",
            "ModelExplainability": "ModelExplainabilityJobInputProperty",
        }[monitor_type]
        baseline: Any = None
        if c.baseline_constraints_uri or getattr(c, "baseline_statistics_uri", None):
            baseline_kwargs: dict[str, Any] = {}
            if c.baseline_constraints_uri:
                baseline_kwargs["constraints_resource"] = cls.ConstraintsResourceProperty(
                    s3_uri=c.baseline_constraints_uri
                )
            if getattr(c, "baseline_statistics_uri", None):
                baseline_kwargs["statistics_resource"] = cls.StatisticsResourceProperty(
                    s3_uri=c.baseline_statistics_uri
                )
            baseline = getattr(cls, f"{monitor_type}BaselineConfigProperty")(**baseline_kwargs)
        network = cls.NetworkConfigProperty(
            enable_inter_container_traffic_encryption=self.inter_container_traffic_encryption,
            enable_network_isolation=self.network_isolation,
            vpc_config=cls.VpcConfigProperty(
                security_group_ids=[g.security_group_id for g in self.security_groups], subnets=self.subnet_ids
            )
            if self.subnet_ids
            else None,
        )
        kwargs: dict[str, Any] = {
            f"{_snake(monitor_type)}_app_specification": getattr(cls, app_name)(
                **{k: v for k, v in app.items() if v is not None}
            ),
            f"{_snake(monitor_type)}_job_input": getattr(cls, input_name)(**job_input),
            f"{_snake(monitor_type)}_job_output_config": cls.MonitoringOutputConfigProperty(
                kms_key_id=self.output_kms_key.key_arn,
                monitoring_outputs=[
                    cls.MonitoringOutputProperty(
                        s3_output=cls.S3OutputProperty(
                            local_path=OUTPUT_LOCAL_PATH,
                            s3_uri=f"{output_s3_uri.rstrip('/')}/{SUFFIX[monitor_type]}",
                            s3_upload_mode="EndOfJob",
                        )
                    )
                ],
            ),
            "job_resources": cls.MonitoringResourcesProperty(
                cluster_config=cls.ClusterConfigProperty(
                    instance_count=instance_count,
                    instance_type=instance_type,
                    volume_size_in_gb=volume_size_in_gb,
                    volume_kms_key_id=self.volume_kms_key.key_arn,
                )
            ),
            "network_config": network,
            "role_arn": self.role.role_arn,
            "stopping_condition": cls.StoppingConditionProperty(max_runtime_in_seconds=runtime),
            "endpoint_name": endpoint_name if batch is None else None,
            "tags": [cdk.CfnTag(key=k, value=v) for k, v in sorted(self._tags.items())] or None,
        }
        if baseline is not None:
            kwargs[f"{_snake(monitor_type)}_baseline_config"] = baseline
        definition: cdk.CfnResource = cls(self, f"{monitor_type}JobDefinition", **kwargs)
        # The created role's policy (read, write, KMS) must exist before a first run can use it.
        policy = self.role.node.try_find_child("DefaultPolicy")
        if policy is not None:
            definition.node.add_dependency(policy)
        return definition

    def _schedule(
        self, monitor_type: str, definition: cdk.CfnResource, expression: str, start: str | None, end: str | None
    ) -> sagemaker.CfnMonitoringSchedule:
        cls = sagemaker.CfnMonitoringSchedule
        schedule = cls(
            self,
            f"{monitor_type}Schedule",
            monitoring_schedule_name=f"{self.monitor_name}-{SUFFIX[monitor_type]}",
            monitoring_schedule_config=cls.MonitoringScheduleConfigProperty(
                monitoring_job_definition_name=cdk.Fn.get_att(definition.logical_id, "JobDefinitionName").to_string(),
                monitoring_type=monitor_type,
                schedule_config=cls.ScheduleConfigProperty(
                    schedule_expression=expression, data_analysis_start_time=start, data_analysis_end_time=end
                ),
            ),
            endpoint_name=self.endpoint_name if self.batch_transform_input is None else None,
            tags=[cdk.CfnTag(key=k, value=v) for k, v in sorted(self._tags.items())] or None,
        )
        # Fn::GetAtt orders the schedule after its job definition (and before it on delete); an extra
        # DependsOn would be the obsolete duplicate cfn-lint W3005 reports.
        return schedule

    def _create_topic(self) -> sns.ITopic:
        topic = sns.Topic(
            self,
            "AlarmTopic",
            master_key=self.key,
            enforce_ssl=True,
            display_name=f"modelgov Model Monitor {self.monitor_name}",
        )
        assert self.key is not None  # created whenever no alarm_topic is given
        # No aws:SourceAccount condition: EventBridge's delivery to an encrypted topic does not send it.
        for service in ("events.amazonaws.com", "cloudwatch.amazonaws.com"):
            self.key.grant(iam.ServicePrincipal(service), "kms:Decrypt", "kms:GenerateDataKey*")
        return topic

    def _alarm(self, index: int, alarm: MonitorAlarm, namespaces: Mapping[str, str]) -> cloudwatch.Alarm:
        batch = self.batch_transform_input is not None
        namespace = (
            alarm.namespace
            or namespaces.get(alarm.monitor_type)
            or DEFAULT_NAMESPACES[alarm.monitor_type][1 if batch else 0]
        )
        schedule_name = self.schedules[alarm.monitor_type].monitoring_schedule_name
        dimensions = (
            dict(alarm.dimensions)
            if alarm.dimensions is not None
            else _default_dimensions(alarm.monitor_type, schedule_name, self.endpoint_name, batch)
        )
        metric = cloudwatch.Metric(
            namespace=namespace,
            metric_name=alarm.metric_name,
            statistic=alarm.statistic,
            dimensions_map=dimensions,
            period=cdk.Duration.hours(1),
        )
        created = cloudwatch.Alarm(
            self,
            f"Alarm{index}",
            metric=metric,
            threshold=alarm.threshold,
            comparison_operator=alarm.comparison_operator,
            evaluation_periods=alarm.evaluation_periods,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
            alarm_description=f"modelgov: {alarm.monitor_type} {alarm.metric_name} of {schedule_name}",
        )
        created.add_alarm_action(cw_actions.SnsAction(self.alarm_topic))
        return created

    def _failure_rules(self) -> None:
        names = [s.monitoring_schedule_name for s in self.schedules.values()]
        arns = [s.attr_monitoring_schedule_arn for s in self.schedules.values()]
        self.schedule_failed_rule = events.Rule(
            self,
            "ScheduleFailedRule",
            description=f"modelgov: a monitoring schedule of {self.monitor_name} failed",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[SCHEDULE_EVENT],
                detail={"MonitoringScheduleName": names, "MonitoringScheduleStatus": ["Failed"]},
            ),
        )
        self.execution_failed_rule = events.Rule(
            self,
            "ExecutionFailedRule",
            description=f"modelgov: a monitoring execution of {self.monitor_name} failed",
            event_pattern=events.EventPattern(
                source=["aws.sagemaker"],
                detail_type=[EXECUTION_EVENT],
                detail={"MonitoringScheduleArn": arns, "ProcessingJobStatus": ["Failed"]},
            ),
        )
        for rule in (self.schedule_failed_rule, self.execution_failed_rule):
            rule.add_target(targets.SnsTopic(self.alarm_topic))

    # -- views ----------------------------------------------------------------------------------------------

    def job_settings(self, monitor_type: str) -> JobSettings:
        """What the job definition of `monitor_type` sends, for the engine (builders.monitoring_context).

        Values only known at deploy time (key ARNs, subnet and security group ids) become stable literal
        placeholders: the guardrail keys test presence and booleans, and presence is what the props decide.
        """
        stack = cdk.Stack.of(self)
        account = stack.account if not cdk.Token.is_unresolved(stack.account) else "123456789012"
        region = stack.region if not cdk.Token.is_unresolved(stack.region) else "us-east-1"

        def key_arn(key: kms.IKey, name: str) -> str:
            arn = key.key_arn
            return f"arn:aws:kms:{region}:{account}:key/{name}" if cdk.Token.is_unresolved(arn) else arn

        def literal(values: Sequence[str], prefix: str) -> tuple[str, ...]:
            return tuple(f"{prefix}-{i:08x}" if cdk.Token.is_unresolved(v) else v for i, v in enumerate(values))

        return JobSettings(
            monitor_type=monitor_type,
            instance_type=self.instance_type,
            max_runtime_seconds=self.max_runtime_seconds[monitor_type],
            volume_kms_key_arn=key_arn(self.volume_kms_key, "volume"),
            output_kms_key_arn=key_arn(self.output_kms_key, "output"),
            subnets=literal(self.subnet_ids, "subnet"),
            security_group_ids=literal([g.security_group_id for g in self.security_groups], "sg"),
            inter_container_traffic_encryption=self.inter_container_traffic_encryption,
            network_isolation=self.network_isolation,
            tags=dict(self._tags),
        )


def analyzer_image_uri(region: str) -> str:
    """The regional sagemaker-model-monitor-analyzer image (China regions use amazonaws.com.cn)."""
    if region not in ANALYZER_REGISTRIES:
        raise ValueError(
            f"region is {region!r}: modelgov knows the model monitor analyzer image for "
            f"{', '.join(sorted(ANALYZER_REGISTRIES))}; pass image_uri for other regions"
        )
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{ANALYZER_REGISTRIES[region]}.dkr.ecr.{region}.{suffix}/sagemaker-model-monitor-analyzer"


def _token(value: object) -> bool:
    return isinstance(value, str) and cdk.Token.is_unresolved(value)


def _selection(selection: ec2.SubnetSelection | None) -> dict[str, Any]:
    if selection is None:
        return {}
    return {
        k: v
        for k, v in {
            "availability_zones": selection.availability_zones,
            "one_per_az": selection.one_per_az,
            "subnet_filters": selection.subnet_filters,
            "subnet_group_name": selection.subnet_group_name,
            "subnets": selection.subnets,
            "subnet_type": selection.subnet_type,
        }.items()
        if v is not None
    }


def _dataset_format(cls: Any, batch: BatchTransformInput) -> Any:
    if batch.dataset_format == "csv":
        return cls.DatasetFormatProperty(csv=cls.CsvProperty(header=batch.header))
    if batch.dataset_format == "json":
        return cls.DatasetFormatProperty(json=cls.JsonProperty(line=batch.json_lines))
    return cls.DatasetFormatProperty(parquet=True)


def _default_dimensions(monitor_type: str, schedule: str, endpoint: str | None, batch: bool) -> dict[str, str]:
    if batch or endpoint is None:
        return {"MonitoringSchedule": schedule}
    if monitor_type == "DataQuality":
        return {"EndpointName": endpoint, "ScheduleName": schedule}
    return {"Endpoint": endpoint, "MonitoringSchedule": schedule}


def _split_s3(uri: str, path: str) -> tuple[str, str]:
    if cdk.Token.is_unresolved(uri) or not uri.startswith("s3://"):
        raise ValueError(
            f"{path}: s3 location is {uri!r}: allowed a literal s3://bucket/key when the role is "
            "created here; pass role= to use locations known only at deploy time"
        )
    bucket, _, key = uri[len("s3://") :].partition("/")
    return bucket, key


def _bucket_arn(partition: str, uri: str, path: str) -> str:
    bucket, _ = _split_s3(uri, path)
    return f"arn:{partition}:s3:::{bucket}"


def _object_arn(partition: str, uri: str, path: str) -> str:
    bucket, key = _split_s3(uri, path)
    key = key.rstrip("*")
    if not key:
        return f"arn:{partition}:s3:::{bucket}/*"
    if key.endswith("/") or "." not in key.rsplit("/", 1)[-1]:
        return f"arn:{partition}:s3:::{bucket}/{key.rstrip('/')}/*"
    return f"arn:{partition}:s3:::{bucket}/{key}"


def _nag_resource(arn: str) -> str:
    """cdk-nag prints tokens of a resource as <AWS::Partition>; mirror that for granular acknowledgements."""
    return (
        arn.replace(cdk.Aws.PARTITION, "<AWS::Partition>")
        .replace(cdk.Aws.REGION, "<AWS::Region>")
        .replace(cdk.Aws.ACCOUNT_ID, "<AWS::AccountId>")
    )


def _snake(monitor_type: str) -> str:
    return {
        "DataQuality": "data_quality",
        "ModelQuality": "model_quality",
        "ModelBias": "model_bias",
        "ModelExplainability": "model_explainability",
    }[monitor_type]
