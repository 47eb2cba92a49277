"""A parsed document as a tree of positioned nodes, so every finding can point into the original text.

JSON and YAML both load into this one shape. Offsets are character offsets into the text the node was
parsed from; a `TextMap` turns them into 1-based line and column of the original file, also when that
text was a policy embedded as a string inside a template.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal

from ..findings.paths import format_path as format_path  # re-exported for the lint modules

Kind = Literal["object", "array", "string", "number", "bool", "null", "invalid"]
PathPart = str | int


@dataclass
class Node:
    """One value with the offsets of its first and one-past-last character.

    Objects keep every (key, value) pair in order, duplicates included, because a silently dropped
    duplicate statement key is exactly the kind of defect the linter must show. `char_offsets` maps the
    index of each decoded character of a string to its offset in the text (None: offset = start + 1 + i).
    """

    kind: Kind
    value: Any
    start: int
    end: int
    pairs: list[tuple[Node, Node]] = field(default_factory=list)
    items: list[Node] = field(default_factory=list)
    char_offsets: list[int] | None = None
    tag: str = ""  # YAML short-form intrinsic tag such as "!Sub", or "" for plain values
    block: bool = False  # a YAML block scalar: its content is mapped line by line

    def get(self, key: str) -> Node | None:
        """The value of the last pair named `key` (the one a JSON parser would keep)."""
        found: Node | None = None
        for key_node, value in self.pairs:
            if key_node.value == key:
                found = value
        return found

    def get_key(self, key: str) -> Node | None:
        for key_node, _ in self.pairs:
            if key_node.value == key:
                return key_node
        return None

    def keys(self) -> list[str]:
        return [str(k.value) for k, _ in self.pairs]

    def char_offset(self, index: int) -> int:
        """Offset in the text of the decoded character `index` of a string node."""
        if self.char_offsets is not None:
            if not self.char_offsets:
                return self.start
            return self.char_offsets[max(0, min(index, len(self.char_offsets) - 1))]
        return self.start + 1 + index

    def to_python(self) -> Any:
        """Plain Python value; objects keep the last of duplicate keys, like json.loads."""
        if self.kind == "object":
            return {str(k.value): v.to_python() for k, v in self.pairs}
        if self.kind == "array":
            return [item.to_python() for item in self.items]
        return self.value

    def walk(self, path: tuple[PathPart, ...] = ()) -> Iterator[tuple[tuple[PathPart, ...], Node]]:
        yield path, self
        if self.kind == "object":
            for key_node, value in self.pairs:
                yield from value.walk((*path, str(key_node.value)))
        elif self.kind == "array":
            for index, item in enumerate(self.items):
                yield from item.walk((*path, index))


def as_list(node: Node | None) -> list[Node]:
    """IAM elements accept one value or a list of values."""
    if node is None:
        return []
    if node.kind == "array":
        return list(node.items)
    return [node]
