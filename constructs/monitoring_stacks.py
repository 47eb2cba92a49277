"""Monitoring stacks of the reference app: one per account that runs monitors (governance.yaml monitoring.monitors).

Each stack holds an isolated VPC for the jobs (no internet route; S3 through a gateway endpoint, CloudWatch
metrics and logs through interface endpoints, flow logs on) and one ModelMonitor per monitor of that
account. The VPC and traffic-encryption settings follow monitoring.guardrails, so the jobs pass the
monitoring guardrail SCP that the organization stack attaches.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from modelgov.policies.spec import GovernanceSpec
from modelgov.policies.spec.monitoring import MonitorSpec
from modelgov.policies.spec.naming import construct_id

from .model_monitor import (
    BatchTransformInput,
    DataQualityMonitor,
    ModelBiasMonitor,
    ModelExplainabilityMonitor,
    ModelMonitor,
    ModelQualityMonitor,
    MonitorAlarm,
    analyzer_image_uri,
)

STACK_PREFIX = "modelgov-monitoring"


class MonitoringStack(cdk.Stack):
    """The monitors of one account, in an isolated VPC."""

    @property
    def availability_zones(self) -> list[str]:
        """Two zones by Fn::GetAZs: synth needs no AWS lookup and no zone name is hard-coded (cfn-lint W3010)."""
        return [cdk.Fn.select(i, cdk.Fn.get_azs()) for i in range(2)]

    def __init__(
        self, scope: Construct, id: str, *, spec: GovernanceSpec, monitors: list[MonitorSpec], **kwargs: Any
    ) -> None:
        super().__init__(scope, id, **kwargs)
        guardrails = spec.monitoring.guardrails
        self.vpc = ec2.Vpc(
            self,
            "Vpc",
            max_azs=2,
            nat_gateways=0,
            subnet_configuration=[
                ec2.SubnetConfiguration(name="jobs", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED, cidr_mask=24)
            ],
            gateway_endpoints={"S3": ec2.GatewayVpcEndpointOptions(service=ec2.GatewayVpcEndpointAwsService.S3)},
            flow_logs={"FlowLogs": ec2.FlowLogOptions(traffic_type=ec2.FlowLogTrafficType.REJECT)},
        )
        # Interface endpoints accept HTTPS from the monitors' security groups only (not the whole VPC).
        endpoints = [
            self.vpc.add_interface_endpoint(name, service=service, open=False)
            for name, service in (
                ("Metrics", ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_MONITORING),
                ("Logs", ec2.InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS),
            )
        ]
        self.monitors: dict[str, ModelMonitor] = {}
        for monitor in monitors:
            try:
                self.monitors[monitor.name] = _monitor(
                    self, monitor, self.vpc, require_vpc=guardrails.require_vpc, encrypt_traffic=True
                )
            except ValueError as error:
                index = spec.monitoring.monitors.index(monitor)
                raise ValueError(
                    f"governance spec monitoring.monitors[{index}] ({monitor.name}): {_spec_terms(str(error))}"
                ) from None
            for group in self.monitors[monitor.name].security_groups:
                for endpoint in endpoints:
                    endpoint.connections.allow_default_port_from(group, f"monitoring jobs of {monitor.name}")


def _monitor(
    scope: Construct, m: MonitorSpec, vpc: ec2.IVpc, *, require_vpc: bool, encrypt_traffic: bool
) -> ModelMonitor:
    if m.output_s3_uri is None:
        raise ValueError("output_s3_uri is missing; set the s3:// prefix for monitoring reports")
    region = cdk.Stack.of(scope).region
    runtime = cdk.Duration.seconds(m.max_runtime_seconds)
    configs: dict[str, Any] = {}
    if "DataQuality" in m.types:
        if not (m.baseline_constraints_uri and m.baseline_statistics_uri):
            raise ValueError(
                "DataQuality needs baseline_constraints_uri and baseline_statistics_uri; "
                "run a baselining job and set both"
            )
        configs["data_quality"] = DataQualityMonitor(
            baseline_constraints_uri=m.baseline_constraints_uri,
            baseline_statistics_uri=m.baseline_statistics_uri,
            max_runtime=runtime,
        )
    if "ModelQuality" in m.types:
        if not (m.problem_type and m.ground_truth_s3_uri):
            raise ValueError("ModelQuality needs problem_type and ground_truth_s3_uri; set both")
        configs["model_quality"] = ModelQualityMonitor(
            problem_type=m.problem_type,
            ground_truth_s3_uri=m.ground_truth_s3_uri,
            baseline_constraints_uri=m.baseline_constraints_uri,
            max_runtime=runtime,
        )
    if "ModelBias" in m.types:
        if not (m.analysis_config_uri and m.ground_truth_s3_uri):
            raise ValueError("ModelBias needs analysis_config_uri and ground_truth_s3_uri; set both")
        configs["model_bias"] = ModelBiasMonitor(
            analysis_config_uri=m.analysis_config_uri, ground_truth_s3_uri=m.ground_truth_s3_uri, max_runtime=runtime
        )
    if "ModelExplainability" in m.types:
        if not m.analysis_config_uri:
            raise ValueError("ModelExplainability needs analysis_config_uri; set it")
        configs["model_explainability"] = ModelExplainabilityMonitor(
            analysis_config_uri=m.analysis_config_uri, max_runtime=runtime
        )
    return ModelMonitor(
        scope,
        construct_id(m.name, "Monitor"),
        monitor_name=m.name,
        output_s3_uri=m.output_s3_uri,
        image_uri=m.image_uri or analyzer_image_uri(region),
        endpoint_name=m.endpoint_name,
        batch_transform_input=BatchTransformInput(m.batch_transform_input) if m.batch_transform_input else None,
        data_capture_s3_uri=m.data_capture_s3_uri,
        schedule_expression=m.schedule,
        instance_type=m.instance_type,
        instance_count=m.instance_count,
        volume_size_in_gb=m.volume_size_gb,
        vpc=vpc,
        require_vpc=require_vpc,
        inter_container_traffic_encryption=encrypt_traffic,
        network_isolation=m.network_isolation,
        alarms=[MonitorAlarm.feature_drift(f) for f in m.drift_alarm_features],
        tags={"modelgov:monitor": m.name},
        **configs,
    )


# ModelMonitor property names as governance.yaml spells them.
_SPEC_FIELDS = {
    "schedule_expression": "schedule",
    "max_runtime": "max_runtime_seconds",
    "volume_size_in_gb": "volume_size_gb",
}


def _spec_terms(message: str) -> str:
    for prop, field in _SPEC_FIELDS.items():
        message = message.replace(f"{prop} is ", f"{field} is ").replace(f"lower {prop} ", f"lower {field} ")
    return message


def build_monitoring_stacks(app: cdk.App, spec: GovernanceSpec) -> dict[str, cdk.Stack]:
    """One MonitoringStack per account with monitors; returns them by short name (monitoring-<account>)."""
    org = spec.organization
    by_account: dict[str, list[MonitorSpec]] = {}
    for monitor in spec.monitoring.monitors:
        by_account.setdefault(monitor.account, []).append(monitor)
    stacks: dict[str, cdk.Stack] = {}
    for account, monitors in by_account.items():
        account_id = org.account_id(account)
        label = next((a.name for a in org.accounts if a.id == account_id), account_id)
        stacks[f"monitoring-{label}"] = MonitoringStack(
            app,
            f"{STACK_PREFIX}-{label}",
            spec=spec,
            monitors=monitors,
            env=cdk.Environment(account=account_id, region=org.primary_region),
            description=f"modelgov: Model Monitor schedules, alarms and failure events of account {label}",
        )
    return stacks
