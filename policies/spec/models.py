"""Typed governance spec: organization, lifecycle catalog, personas, model package groups, lint settings.

Field-level rules (patterns, lengths, enums) live here; rules that need the whole spec (a stage must be
in the catalog, an account name must exist) live in semantics.py so every error can name its path.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from .lint import LintSpec
from .monitoring import MonitoringSpec
from .sharing import EventsSpec, SharingSpec

# ModelLifeCycle Stage/StageStatus and group names share the SageMaker name grammar
# (botocore CreateModelPackageGroup, ModelLifeCycle; seed-model-registry.md §1.4).
SAGEMAKER_NAME = r"^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}$"
AccountId = Annotated[str, StringConstraints(pattern=r"^\d{12}$")]
Name = Annotated[str, StringConstraints(pattern=SAGEMAKER_NAME)]
PersonaName = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9-]{0,40}[a-z0-9]$")]

APPROVAL_STATUSES = ("PendingManualApproval", "Approved", "Rejected")
ApprovalStatus = Literal["PendingManualApproval", "Approved", "Rejected"]

DEFAULT_STAGES = ["Proposal", "Development", "QA", "PreProduction", "Production", "Archived"]
DEFAULT_STATUSES = ["PendingApproval", "InProgress", "OnHold", "Approved", "Rejected", "Retired"]

NONE_STAGE = "none"
ANY_STAGE = "any"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class OrganizationalUnit(Strict):
    name: str = Field(min_length=1)
    id: Annotated[str, StringConstraints(pattern=r"^ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}$")]
    parent: str = Field(default="root", description="name of the parent OU, or 'root'")


class Account(Strict):
    name: str = Field(min_length=1)
    id: AccountId
    ou: str | None = Field(default=None, description="name of the OU that holds the account")
    environment: Literal["dev", "test", "prod", "registry", "management", "shared"] = "dev"


class Organization(Strict):
    id: Annotated[str, StringConstraints(pattern=r"^o-[a-z0-9]{10,32}$")]
    root_id: Annotated[str, StringConstraints(pattern=r"^r-[0-9a-z]{4,32}$")]
    management_account: AccountId
    registry_account: AccountId
    regions: list[Annotated[str, StringConstraints(pattern=r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")]] = Field(
        min_length=1)
    organizational_units: list[OrganizationalUnit] = Field(default_factory=list)
    accounts: list[Account] = Field(default_factory=list)

    @property
    def primary_region(self) -> str:
        return self.regions[0]

    def account_id(self, name_or_id: str) -> str:
        """Resolve an account name from the spec (or a literal id) to its 12-digit id."""
        for account in self.accounts:
            if name_or_id in (account.name, account.id):
                return account.id
        if name_or_id in ("registry", self.registry_account):
            return self.registry_account
        if name_or_id in ("management", self.management_account):
            return self.management_account
        raise KeyError(name_or_id)

    def ou_id(self, name_or_id: str) -> str:
        for ou in self.organizational_units:
            if name_or_id in (ou.name, ou.id):
                return ou.id
        raise KeyError(name_or_id)


class Lifecycle(Strict):
    stages: list[Name] = Field(default_factory=lambda: list(DEFAULT_STAGES), min_length=1)
    statuses: list[Name] = Field(default_factory=lambda: list(DEFAULT_STATUSES), min_length=1)
    protected_stages: list[str] = Field(default_factory=lambda: ["Production"],
                                        description="stages only approver personas may set")
    protected_statuses: list[str] = Field(default_factory=lambda: ["Approved"],
                                          description="statuses only approver personas may set")
    guardrail_targets: list[str] = Field(
        default_factory=lambda: ["root"],
        description="where the lifecycle and monitoring SCPs attach: 'root', OU names or ids, account names or ids")
    deployment_roles: list[str] = Field(
        default_factory=lambda: ["cdk-hnb659fds-cfn-exec-role-*"],
        description="role names in the registry account that deploy model package groups (and so their "
                    "resource policies); exempt from the group-policy guardrail with the platform persona")

    @field_validator("stages", "statuses")
    @classmethod
    def _unique(cls, values: list[str]) -> list[str]:
        seen: set[str] = set()
        for value in values:
            if value in seen:
                raise ValueError(f"{value!r} is listed twice")
            if value.lower() in (NONE_STAGE, ANY_STAGE):
                raise ValueError(f"{value!r} is reserved for transitions (none = no stage yet, any = every stage)")
            seen.add(value)
        return values


class Transition(Strict):
    """A persona may move a model from `from_stage` (any status in `from_statuses`) to `to` with `statuses`.

    `from: none` is a model version that has no lifecycle yet (CreateModelPackage, or the first
    UpdateModelPackage that sets one); `from: any` is every current stage, and none.
    """

    from_stage: str = Field(alias="from")
    from_statuses: list[str] | None = Field(default=None, description="current statuses; default: any")
    to: str
    statuses: list[str] = Field(min_length=1)

    def labels(self) -> list[str]:
        """Readable ids, one per target status: 'QA->Production:PendingApproval'."""
        return [f"{self.from_stage}->{self.to}:{status}" for status in self.statuses]


class Trust(Strict):
    """Who may assume the persona's role. At least one source is required."""

    accounts: list[str] = Field(default_factory=list, description="account names or ids (their root principal)")
    sso_permission_sets: list[str] = Field(default_factory=list,
                                           description="IAM Identity Center permission set names")
    services: list[str] = Field(default_factory=list, description="service principals, e.g. sagemaker.amazonaws.com")


