"""Custom resource in a consumer account outside the organization: accept the owner's RAM invitation.

Shares to accounts outside the organization arrive as PENDING invitations that the consumer must accept
(seed 000 L3486-3508); CloudFormation has no resource for that. Create and Update accept every PENDING
invitation from the owner account (optionally only for one share name), then crhelper polls once a minute
until ListModelPackageGroups(CrossAccountFilterOption="CrossAccount") lists every expected group. Delete
is a no-op: leaving a share is the owner's decision (DisassociateResourceShare).

Properties: OwnerAccount (12 digits), ModelPackageGroupArns (list), ResourceShareName (optional),
TimeoutSeconds (default 900). Attribute: VisibleGroups (count).
The crhelper resource whose timeout FAILED is final, the lazy clients and the TimeoutSeconds check come from
polling_resource (lambdas/_shared, copied into the asset): crhelper (which imports boto3), clients and the
CfnResource are loaded on first use (keeps the cold import small); tests put stubbed clients in `_clients`.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time

from polling_resource import Clients, FinalResource, Pending, error_code, timeout_seconds

logger = logging.getLogger(__name__)

DEFAULT_TIMEOUT_SECONDS = 900
ACCOUNT = re.compile(r"^\d{12}$")
GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package-group/"
                       r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
TRANSIENT = frozenset({"ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException",
                       "ServerInternalException", "InternalFailure", "RequestLimitExceeded", "ThrottledException"})

_clients = Clients()
clock = time.time


def _properties(event):
    props = event.get("ResourceProperties", {})
    owner = props.get("OwnerAccount", "")
    groups = props.get("ModelPackageGroupArns", [])
    share_name = props.get("ResourceShareName") or None
    if not ACCOUNT.match(owner):
        raise ValueError(f"OwnerAccount {owner!r} is not a 12-digit account id; pass the registry account's id")
    if not isinstance(groups, list) or not groups:
        raise ValueError("ModelPackageGroupArns must list at least one model package group arn")
    bad = [g for g in groups if not GROUP_ARN.match(g) or g.split(":")[4] != owner]
    if bad:
        raise ValueError(f"ModelPackageGroupArns {', '.join(bad)}: each must be a model package group arn of "
                         f"account {owner}")
    return owner, sorted(set(groups)), share_name, timeout_seconds(props, DEFAULT_TIMEOUT_SECONDS)


def _physical_id(owner, groups):
    return f"ram-consumer:{owner}:{hashlib.sha256('|'.join(groups).encode()).hexdigest()[:16]}"


def _accept_pending(owner, share_name):
    """Accept PENDING invitations from `owner`; returns (accepted now, statuses seen)."""
    ram = _clients["ram"]
    accepted, statuses = 0, set()
    for page in ram.get_paginator("get_resource_share_invitations").paginate():
        for invitation in page["resourceShareInvitations"]:
            if invitation.get("senderAccountId") != owner:
                continue
            if share_name and invitation.get("resourceShareName") != share_name:
                continue
            statuses.add(invitation.get("status"))
            if invitation.get("status") != "PENDING":
                continue
            arn = invitation["resourceShareInvitationArn"]
            try:
                ram.accept_resource_share_invitation(resourceShareInvitationArn=arn,
                                                     clientToken=hashlib.sha256(arn.encode()).hexdigest()[:64])
                accepted += 1
            except Exception as error:
                if error_code(error) != "ResourceShareInvitationAlreadyAcceptedException":
                    raise
    return accepted, statuses


def _visible_groups():
    pages = _clients["sagemaker"].get_paginator("list_model_package_groups").paginate(
        CrossAccountFilterOption="CrossAccount")
    return {g["ModelPackageGroupArn"] for page in pages for g in page["ModelPackageGroupSummaryList"]}


def _step(owner, groups, share_name):
    accepted, statuses = _accept_pending(owner, share_name)
    if statuses and statuses <= {"EXPIRED", "REJECTED"}:
        raise RuntimeError(f"invitations from {owner} are {' and '.join(sorted(statuses))}; ask the owner to "
                           "share again, then update this stack")
    visible = _visible_groups()  # one CrossAccount listing per poll, however many groups are expected
    missing = [g.rsplit("/", 1)[1] for g in groups if g not in visible]
    if missing:
        raise Pending(f"{', '.join(missing)} of {owner} not discoverable yet (CrossAccount listing)")
    if accepted:
        logger.info("accepted %d invitation(s) from %s", accepted, owner)


def _poll(event, _context):
    owner, groups, share_name, timeout = _properties(event)
    data = event.get("CrHelperData", {})
    deadline = float(data.get("Deadline", clock() + timeout))
    try:
        _step(owner, groups, share_name)
    except Pending as pending:
        if clock() > deadline:
            raise RuntimeError(f"{pending} after {timeout} s; the owner must share them with this account and "
                               "promote policy-created shares") from None
        logger.info("waiting: %s", pending)
        return None
    except RuntimeError:
        raise
    except Exception as error:
        code = error_code(error)
        if code in TRANSIENT and clock() <= deadline:
            logger.warning("transient %s, retrying on the next poll", code)
            return None
        raise RuntimeError(f"accepting the share from {owner} failed: {code or type(error).__name__}: "
                           f"{error}") from error
    out = _resource.helper.Data
    out.pop("Deadline", None)
    out["VisibleGroups"] = str(len(groups))
    return _physical_id(owner, groups)


def _start(event, _context):
    owner, groups, _, timeout = _properties(event)
    _resource.helper.Data.update({"Deadline": clock() + timeout})
    return _physical_id(owner, groups)


def _delete(event, _context):
    logger.info("delete is a no-op: the owner removes consumers from the share")
    return event.get("PhysicalResourceId")


_resource = FinalResource(create=_start, update=_start, poll=_poll, delete=_delete)


def handler(event, context):
    _resource(event, context)
