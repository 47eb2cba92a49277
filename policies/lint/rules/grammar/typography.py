"""Typographic characters and stray whitespace inside policy values (word processors put them there).

Catalogue: L004 (curly quotes, en/em dashes, non-breaking spaces), L005 (leading or trailing whitespace).
Source: seed 000:L3679-3686 (curly quotes) and 000:L3663 (an em dash for `--`).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document import PolicyDocument
from ..base import Context, Match

TYPOGRAPHIC = {
    "\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u2013": "-", "\u2014": "-",
    "\u00a0": " ", "\u2212": "-", "\u200b": "",
}


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    for path, node in doc.root.walk():
        if node.kind != "string":
            continue
        value = str(node.value)
        for index, char in enumerate(value):
            if char in TYPOGRAPHIC:
                yield Match("L004", path, f"typographic character {char!r} (U+{ord(char):04X}) in {value!r}",
                            f"replace it with {TYPOGRAPHIC[char]!r}" if TYPOGRAPHIC[char] else "delete it",
                            node, node.char_offset(index))
                break
        if value != value.strip() and path and path[-1] != "Version" and not node.block:
            yield Match("L005", path, f"value {value!r} has leading or trailing whitespace",
                        f"write {value.strip()!r}", node)
    for path, node in doc.root.walk():
        if node.kind == "object":
            for key_node, _ in node.pairs:
                key = str(key_node.value)
                if key != key.strip():
                    yield Match("L005", (*path, key), f"name {key!r} has leading or trailing whitespace",
                                f"write {key.strip()!r}", key_node)
