"""Custom resource: promote the RAM share that a model package group's resource policy created.

PutModelPackageGroupPolicy makes RAM create a CREATED_FROM_POLICY share, which keeps the group accessible
but not discoverable until its permission (PromotePermissionCreatedFromPolicy, which needs a name) and then
the share (PromoteResourceShareCreatedFromPolicy) are promoted; CloudFormation has no resource for either
(seed 000 L3653-3686). Create and Update start the promotion, then crhelper polls once a minute until every
share of the group reads featureSet STANDARD. Delete is a no-op: a promoted share cannot be demoted.

Properties: ModelPackageGroupArn, PermissionName (1-36 of letters, digits, '_', '.', '-'),
TimeoutSeconds (default 900). Attributes: ResourceShareArns (comma-separated), PermissionName.
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

RESOURCE_TYPE = "sagemaker:ModelPackageGroup"
DEFAULT_TIMEOUT_SECONDS = 900
GROUP_ARN = re.compile(r"^arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:model-package-group/"
                       r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$")
PERMISSION_NAME = re.compile(r"^[\w.-]{1,36}$")
TRANSIENT = frozenset({"ThrottlingException", "TooManyRequestsException", "ServiceUnavailableException",
                       "ServerInternalException", "InternalFailure", "RequestLimitExceeded"})

_clients = Clients()
clock = time.time


def _properties(event):
    props = event.get("ResourceProperties", {})
    group_arn = props.get("ModelPackageGroupArn", "")
    name = props.get("PermissionName", "")
    if not GROUP_ARN.match(group_arn):
        raise ValueError(f"ModelPackageGroupArn {group_arn!r} is not a model package group arn; pass "
                         "arn:<partition>:sagemaker:<region>:<account>:model-package-group/<name>")
    if not PERMISSION_NAME.match(name):
        raise ValueError(f"PermissionName {name!r} must be 1-36 letters, digits, '_', '.' or '-'")
    return group_arn, name, timeout_seconds(props, DEFAULT_TIMEOUT_SECONDS)


def _group_name(group_arn):
    return group_arn.rsplit("/", 1)[1]


def _physical_id(group_arn, name):
    return f"ram-promotion:{group_arn}:{name}"


def _shares(group_arn):
    """featureSet by share ARN for every share the group is associated with."""
    ram = _clients["ram"]
    arns = []
    for page in ram.get_paginator("get_resource_share_associations").paginate(
            associationType="RESOURCE", resourceArn=group_arn):
        arns += [a["resourceShareArn"] for a in page["resourceShareAssociations"]
                 if a.get("status") in ("ASSOCIATED", "ASSOCIATING")]
    if not arns:
        return {}
    shares = {}
    for page in ram.get_paginator("get_resource_shares").paginate(resourceOwner="SELF",
                                                                  resourceShareArns=sorted(set(arns))):
        shares.update({s["resourceShareArn"]: s.get("featureSet", "STANDARD") for s in page["resourceShares"]})
    return shares


def _pages(call, key, **params):
    """Items of a RAM list call that has no botocore paginator (nextToken loop)."""
    while True:
        page = call(**params)
        yield from page.get(key, [])
        if not page.get("nextToken"):
            return
        params["nextToken"] = page["nextToken"]


def _promoted_permission(name):
    """The customer managed permission this resource promotes the group's policy permission to, if any.

    It is the durable mark that a CREATED_FROM_POLICY share of the group was seen and promoted (by this
    request or an earlier one); crhelper's scheduled poll input is fixed, so the handler cannot keep state.
    """
    permissions = _pages(_clients["ram"].list_permissions, "permissions", resourceType=RESOURCE_TYPE,
                         permissionType="CUSTOMER_MANAGED")
    return next((p for p in permissions if p.get("name") == name), None)


def _policy_permission(share_arn):
    for permission in _pages(_clients["ram"].list_resource_share_permissions, "permissions",
                             resourceShareArn=share_arn):
        if permission.get("featureSet") == "CREATED_FROM_POLICY":
            return permission["arn"]
    return None


def _created_at(permission):
    created = permission.get("creationTime")
    return created.timestamp() if hasattr(created, "timestamp") else 0.0


def _promote(share_arn, name, group, since):
    """Promote the share's policy permission (unless done before), then the share.

    UnmatchedPolicyPermissionException right after the permission was promoted (in this request) is RAM
    catching up: Pending. With a permission promoted before this request it is a real mismatch: raise.
    """
    ram = _clients["ram"]
    permission_arn = _policy_permission(share_arn)
    promoted = _promoted_permission(name)
    if permission_arn and promoted is None:
        token = hashlib.sha256(f"{permission_arn}|{name}".encode()).hexdigest()[:64]
        ram.promote_permission_created_from_policy(permissionArn=permission_arn, name=name, clientToken=token)
    try:
        ram.promote_resource_share_created_from_policy(resourceShareArn=share_arn)
    except Exception as error:
        code = error_code(error)
        if code == "UnmatchedPolicyPermissionException" and (promoted is None or _created_at(promoted) >= since):
            raise Pending(_fail_reason(error, group)) from None
        if code != "InvalidStateTransitionException":  # already promoting
            raise


def _step(group_arn, name, since=0.0):
    """Advance the promotion by one step; returns the STANDARD share ARNs when the group is promoted.

    Promoted means: every share of the group reads STANDARD and the group's policy permission has been
    promoted under `name`. A STANDARD share alone (RegistryShare's own) is not enough: RAM may not have
    created the policy share yet.
    """
    group = _group_name(group_arn)
    shares = _shares(group_arn)
    if not shares:
        raise Pending(f"no resource share is associated with {group} yet; RAM creates one after "
                      "the group gets a resource policy")
    waiting = []
    for share_arn, feature_set in sorted(shares.items()):
        if feature_set == "CREATED_FROM_POLICY":
            _promote(share_arn, name, group, since)
        if feature_set != "STANDARD":
            waiting.append(f"{share_arn} is {feature_set}")
    if waiting:
        raise Pending("; ".join(waiting))
    if _promoted_permission(name) is None:
        raise Pending(f"no share created from the resource policy of {group} has been promoted (permission "
                      f"{name} does not exist); put a resource policy on the group so RAM creates one")
    return sorted(shares)


def _fail_reason(error, group):
    code = error_code(error)
    if code == "OperationNotPermittedException":
        return (f"{group} cannot be promoted (OperationNotPermittedException): its resource policy has a role "
                "principal or Action \"*\"; use account principals and explicit actions. The group stays "
                "accessible but not discoverable")
    if code == "UnmatchedPolicyPermissionException":
        return (f"{group} share cannot be promoted (UnmatchedPolicyPermissionException): no managed permission "
                "matches the policy; promote its permission first or align the group policy with it")
    return f"promotion of {group} failed: {code or type(error).__name__}: {error}"


def _poll(event, _context):
    group_arn, name, timeout = _properties(event)
    deadline = float(event.get("CrHelperData", {}).get("Deadline", clock() + timeout))
    try:
        shares = _step(group_arn, name, deadline - timeout)
    except Pending as pending:
        if clock() > deadline:
            raise RuntimeError(f"{_group_name(group_arn)} not promoted within {timeout} s: {pending}") from None
        logger.info("promotion pending: %s", pending)
        return None
    except Exception as error:
        if error_code(error) in TRANSIENT and clock() <= deadline:
            logger.warning("transient %s, retrying on the next poll", error_code(error))
            return None
        raise RuntimeError(_fail_reason(error, _group_name(group_arn))) from error
    data = _resource.helper.Data
    data.pop("Deadline", None)
    data.update({"ResourceShareArns": ",".join(shares), "PermissionName": name})
    return _physical_id(group_arn, name)


def _start(event, _context):
    group_arn, name, timeout = _properties(event)
    _resource.helper.Data.update({"Deadline": clock() + timeout})
    return _physical_id(group_arn, name)


def _delete(event, _context):
    logger.info("delete is a no-op: a promoted share cannot be demoted")
    return event.get("PhysicalResourceId")


_resource = FinalResource(create=_start, update=_start, poll=_poll, delete=_delete)


def handler(event, context):
    _resource(event, context)
