"""ARNs and account ids in Resource, Principal and ARN or account conditions must be well formed.

Catalogue: L110 (malformed ARN), L111 (account id that is not 12 digits), L112 (placeholder left in).
Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html; seed 000:L3679-3686
(`3333333333`), 000:L33251 (`iam::shared-account-id::role/`), 000:L2854 (`12345678901`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelgov.policies.iam import parse_operator
from modelgov.policies.iam.grammar import OperatorError

from ...document import PolicyDocument
from ...nodes import Node, PathPart, as_list
from ..base import Context, Match, condition_entries, flatten, is_intrinsic, object_statements

_PARTITION = re.compile(r"^(aws|aws-cn|aws-us-gov|aws-iso(-[a-z])?|aws-eusc)$")
_ACCOUNT = re.compile(r"^\d{12}$")
_WILD = re.compile(r"[*?]|\$\{")
_PLACEHOLDER = re.compile(r"<[^>]*>|\s|(?<!\$)\{[^}]*\}")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
ACCOUNT_KEYS = {"aws:sourceaccount", "aws:principalaccount", "aws:resourceaccount", "aws:sourceowner"}


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for statement in object_statements(doc):
        for name in ("Resource", "NotResource"):
            element = statement.element(name)
            for index, node in _indexed(element):
                path = (*statement.path, name, *index)
                value = flatten(node)
                if value is None or value == "*":
                    continue
                yield from arn_matches(node, value, path, allow_wildcards=True)
        for name in ("Principal", "NotPrincipal"):
            element = statement.element(name)
            if element is None or element.kind != "object":
                continue
            aws = element.get("AWS")
            for index, node in _indexed(aws):
                value = flatten(node)
                if value is None or value == "*":
                    continue
                path = (*statement.path, name, "AWS", *index)
                if value.lower().startswith("arn:"):
                    yield from arn_matches(node, value, path, allow_wildcards=False)
                elif "${" not in value:
                    yield from _account(node, value, 0, path)
        for entry in condition_entries(statement):
            try:
                operator = parse_operator(entry.operator)
            except OperatorError:
                continue
            key = entry.key.lower()
            arn_typed = operator.family in ("Arn", "String")  # an ARN-looking value is checked as an ARN
            for position, node in enumerate(entry.value_nodes()):
                if node.kind != "string" or "${" in str(node.value):
                    continue
                path = (*entry.path, position) if entry.values.kind == "array" else entry.path
                value = str(node.value)
                if key in ACCOUNT_KEYS and operator.family == "String" and not _WILD.search(value):
                    yield from _account(node, value, 0, path)
                elif arn_typed and value.lower().startswith("arn:") and operator.family != "Null":
                    yield from arn_matches(node, value, path, allow_wildcards=True)


def _indexed(element: Node | None) -> Iterator[tuple[tuple[PathPart, ...], Node]]:
    if element is None:
        return
    if element.kind == "array":
        for index, item in enumerate(element.items):
            yield (index,), item
    elif element.kind == "string" or is_intrinsic(element):
        yield (), element
    else:
        for item in as_list(element):
            yield (), item


def _account(node: Node, account: str, at: int, path: tuple[PathPart, ...]) -> Iterator[Match]:
    if not _ACCOUNT.match(account):
        digits = sum(c.isdigit() for c in account)
        what = f"{digits} digits" if account.isdigit() else "not digits"
        yield Match("L111", path, f"account id {account!r} is not 12 digits ({what})",
                    "write the 12-digit account id, with its leading zeros", node,
                    node.char_offset(at) if node.kind == "string" else None)


def arn_matches(node: Node, value: str, path: tuple[PathPart, ...], allow_wildcards: bool) -> Iterator[Match]:
    """Problems of one ARN; offsets point at the faulty part when the node is a plain string."""
    exact = node.kind == "string"

    def at(index: int) -> int | None:
        return node.char_offset(index) if exact else None

    if not value.lower().startswith("arn:"):
        if not _WILD.search(value):
            yield Match("L110", path, f"{value!r} is not an ARN", "write arn:partition:service:region:account:resource",
                        node)
        return
    # Mask ${...} (same length, no colons) so `${AWS::Partition}` does not split the ARN.
    masked = _VARIABLE.sub(lambda m: "${" + "x" * (len(m.group(0)) - 3) + "}", value)
    parts = masked.split(":", 5)
    if len(parts) < 6:
        yield Match("L110", path, f"ARN {value!r} has {len(parts)} of the 6 colon-separated parts",
                    "write arn:partition:service:region:account:resource", node)
        return
    _, partition, service, _region, account, resource = parts
    if not _PARTITION.match(partition) and not _WILD.search(partition):
        yield Match("L110", path, f"unknown partition {partition!r} in ARN {value!r}",
                    "use aws, aws-cn or aws-us-gov (or ${AWS::Partition} in a template)", node, at(4))
    if not service:
        yield Match("L110", path, f"ARN {value!r} has no service", "name the service after the partition", node)
    account_at = len(":".join(parts[:4])) + 1
    if resource.startswith(":") or not resource:
        fix = (f"remove the extra ':' ({':'.join(parts[:5])}:{resource.lstrip(':')})" if resource
               else "name the resource after the account")
        yield Match("L110", path, f"malformed ARN {value!r}: the resource part {resource!r} is empty or starts "
                                  "with ':'", fix, node, at(account_at + len(account)))
    if account and not _WILD.search(account):
        yield from _account(node, account, account_at, path)
    placeholder = _PLACEHOLDER.search(value)
    if placeholder:
        yield Match("L112", path, f"ARN {value!r} holds a placeholder or a space ({placeholder.group(0)!r})",
                    "replace the placeholder with the real name", node, at(placeholder.start()))
    if not allow_wildcards and _WILD.search(value.replace("${", "")):
        yield Match("L110", path, f"principal ARN {value!r} holds a wildcard, which Principal does not accept",
                    "name the principal exactly, or use a condition such as aws:PrincipalArn with ArnLike", node)
