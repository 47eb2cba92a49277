"""Per-service rules on top of the default evaluation (the one place service names appear).

Sources:
- STS: a role trust policy must allow the caller even within one account
  (reference_policies_evaluation-logic.html, "Role trust policies"); sts:GetCallerIdentity needs no
  permission and an explicit deny cannot block it (API_GetCallerIdentity.html).
- KMS: a key policy must allow; identity policies count only when the key policy trusts the account
  (kms/latest/developerguide/key-policies.html, "Allows access to the AWS account and enables IAM
  policies").
- IAM: AWS managed policies and `aws-reserved` roles cannot be changed by customers
  (access_policies_managed-vs-inline.html).
- KMS: aliases under `alias/aws/` belong to AWS managed keys and cannot be created, changed or deleted
  (kms/latest/developerguide/kms-alias.html).
"""

from __future__ import annotations

from .request import Request

IMPLICIT, EXPLICIT, NONE = "implicit", "explicit", "none"

_IMMUTABLE_POLICY_ACTIONS = frozenset({
    "iam:createpolicy", "iam:createpolicyversion", "iam:deletepolicy", "iam:deletepolicyversion",
    "iam:setdefaultpolicyversion", "iam:tagpolicy", "iam:untagpolicy"})
IMMUTABLE_ROLE_ACTIONS = frozenset({
    "iam:attachrolepolicy", "iam:createrole", "iam:createservicelinkedrole", "iam:deleterole",
    "iam:deleterolepermissionsboundary", "iam:deleterolepolicy", "iam:deleteservicelinkedrole",
    "iam:detachrolepolicy", "iam:passrole", "iam:putrolepermissionsboundary", "iam:putrolepolicy",
    "iam:tagrole", "iam:untagrole", "iam:updateassumerolepolicy", "iam:updaterole",
    "iam:updateroledescription"})


_AWS_ALIAS_ACTIONS = frozenset({"kms:createalias", "kms:deletealias", "kms:updatealias"})


def always_allowed(request: Request) -> bool:
    return request.action_lower == "sts:getcalleridentity" and request.principal.kind != "anonymous"


def account_trust(request: Request, has_resource_policy: bool, account_level_allows: bool) -> str:
    """Whether, within one account, identity policies alone may grant access to the resource."""
    if request.service == "sts":
        if not has_resource_policy:
            return IMPLICIT
    elif request.service == "kms":
        parts = request.resource_parts
        if parts is None:
            return IMPLICIT
        if not parts[5].lower().startswith("key/"):
            return IMPLICIT
    else:
        return IMPLICIT
    return EXPLICIT if account_level_allows else NONE


def immutable(request: Request) -> bool:
    """AWS managed policies, aws-reserved roles and AWS aliases: writes are implicitly denied regardless."""
    parts = request.resource_parts
    if parts is None:
        return False
    resource = parts[5].lower()
    if request.service == "kms":
        return request.action_lower in _AWS_ALIAS_ACTIONS and resource.startswith("alias/aws/")
    if request.service != "iam":
        return False
    if request.action_lower in _IMMUTABLE_POLICY_ACTIONS and parts[4] == "aws" and resource.startswith("policy/"):
        return True
    return request.action_lower in IMMUTABLE_ROLE_ACTIONS and resource.startswith("role/aws-reserved/")
