"""Who a statement names, and whose account a resource sits in; shared by the principal rules."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...document import Statement
from ...nodes import Node, PathPart, as_list
from ..base import flatten

_ARN_ACCOUNT = re.compile(r"^arn:(?:\$\{[^}]*\}|[^:]*):[^:]*:[^:]*:(\d{12}|\$\{AWS::AccountId\}):")
SELF = "self"


@dataclass(frozen=True)
class PrincipalEntry:
    """One principal: kind is "*", AWS, Service, Federated or CanonicalUser; account when known."""

    kind: str
    value: str
    node: Node
    path: tuple[PathPart, ...]

    @property
    def account(self) -> str | None:
        if self.kind != "AWS" or self.value == "*":
            return None
        if re.fullmatch(r"\d{12}", self.value):
            return self.value
        if self.value.startswith("${AWS::AccountId}"):
            return SELF
        match = _ARN_ACCOUNT.match(self.value)
        if match:
            return SELF if match.group(1).startswith("${") else match.group(1)
        return None

    @property
    def everyone(self) -> bool:
        return self.value == "*" and self.kind in ("*", "AWS")

    @property
    def is_account_root(self) -> bool:
        return bool(re.fullmatch(r"\d{12}", self.value)) or self.value.endswith(":root")


def principals(statement: Statement) -> list[PrincipalEntry]:
    element = statement.element("Principal")
    path = (*statement.path, "Principal")
    if element is None:
        return []
    if element.kind == "string":
        return [PrincipalEntry("*", str(element.value), element, path)]
    if element.kind != "object":
        return []
    out: list[PrincipalEntry] = []
    for key_node, value in element.pairs:
        kind = str(key_node.value)
        values = as_list(value)
        for index, item in enumerate(values):
            flat = flatten(item)
            if flat is None:
                continue
            item_path = (*path, kind, index) if value.kind == "array" else (*path, kind)
            out.append(PrincipalEntry(kind, flat, item, item_path))
    return out


def resource_accounts(statement: Statement) -> set[str]:
    """Accounts named by the statement's resource ARNs (SELF for the template's own account)."""
    accounts: set[str] = set()
    for node in as_list(statement.element("Resource")):
        flat = flatten(node)
        match = _ARN_ACCOUNT.match(flat or "")
        if match:
            accounts.add(SELF if match.group(1).startswith("${") else match.group(1))
    return accounts


def foreign(entry: PrincipalEntry, own: set[str]) -> bool:
    """True when the principal may sit in another account than the resource."""
    if entry.everyone:
        return True
    account = entry.account
    if account is None:
        return False
    if account == SELF:
        return False
    return not own or account not in own
