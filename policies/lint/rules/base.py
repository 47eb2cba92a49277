"""What a rule receives and returns: a policy plus context in, matches (path, node, message) out.

Rules are pure functions `check(doc, ctx) -> Iterable[Match]`, one topic per module, and raise findings
by code alone: titles and severities live in policies/data/findings/lint.yaml. A match points at a node
(or an offset inside a string node); the linter turns it into a file line and column.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..document import PolicyDocument, Statement, statements
from ..nodes import Node, PathPart

if TYPE_CHECKING:  # the spec's pydantic models cost ~0.3 s to import; only --spec needs them
    from modelgov.policies.spec import GovernanceSpec


@dataclass(frozen=True)
class Match:
    code: str
    path: tuple[PathPart, ...]
    message: str
    fix: str = ""
    node: Node | None = None
    offset: int | None = None  # overrides node.start, e.g. a character inside a string
    detail: str = ""


@dataclass
class Context:
    """Shared inputs: the governance spec for lifecycle rules (None without --spec)."""

    spec: GovernanceSpec | None = None  # noqa: F821 - annotation only
    cache: dict[str, object] = field(default_factory=dict)


Rule = Callable[[PolicyDocument, Context], Iterable[Match]]


@dataclass(frozen=True)
class ConditionEntry:
    """One (operator, key, values) triple of a statement's Condition block, with its nodes."""

    statement: Statement
    operator: str
    operator_node: Node
    block: Node
    key: str
    key_node: Node
    values: Node

    @property
    def path(self) -> tuple[PathPart, ...]:
        return (*self.statement.path, "Condition", self.operator, self.key)

    def value_nodes(self) -> list[Node]:
        return list(self.values.items) if self.values.kind == "array" else [self.values]


def object_statements(doc: PolicyDocument) -> Iterator[Statement]:
    """Statements that are objects; shape rules report the others."""
    for statement in statements(doc):
        if statement.node.kind == "object":
            yield statement


def condition_entries(statement: Statement) -> Iterator[ConditionEntry]:
    condition = statement.element("Condition")
    if condition is None or condition.kind != "object":
        return
    for op_node, block in condition.pairs:
        if block.kind != "object":
            continue
        for key_node, values in block.pairs:
            yield ConditionEntry(statement, str(op_node.value), op_node, block, str(key_node.value), key_node,
                                 values)


def is_intrinsic(node: Node) -> bool:
    """A CloudFormation intrinsic ({"Ref": ...}, {"Fn::...": ...}): its value is known only at deploy."""
    return node.kind == "object" and len(node.pairs) == 1 and (
        node.keys()[0] == "Ref" or node.keys()[0].startswith("Fn::"))


def flatten(node: Node) -> str | None:
    """The string an element resolves to, with unresolved parts as `${...}`; None when unknowable.

    CDK writes ARNs as Fn::Join of literals and `Ref AWS::Partition`; flattening them lets the ARN and
    account rules still check the literal parts.
    """
    if node.kind == "string":
        return str(node.value)
    if not is_intrinsic(node):
        return None
    name, value = node.keys()[0], node.pairs[0][1]
    if name == "Ref":
        return "${" + str(value.value) + "}"
    if name == "Fn::Sub":
        target = value if value.kind == "string" else (value.items[0] if value.kind == "array" and value.items
                                                       else None)
        return str(target.value) if target is not None and target.kind == "string" else None
    if name == "Fn::Join" and value.kind == "array" and len(value.items) == 2:
        sep, parts = value.items
        if sep.kind != "string" or parts.kind != "array":
            return None
        pieces = []
        for part in parts.items:
            flat = flatten(part)
            pieces.append("${" + name + "}" if flat is None else flat)
        return str(sep.value).join(pieces)
    return "${" + name + "}"


def element_items(statement: Statement, name: str) -> Iterator[tuple[tuple[PathPart, ...], Node]]:
    """(path, node) of each value of a one-or-list element such as Action or Resource."""
    element = statement.element(name)
    if element is None:
        return
    if element.kind == "array":
        for index, item in enumerate(element.items):
            yield (*statement.path, name, index), item
    else:
        yield (*statement.path, name), element
