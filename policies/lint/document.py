"""One policy to lint: its tree, what kind of policy it is, and how to point into the original file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from .jsonparse import SyntaxProblem
from .nodes import Node, PathPart, as_list
from .textmap import Locate

# identity: attached to a principal (no Principal). resource: on a resource (Principal required).
# trust: a role's AssumeRolePolicyDocument. scp/rcp: Organizations policies.
# template: an AWS RAM permission's PolicyTemplate (Effect, Action, Condition only).
PolicyKind = Literal["identity", "resource", "trust", "scp", "rcp", "template"]
POLICY_KINDS: tuple[str, ...] = ("identity", "resource", "trust", "scp", "rcp", "template")


@dataclass
class PolicyDocument:
    """A policy found in a file: the root node, its kind, where it sits and how offsets map to lines.

    `base_path` is where the policy sits in its template (`Resources.Group.Properties.X`), so finding
    paths read as template paths; `resource_type` is the CloudFormation type that holds the policy.
    """

    file: str
    root: Node
    kind: PolicyKind
    locate: Locate
    base_path: tuple[PathPart, ...] = ()
    resource_type: str = ""
    logical_id: str = ""
    syntax: list[SyntaxProblem] = field(default_factory=list)
    kind_inferred: bool = False
    account: str = ""  # the account the template deploys to (cdk.out manifest), when known


@dataclass
class Statement:
    """One statement of a policy, with its index (None when the policy is a single bare statement)."""

    node: Node
    path: tuple[PathPart, ...]

    def element(self, name: str) -> Node | None:
        return self.node.get(name) if self.node.kind == "object" else None

    @property
    def effect(self) -> str:
        effect = self.element("Effect")
        return str(effect.value) if effect is not None and effect.kind == "string" else ""

    @property
    def sid(self) -> str:
        sid = self.element("Sid")
        return str(sid.value) if sid is not None and sid.kind == "string" else ""

    def strings(self, name: str) -> list[Node]:
        """String members of an element that takes one string or a list of strings."""
        return [n for n in as_list(self.element(name)) if n.kind == "string"]

    def actions(self) -> list[Node]:
        return self.strings("Action") or self.strings("NotAction")

    def action_names(self) -> list[str]:
        return [str(n.value) for n in self.strings("Action")]


def statements(doc: PolicyDocument) -> list[Statement]:
    """The statements of a policy document, a bare statement list, or a single bare statement."""
    root = doc.root
    if root.kind == "object" and root.get("Statement") is not None:
        element = root.get("Statement")
        assert element is not None
        if element.kind == "array":
            return [Statement(item, ("Statement", index)) for index, item in enumerate(element.items)]
        return [Statement(element, ("Statement",))]
    if root.kind == "array":
        return [Statement(item, (index,)) for index, item in enumerate(root.items)]
    if root.kind == "object" and any(k in root.keys() for k in ("Effect", "Action", "NotAction")):
        return [Statement(root, ())]
    return []


def infer_kind(root: Node) -> tuple[PolicyKind, bool]:
    """Kind of a standalone policy file: trust when it only assumes roles, resource when it names
    principals, identity otherwise. The second value is True: the kind was inferred, not declared."""
    probe = PolicyDocument("", root, "identity", lambda offset: (0, 0))
    stmts = [s for s in statements(probe) if s.node.kind == "object"]
    with_principal = [s for s in stmts if s.element("Principal") is not None or s.element("NotPrincipal")]
    if not stmts or len(with_principal) * 2 < len(stmts):
        return "identity", True
    actions = [a.lower() for s in stmts for a in s.action_names()]
    if actions and all(a.startswith("sts:assumerole") or a in ("sts:tagsession", "sts:setsourceidentity")
                       for a in actions):
        return "trust", True
    return "resource", True
