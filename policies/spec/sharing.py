"""Spec sections for RAM sharing of model package groups and model package event delivery."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class SharePrincipals(_Strict):
    accounts: list[str] = Field(default_factory=list, description="account names or 12-digit ids")
    organizational_units: list[str] = Field(default_factory=list, description="OU names or ids")
    organization: bool = Field(default=False, description="share with the whole organization")


class CustomerManagedPermission(_Strict):
    name: str = Field(pattern=r"^[\w.-]{1,28}$", description="prefix; a content hash is appended (create-only)")
    actions: list[str] = Field(min_length=1)


class RegistryShareSpec(_Strict):
    name: str = Field(pattern=r"^[\w .-]{1,128}$")
    groups: list[str] = Field(min_length=1, description="model package group names from this spec")
    principals: SharePrincipals
    allow_external_principals: bool = Field(
        default=False, description="allow accounts outside the organization (a synth-time warning when true)")
    permission: Literal["default"] | CustomerManagedPermission = "default"
    promote: bool = Field(default=False, description="promote a CREATED_FROM_POLICY share to STANDARD")


class ConsumerSpec(_Strict):
    account: str = Field(pattern=r"^\d{12}$",
                         description="12-digit id of the consumer account (outside the organization) that accepts "
                                     "the invitation; modelgov shares the groups with it and deploys the acceptance")
    groups: list[str] = Field(min_length=1)


class SharingSpec(_Strict):
    shares: list[RegistryShareSpec] = Field(default_factory=list)
    external_consumers: list[ConsumerSpec] = Field(default_factory=list)


class EventTargetSpec(_Strict):
    kind: Literal["sns", "sqs", "lambda", "governance-bus"]
    name: str = Field(pattern=r"^[\w-]{1,64}$")


class EventRuleSpec(_Strict):
    name: str = Field(pattern=r"^[\w-]{1,64}$")
    groups: list[str] = Field(default_factory=list, description="group names; default: every group in the spec")
    approval_statuses: list[str] = Field(default_factory=list)
    stages: list[str] = Field(default_factory=list)
    stage_statuses: list[str] = Field(default_factory=list)
    targets: list[EventTargetSpec] = Field(min_length=1, max_length=5)


class EventsSpec(_Strict):
    rules: list[EventRuleSpec] = Field(default_factory=list)
