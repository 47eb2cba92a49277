"""Offsets to 1-based line and column in the original file, also through an embedded policy string."""

from __future__ import annotations

import bisect
from collections.abc import Callable

from .nodes import Node

Locate = Callable[[int], tuple[int, int]]


class TextMap:
    """Line starts of one text, computed once; columns count characters, as editors and SARIF do."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        index = text.find("\n")
        while index >= 0:
            self.starts.append(index + 1)
            index = text.find("\n", index + 1)

    def locate(self, offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.starts, offset) - 1
        return line + 1, offset - self.starts[line] + 1


def through_string(node: Node, outer: Locate) -> Locate:
    """Locate offsets of text parsed out of the string `node` in the file that holds the string."""

    def locate(offset: int) -> tuple[int, int]:
        return outer(node.char_offset(offset))

    return locate


def align(raw: str, raw_start: int, decoded: str, window: int = 64) -> list[int]:
    """Offsets in the file of each character of a YAML scalar's value.

    YAML scalars drop indentation, fold lines and decode escapes, so the value is matched to its source
    greedily: each character is looked for a short way ahead of the previous match. Characters with no
    match (a newline produced by folding, an escape's decoded form) stay at the previous position.
    """
    offsets: list[int] = []
    pointer = 0
    for char in decoded:
        if not char.isspace():  # indentation and folding whitespace in the source have no decoded twin
            while pointer < len(raw) and raw[pointer].isspace() and raw[pointer] != char:
                pointer += 1
        found = raw.find(char, pointer, pointer + window)
        if found >= 0:
            offsets.append(raw_start + found)
            pointer = found + 1
        else:
            offsets.append(raw_start + max(0, min(pointer, len(raw) - 1)))
    return offsets
