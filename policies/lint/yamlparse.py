"""CloudFormation YAML into positioned nodes, short intrinsic tags included (`!Sub`, `!Ref` ...).

PyYAML's composer keeps a mark for every node and accepts any tag, so no constructor for `!Sub` and
friends is needed: a tagged node becomes the long form (`{"Fn::Sub": ...}`) CloudFormation reads.
"""

from __future__ import annotations

from typing import Any

import yaml

from .jsonparse import SyntaxProblem
from .nodes import Node
from .textmap import align


def literal_offsets(text: str, start: int, end: int, value: str) -> list[int]:
    """Offsets of a literal block scalar's characters: decoded line i is content line i minus the indent."""
    first = text.find("\n", start, end) + 1 or start
    raw_lines = text[first:end].split("\n")
    indent = next((len(line) - len(line.lstrip(" ")) for line in raw_lines if line.strip()), 0)
    starts: list[int] = []
    offset = first
    for line in raw_lines:
        starts.append(offset)
        offset += len(line) + 1
    offsets: list[int] = []
    row = col = 0
    for char in value:
        base = starts[min(row, len(starts) - 1)]
        offsets.append(base + indent + col)
        if char == "\n":
            row, col = row + 1, 0
        else:
            col += 1
    return offsets

_BARE_TAGS = {"!Ref": "Ref", "!Condition": "Condition"}


class _Loader(yaml.SafeLoader):
    """SafeLoader used only to compose; it never constructs tagged nodes."""


def _scalar_value(node: yaml.ScalarNode) -> Any:
    if node.tag.startswith("!"):
        return node.value
    loader = _Loader("")
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError:
        return node.value
    finally:
        loader.dispose()


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return "number"
    return "string"


class _Builder:
    def __init__(self, text: str) -> None:
        self.text = text
        self.problems: list[SyntaxProblem] = []

    def build(self, node: yaml.Node) -> Node:
        start, end = node.start_mark.index, node.end_mark.index
        if isinstance(node, yaml.MappingNode):
            pairs: list[tuple[Node, Node]] = []
            seen: set[str] = set()
            for key_node, value_node in node.value:
                key = self.build(key_node)
                key.value = str(key.value)
                if key.value in seen:
                    self.problems.append(SyntaxProblem(
                        "L002", key.start, f"duplicate key {key.value!r}: YAML readers keep only the last one",
                        "merge the two entries into one"))
                seen.add(key.value)
                pairs.append((key, self.build(value_node)))
            out = Node("object", None, start, end, pairs=pairs)
        elif isinstance(node, yaml.SequenceNode):
            out = Node("array", None, start, end, items=[self.build(child) for child in node.value])
        else:
            assert isinstance(node, yaml.ScalarNode)
            value = _scalar_value(node)
            out = Node(_kind(value), value, start, end)  # type: ignore[arg-type]
            if isinstance(value, str):
                out.block = node.style in ("|", ">")
                if node.style == "|":
                    out.char_offsets = literal_offsets(self.text, start, end, value)
                else:
                    out.char_offsets = align(self.text[start:end], start, value)
        if node.tag.startswith("!") and not node.tag.startswith("!!"):
            name = _BARE_TAGS.get(node.tag, "Fn::" + node.tag[1:])
            out.tag = node.tag
            key = Node("string", name, start, start)
            return Node("object", None, start, end, pairs=[(key, out)], tag=node.tag)
        return out


def parse_yaml(text: str) -> tuple[Node | None, list[SyntaxProblem]]:
    """Parse YAML text into nodes; a YAML syntax error becomes one L001 problem at its mark."""
    try:
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        offset = mark.index if mark else 0
        return None, [SyntaxProblem("L001", offset, f"invalid YAML: {err.problem or err.context}",
                                    "correct the YAML syntax at this position")]
    except yaml.YAMLError as err:
        return None, [SyntaxProblem("L001", 0, f"invalid YAML: {err}", "correct the YAML syntax")]
    if root is None:
        return None, [SyntaxProblem("L001", 0, "the file is empty", "write a template or a policy document")]
    builder = _Builder(text)
    return builder.build(root), builder.problems
