"""EventBridge patterns for SageMaker model package state changes (approval and ModelLifeCycle).

SageMaker sends one detail-type, "SageMaker Model Package State Change", for every change of a version,
approval and lifecycle alike (seed 000 L2614-2623). The documented rule matches all of them; governance
rules narrow it with `detail` filters so that a deployment target only sees the changes it acts on.
Lifecycle fields sit under `detail.ModelLifeCycle` (Stage, StageStatus), as in the API's ModelLifeCycle
structure; events without that block never match a stage filter, which is the intended fail-closed side.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

SOURCE = "aws.sagemaker"
DETAIL_TYPE = "SageMaker Model Package State Change"
APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")
# ModelLifeCycle Stage/StageStatus and group names share the SageMaker name grammar.
_NAME = re.compile(r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


def _names(field: str, values: Sequence[str]) -> list[str]:
    bad = [v for v in values if not _NAME.match(v)]
    if bad:
        raise ValueError(f"{field}: {', '.join(map(repr, bad))} not a SageMaker name; use 1-63 letters, digits "
                         "and hyphens, starting and ending with a letter or digit")
    return sorted(set(values))


def model_package_state_change_pattern(
    *,
    groups: Sequence[str] = (),
    approval_statuses: Sequence[str] = (),
    stages: Sequence[str] = (),
    stage_statuses: Sequence[str] = (),
    accounts: Sequence[str] = (),
) -> dict[str, Any]:
    """The rule pattern; an empty filter list means "any value" for that field.

    Values are sorted and de-duplicated so the pattern (and so the rule) does not change with spec order.
    """
    unknown = [s for s in approval_statuses if s not in APPROVAL_STATUSES]
    if unknown:
        raise ValueError(f"approval_statuses: {', '.join(map(repr, unknown))} not a ModelApprovalStatus; "
                         f"use {', '.join(APPROVAL_STATUSES)}")
    bad_accounts = [a for a in accounts if not re.fullmatch(r"\d{12}", a)]
    if bad_accounts:
        raise ValueError(f"accounts: {', '.join(map(repr, bad_accounts))} not a 12-digit account id")
    detail: dict[str, Any] = {}
    if groups:
        detail["ModelPackageGroupName"] = _names("groups", groups)
    if approval_statuses:
        detail["ModelApprovalStatus"] = sorted(set(approval_statuses))
    lifecycle: dict[str, Any] = {}
    if stages:
        lifecycle["Stage"] = _names("stages", stages)
    if stage_statuses:
        lifecycle["StageStatus"] = _names("stage_statuses", stage_statuses)
    if lifecycle:
        detail["ModelLifeCycle"] = lifecycle
    pattern: dict[str, Any] = {"source": [SOURCE], "detail-type": [DETAIL_TYPE]}
    if accounts:
        pattern["account"] = sorted(set(accounts))
    if detail:
        pattern["detail"] = detail
    return pattern


def organization_put_events_statement(*, bus_arn: str, organization_id: str, sid: str = "OrganizationPutEvents"
                                      ) -> dict[str, Any]:
    """Bus policy statement: any principal of the organization may put events, nobody else.

    `aws:PrincipalOrgID` is checked on the calling principal, so a rule in any member account can forward
    to the bus without listing accounts, and an account leaving the organization loses access at once.
    """
    if not ORG_ID.match(organization_id):
        raise ValueError(f"organization id {organization_id!r} is not o- followed by 10-32 lowercase letters or "
                         "digits; copy it from the organizations console")
    return {
        "Sid": sid,
        "Effect": "Allow",
        "Principal": {"AWS": "*"},
        "Action": "events:PutEvents",
        "Resource": bus_arn,
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": organization_id}},
    }
