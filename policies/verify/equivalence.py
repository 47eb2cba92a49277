"""When two groups or two principals cannot be told apart by any statement, so they may share decisions.

Groups: every applicable statement's Resource/NotResource covers both version ARNs or neither.
Principals: every aws:PrincipalArn comparison and every resource-policy Principal gives both the same
answer (values of one condition block are ORed, so one answer per block decides).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from modelgov.policies.engine.patterns import arn_field_regex

from . import domain


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


@lru_cache(maxsize=16384)
def _glob_regex(pattern: str, fields: bool) -> str:
    """domain._glob as a regex (`*` and `?` only; brackets are literal); with `fields`, the first five
    colon-separated fields of a six-field ARN pattern are matched within their field, as ArnLike does."""
    if not fields:
        whole: str = arn_field_regex(pattern, within_field=False)
        return whole
    return ":".join(arn_field_regex(part, within_field=i < 5) for i, part in enumerate(pattern.split(":", 5)))


@lru_cache(maxsize=4096)
def _alternation_of(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.DOTALL) if patterns else None


def _alternation(patterns: list[str]) -> re.Pattern[str] | None:
    """One regex for many; cached, since persona policies list the same group ARNs again and again."""
    return _alternation_of(tuple(patterns))


class AnyGlob:
    """`any(domain._glob(p, value) for p in patterns)`: a set for the literals and one regex for the rest."""

    __slots__ = ("exact", "regex")

    def __init__(self, patterns: Iterable[str]):
        texts = list(patterns)
        self.exact = frozenset(t for t in texts if "*" not in t and "?" not in t)
        self.regex = _alternation([_glob_regex(t, False) for t in texts if t not in self.exact])

    def __call__(self, value: str) -> bool:
        return value in self.exact or (self.regex is not None and self.regex.fullmatch(value) is not None)


class AnyArn:
    """Whether an ARN matches any pattern the way ArnLike does (six fields matched one by one; a pattern or
    value that is not six fields as one glob), compiled: literals compare whole (field by field is the same),
    six-field patterns match field by field, shorter ones as one glob."""

    __slots__ = ("exact", "fields", "short", "whole")

    def __init__(self, patterns: Iterable[str]):
        texts = list(patterns)
        self.exact = frozenset(t for t in texts if "*" not in t and "?" not in t)
        wild = [t for t in texts if t not in self.exact]
        six = [t for t in wild if len(t.split(":", 5)) == 6]
        self.fields = _alternation([_glob_regex(t, True) for t in six])
        self.short = _alternation([_glob_regex(t, False) for t in wild if t not in six])
        self.whole = _alternation([_glob_regex(t, False) for t in wild])  # for a value that is not six fields

    def __call__(self, arn: str) -> bool:
        if arn in self.exact:
            return True
        if len(arn.split(":", 5)) != 6:
            return self.whole is not None and self.whole.fullmatch(arn) is not None
        return any(r is not None and r.fullmatch(arn) is not None for r in (self.fields, self.short))


ArnTest = Callable[[str], list[bool]]


def compile_principal_tests(document: dict[str, Any]) -> ArnTest:
    """The answers a document gives about any principal ARN, with the document read once: one per
    aws:PrincipalArn condition block (its values are ORed, negated operators negate the same OR) and one per
    Principal/NotPrincipal element of each statement."""
    tests: list[Callable[[str], list[bool]]] = []
    for statement in _as_list(document.get("Statement")):
        if not isinstance(statement, dict):
            continue
        for operator, block in (statement.get("Condition") or {}).items():
            if not isinstance(block, dict):
                continue
            base = domain.split_operator(str(operator))[1]
            for key, values in block.items():
                if str(key).lower() != "aws:principalarn":
                    continue
                texts = [str(v) for v in _as_list(values)]
                tests.append(_block_test(base, texts))
        for element in ("Principal", "NotPrincipal"):
            principal = statement.get(element)
            values = principal.get("AWS") if isinstance(principal, dict) else principal
            arns = [v for v in _as_list(values) if isinstance(v, str)]
            tests.append(_principal_element("*" in arns, AnyArn(arns)))

    def run(arn: str) -> list[bool]:
        return [answer for test in tests for answer in test(arn)]
    return run


def _principal_element(wildcard: bool, matcher: AnyArn) -> Callable[[str], list[bool]]:
    return lambda arn: [wildcard or matcher(arn)]


def _excluded_by(matcher: AnyGlob) -> Callable[[str], bool]:
    return lambda arn: not matcher(arn)


def _block_test(base: str, texts: list[str]) -> Callable[[str], list[bool]]:
    if base.startswith("Arn"):
        arns = AnyArn(texts)
        return lambda arn: [arns(arn)]
    if "IgnoreCase" in base:
        lowered = frozenset(t.lower() for t in texts)
        return lambda arn: [arn.lower() in lowered]
    if "Like" in base:
        globs = AnyGlob(texts)
        return lambda arn: [globs(arn)]
    if base.startswith("String"):
        exact = frozenset(texts)
        return lambda arn: [arn in exact]
    return lambda arn: [False, *(t == arn for t in texts)]  # an operator we do not model: no merging by value


ResourceTest = Callable[[str], tuple[bool | str, ...]]


def compile_resource_bits(docs: list[dict[str, Any]], action: str) -> ResourceTest:
    """For any ARN, whether each statement applying to `action` covers it through Resource/NotResource; the
    ARN itself when a policy variable decides that (the group then shares its class with no other). The
    documents are read once."""
    tests: list[Callable[[str], bool | str]] = []
    for doc in docs:
        for statement in _as_list(doc.get("Statement")):
            if not isinstance(statement, dict) or not domain.action_matches(statement, action):
                continue
            if "${" in json.dumps([statement.get("Resource"), statement.get("NotResource")]):
                tests.append(lambda arn: arn)
            elif "Resource" in statement:
                covers = AnyGlob(r for r in _as_list(statement["Resource"]) if isinstance(r, str))
                tests.append(covers)
            elif "NotResource" in statement:
                excludes = AnyGlob(r for r in _as_list(statement["NotResource"]) if isinstance(r, str))
                tests.append(_excluded_by(excludes))
            else:
                tests.append(lambda arn: True)
    return lambda arn: tuple(test(arn) for test in tests)
