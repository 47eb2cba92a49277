"""What the verifier found in the templates: principals, their policies, groups and SCPs by target.

Plain data, built once by inventory.py and read by the proof and the reports. Every policy keeps where it
came from (template, logical id, policy name) so a decisive statement can be pointed at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Source:
    """Where a policy or principal is defined: a template resource, or shipped data for AWS managed policies."""

    file: str = ""
    stack: str = ""
    logical_id: str = ""
    line: int = 0

    def render(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where} {self.logical_id}".strip()


@dataclass(frozen=True)
class Policy:
    """A resolved policy document; it may hold `Unknown` leaves. `uncertain` says why it may not apply."""

    name: str
    document: dict[str, Any]
    source: Source = field(default_factory=Source)
    uncertain: str = ""


@dataclass
class Principal:
    """A role from the templates, or "any principal in account N" that a resource policy lets in."""

    label: str
    arn: str
    account: str
    kind: str  # "role" | "account"
    persona: str = ""
    identity: list[Policy] = field(default_factory=list)
    boundary: list[Policy] = field(default_factory=list)
    source: Source = field(default_factory=Source)
    via: str = ""  # for kind "account": the policy that lets it in
    protected_only: bool = False  # identity unknown: the spec only reserves protected stages/statuses/approval
    exclude_arns: tuple[str, ...] = ()  # known roles in the account: never witnesses for aws:PrincipalArn
    trust: Policy | None = None  # kind "role": its AssumeRolePolicyDocument (None when missing or empty)
    tags: dict[str, Any] = field(default_factory=dict)  # kind "role": its tags (aws:ResourceTag/* of sts:AssumeRole)

    @property
    def is_persona(self) -> bool:
        return bool(self.persona)


@dataclass
class Group:
    """A model package group: its versions are the resources of every lifecycle request."""

    name: str
    account: str
    region: str
    partition: str
    policy: Policy | None = None
    source: Source = field(default_factory=Source)

    @property
    def arn(self) -> str:
        return f"arn:{self.partition}:sagemaker:{self.region}:{self.account}:model-package-group/{self.name}"

    @property
    def version_arn(self) -> str:
        return f"arn:{self.partition}:sagemaker:{self.region}:{self.account}:model-package/{self.name}/1"


@dataclass(frozen=True)
class Note:
    """Something the proof could not take at face value: an unresolved value, an unknown policy ARN."""

    code: str
    message: str
    source: Source = field(default_factory=Source)


@dataclass
class Inventory:
    principals: list[Principal] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    scps: dict[str, list[Policy]] = field(default_factory=dict)  # target id -> SCPs attached there
    notes: list[Note] = field(default_factory=list)
    org_id: str = ""
