"""Cross-references a field validator cannot see: catalog membership, account and OU names, duplicates."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from .models import ANY_STAGE, NONE_STAGE, GovernanceSpec
from .naming import construct_id

# Tags the ModelPackageGroup construct adds itself; counted against SageMaker's 50-tag limit.
CONSTRUCT_TAGS = ("modelgov:group",)
MAX_TAGS = 50


@dataclass(frozen=True)
class Reference:
    path: tuple[str | int, ...]
    message: str
    fix: str = ""


def _catalog(values: Iterable[str]) -> str:
    return ", ".join(values)


def check_references(spec: GovernanceSpec) -> list[Reference]:
    return list(_check(spec))


def _check(spec: GovernanceSpec) -> Iterator[Reference]:
    org = spec.organization
    stages, statuses = spec.lifecycle.stages, spec.lifecycle.statuses
    account_names = {a.name for a in org.accounts} | {a.id for a in org.accounts} | {
        "registry", "management", org.registry_account, org.management_account}
    ou_names = {ou.name for ou in org.organizational_units} | {ou.id for ou in org.organizational_units}

    def stage(value: str, path: tuple[str | int, ...], allow: tuple[str, ...] = ()) -> Iterator[Reference]:
        if value not in stages and value not in allow:
            extra = f" or {', '.join(allow)}" if allow else ""
            yield Reference(path, f"stage {value!r} is not in lifecycle.stages ({_catalog(stages)}{extra})",
                            "use a catalog stage, or add it to lifecycle.stages")

    def status(value: str, path: tuple[str | int, ...]) -> Iterator[Reference]:
        if value not in statuses:
            yield Reference(path, f"status {value!r} is not in lifecycle.statuses ({_catalog(statuses)})",
                            "use a catalog status, or add it to lifecycle.statuses")

    def account(value: str, path: tuple[str | int, ...]) -> Iterator[Reference]:
        if value not in account_names:
            yield Reference(path, f"account {value!r} is not in organization.accounts",
                            "use an account name or id from organization.accounts")

    def ou(value: str, path: tuple[str | int, ...]) -> Iterator[Reference]:
        if value not in ou_names:
            yield Reference(path, f"organizational unit {value!r} is not in organization.organizational_units",
                            "use an OU name or id from organization.organizational_units")

    yield from _duplicates([a.name for a in org.accounts], ("organization", "accounts"), "account name")
    yield from _duplicates([a.id for a in org.accounts], ("organization", "accounts"), "account id")
    for i, unit in enumerate(org.organizational_units):
        if unit.parent != "root":
            yield from ou(unit.parent, ("organization", "organizational_units", i, "parent"))
    for i, acct in enumerate(org.accounts):
        if acct.ou is not None:
            yield from ou(acct.ou, ("organization", "accounts", i, "ou"))

    for key, values in (("protected_stages", spec.lifecycle.protected_stages),):
        for i, value in enumerate(values):
            yield from stage(value, ("lifecycle", key, i))
    for i, value in enumerate(spec.lifecycle.protected_statuses):
        yield from status(value, ("lifecycle", "protected_statuses", i))
    for i, target in enumerate(spec.lifecycle.guardrail_targets):
        if target not in ("root", org.root_id) and target not in ou_names and target not in account_names:
            yield Reference(("lifecycle", "guardrail_targets", i),
                            f"guardrail target {target!r} is neither 'root' nor an OU or account of the organization",
                            "use 'root', an OU name or id, or an account name or id from organization")

    yield from _duplicates([p.name for p in spec.personas], ("personas",), "persona name")
    yield from _id_collisions([p.name for p in spec.personas], ("personas",), "persona")
    protected_stages = set(spec.lifecycle.protected_stages)
    protected_statuses = set(spec.lifecycle.protected_statuses)
    for p, persona in enumerate(spec.personas):
        base: tuple[str | int, ...] = ("personas", p)
        trust = persona.trust
        if not (trust.accounts or trust.sso_permission_sets or trust.services):
            yield Reference((*base, "trust"), "no principal may assume this persona's role",
                            "list accounts, sso_permission_sets or services under trust")
        for i, name in enumerate(trust.accounts):
            yield from account(name, (*base, "trust", "accounts", i))
        for i, name in enumerate(persona.accounts):
            yield from account(name, (*base, "accounts", i))
        for i, name in enumerate(persona.organizational_units):
            yield from ou(name, (*base, "organizational_units", i))
        for t, transition in enumerate(persona.transitions):
            tpath = (*base, "transitions", t)
            yield from stage(transition.from_stage, (*tpath, "from"), (NONE_STAGE, ANY_STAGE))
            yield from stage(transition.to, (*tpath, "to"))
            for s, value in enumerate(transition.statuses):
                yield from status(value, (*tpath, "statuses", s))
            for s, value in enumerate(transition.from_statuses or []):
                yield from status(value, (*tpath, "from_statuses", s))
            if transition.from_stage == NONE_STAGE and transition.from_statuses:
                yield Reference((*tpath, "from_statuses"), "a model with no stage has no status to match",
                                "remove from_statuses, or name a from stage")
            touches = ({transition.to} & protected_stages) or (set(transition.statuses) & protected_statuses)
            if touches and not persona.approver:
                yield Reference((*tpath, "to"),
                                f"persona {persona.name!r} sets protected {sorted(touches)} but is not an approver",
                                "set approver: true on the persona, or drop the protected stage or status")
            # the lifecycle SCP denies non-approvers every update of a version in a protected stage
            if transition.from_stage in protected_stages and not persona.approver:
                yield Reference((*tpath, "from"),
                                f"persona {persona.name!r} moves versions out of protected stage "
                                f"{transition.from_stage!r} but is not an approver",
                                "set approver: true on the persona, or start the transition from another stage")
        # Approved and Rejected are both decisions; the lifecycle SCP lets non-approvers send only
        # PendingManualApproval (a rejection would otherwise let anyone veto a release).
        decisions = sorted(set(persona.approval_statuses) - {"PendingManualApproval"})
        if decisions and not persona.approver:
            yield Reference((*base, "approval_statuses"),
                            f"persona {persona.name!r} may set approval decision {decisions} but is not an approver",
                            "set approver: true on the persona, or keep only PendingManualApproval")

    yield from _duplicates([g.name for g in spec.model_package_groups], ("model_package_groups",), "group name")
    yield from _id_collisions([g.name for g in spec.model_package_groups], ("model_package_groups",), "group")
    group_names = {g.name for g in spec.model_package_groups}
    for g, group in enumerate(spec.model_package_groups):
        base = ("model_package_groups", g)
        for field in ("readers", "registrars", "deployers"):
            for i, name in enumerate(getattr(group, field)):
                yield from account(name, (*base, field, i))
        for key in group.tags:
            if key in CONSTRUCT_TAGS or key.lower().startswith("aws:"):
                yield Reference((*base, "tags", key), f"tag key {key!r} is reserved (aws: prefix, or set by modelgov)",
                                "choose another tag key")
        added = len(group.tags) + len([t for t in CONSTRUCT_TAGS if t not in group.tags])
        if added > MAX_TAGS:
            yield Reference((*base, "tags"),
                            f"{added} tags including the {len(CONSTRUCT_TAGS)} modelgov adds; "
                            f"SageMaker allows {MAX_TAGS}",
                            "remove tags")

    for s, share in enumerate(spec.sharing.shares):
        base = ("sharing", "shares", s)
        for i, name in enumerate(share.groups):
            if name not in group_names:
                yield Reference((*base, "groups", i), f"group {name!r} is not in model_package_groups",
                                "use a group name from model_package_groups")
        for i, name in enumerate(share.principals.accounts):
            yield from account(name, (*base, "principals", "accounts", i))
        for i, name in enumerate(share.principals.organizational_units):
            yield from ou(name, (*base, "principals", "organizational_units", i))
    for c, consumer in enumerate(spec.sharing.external_consumers):
        for i, name in enumerate(consumer.groups):
            if name not in group_names:
                yield Reference(("sharing", "external_consumers", c, "groups", i),
                                f"group {name!r} is not in model_package_groups",
                                "use a group name from model_package_groups")

    for r, rule in enumerate(spec.events.rules):
        base = ("events", "rules", r)
        for i, name in enumerate(rule.groups):
            if name not in group_names:
                yield Reference((*base, "groups", i), f"group {name!r} is not in model_package_groups",
                                "use a group name from model_package_groups")
        for i, value in enumerate(rule.stages):
            yield from stage(value, (*base, "stages", i))
        for i, value in enumerate(rule.stage_statuses):
            yield from status(value, (*base, "stage_statuses", i))

    for m, monitor in enumerate(spec.monitoring.monitors):
        yield from account(monitor.account, ("monitoring", "monitors", m, "account"))

    # two entries with one scope: the second never matches (the first takes the finding) and hides a reason
    scopes = [(s.code, s.path, s.resource or "", s.sid or "") for s in spec.lint.suppressions]
    for i, scope in enumerate(scopes):
        if scope in scopes[:i]:
            yield Reference(("lint", "suppressions", i),
                            f"suppression of {scope[0]} for {scope[1]!r} appears twice "
                            f"(first at lint.suppressions[{scopes.index(scope)}])",
                            "keep one entry, with one reason that covers both")


def _duplicates(values: list[str], path: tuple[str | int, ...], what: str) -> Iterator[Reference]:
    seen: set[str] = set()
    for i, value in enumerate(values):
        if value in seen:
            yield Reference((*path, i), f"{what} {value!r} appears twice", f"give each {what} once")
        seen.add(value)


def _id_collisions(values: list[str], path: tuple[str | int, ...], what: str) -> Iterator[Reference]:
    """Distinct names that map to one construct id ('a-b' and 'a--b', 'churn-x' and 'churnX') break synth."""
    seen: dict[str, str] = {}
    for i, value in enumerate(values):
        key = construct_id(value)
        if key in seen and seen[key] != value:
            yield Reference((*path, i, "name"), f"{what} {value!r} and {seen[key]!r} map to the same construct id "
                            f"{key!r}", f"rename one {what} so the names differ by more than hyphens or case")
        seen.setdefault(key, value)
