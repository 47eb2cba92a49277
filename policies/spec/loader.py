"""Load governance.yaml into typed objects, keeping each node's line and column for error messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from ..findings.paths import format_path
from .models import GovernanceSpec
from .semantics import check_references

Location = tuple[int, int]
PathKey = tuple[str | int, ...]


@dataclass(frozen=True)
class SpecProblem:
    """One thing wrong with a spec: where, what and how to fix it."""

    path: str
    message: str
    line: int = 0
    column: int = 0
    fix: str = ""

    def render(self, file: str) -> str:
        where = f"{file}:{self.line}:{self.column}" if self.line else file
        hint = f" (fix: {self.fix})" if self.fix else ""
        return f"{where}: {self.path or '<root>'}: {self.message}{hint}"


@dataclass
class SpecError(ValueError):
    """A spec that cannot be used; `str()` lists every problem with file, line, path and fix."""

    file: str
    problems: list[SpecProblem] = field(default_factory=list)

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{self.file}: {count} problem{'s' if count != 1 else ''} in the governance spec"
        return "\n".join([head, *(f"  {p.render(self.file)}" for p in self.problems)])


class _MarkedLoader(yaml.SafeLoader):
    """SafeLoader that rejects duplicate keys, since a silently overwritten persona is a security bug."""


def _compose_with_marks(text: str, file: str) -> tuple[Any, dict[PathKey, Location]]:
    try:
        root = yaml.compose(text, Loader=_MarkedLoader)
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
        raise SpecError(file, [SpecProblem("", f"invalid YAML: {err.problem}", line, col,
                                           "correct the YAML syntax at this position")]) from None
    marks: dict[PathKey, Location] = {}
    problems: list[SpecProblem] = []

    def build(node: yaml.Node | None, path: PathKey) -> Any:
        if node is None:
            return None
        marks[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
        if isinstance(node, yaml.MappingNode):
            result: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                key = key_node.value
                if not isinstance(key_node, yaml.ScalarNode):
                    problems.append(SpecProblem(format_path(path), "a mapping key must be a plain name",
                                                key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                                "write the key as a plain word, not a list or a mapping"))
                    continue
                if key in result:
                    problems.append(SpecProblem(format_path([*path, key]), f"duplicate key {key!r}",
                                                key_node.start_mark.line + 1, key_node.start_mark.column + 1,
                                                "keep one entry; YAML would silently keep only the last"))
                result[key] = build(value_node, (*path, key))
                marks.setdefault((*path, key), (key_node.start_mark.line + 1, key_node.start_mark.column + 1))
            return result
        if isinstance(node, yaml.SequenceNode):
            return [build(child, (*path, i)) for i, child in enumerate(node.value)]
        try:
            return _scalar(node)
        except (yaml.YAMLError, ValueError, TypeError) as err:
            # YAML reads an unquoted 2027-02-30 as a date and fails in the constructor, not in pydantic
            fix = ("write a real calendar date as YYYY-MM-DD" if node.tag == "tag:yaml.org,2002:timestamp"
                   else "remove the YAML tag (such as !!int or !!python/...) and write a plain value")
            problems.append(SpecProblem(format_path(path), f"cannot read this value: {err}".splitlines()[0],
                                        node.start_mark.line + 1, node.start_mark.column + 1, fix))
            return None

    data = build(root, ())
    if problems:
        raise SpecError(file, problems)
    return data, marks


def _scalar(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _locate(marks: dict[PathKey, Location], path: PathKey) -> Location:
    probe = tuple(path)
    while probe:
        if probe in marks:
            return marks[probe]
        probe = probe[:-1]
    return marks.get((), (1, 1))


def parse_spec(text: str, file: str = "governance.yaml") -> GovernanceSpec:
    """Parse spec text; raise SpecError listing every problem with its line, column and JSON path."""
    data, marks = _compose_with_marks(text, file)
    if not isinstance(data, dict):
        raise SpecError(file, [SpecProblem("", "the spec must be a YAML mapping at the top level", 1, 1,
                                           "start from the example governance.yaml")])
    try:
        spec = GovernanceSpec.model_validate(data)
    except ValidationError as err:
        problems = []
        for item in err.errors():
            loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            line, col = _locate(marks, loc)
            problems.append(SpecProblem(format_path(loc), _message(item), line, col, _fix(item)))
        raise SpecError(file, problems) from None
    _mark_suppressions(spec, marks)
    problems = []
    for ref in check_references(spec):
        line, col = _locate(marks, ref.path)
        problems.append(SpecProblem(format_path(ref.path), ref.message, line, col, ref.fix))
    if problems:
        raise SpecError(file, problems)
    return spec


def _mark_suppressions(spec: GovernanceSpec, marks: dict[PathKey, Location]) -> None:
    """Keep where each lint suppression sits, so lint can point its stale and expiry reports at the spec."""
    for i, suppression in enumerate(spec.lint.suppressions):
        base: PathKey = ("lint", "suppressions", i)
        suppression.record_position("", _locate(marks, base))
        for name in ("expires", "reason"):
            if (*base, name) in marks:
                suppression.record_position(name, marks[(*base, name)])


def load_spec(path: str | Path) -> GovernanceSpec:
    """Read and validate a governance spec file."""
    file = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise SpecError(file, [SpecProblem("", f"cannot read the spec: {err.strerror or err}", 0, 0,
                                           "pass the path of an existing governance.yaml")]) from None
    except UnicodeDecodeError as err:
        raise SpecError(file, [SpecProblem("", f"the spec is not UTF-8 text (byte {err.start})", 0, 0,
                                           "save governance.yaml as UTF-8")]) from None
    return parse_spec(text, file)


def _message(item: Any) -> str:
    msg = str(item["msg"])
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, "):]
    if item["type"] == "extra_forbidden":
        return "unknown field"
    if item["type"] == "missing":
        return "required field is missing"
    received = item.get("input")
    if item["type"] not in {"missing"} and isinstance(received, str | int | float | bool):
        return f"{msg[0].lower()}{msg[1:]} (received {received!r})"
    return f"{msg[0].lower()}{msg[1:]}"


def _fix(item: Any) -> str:
    kind = item["type"]
    fix = item.get("ctx", {}).get("fix") if kind == "modelgov_spec" else None
    if fix:  # raised by a field validator that knows the fix (lint suppressions)
        return str(fix)
    if kind.startswith("date_"):
        return "write the date as YYYY-MM-DD"
    if kind == "extra_forbidden":
        return "remove it or check its spelling against the README's spec reference"
    if kind == "missing":
        return "add this field"
    if kind == "string_pattern_mismatch":
        pattern = str(item.get("ctx", {}).get("pattern", ""))
        return PATTERN_HINTS.get(pattern, f"match the pattern {pattern}")
    return ""


# Readable fixes for the spec's patterns; any other pattern is quoted as is.
PATTERN_HINTS = {
    r"^\d{12}$": "use the 12-digit AWS account id, quoted so YAML keeps leading zeros",
    r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$":
        "use 1-63 letters, digits and hyphens, starting and ending with a letter or digit",
}