class Persona(Strict):
    name: PersonaName
    description: str = ""
    role_name: str | None = Field(default=None, pattern=r"^[\w+=,.@-]{1,64}$")
    trust: Trust
    accounts: list[str] = Field(default_factory=lambda: ["registry"],
                                description="accounts where the persona's role is deployed")
    transitions: list[Transition] = Field(default_factory=list)
    approval_statuses: list[ApprovalStatus] = Field(default_factory=list)
    approver: bool = Field(default=False, description="may set protected stages and statuses")
    platform: bool = Field(default=False, description="may change model package group policies")
    organizational_units: list[str] = Field(
        default_factory=list,
        description="OU names or ids whose accounts get the role through a service-managed StackSet; default: none")
    permissions_boundary: bool = Field(
        default=False, description="attach a boundary that caps lifecycle actions to the persona's own transitions")

    @property
    def effective_role_name(self) -> str:
        return self.role_name or "modelgov-" + self.name


class ModelPackageGroupSpec(Strict):
    name: Name
    description: str = Field(default="", max_length=1024)
    tags: dict[Annotated[str, StringConstraints(min_length=1, max_length=128)],
               Annotated[str, StringConstraints(max_length=256)]] = Field(default_factory=dict)
    readers: list[str] = Field(default_factory=list, description="accounts that may describe and list versions")
    registrars: list[str] = Field(default_factory=list, description="accounts that may register versions")
    deployers: list[str] = Field(default_factory=list, description="accounts that may create models from versions")
    allow_cross_account_update: bool = Field(
        default=False,
        description="grant sagemaker:UpdateModelPackage to consumer accounts; they could then approve models")


class GovernanceSpec(Strict):
    version: Literal[1] = 1
    organization: Organization
    lifecycle: Lifecycle = Field(default_factory=Lifecycle)
    personas: list[Persona] = Field(min_length=1)
    model_package_groups: list[ModelPackageGroupSpec] = Field(min_length=1)
    sharing: SharingSpec = Field(default_factory=SharingSpec)
    events: EventsSpec = Field(default_factory=EventsSpec)
    monitoring: MonitoringSpec = Field(default_factory=MonitoringSpec)
    lint: LintSpec = Field(default_factory=LintSpec)

    def persona(self, name: str) -> Persona:
        for persona in self.personas:
            if persona.name == name:
                return persona
        raise KeyError(name)

    def group(self, name: str) -> ModelPackageGroupSpec:
        for group in self.model_package_groups:
            if group.name == name:
                return group
        raise KeyError(name)
