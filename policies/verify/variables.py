"""Policy variables as proof dimensions: which key a `${...}` reads, and the values that reach its classes.

A template such as `team-${aws:PrincipalTag/team}` ties two values together: the key it is compared with
(or the resource ARN) and the variable's key. The comparison can only turn on whether the filled template
matches, so the variable needs the values that fill the template into each witness of the other side
(`middles`), and the other side needs the template filled with the variable's own witnesses (`fill`).
Parsing is the engine's (modelgov.policies.engine.variables), so both read `${key, 'default'}` and the
`${*}` `${?}` `${$}` escapes alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from modelgov.policies.engine.variables import LIT, QMARK, STAR, VAR, parse_template

RESOURCE = "<resource>"  # Link.other for a variable in Resource / NotResource
_NAME = re.compile(r"\$\{([^}]*)\}")


@dataclass(frozen=True)
class Link:
    """A variable substituted into `template`, which is compared with `other` (a lower-case key or RESOURCE)."""

    other: str
    template: str
    glob: bool  # the template's * and ? are wildcards (Like, Arn operators, resources)
    ignore_case: bool = False


def variables_of(text: str) -> list[tuple[str, str | None]]:
    """(key as written, default) of every variable in `text`; escapes are not variables."""
    out: list[tuple[str, str | None]] = []
    for kind, name, default in parse_template(text, True).parts:
        if kind == VAR:
            written = next((m.split(",")[0].strip() for m in _NAME.findall(text)
                            if m.split(",")[0].strip().lower() == name), name)
            out.append((written, default))
    return out


def fill(template: str, value: str) -> list[str]:
    """Concrete values of the template with its one variable set to `value` (wildcards kept and filled)."""
    parts = parse_template(template, True).parts
    kept = "".join(value if kind == VAR else text for kind, text, _ in parts)
    filled = "".join(value if kind == VAR else "" if kind == STAR else "x" if kind == QMARK else text
                     for kind, text, _ in parts)
    return list(dict.fromkeys([kept, filled]))


def middles(link: Link, values: Iterable[str]) -> list[str]:
    """Values of the variable that make the template match each of `values` (shortest and longest)."""
    out: list[str] = []
    for greedy in (False, True):
        pieces: list[str] = []
        for kind, text, _ in parse_template(link.template, True).parts:
            if kind == LIT:
                pieces.append(re.escape(text))
            elif kind == STAR:
                pieces.append(".*" if link.glob else re.escape("*"))
            elif kind == QMARK:
                pieces.append("." if link.glob else re.escape("?"))
            else:
                pieces.append("(.*)" if greedy else "(.*?)")
        pattern = re.compile("".join(pieces), re.DOTALL | (re.IGNORECASE if link.ignore_case else 0))
        for value in values:
            match = pattern.fullmatch(value)
            if match:
                out.append(match.group(1))
    return list(dict.fromkeys(out))
