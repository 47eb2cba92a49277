"""A forgiving JSON reader that keeps positions and reports every syntax slip, not just the first.

The standard `json` module stops at the first error and keeps no positions, while the seed documents'
policies carry two or three slips each (a missing comma, then `"StringEquals:" {`, then typographic
quotes). This reader records each slip with its offset and a fix, repairs it in the tree it builds and
goes on, so the semantic rules still see the rest of the policy. Repairs are limited to the slips that
leave the author's intent unambiguous; anything else stops the reader (fail closed: the document then
gets only its syntax findings).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .nodes import Node

OPEN_QUOTES = {'"', "\u201c", "\u201d", "\u201e"}
CLOSE_QUOTES = {'"', "\u201c", "\u201d"}
TYPOGRAPHIC = {"\u201c", "\u201d", "\u201e"}
_NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?")
_WS = " \t\r\n\ufeff"
_PLAIN_STRING = re.compile('"([^"\\\\\n\t\r\u201c\u201d]*)"')
_ESCAPES = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
MAX_PROBLEMS = 50


@dataclass(frozen=True)
class SyntaxProblem:
    """A syntax slip: catalogue code, offset in the parsed text, message with the text found, and fix."""

    code: str
    offset: int
    message: str
    fix: str


class _Stop(Exception):
    """The text cannot be read any further without guessing."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0
        self.problems: list[SyntaxProblem] = []
        self.typographic_lines: set[int] = set()  # one L003 per line is enough to point at the paste

    # -- helpers -------------------------------------------------------------------------------------
    def problem(self, code: str, offset: int, message: str, fix: str, fatal: bool = False) -> None:
        self.problems.append(SyntaxProblem(code, offset, message, fix))
        if fatal or len(self.problems) >= MAX_PROBLEMS:
            raise _Stop

    def skip_ws(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WS:
            pos += 1
        self.pos = pos

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def found(self) -> str:
        """The text at the current position, for messages."""
        if self.pos >= len(self.text):
            return "the end of the text"
        token = re.match(r"[^\s,:{}\[\]]{1,24}|.", self.text[self.pos:], re.S)
        return repr(token.group(0) if token else self.text[self.pos])

    def starts_value(self) -> bool:
        char = self.peek()
        return bool(char) and (char in "{[-" or char in OPEN_QUOTES or char.isdigit()
                               or self.text.startswith(("true", "false", "null"), self.pos))

    # -- values --------------------------------------------------------------------------------------
    def value(self) -> Node:
        self.skip_ws()
        char = self.peek()
        if char == "{":
            return self.obj()
        if char == "[":
            return self.array()
        if char in OPEN_QUOTES:
            return self.string()
        for word, literal in (("true", True), ("false", False), ("null", None)):
            if self.text.startswith(word, self.pos):
                start = self.pos
                self.pos += len(word)
                return Node("bool" if literal is not None else "null", literal, start, self.pos)
        match = _NUMBER.match(self.text, self.pos)
        if match:
            self.pos = match.end()
            raw = match.group(0)
            number: float | int = float(raw) if any(c in raw for c in ".eE") else int(raw)
            return Node("number", number, match.start(), match.end())
        return self.junk()

    def junk(self) -> Node:
        """An unquoted word where a value belongs (a `<placeholder>`): report it and skip the word."""
        start = self.pos
        if start >= len(self.text):
            self.problem("L001", start, "the text ends where a value is expected",
                         "complete the document: close every open brace and bracket", fatal=True)
        match = re.match(r"[^\s,{}\[\]\"]+", self.text[start:])
        if not match or self.peek() in ":":
            self.problem("L001", start, f"expecting a value, found {self.found()}",
                         "write a value here: a string in double quotes, a number, true, false, an object "
                         "or an array", fatal=True)
            raise AssertionError("unreachable")  # pragma: no cover - problem(fatal=True) raises
        self.pos = start + match.end()
        self.problem("L001", start, f"expecting a value, found unquoted text {match.group(0)!r}",
                     "replace the placeholder with a real value in double quotes")
        return Node("invalid", match.group(0), start, self.pos)

    def string(self) -> Node:
        start = self.pos
        plain = _PLAIN_STRING.match(self.text, start)
        if plain:  # fast path: no escapes, breaks or curly quotes, so offsets are start + 1 + i
            self.pos = plain.end()
            return Node("string", plain.group(1), start, self.pos)
        opener = self.text[start]
        line = self.text.count("\n", 0, start) if opener in TYPOGRAPHIC else -1
        if opener in TYPOGRAPHIC and line not in self.typographic_lines:
            self.typographic_lines.add(line)
            self.problem("L003", start, f"typographic quote {opener!r} (U+{ord(opener):04X}) instead of '\"'",
                         "replace curly quotes with straight double quotes (\")")
        self.pos += 1
        chars: list[str] = []
        offsets: list[int] = []  # slow path only: escapes or breaks shift decoded characters off start + 1 + i
        text = self.text
        while True:
            if self.pos >= len(text):
                self.problem("L001", start, "unterminated string: the closing quote is missing",
                             "close the string with a double quote", fatal=True)
            char = text[self.pos]
            if char == '"' or (opener in TYPOGRAPHIC and char in CLOSE_QUOTES):
                self.pos += 1
                break
            if char == "\\":
                code_start = self.pos
                nxt = text[self.pos + 1: self.pos + 2]
                if nxt in _ESCAPES:
                    chars.append(_ESCAPES[nxt])
                    offsets.append(code_start)
                    self.pos += 2
                    continue
                if nxt == "u" and re.fullmatch(r"[0-9a-fA-F]{4}", text[self.pos + 2: self.pos + 6]):
                    chars.append(chr(int(text[self.pos + 2: self.pos + 6], 16)))
                    offsets.append(code_start)
                    self.pos += 6
                    continue
                self.problem("L001", code_start, f"invalid escape {text[self.pos:self.pos + 2]!r} in a string",
                             "escape a backslash as \\\\")
                chars.append("\\")
                offsets.append(code_start)
                self.pos += 1
                continue
            if char == "\n":
                self.problem("L001", self.pos, "line break inside a string",
                             "join the string onto one line (an ARN or name split across lines)")
                self.pos += 1
                continue
            if char == "\r" and text[self.pos + 1: self.pos + 2] == "\n":
                self.pos += 1  # the line break itself is reported on the next character
                continue
            if char < " ":
                self.problem("L001", self.pos, f"control character U+{ord(char):04X} inside a string",
                             "write it as an escape (\\t, \\n) or remove it")
            chars.append(char)
            offsets.append(self.pos)
            self.pos += 1
        return Node("string", "".join(chars), start, self.pos, char_offsets=offsets)

    def array(self) -> Node:
        start = self.pos
        self.pos += 1
        items: list[Node] = []
        while True:
            self.skip_ws()
            char = self.peek()
            if char == "]":
                self.pos += 1
                break
            if not char:
                self.problem("L001", start, "array is not closed: ']' is missing",
                             "close the array with ']'", fatal=True)
            items.append(self.value())
            after = self.pos
            self.skip_ws()
            char = self.peek()
            if char == ",":
                comma = self.pos
                self.pos += 1
                self.skip_ws()
                if self.peek() == "]":
                    self.problem("L001", comma, "trailing comma before ']'", "remove the comma after the last item")
                continue
            if char == "]":
                self.pos += 1
                break
            if self.starts_value():
                self.problem("L001", after, f"missing comma between array items, found {self.found()}",
                             "add a comma after the previous item")
                continue
            if char == "}" or char == ":" or not char:
                self.problem("L001", after, f"expecting ',' or ']' after an array item, found {self.found()}",
                             "close the array with ']' or separate items with commas", fatal=True)
            self.problem("L001", self.pos, f"expecting ',' or ']' after an array item, found {self.found()}",
                         "separate array items with commas", fatal=True)
        return Node("array", None, start, self.pos, items=items)

    def key(self) -> Node:
        char = self.peek()
        if char in OPEN_QUOTES:
            return self.string()
        self.problem("L001", self.pos, f"expecting a property name in double quotes, found {self.found()}",
                     "quote the name with double quotes, or remove the extra comma or brace", fatal=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def obj(self) -> Node:
        start = self.pos
        self.pos += 1
        pairs: list[tuple[Node, Node]] = []
        while True:
            self.skip_ws()
            char = self.peek()
            if char == "}":
                self.pos += 1
                break
            if not char:
                self.problem("L001", start, "object is not closed: '}' is missing",
                             "close the object with '}'", fatal=True)
            key = self.key()
            self.member(key, pairs)
            after = self.pos
            self.skip_ws()
            char = self.peek()
            if char == ",":
                comma = self.pos
                self.pos += 1
                self.skip_ws()
                if self.peek() == "}":
                    self.problem("L001", comma, "trailing comma before '}'", "remove the comma after the last member")
                continue
            if char == "}":
                self.pos += 1
                break
            if char in OPEN_QUOTES:
                self.problem("L001", after, f"missing comma between members, found {self.found()}",
                             "add a comma after the previous value")
                continue
            self.problem("L001", after if char in "]" or not char else self.pos,
                         f"expecting ',' or '}}' after a member, found {self.found()}",
                         "separate members with commas and close the object with '}'", fatal=True)
        return Node("object", None, start, self.pos, pairs=pairs)

    def member(self, key: Node, pairs: list[tuple[Node, Node]]) -> None:
        after_key = self.pos
        self.skip_ws()
        if self.peek() == ":":
            self.pos += 1
        elif str(key.value).endswith(":") and self.starts_value():
            self.problem("L001", key.end - 2, f"the colon is inside the quoted name {key.value!r}: "
                                              "the ':' after the name is missing",
                         f"write \"{str(key.value)[:-1]}\": (colon outside the quotes)")
            key = Node("string", str(key.value)[:-1], key.start, key.end - 1, char_offsets=key.char_offsets)
        elif self.starts_value():
            self.problem("L001", after_key, f"missing ':' after the name {key.value!r}",
                         "put a colon between the name and its value")
        else:
            self.problem("L001", self.pos, f"expecting ':' after the name {key.value!r}, found {self.found()}",
                         "put a colon between the name and its value", fatal=True)
        value = self.value()
        for existing, _ in pairs:
            if existing.value == key.value:
                self.problems.append(SyntaxProblem(
                    "L002", key.start, f"duplicate key {key.value!r}: JSON readers keep only the last one",
                    "merge the two entries (for condition keys, one key with a list of values)"))
                break
        pairs.append((key, value))


def parse_json(text: str) -> tuple[Node | None, list[SyntaxProblem]]:
    """Parse `text`; return the (possibly repaired) tree, or None when it cannot be read, and the problems.

    Besides single documents this accepts the two shapes the seeds print: bare objects joined by
    commas (`{...}, {...}`) become an array, and a bare member (`"Action": [...]`) becomes an object;
    both are reported, since neither is a JSON document.
    """
    reader = _Reader(text)
    root: Node | None = None
    try:
        reader.skip_ws()
        if not reader.peek():
            reader.problem("L001", 0, "the file is empty", "write a policy document: {\"Version\": ...}",
                           fatal=True)
        first = reader.value()
        reader.skip_ws()
        if reader.peek() == ":" and first.kind == "string":
            reader.problem("L001", first.start, "a bare member, not a JSON document",
                           "wrap the member in braces: { ... }")
            pairs: list[tuple[Node, Node]] = []
            reader.member(first, pairs)
            while True:
                reader.skip_ws()
                if reader.peek() != ",":
                    break
                reader.pos += 1
                reader.skip_ws()
                if not reader.peek():
                    break
                reader.member(reader.key(), pairs)
            first = Node("object", None, first.start, reader.pos, pairs=pairs)
        elif reader.peek() == "," or (reader.peek() and reader.starts_value()):
            extra = reader.pos
            reader.problem("L001", extra, "extra data after the first value: several values joined by commas",
                           "wrap the statements in a policy: {\"Version\": \"2012-10-17\", \"Statement\": [...]}")
            items = [first]
            while True:
                reader.skip_ws()
                if reader.peek() == ",":
                    reader.pos += 1
                    reader.skip_ws()
                if not reader.peek() or not reader.starts_value():
                    break
                items.append(reader.value())
            first = Node("array", None, first.start, reader.pos, items=items)
        reader.skip_ws()
        if reader.peek():
            reader.problem("L001", reader.pos, f"unexpected text after the document: {reader.found()}",
                           "remove the text after the closing brace", fatal=True)
        root = first
    except _Stop:
        root = None
    return root, reader.problems
