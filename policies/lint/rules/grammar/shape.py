"""The policy grammar: Version, Statement, and the elements each statement must and may hold.

Catalogue: L010-L022 (source: IAM JSON policy element reference and grammar,
https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_grammar.html).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from modelgov.policies.iam import POLICY_VERSIONS

from ...document import PolicyDocument, Statement, statements
from ...nodes import Node
from ..base import Context, Match, is_intrinsic

TOP_LEVEL = ("Version", "Id", "Statement")
STATEMENT_ELEMENTS = ("Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource",
                      "NotResource", "Condition")
_SID = re.compile(r"^[A-Za-z0-9]*$")
# Policies that never name principals or resources: a role's trust policy names no Resource, an ECR
# repository policy applies to its repository, and a RAM permission template carries neither.
_NO_RESOURCE_TYPES = {"AWS::ECR::Repository", "AWS::ECR::RegistryPolicy"}


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    root = doc.root
    bare = doc.kind != "template" and doc.resource_type != "AWS::Events::EventBusPolicy"
    if root.kind == "array" or (root.kind == "object" and root.get("Statement") is None
                                and any(k in root.keys() for k in ("Effect", "Action", "NotAction"))):
        if bare:
            yield Match("L020", (), "bare statement(s) without a policy wrapper: no Version and no Statement",
                        'wrap them: {"Version": "2012-10-17", "Statement": [ ... ]}', root)
    elif root.kind != "object":
        yield Match("L014", (), f"a policy must be a JSON object, found a {root.kind}",
                    'write {"Version": "2012-10-17", "Statement": [ ... ]}', root)
        return
    else:
        yield from _top_level(doc, root)
    seen_sids: dict[str, Node] = {}
    for statement in statements(doc):
        yield from _statement(doc, statement, seen_sids)


def _top_level(doc: PolicyDocument, root: Node) -> Iterator[Match]:
    for key_node, _ in root.pairs:
        if key_node.value not in TOP_LEVEL:
            yield Match("L018", (str(key_node.value),), f"unknown policy element {key_node.value!r}",
                        "remove it; a policy holds only Version, Id and Statement", key_node)
    version = root.get("Version")
    if version is None:
        if doc.kind != "template":
            yield Match("L010", (), "the policy has no Version: IAM falls back to 2008-10-17, which does not "
                                    "substitute policy variables", 'add "Version": "2012-10-17"', root)
    elif version.kind != "string" or version.value not in POLICY_VERSIONS:
        shown = version.value if version.kind == "string" else version.to_python()
        stripped = str(shown).strip()
        hint = (f"remove the whitespace: \"{stripped}\"" if isinstance(shown, str) and stripped in POLICY_VERSIONS
                else 'use "2012-10-17"')
        yield Match("L011", ("Version",), f"unknown policy Version {shown!r}", hint, version)
    elif version.value == "2008-10-17":
        yield Match("L012", ("Version",), "Version 2008-10-17 does not substitute policy variables",
                    'use "2012-10-17"', version)
    statement = root.get("Statement")
    if statement is None:
        yield Match("L013", (), "the policy has no Statement", 'add "Statement": [ { "Effect": ... } ]', root)
    elif statement.kind not in ("array", "object") or (statement.kind == "array" and not statement.items):
        yield Match("L014", ("Statement",), "Statement must be an object or a non-empty list of objects",
                    "list the statements inside [ ]", statement)


def _statement(doc: PolicyDocument, statement: Statement, seen_sids: dict[str, Node]) -> Iterator[Match]:
    node, path = statement.node, statement.path
    if is_intrinsic(node):
        yield Match("L009", path, f"the statement is built by {node.keys()[0]} at deploy time and was not linted",
                    "lint the synthesized template with the condition resolved, or write the statement out", node)
        return
    if node.kind != "object":
        yield Match("L014", path, f"a statement must be an object, found a {node.kind}",
                    "write the statement as { \"Effect\": ..., \"Action\": ..., ... }", node)
        return
    for key_node, _value in node.pairs:
        if key_node.value not in STATEMENT_ELEMENTS:
            near = [e for e in STATEMENT_ELEMENTS if e.lower() == str(key_node.value).lower().rstrip("s")]
            fix = f"write {near[0]!r}" if near else "remove it; see the IAM policy grammar for valid elements"
            yield Match("L018", (*path, str(key_node.value)), f"unknown statement element {key_node.value!r}",
                        fix, key_node)
    effect = node.get("Effect")
    if effect is None:
        yield Match("L015", path, "the statement has no Effect", 'add "Effect": "Allow" or "Effect": "Deny"', node)
    elif effect.kind != "string" or effect.value not in ("Allow", "Deny"):
        yield Match("L015", (*path, "Effect"), f"Effect must be \"Allow\" or \"Deny\", found {effect.to_python()!r}",
                    'write "Allow" or "Deny" (case-sensitive)', effect)
    yield from _pair(node, path, "Action", "NotAction", required=True)
    needs_resource = doc.kind not in ("trust", "template") and doc.resource_type not in _NO_RESOURCE_TYPES
    if doc.kind == "resource" and not doc.resource_type and _ecr_only(statement):
        needs_resource = False  # an ECR repository policy applies to its own repository
    yield from _pair(node, path, "Resource", "NotResource", required=needs_resource)
    if doc.kind == "template":
        for name in ("Principal", "NotPrincipal", "Resource", "NotResource"):
            element = node.get(name)
            if element is not None:
                yield Match("L018", (*path, name), f"a RAM permission template takes no {name}",
                            "remove it; RAM fills in principals and resources from the share", element)
    for name in ("Action", "NotAction", "Resource", "NotResource"):
        element = node.get(name)
        if element is not None:
            yield from _string_list(element, (*path, name))
    sid = node.get("Sid")
    if sid is not None:
        yield from _sid(doc, sid, path, seen_sids)


def _ecr_only(statement: Statement) -> bool:
    names = statement.action_names()
    return bool(names) and all(name.lower().startswith("ecr:") for name in names)


def _pair(node: Node, path: tuple[str | int, ...], name: str, negated: str, required: bool) -> Iterator[Match]:
    has, has_not = node.get(name) is not None, node.get(negated) is not None
    if has and has_not:
        yield Match("L016" if name == "Action" else "L017", (*path, negated),
                    f"the statement has both {name} and {negated}", f"keep only one of {name} and {negated}",
                    node.get_key(negated))
    elif required and not has and not has_not:
        code = "L016" if name == "Action" else "L017"
        yield Match(code, path, f"the statement has no {name} (or {negated})",
                    f'add "{name}": [ ... ]' + ("" if name == "Action" else
                                              '; a fragment copied from the docs must be merged into a statement '
                                              'that names its resources'), node)


def _string_list(element: Node, path: tuple[str | int, ...]) -> Iterator[Match]:
    if is_intrinsic(element):
        return
    items = element.items if element.kind == "array" else [element]
    if element.kind == "array" and not items:
        yield Match("L022", path, f"{path[-1]} is an empty list", "list at least one value, or remove the element",
                    element)
    seen: dict[str, Node] = {}
    for index, item in enumerate(items):
        item_path = (*path, index) if element.kind == "array" else path
        if is_intrinsic(item):
            continue
        if item.kind != "string":
            yield Match("L014", item_path, f"{path[-1]} values must be strings, found {item.to_python()!r}",
                        "quote the value", item)
        elif not item.value:
            yield Match("L022", item_path, f"{path[-1]} holds an empty string", "remove it", item)
        elif item.value in seen:
            yield Match("L021", item_path, f"{item.value!r} is listed twice in {path[-1]}", "remove the duplicate",
                        item)
        else:
            seen[str(item.value)] = item


def _sid(doc: PolicyDocument, sid: Node, path: tuple[str | int, ...], seen: dict[str, Node]) -> Iterator[Match]:
    if sid.kind != "string":
        yield Match("L014", (*path, "Sid"), "Sid must be a string", "quote the Sid", sid)
        return
    value = str(sid.value)
    if value in seen and value:
        yield Match("L021", (*path, "Sid"), f"Sid {value!r} is used by an earlier statement",
                    "give each statement its own Sid", sid)
    seen[value] = sid
    if doc.kind in ("identity", "scp", "rcp") and not _SID.match(value):
        yield Match("L019", (*path, "Sid"), f"Sid {value!r} has characters other than letters and digits",
                    "identity policies and SCPs accept only A-Z, a-z and 0-9 in a Sid", sid)
