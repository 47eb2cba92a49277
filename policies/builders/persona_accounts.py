"""Where a persona's role lives: spec accounts, and the accounts of its StackSet OUs that the spec knows.

The SCPs exempt approver and platform roles by exact ARN (no account wildcard, so nobody can mint an
exempt role by name in another account); this module is the one place that works those ARNs out.
"""

from __future__ import annotations

from modelgov.policies.spec.models import GovernanceSpec, Persona


def _ou_id(spec: GovernanceSpec, persona: Persona, name: str) -> str:
    try:
        return str(spec.organization.ou_id(name))
    except KeyError:
        raise ValueError(f"governance spec: persona {persona.name!r} lists organizational unit {name!r}, which is "
                         "not in organization.organizational_units; add it there or fix the name") from None


def _account_id(spec: GovernanceSpec, persona: Persona, name: str) -> str:
    try:
        return str(spec.organization.account_id(name))
    except KeyError:
        raise ValueError(f"governance spec: persona {persona.name!r} lists account {name!r}, which is not in "
                         "organization.accounts; add it there or fix the name") from None


def stackset_ou_ids(spec: GovernanceSpec, persona: Persona) -> list[str]:
    """OU ids the persona's StackSet targets, in spec order."""
    return [_ou_id(spec, persona, name) for name in persona.organizational_units]


def accounts_under(spec: GovernanceSpec, ou_ids: list[str]) -> list[str]:
    """Spec accounts inside these OUs or their child OUs (service-managed StackSets reach nested OUs)."""
    org = spec.organization
    by_name = {ou.name: ou for ou in org.organizational_units}
    covered = set(ou_ids)
    changed = True
    while changed:
        changed = False
        for ou in org.organizational_units:
            parent = by_name[ou.parent].id if ou.parent in by_name else ou.parent
            if parent in covered and ou.id not in covered:
                covered.add(ou.id)
                changed = True
    result: list[str] = []
    for account in org.accounts:
        if account.ou is None or account.id == org.management_account:
            continue  # StackSets never deploy to the management account
        ou_id = by_name[account.ou].id if account.ou in by_name else account.ou
        if ou_id in covered:
            result.append(account.id)
    return result


def direct_account_ids(spec: GovernanceSpec, persona: Persona) -> list[str]:
    """Accounts that get the role from a per-account stack: persona.accounts not already reached by its OUs."""
    covered = set(accounts_under(spec, stackset_ou_ids(spec, persona)))
    ids: list[str] = []
    for name in persona.accounts:
        account = _account_id(spec, persona, name)
        if account not in covered and account not in ids:
            ids.append(account)
    return ids


def deployed_account_ids(spec: GovernanceSpec, persona: Persona) -> list[str]:
    """Every account the spec knows where this persona's role exists."""
    ids = direct_account_ids(spec, persona)
    ids += [a for a in accounts_under(spec, stackset_ou_ids(spec, persona)) if a not in ids]
    return sorted(ids)


def role_arns(spec: GovernanceSpec, persona: Persona, partition: str) -> list[str]:
    return [f"arn:{partition}:iam::{account}:role/{persona.effective_role_name}"
            for account in deployed_account_ids(spec, persona)]
