"""Could some real ARN match both a policy's Resource pattern and an ARN format of the service reference?

Both sides are globs over one alphabet: a policy pattern has `*`, `?` and policy variables, a format has
`${Variable}` placeholders. The question is whether their languages intersect, decided on the product of
the two patterns (a reachability search over position pairs, linear in their product, no regex engine).

Semantics, from https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_resource.html:
- partition, service, region and account are compared segment by segment; the resource part (everything
  after the fifth colon) as a whole, where `*` spans `/` and `:` ("if the * wildcard is the last character
  of a resource ARN segment, it can expand to match beyond the colon boundaries"); a short ARN that ends
  in `*` (`arn:aws:s3:*`) covers every remaining segment;
- a policy variable (`${aws:username}`) or an intrinsic left unresolved (`${AWS::Partition}`,
  `${Fn::GetAtt}`) may become any text, so it matches like `*`;
- a format variable is one or more characters of any kind (names hold `/`, versioned model packages are
  `model-package/group/1`), except the few whose syntax AWS fixes (S3 bucket names have no `/`).
Letters are compared without case, although AWS compares the resource part with case: when unsure the
answer is "may match", because the rule built on this must never report a statement that could work.
"""

from __future__ import annotations

import re
from functools import lru_cache

# A token: ("c", char) one literal character; ("?", excluded) any one character not in `excluded`;
# ("*", excluded) any run of such characters, possibly empty.
Token = tuple[str, str]
Pattern = tuple[Token, ...]
Arn = tuple[Pattern, Pattern, Pattern, Pattern, Pattern, Pattern]

STAR: Token = ("*", "")
_VARIABLE = re.compile(r"\$\{[^}]*\}")
# Format variables whose values AWS restricts: S3 bucket names are lowercase letters, digits, dots and
# hyphens (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html).
_RESTRICTED = {"${bucketname}": "/:"}


def policy_pattern(text: str) -> Pattern:
    """Tokens of a policy's Resource text: `*`, `?`, and every `${...}` as `*`."""
    tokens: list[Token] = []
    pos = 0
    for match in _VARIABLE.finditer(text):
        tokens += _plain(text[pos:match.start()])
        tokens.append(STAR)
        pos = match.end()
    tokens += _plain(text[pos:])
    return tuple(tokens)


def _plain(text: str) -> list[Token]:
    return [STAR if c == "*" else ("?", "") if c == "?" else ("c", c.lower()) for c in text]


def _format_pattern(text: str, in_resource: bool) -> Pattern:
    """Tokens of a service-reference ARN format segment: a variable is any non-empty text (any in a prefix)."""
    tokens: list[Token] = []
    pos = 0
    for match in _VARIABLE.finditer(text):
        tokens += _plain(text[pos:match.start()])
        excluded = _RESTRICTED.get(match.group(0).lower(), "")
        tokens += [("?", excluded), ("*", excluded)] if in_resource else [STAR]
        pos = match.end()
    tokens += _plain(text[pos:])
    return tuple(tokens)


def _split(tokens: Pattern) -> list[Pattern]:
    """Split at the first five literal colons: partition, service, region, account, resource."""
    parts: list[Pattern] = []
    start = 0
    for index, token in enumerate(tokens):
        if len(parts) == 5:
            break
        if token == ("c", ":"):
            parts.append(tokens[start:index])
            start = index + 1
    parts.append(tokens[start:])
    return parts


def parse_policy_arn(text: str) -> Arn | None:
    """The six parts of a policy's Resource ARN, or None when it is not an ARN this check can reason about
    (`*`, a whole-value variable or intrinsic, text that is not an ARN): such a value may match anything."""
    parts = _split(policy_pattern(text))
    if parts[0] != (("c", "a"), ("c", "r"), ("c", "n")):
        return None
    if len(parts) < 6:
        if not parts[-1] or parts[-1][-1] != STAR:
            return None  # a truncated ARN is L110's finding; here it is "unsure"
        parts += [(STAR,)] * (6 - len(parts))
    return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


@lru_cache(maxsize=4096)
def parse_format(arn_format: str) -> Arn | None:
    """The six parts of a service-reference ARN format; None for a format that is not a full ARN."""
    raw = arn_format.split(":", 5)
    if len(raw) < 6:
        return None
    parts = [_format_pattern(part, in_resource=index == 5) for index, part in enumerate(raw)]
    return (parts[0], parts[1], parts[2], parts[3], parts[4], parts[5])


def resource_is_wildcard(arn: Arn) -> bool:
    """Whether the resource part is only `*` (or variables): `arn:aws:s3:::*` may stand for "every resource"."""
    return bool(arn[5]) and all(token == STAR for token in arn[5])


def may_match(policy: Arn, arn_format: Arn) -> bool:
    """Whether some ARN satisfies both the policy pattern and the format, part by part."""
    return all(intersects(p, f) for p, f in zip(policy, arn_format, strict=True))


def _one(a: Token, b: Token) -> bool:
    """Whether one character can satisfy both single-character tokens (a star stands for one of its chars)."""
    if a[0] == "c" and b[0] == "c":
        return a[1] == b[1]
    if a[0] == "c":
        return a[1] not in b[1]
    if b[0] == "c":
        return b[1] not in a[1]
    return True  # two classes that each exclude at most a few characters always share a letter


@lru_cache(maxsize=65536)
def intersects(p: Pattern, q: Pattern) -> bool:
    """Whether the languages of two token patterns share a string (search over position pairs)."""
    n, m = len(p), len(q)
    seen: set[tuple[int, int]] = set()
    stack = [(0, 0)]
    while stack:
        state = stack.pop()
        if state in seen:
            continue
        seen.add(state)
        i, j = state
        if i == n and j == m:
            return True
        a = p[i] if i < n else None
        b = q[j] if j < m else None
        if a is not None and a[0] == "*":
            stack.append((i + 1, j))  # the star ends here
            if b is not None and (b[0] == "*" or _one(a, b)):
                stack.append((i, j + 1))  # the star takes the character b stands for (or b's star is empty)
        if b is not None and b[0] == "*":
            stack.append((i, j + 1))
            if a is not None and a[0] != "*" and _one(a, b):
                stack.append((i + 1, j))
        if a is not None and b is not None and a[0] != "*" and b[0] != "*" and _one(a, b):
            stack.append((i + 1, j + 1))
    return False
