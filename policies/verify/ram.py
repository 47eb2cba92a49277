"""RAM resource shares of model package groups, as the resource-policy statements RAM attaches to each group.

A share with a customer managed permission (AWS::RAM::Permission in the input) becomes one statement per
group: the permission's PolicyTemplate (Effect, Action, Condition) for the share's principals (accounts,
OUs and the organization expanded with the spec, role ARNs as they are) on the group and its versions.
The text of AWS managed RAM permissions (including the default one a share without PermissionArns gets)
is not in the seeds, so such a share is reported (V006) and its grants are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.spec.models import GovernanceSpec

from .model import Source

_OU_ARN = re.compile(r"^arn:[^:]+:organizations::\d{12}:ou/o-[a-z0-9]+/(?P<ou>ou-[0-9a-z]+-[a-z0-9]+)$")
_ORG_ARN = re.compile(r"^arn:[^:]+:organizations::\d{12}:organization/(?P<org>o-[a-z0-9]+)$")


@dataclass
class Share:
    name: str
    source: Source
    principals: list[Any]
    resources: list[Any]
    templates: list[dict[str, Any]] = field(default_factory=list)
    unknown_permissions: list[str] = field(default_factory=list)


def permission_reference(raw: Any) -> str | None:
    """The logical id a PermissionArns entry points at (Fn::GetAtt [id, Arn] or Ref id), else None."""
    if isinstance(raw, dict) and len(raw) == 1:
        (function, arg), = raw.items()
        if function == "Fn::GetAtt":
            target = arg.split(".", 1)[0] if isinstance(arg, str) else arg[0] if isinstance(arg, list) else None
            return str(target) if target else None
        if function == "Ref":
            return str(arg)
    return None


def principal_roots(spec: GovernanceSpec, principals: list[Any], partition: str) -> tuple[list[str], list[str]]:
    """(IAM principal ARNs, principals that cannot be placed) for a share's Principals."""
    from modelgov.policies.builders.persona_accounts import accounts_under

    org = spec.organization
    members = sorted({a.id for a in org.accounts} | {org.registry_account})
    arns: list[str] = []
    unplaced: list[str] = []
    for value in principals:
        if not isinstance(value, str):
            unplaced.append(str(value))
        elif value.isdigit() and len(value) == 12:
            arns.append(f"arn:{partition}:iam::{value}:root")
        elif (match := _OU_ARN.match(value)) is not None:
            arns += [f"arn:{partition}:iam::{a}:root" for a in accounts_under(spec, [match["ou"]])]
        elif (match := _ORG_ARN.match(value)) is not None and match["org"] == org.id:
            arns += [f"arn:{partition}:iam::{a}:root" for a in members]
        elif value.startswith("arn:") and ":iam::" in value:
            arns.append(value)
        else:
            unplaced.append(value)
    return sorted(set(arns)), unplaced


def share_statement(share: Share, template: dict[str, Any], principals: list[str], group_arn: str,
                    versions_arn: str, index: int) -> dict[str, Any]:
    statement: dict[str, Any] = {"Sid": f"RamShare{index}", "Effect": template.get("Effect", "Allow"),
                                 "Principal": {"AWS": principals}, "Action": template.get("Action", []),
                                 "Resource": [group_arn, versions_arn]}
    if template.get("Condition"):
        statement["Condition"] = template["Condition"]
    return statement
