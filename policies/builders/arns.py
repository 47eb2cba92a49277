"""ARN formats for the registry resources, partition-safe: the partition is always a parameter."""

from __future__ import annotations


def group_arn(partition: str, region: str, account: str, group: str) -> str:
    return f"arn:{partition}:sagemaker:{region}:{account}:model-package-group/{group}"


def versions_arn(partition: str, region: str, account: str, group: str) -> str:
    """Every version of a group: versions live under model-package/<group>/<n>."""
    return f"arn:{partition}:sagemaker:{region}:{account}:model-package/{group}/*"


def account_root(partition: str, account: str) -> str:
    return f"arn:{partition}:iam::{account}:root"
