"""Shared builders for the Model Monitor construct tests: a stack with an isolated VPC and valid props."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import aws_cdk as cdk
import pytest
from aws_cdk import aws_ec2 as ec2

from modelgov.constructs.model_monitor import (
    DataQualityMonitor,
    ModelBiasMonitor,
    ModelExplainabilityMonitor,
    ModelMonitor,
    ModelQualityMonitor,
)

IMAGE = "156813124566.dkr.ecr.us-east-1.amazonaws.com/sagemaker-model-monitor-analyzer"
DQ = DataQualityMonitor(
    baseline_constraints_uri="s3://baselines/churn/constraints.json",
    baseline_statistics_uri="s3://baselines/churn/statistics.json",
)
MQ = ModelQualityMonitor(
    problem_type="BinaryClassification", ground_truth_s3_uri="s3://labels/churn/", inference_attribute="0"
)
BIAS = ModelBiasMonitor(
    analysis_config_uri="s3://clarify/churn/analysis_config.json", ground_truth_s3_uri="s3://labels/churn/"
)
EXPLAIN = ModelExplainabilityMonitor(analysis_config_uri="s3://clarify/churn/analysis_config.json")


def new_stack() -> tuple[cdk.Stack, ec2.Vpc]:
    app = cdk.App()
    stack = cdk.Stack(app, "Monitoring", env=cdk.Environment(account="555555555555", region="us-east-1"))
    vpc = ec2.Vpc(
        stack,
        "Vpc",
        nat_gateways=0,
        max_azs=2,
        subnet_configuration=[ec2.SubnetConfiguration(name="isolated", subnet_type=ec2.SubnetType.PRIVATE_ISOLATED)],
    )
    return stack, vpc


def monitor_props(default_vpc: ec2.IVpc | None, **overrides: Any) -> dict[str, Any]:
    props: dict[str, Any] = {
        "monitor_name": "churn",
        "output_s3_uri": "s3://reports/monitor",
        "image_uri": IMAGE,
        "endpoint_name": "churn-prod",
        "data_capture_s3_uri": "s3://capture/churn/",
        "data_quality": DQ,
        "vpc": default_vpc,
    }
    props.update(overrides)
    return props


@pytest.fixture
def build() -> Callable[..., tuple[cdk.Stack, ModelMonitor]]:
    """build(**overrides) -> (stack, monitor) with valid defaults."""

    def make(**overrides: Any) -> tuple[cdk.Stack, ModelMonitor]:
        stack, vpc = new_stack()
        monitor = ModelMonitor(stack, "Monitor", **monitor_props(vpc, **overrides))
        return stack, monitor

    return make
