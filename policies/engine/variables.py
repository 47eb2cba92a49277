"""Policy variables: `${aws:username}`, defaults `${key, 'default'}`, and `${*}` `${?}` `${$}` escapes.

Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_variables.html
Variables are substituted only in Version 2012-10-17 policies; in 2008-10-17 (or version-less) policies
the text is literal. A variable whose key is missing (or multivalued) and has no default has no value:
the caller decides what that means (no match for positive operators and resources, match for negated ones).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property

from .patterns import glob_regex

ContextValue = str | tuple[str, ...]
Context = Mapping[str, ContextValue]

_ESCAPES = {"*": "*", "?": "?", "$": "$"}
LIT, STAR, QMARK, VAR = "lit", "star", "qmark", "var"
Part = tuple[str, str, str | None]


@dataclass(frozen=True)
class Template:
    """A policy string split into literal text, wildcards and variables."""

    source: str
    parts: tuple[Part, ...]
    _regexes: dict[tuple[tuple[str, ...], bool], re.Pattern[str]] = field(
        default_factory=dict, compare=False, hash=False, repr=False)

    @cached_property
    def has_variables(self) -> bool:
        return any(kind == VAR for kind, _, _ in self.parts)

    def variables(self) -> list[str]:
        return [text for kind, text, _ in self.parts if kind == VAR]

    def _values(self, ctx: Context) -> list[str] | None:
        out: list[str] = []
        for kind, text, default in self.parts:
            if kind != VAR:
                continue
            value = ctx.get(text)
            if isinstance(value, str):
                out.append(value)
            elif default is not None:
                out.append(default)
            else:
                return None
        return out

    def text(self, ctx: Context) -> str | None:
        """The string with variables replaced (wildcards kept as typed); None when a variable has no value."""
        values = self._values(ctx) if self.has_variables else []
        if values is None:
            return None
        out: list[str] = []
        it = iter(values)
        for kind, text, _ in self.parts:
            if kind == LIT:
                out.append(text)
            elif kind == STAR:
                out.append("*")
            elif kind == QMARK:
                out.append("?")
            else:
                out.append(next(it))
        return "".join(out)

    def regex(self, ctx: Context, ignore_case: bool = False) -> re.Pattern[str] | None:
        """A matcher where `*`/`?` are wildcards and substituted values are literal; None when unresolved."""
        values = self._values(ctx) if self.has_variables else []
        if values is None:
            return None
        if not self.has_variables and all(kind != LIT or not _special(text) for kind, text, _ in self.parts):
            return glob_regex(self.text(ctx) or "", ignore_case)
        key = (tuple(values), ignore_case)
        hit = self._regexes.get(key)
        if hit is not None:
            return hit
        if len(self._regexes) > 1024:
            self._regexes.clear()
        hit = self._regexes[key] = self._build(values, ignore_case)
        return hit

    def _build(self, values: list[str], ignore_case: bool) -> re.Pattern[str]:
        out: list[str] = []
        it = iter(values)
        for kind, text, _ in self.parts:
            if kind == LIT:
                out.append(re.escape(text))
            elif kind == STAR:
                out.append(".*")
            elif kind == QMARK:
                out.append(".")
            else:
                out.append(re.escape(next(it)))
        return _compile("".join(out), ignore_case)


def _special(text: str) -> bool:
    return "*" in text or "?" in text


_CACHE: dict[tuple[str, bool], re.Pattern[str]] = {}


def _compile(pattern: str, ignore_case: bool) -> re.Pattern[str]:
    key = (pattern, ignore_case)
    hit = _CACHE.get(key)
    if hit is None:
        if len(_CACHE) > 20000:
            _CACHE.clear()
        hit = re.compile(pattern, re.DOTALL | (re.IGNORECASE if ignore_case else 0))
        _CACHE[key] = hit
    return hit


def parse_template(value: str, variables: bool) -> Template:
    """Split a policy string; with `variables` False (pre-2012 policies) `${...}` stays literal text."""
    parts: list[Part] = []
    buf: list[str] = []

    def flush() -> None:
        if buf:
            parts.append((LIT, "".join(buf), None))
            buf.clear()

    i = 0
    n = len(value)
    while i < n:
        char = value[i]
        if char == "*":
            flush()
            parts.append((STAR, "*", None))
            i += 1
        elif char == "?":
            flush()
            parts.append((QMARK, "?", None))
            i += 1
        elif variables and char == "$" and value.startswith("${", i) and value.find("}", i + 2) != -1:
            end = value.find("}", i + 2)
            inner = value[i + 2:end]
            if inner in _ESCAPES:
                buf.append(_ESCAPES[inner])
            else:
                name, default = _split_default(inner)
                flush()
                parts.append((VAR, name.lower(), default))
            i = end + 1
        else:
            buf.append(char)
            i += 1
    flush()
    return Template(value, tuple(parts))


def _split_default(inner: str) -> tuple[str, str | None]:
    """`key, 'default'` (comma, space, single quotes, as documented) -> (key, default)."""
    pieces = inner.split(", ")
    if len(pieces) == 2 and len(pieces[1]) >= 2 and pieces[1].startswith("'") and pieces[1].endswith("'"):
        return pieces[0].strip(), pieces[1][1:-1]
    return inner.strip(), None
