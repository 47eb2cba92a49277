"""Principal belongs in resource and trust policies only, and they cannot do without it.

Catalogue: L120 (Principal in an identity policy or SCP), L121 (no Principal in a resource or trust
policy). Source: https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html;
seed 000:L45788-45807 (a key-policy statement presented as a role policy).
"""

from __future__ import annotations

from collections.abc import Iterator

from ...document import PolicyDocument
from ..base import Context, Match, object_statements

_WHERE = {"identity": "an identity policy", "scp": "a service control policy", "template": "a RAM permission"}


def check(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    inferred = " (read as such because most statements have none; pass --policy-type to say otherwise)" \
        if doc.kind_inferred else ""
    for statement in object_statements(doc):
        named = [n for n in ("Principal", "NotPrincipal") if statement.element(n) is not None]
        if doc.kind in _WHERE and named and doc.kind != "template":
            node = statement.node.get_key(named[0])
            yield Match("L120", (*statement.path, named[0]), f"{named[0]} in {_WHERE[doc.kind]}{inferred}",
                        "remove it: the policy applies to the principal it is attached to; a key or bucket "
                        "policy statement belongs in that resource's policy", node)
        elif doc.kind in ("resource", "trust", "rcp") and not named:
            kind_inferred = (" (read as a resource policy because most statements name principals)"
                             if doc.kind_inferred else "")
            yield Match("L121", statement.path, f"no Principal in a {doc.kind} policy statement{kind_inferred}",
                        'name who the statement applies to: "Principal": {"AWS": "arn:aws:iam::111122223333:root"}',
                        statement.node)


CONFUSED_DEPUTY_KEYS = {"aws:sourceaccount", "aws:sourcearn", "aws:sourceorgid", "aws:sourceorgpaths"}


def check_confused_deputy(doc: PolicyDocument, ctx: Context) -> Iterator[Match]:
    """L122: a trust policy that lets a service assume the role for any account's resources.

    Source: seed 000:L44508-44935 (confused deputy prevention) against 000:L45556-45567 (the execution
    role trust policy printed without those conditions).
    """
    if doc.kind != "trust":
        return
    for statement in object_statements(doc):
        principal = statement.element("Principal")
        service = principal.get("Service") if principal is not None and principal.kind == "object" else None
        if statement.effect != "Allow" or service is None:
            continue
        condition = statement.element("Condition")
        keys = {str(k.value).lower() for _, block in (condition.pairs if condition is not None and
                                                       condition.kind == "object" else [])
                if block.kind == "object" for k, _ in block.pairs}
        if not keys & CONFUSED_DEPUTY_KEYS:
            yield Match("L122", (*statement.path, "Principal", "Service"),
                        "a service may assume this role without aws:SourceAccount or aws:SourceArn: any "
                        "account's resources could act through it (confused deputy)",
                        'add "Condition": {"StringEquals": {"aws:SourceAccount": "<your account id>"}}', service)
