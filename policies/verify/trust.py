"""Who may assume each persona role: its trust policy against every class of caller, compared with the spec.

The spec's `trust` says who may become a persona: any principal of a listed account, the IAM Identity Center
roles of a listed permission set in the role's own account, and a listed service acting for the role's own
account (aws:SourceAccount). Everyone else must be denied. The engine decides sts:AssumeRole on the role for

* roles in every organization account (registry, management, members), in one account outside the
  organization and in every other account the trust policy names; a caller's identity policy allows
  sts:AssumeRole on * and its account's SCP levels apply, so the trust policy and the SCPs decide;
* Identity Center roles of every permission set the spec names, of one it does not name, and near misses
  (`<set>_admin`), in both ARN forms (with and without the identity source's region in the path), in every
  caller account;
* every role and pattern the trust policy itself names, placed in each caller account;
* every service principal any persona trusts, sagemaker.amazonaws.com and any service the policy names,
  with aws:SourceAccount the role's account, another account, or absent;
* federated identities (OIDC, SAML): any Allow of sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML
  admits a caller the spec cannot list (the statement is the evidence; the engine has no such principals).

Callers that every ARN test of the trust policy and of the SCPs answers alike, with the same expectation, are
decided once; every other condition key the policies test is split into classes as in the lifecycle proof
(domain.py). Unknown values are bracketed (materialize.py): only a decision both brackets agree on counts.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.builders.personas import SSO_ROLE_PATH
from modelgov.policies.engine import Prepared
from modelgov.policies.engine.request import normalize_request
from modelgov.policies.iam import catalog
from modelgov.policies.spec.models import GovernanceSpec, Persona

from . import domain
from .domain import ABSENT, KeyUse, Value
from .equivalence import ArnTest, compile_principal_tests
from .inventory import ANY_ACCOUNT
from .layers import Layers, cached_levels
from .materialize import ALLOWED, ERROR, PERMISSIVE, STRICT, UNKNOWN, decide_bracketed, materialize
from .model import Inventory, Note, Policy, Principal
from .result import TrustEntry, VerifyResult, Violation

ASSUME_ROLE = "sts:AssumeRole"
DEFAULT_SERVICE = "sagemaker.amazonaws.com"  # the service a model registry persona is most often trusted by
ANY_ROLE = "modelgov-any-principal"
SSO_SUFFIX = "a1b2c3d4e5f6a7b8"  # the 16 characters Identity Center appends to every role name
SSO_REGION = "eu-west-2"  # an identity source outside us-east-1 puts its region in the role's path
NEAR_MISS = "_admin"
SSO_ROLE = re.compile(r"^arn:[^:]+:iam::(?P<account>\d{12}):role/aws-reserved/sso\.amazonaws\.com/"
                      r"(?:[^/]+/)?AWSReservedSSO_(?P<set>[\w+=,.@-]+)_[0-9A-Za-z]{16}$")
IAM_PRINCIPAL = re.compile(r"^arn:(?P<partition>[^:]+):iam::(?P<account>[^:]*):(?P<kind>role|user)/(?P<path>.+)$")
IAM_PATH = re.compile(r"([\w+=,.@-]+/)*[\w+=,.@-]+")  # path segments and name: the characters IAM accepts
ACCOUNT_ID = re.compile(r"(?<!\d)\d{12}(?!\d)")
FEDERATED_ACTIONS = ("sts:AssumeRoleWithWebIdentity", "sts:AssumeRoleWithSAML")
FEDERATED = "federated identities (OIDC web identity, SAML)"
CALLER_POLICY = Policy("caller identity policy (allows sts:AssumeRole on *)", {
    "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "*"}]})
# Keys the caller class fixes (the engine derives the principal's own; the class sets the organization and the
# source account); every other key a policy tests is enumerated.
FIXED_KEYS = frozenset(k.lower() for k in (
    "aws:PrincipalArn", "aws:PrincipalAccount", "aws:PrincipalType", "aws:PrincipalIsAWSService",
    "aws:PrincipalServiceName", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:SourceAccount",
    "aws:SourceOrgID", "aws:ResourceAccount", "aws:username"))
RESOURCE_TAGS = ("aws:resourcetag/", "iam:resourcetag/")
# What the caller picks for each AssumeRole call (arguments, endpoint region, session tags, transport, MFA): an
# intended caller gets in when some choice succeeds; an unintended one must fail with every choice.
CHOSEN_KEYS = frozenset(k.lower() for k in (
    "aws:RequestedRegion", "sts:ExternalId", "sts:RoleSessionName", "sts:SourceIdentity", "aws:SourceIdentity",
    "sts:TransitiveTagKeys", "aws:TagKeys", "aws:SecureTransport", "aws:MultiFactorAuthPresent",
    "aws:MultiFactorAuthAge"))
CHOSEN_PREFIXES = ("aws:requesttag/",)


@dataclass(frozen=True)
class Member:
    """One caller the engine decides: the principal, the context its class fixes, and what the spec expects."""

    label: str  # caller class
    principal: str  # role or user ARN, or service principal
    account: str  # the caller's account (roles), or aws:SourceAccount (services; "" when absent)
    service: bool
    context: tuple[tuple[str, Value], ...]
    expected: bool
    why: str
    action: str = ASSUME_ROLE

    @property
    def shown(self) -> str:
        if not self.service:
            return self.principal
        return f"{self.principal} with aws:SourceAccount {self.account}" if self.account else \
            f"{self.principal} without aws:SourceAccount"


@dataclass
class _Found:
    code: str
    member: Member
    combo: dict[str, Value]
    decision: str
    count: int = 1
    decisive: list[dict[str, Any]] | None = None  # given when the engine did not decide (federated callers)


@dataclass
class _Outcome:
    """The decisions for one trust policy and expectation set; roles with the same trust share it."""

    classes: dict[str, list[Member]] = field(default_factory=dict)  # label -> members (all candidates)
    seen: dict[str, set[str]] = field(default_factory=dict)  # label -> decisions
    found: dict[tuple[str, str], _Found] = field(default_factory=dict)  # (code, label) -> first mismatch
    notes: list[tuple[str, str]] = field(default_factory=list)  # (code, message tail)


class TrustProver:
    """Proves, for every persona role of the inventory, who may assume it against the spec's `trust`."""

    def __init__(self, spec: GovernanceSpec, inventory: Inventory, cache: dict[Any, Any],
                 max_evaluations: int) -> None:
        self.spec = spec
        self.inventory = inventory
        self.cache = cache  # shared with the lifecycle proof: the SCP layers are the same policy objects
        self.max_evaluations = max_evaluations
        self.evaluations = 0
        org = spec.organization
        self.org_accounts = list(dict.fromkeys([org.registry_account, org.management_account,
                                                *(a.id for a in org.accounts)]))
        self.names: dict[str, str] = {a.id: a.name for a in org.accounts}
        self.names.setdefault(org.registry_account, "registry")
        self.names.setdefault(org.management_account, "management")
        self.names[ANY_ACCOUNT] = "outside the organization"
        self.sets = list(dict.fromkeys(s for p in spec.personas for s in p.trust.sso_permission_sets))
        taken = {s.lower() for s in self.sets}
        self.unnamed_set = next(f"ModelgovUnnamedSet{n or ''}" for n in itertools.count()
                                if f"modelgovunnamedset{n or ''}" not in taken)
        self.near_misses = [f"{s}{NEAR_MISS}" for s in self.sets if f"{s}{NEAR_MISS}".lower() not in taken]
        self.services = list(dict.fromkeys([*(s for p in spec.personas for s in p.trust.services), DEFAULT_SERVICE]))
        self.outcomes: dict[Any, _Outcome] = {}  # roles whose trust and expectations read alike share one
        self.error = ""  # the first engine error, for the V104 note
        self.trusted: dict[str, list[str]] = {}  # persona -> account ids its trust lists
        self.labels: dict[str, str] = {}  # permission set -> its class in the role's account

    # -- the spec -------------------------------------------------------------------------------------------------
    def trusted_accounts(self, persona: Persona) -> list[str]:
        hit = self.trusted.get(persona.name)
        if hit is not None:
            return hit
        out = self.trusted[persona.name] = []
        for name in persona.trust.accounts:
            try:
                out.append(self.spec.organization.account_id(name))
            except KeyError:
                out.append(name)
        return out

    def account_name(self, account: str) -> str:
        return self.names.get(account, "outside the organization, named by the trust policy")

    def expect_role(self, persona: Persona, role_account: str, arn: str, account: str,
                    sso_set: str | None) -> tuple[bool, str]:
        """Whether the spec lets this role (or user) in `account` assume the persona's role, and why; `sso_set`
        is the permission set of an Identity Center role."""
        name = f"{account} ({self.account_name(account)})"
        if account in self.trusted_accounts(persona):
            return True, f"trust.accounts lists {name}: every principal there may assume the role"
        listed = ", ".join(persona.trust.sso_permission_sets) or "none"
        if sso_set is not None and account == role_account:
            if sso_set in persona.trust.sso_permission_sets:
                return True, f"trust.sso_permission_sets lists {sso_set}; this is its role in the role's account"
            return False, f"permission set {sso_set} is not in trust.sso_permission_sets ({listed})"
        if sso_set is not None and sso_set in persona.trust.sso_permission_sets:
            return False, (f"permission set {sso_set} is trusted only through its roles in the role's own account "
                           f"{role_account}, and trust.accounts does not list {name}")
        accounts = ", ".join(self.trusted_accounts(persona)) or "none"
        return False, f"trust.accounts ({accounts}) does not list {name}"

    @staticmethod
    def expect_service(persona: Persona, role_account: str, service: str, source: str) -> tuple[bool, str]:
        if service not in persona.trust.services:
            return False, f"trust.services ({', '.join(persona.trust.services) or 'none'}) does not list {service}"
        if source == role_account:
            return True, f"trust.services lists {service}, acting for the role's own account"
        if not source:
            return False, (f"without aws:SourceAccount {service} could act for any account (confused deputy); the "
                           f"spec admits it only for the role's own account {role_account}")
        return False, f"aws:SourceAccount {source} is not the role's account {role_account} (confused deputy)"

    # -- callers --------------------------------------------------------------------------------------------------
    def org_context(self, account: str, prefix: str) -> list[tuple[str, Value]]:
        """aws:PrincipalOrgID / OrgPaths (prefix Principal) or aws:SourceOrgID (prefix Source) of an account."""
        if account not in self.org_accounts:
            return []
        org = self.spec.organization
        if prefix == "Source":
            return [("aws:SourceOrgID", org.id)]
        return [("aws:PrincipalOrgID", org.id), ("aws:PrincipalOrgPaths", (self.org_path(account),))]

    def org_path(self, account: str) -> str:
        org = self.spec.organization
        by_name = {ou.name: ou for ou in org.organizational_units}
        by_id = {ou.id: ou for ou in org.organizational_units}
        member = next((a for a in org.accounts if a.id == account), None)
        chain: list[str] = []
        ou_name = member.ou if member else None
        while ou_name and ou_name != "root":
            ou = by_name.get(ou_name) or by_id.get(ou_name)
            if ou is None or ou.id in chain:
                break
            chain.insert(0, ou.id)
            ou_name = ou.parent
        return "/".join([org.id, org.root_id, *chain]) + "/"

    def sso_label(self, name: str) -> str:
        """The class of an Identity Center role in the role's own account (elsewhere it is "any role in N")."""
        hit = self.labels.get(name)
        if hit is None:
            if name in self.sets:
                hit = f"Identity Center {name} (role's account)"
            elif name.endswith(NEAR_MISS) and name.removesuffix(NEAR_MISS) in self.sets:
                hit = f"Identity Center {name} (role's account, near miss)"
            else:
                hit = "Identity Center set the spec does not name (role's account)"
            self.labels[name] = hit
        return hit

    def callers(self, principal: Principal, persona: Persona, docs: list[dict[str, Any]],
                uses: dict[str, KeyUse]) -> list[Member]:
        """Every candidate caller, in report order: accounts, Identity Center sets, services."""
        partition = principal.arn.split(":")[1] if principal.arn.startswith("arn:") else "aws"
        role_account = principal.account
        text = json.dumps(docs, sort_keys=True)
        accounts = list(dict.fromkeys([*self.org_accounts, ANY_ACCOUNT, *ACCOUNT_ID.findall(text)]))
        witnesses = list(dict.fromkeys(self.arn_witnesses(docs)))
        sso_names = [*self.sets, *self.near_misses, self.unnamed_set]
        # elsewhere, the persona's own sets and their near misses: every other name only matters to a pattern,
        # and each pattern brings its own witnesses
        own = persona.trust.sso_permission_sets
        elsewhere = [*own, *(n for n in self.near_misses if n.removesuffix(NEAR_MISS) in own), self.unnamed_set]
        members: list[Member] = []
        sso_members: list[Member] = []
        for account in accounts:
            label = f"any role in {account} ({self.account_name(account)})"
            context = tuple(self.org_context(account, "Principal"))
            arns: dict[str, str | None] = {f"arn:{partition}:iam::{account}:role/{ANY_ROLE}": None}
            for name in (sso_names if account == role_account else elsewhere):
                for prefix in ("", f"{SSO_REGION}/"):
                    arns[f"arn:{partition}:iam::{account}:role/{SSO_ROLE_PATH}{prefix}AWSReservedSSO_{name}_"
                         f"{SSO_SUFFIX}"] = name
            for witness in witnesses:
                match = IAM_PRINCIPAL.match(witness)
                if match and (match["account"] == account or not ACCOUNT_ID.fullmatch(match["account"])):
                    arn = f"arn:{partition}:iam::{account}:{match['kind']}/{match['path']}"
                    if arn not in arns and _can_exist(arn):
                        sso = SSO_ROLE.match(arn)
                        arns[arn] = str(sso["set"]) if sso else None
            for arn, sso_set in arns.items():
                exp, why = self.expect_role(persona, role_account, arn, account, sso_set)
                if sso_set is not None and account == role_account:
                    sso_members.append(Member(self.sso_label(sso_set), arn, account, False, context, exp, why))
                else:
                    members.append(Member(label, arn, account, False, context, exp, why))
        order = {self.sso_label(name): i for i, name in enumerate(sso_names)}
        members += sorted(sso_members, key=lambda m: order.get(m.label, len(order)))
        services = list(dict.fromkeys([*self.services, *_named_services(docs)]))
        source_use = uses.get("aws:sourceaccount")
        sources: list[str | None] = [role_account, ANY_ACCOUNT, *self.org_accounts, ABSENT]
        sources += domain.witnesses(source_use) if source_use else []
        for service in services:
            for source in dict.fromkeys(sources):
                which = ("for the role's account" if source == role_account else "without aws:SourceAccount"
                         if source is None else "for another account")
                fixed: list[tuple[str, Value]] = [] if source is None else [("aws:SourceAccount", source)]
                fixed += self.org_context(source or "", "Source")
                exp, why = self.expect_service(persona, role_account, service, source or "")
                members.append(Member(f"{service} {which}", service, source or "", True, tuple(fixed), exp, why))
        return members

    @staticmethod
    def arn_witnesses(docs: list[dict[str, Any]]) -> Iterable[str]:
        """Role and user ARNs the policies name or match: each literal, and each pattern filled (_fills); the
        account field is placed by the caller."""
        for doc in docs:
            for statement in _as_list(doc.get("Statement")):
                if not isinstance(statement, dict):
                    continue
                values: list[Any] = []
                for element in ("Principal", "NotPrincipal"):
                    principal = statement.get(element)
                    values += _as_list(principal.get("AWS")) if isinstance(principal, dict) else []
                for block in (statement.get("Condition") or {}).values():
                    if isinstance(block, dict):
                        values += [v for k, vs in block.items() if str(k).lower() == "aws:principalarn"
                                   for v in _as_list(vs)]
                for value in values:
                    if isinstance(value, str) and "${" not in value:
                        yield from _fills(value)

    # -- the proof ------------------------------------------------------------------------------------------------
    def levels(self, account: str) -> list[tuple[str, list[Policy]]]:
        """The caller account's SCP levels, the same list object the lifecycle proof uses (caches key on it)."""
        return cached_levels(self.spec, self.inventory, account, self.cache)

    def layers(self, trust: Policy, account: str | None) -> Layers:
        """What a caller meets: its identity policy and SCP levels (None: a service principal has neither)."""
        if account is None:
            return Layers([], [], [], trust, self.cache)
        return Layers([CALLER_POLICY], [], self.levels(account), trust, self.cache)

    def relevant(self, layers: Layers, policy: Policy, mode: str) -> dict[str, Any]:
        """The policy materialized for `mode` with only the statements that can apply to sts:AssumeRole."""
        key = ("trust-relevant", id(policy), mode)
        hit = self.cache.get(key)
        if hit is None:
            doc = layers.materialized(policy, mode)
            hit = self.cache[key] = {**doc, "Statement": [
                s for s in _as_list(doc.get("Statement")) if isinstance(s, dict) and
                domain.action_matches(s, ASSUME_ROLE)]}
        return dict(hit)

    def arn_test(self, layers: Layers, policy: Policy, mode: str) -> ArnTest:
        key = ("trust-arn-test", id(policy), mode)
        hit = self.cache.get(key)
        if hit is None:
            hit = self.cache[key] = compile_principal_tests(self.relevant(layers, policy, mode))
        test: ArnTest = hit
        return test

    def run(self, result: VerifyResult) -> None:
        for principal in self.inventory.principals:
            if principal.kind == "role" and principal.persona:
                self.prove(principal, result)

    def prove(self, principal: Principal, result: VerifyResult) -> None:
        persona = self.spec.persona(principal.persona)
        trust = principal.trust
        if trust is None:
            result.unknowns.append(Note("V204", f"{principal.label} (persona {persona.name}): no trust policy "
                                                "(AssumeRolePolicyDocument is missing or has no statement); "
                                                "CloudFormation cannot create the role, so nobody can become the "
                                                "persona and who may assume it is not proven", principal.source))
            return
        accounts = {a: self.layers(trust, a) for a in self.accounts_for(trust)}
        service_layers = self.layers(trust, None)
        uncertain = service_layers.uncertain() or any(layers.uncertain() for layers in accounts.values())
        modes = [PERMISSIVE, STRICT] if uncertain else [PERMISSIVE]
        trust_docs = [self.relevant(service_layers, trust, mode) for mode in modes]
        scp_policies = list({id(p): p for layers in accounts.values() for _, level in layers.scps
                             for p in level}.values())
        scp_docs = [self.relevant(service_layers, p, mode) for p in scp_policies for mode in modes]
        trust_text = json.dumps(trust_docs, sort_keys=True)
        key = (trust_text, principal.account, json.dumps(persona.trust.model_dump(), sort_keys=True),
               principal.arn if "Resource" in trust_text else "", json.dumps(principal.tags, default=str)
               if "resourcetag/" in trust_text.lower() else "", tuple(modes))
        outcome = self.outcomes.get(key)
        if outcome is None:
            outcome = self.outcomes[key] = self.decide_all(principal, persona, trust, modes, trust_docs, scp_docs)
        for code, tail in outcome.notes:
            result.unknowns.append(Note(code, f"{principal.label} (persona {persona.name}): {tail}", principal.source))
        self.finish(principal, persona, trust, modes, outcome, result)

    def accounts_for(self, trust: Policy) -> list[str]:
        text = json.dumps(trust.document, default=str)
        return list(dict.fromkeys([*self.org_accounts, ANY_ACCOUNT, *ACCOUNT_ID.findall(text)]))

    def decide_all(self, principal: Principal, persona: Persona, trust: Policy, modes: list[str],
                   trust_docs: list[dict[str, Any]], scp_docs: list[dict[str, Any]]) -> _Outcome:
        outcome = _Outcome()
        uses = domain.collect_keys([*trust_docs, *scp_docs], ASSUME_ROLE)
        incomplete = sorted(f"{u.display}: {u.incomplete}" for u in uses.values() if u.incomplete)
        if incomplete:
            outcome.notes.append(("V106", f"policy variable {incomplete[0]} in who may assume the role; not proven"))
            return outcome
        members = self.callers(principal, persona, [*trust_docs, *scp_docs], uses)
        for member in members:
            outcome.classes.setdefault(member.label, []).append(member)
        given, chosen = self.combos(principal, uses)
        representatives, keys = self.representatives(trust, modes, members)
        budget = len(representatives) * len(given) * len(chosen)
        if budget > self.max_evaluations:
            outcome.notes.append(("V105", f"{budget} caller classes for sts:AssumeRole exceed the budget of "
                                          f"{self.max_evaluations}; who may assume the role is not proven"))
            outcome.classes.clear()
            return outcome
        prepared: dict[str | None, list[Prepared]] = {}
        decided: dict[Any, list[tuple[str, dict[str, Value]]]] = {}
        for key, representative in representatives.items():
            where = None if representative.service else representative.account
            if where not in prepared:
                layers = self.layers(trust, where)
                prepared[where] = [layers.prepared(mode, ASSUME_ROLE) for mode in modes]
            decided[key] = [self.best(prepared[where], principal, representative, fixed, chosen) for fixed in given]
        for member, key in zip(members, keys, strict=True):
            for decision, combo in decided[key]:
                outcome.seen.setdefault(member.label, set()).add(decision)
                code = _code(member.expected, decision)
                if code:
                    found = outcome.found.get((code, member.label))
                    if found is None:
                        outcome.found[(code, member.label)] = _Found(code, member, combo, decision)
                    else:
                        found.count += 1
        broken = [label for code, label in outcome.found if code == "V104"]
        if broken:
            for label in broken:
                del outcome.found[("V104", label)]
            outcome.notes.append(("V104", f"the engine rejects a request or policy of who may assume the role "
                                          f"({self.error}); {len(broken)} caller classes are not proven"))
        self.federated(trust, modes, outcome)
        return outcome

    def federated(self, trust: Policy, modes: list[str], outcome: _Outcome) -> None:
        """Web identity (OIDC) and SAML callers: the spec's trust names none, so an Allow of
        sts:AssumeRoleWithWebIdentity or sts:AssumeRoleWithSAML admits someone it does not list. The engine has no
        such principals, so the statement itself is the evidence: Allowed when it holds under both brackets."""
        why = ("the spec's trust lists accounts, Identity Center permission sets and services; no identity "
               "provider (OIDC, SAML) is one of them")
        hits: list[list[tuple[int, dict[str, Any], str]]] = []
        for mode in modes:
            found = []
            for index, raw in enumerate(_as_list(trust.document.get("Statement"))):
                if not isinstance(raw, dict) or raw.get("Effect") != "Allow":
                    continue
                for statement in materialize({"Statement": [raw]}, mode, trust.uncertain)["Statement"]:
                    action = next((a for a in FEDERATED_ACTIONS if domain.action_matches(statement, a)), None)
                    if action is not None:
                        found.append((index, statement, action))
            hits.append(found)
        if not hits[0]:
            outcome.classes[FEDERATED] = [Member(FEDERATED, "any OIDC or SAML identity provider", "", False, (), False,
                                                 why, FEDERATED_ACTIONS[0])]
            outcome.seen[FEDERATED] = {"ImplicitlyDenied"}
            return
        index, statement, action = hits[0][0]
        principal = statement.get("Principal")
        values = _as_list(principal.get("Federated")) if isinstance(principal, dict) else []
        caller = next((v for v in values if isinstance(v, str)), "any OIDC or SAML identity provider")
        member = Member(FEDERATED, caller, "", False, (), False, why, action)
        decision = ALLOWED if all(hits) else UNKNOWN
        outcome.classes[FEDERATED] = [member]
        outcome.seen[FEDERATED] = {decision}
        outcome.found[(_code(False, decision), FEDERATED)] = _Found(
            _code(False, decision), member, {}, decision, count=len(hits[0]), decisive=[{
                "layer": "resource", "policy": trust.name, "statement_index": index, "sid": statement.get("Sid", ""),
                "effect": "Allow"}])

    def best(self, prepared: list[Prepared], principal: Principal, member: Member, fixed: dict[str, Value],
             chosen: list[dict[str, Value]]) -> tuple[str, dict[str, Value]]:
        """Whether the caller can assume the role by some choice of what it sends (an error or a bracket that
        disagrees first, then Allowed, then a deny), with the request that shows it."""
        outcomes: dict[str, dict[str, Value]] = {}
        for choice in chosen:
            combo = {**fixed, **choice}
            decision = self.decide(prepared, self.request(principal, member, combo))
            outcomes.setdefault(decision, combo)
            if decision in (ERROR, ALLOWED):
                break
        for decision in (ERROR, ALLOWED, UNKNOWN):
            if decision in outcomes:
                return decision, outcomes[decision]
        decision = next(iter(outcomes))
        return decision, outcomes[decision]

    def representatives(self, trust: Policy, modes: list[str], members: list[Member]
                        ) -> tuple[dict[Any, Member], list[Any]]:
        """One member per (caller account, fixed context, answer of every ARN test of the trust policy and the
        caller's SCPs): the engine sees nothing else of a caller's name, so the others take its decisions. Returns
        the representatives by key and each member's key. Policy variables turn merging off."""
        out: dict[Any, Member] = {}
        keys: list[Any] = []
        tests: dict[str | None, list[ArnTest]] = {}
        scp_tests: dict[str | None, list[ArnTest]] = {}
        variables: dict[str | None, bool] = {}
        for member in members:
            where = None if member.service else member.account
            if where not in tests:
                layers = self.layers(trust, where)
                scps = [p for _, level in layers.scps for p in level]
                tests[where] = [self.arn_test(layers, trust, mode) for mode in modes]
                scp_tests[where] = [self.arn_test(layers, p, mode) for p in scps for mode in modes]
                variables[where] = "${" in json.dumps([self.relevant(layers, p, mode) for p in [trust, *scps]
                                                       for mode in modes])
            if member.service or variables[where] or ":user/" in member.principal:
                signature: Any = (member.principal, member.action)
            else:
                # the SCPs are the same for every role: their answers are kept per caller ARN
                scp_key = ("trust-scp-answers", where, member.principal, tuple(modes))
                shared = self.cache.get(scp_key)
                if shared is None:
                    shared = self.cache[scp_key] = tuple(a for test in scp_tests[where] for a in test(member.principal))
                signature = (shared, *(answer for test in tests[where] for answer in test(member.principal)))
            key = (where, member.context, signature)
            out.setdefault(key, member)
            keys.append(key)
        return out, keys

    def combos(self, principal: Principal, uses: dict[str, KeyUse]
               ) -> tuple[list[dict[str, Value]], list[dict[str, Value]]]:
        """Classes of every other key the policies test for sts:AssumeRole, as (given, chosen): the keys the
        caller chooses in each request (CHOSEN_KEYS) may take any value for an intended caller to get in; every
        other key holds whatever value it has. The role's own tags are fixed."""
        given: list[tuple[str, list[Value]]] = []
        chosen: list[tuple[str, list[Value]]] = []
        for key, use in sorted(uses.items()):
            if key in FIXED_KEYS or not catalog.key_valid_for_action(use.display, ASSUME_ROLE, "role"):
                continue
            if key.startswith(RESOURCE_TAGS):
                tag = principal.tags.get(use.display.split("/", 1)[1])
                if tag is None or isinstance(tag, str):
                    given.append((use.display, [tag]))
                    continue
            axis = (use.display, list(domain.reduce(use, domain.values_for(key, use)).values()))
            (chosen if key in CHOSEN_KEYS or key.startswith(CHOSEN_PREFIXES) else given).append(axis)
        return _product(given), _product(chosen)

    @staticmethod
    def request(principal: Principal, member: Member, combo: dict[str, Value]) -> dict[str, Any]:
        context: dict[str, Any] = {}
        for key, value in [*member.context, *combo.items()]:
            if value is not None:
                context[key] = list(value) if isinstance(value, tuple) else value
        return {"principal": member.principal, "action": member.action,
                "resource": {"resource": principal.arn, "accountId": principal.account},
                "contextVariables": context}

    def decide(self, prepared: list[Prepared], request: dict[str, Any]) -> str:
        """The engine's decision under every bracket: Allowed or a deny only when all agree, else unknown."""
        normalized, errors = normalize_request(request)
        self.evaluations += 1
        if normalized is None:
            self.error = self.error or str(errors[0] if errors else "the request is malformed")
            return ERROR
        decision, error = decide_bracketed(prepared, normalized)
        self.error = self.error or error
        return decision

    # -- the report -----------------------------------------------------------------------------------------------
    def finish(self, principal: Principal, persona: Persona, trust: Policy, modes: list[str], outcome: _Outcome,
               result: VerifyResult) -> None:
        entries: dict[str, TrustEntry] = {}
        for label, members in outcome.classes.items():
            exps = {m.expected for m in members}
            seen = outcome.seen.get(label, set())
            expected = "allowed" if exps == {True} else "denied" if exps == {False} else "partly"
            if UNKNOWN in seen or ERROR in seen or not seen:
                actual = "unknown"
            elif seen == {ALLOWED}:
                actual = "allowed"
            else:
                actual = "partly" if ALLOWED in seen else "denied"
            violation = any(found_label == label for _, found_label in outcome.found)
            entries[label] = TrustEntry(expected, actual, violation, list(dict.fromkeys(m.shown for m in members)),
                                        members[0].why)
        result.trust[principal.label] = entries
        result.personas.setdefault(principal.label, principal.persona)
        for (code, label), found in outcome.found.items():
            member = found.member
            request = self.request(principal, member, found.combo)
            decisive = self.decisive(principal, trust, member, modes, request) if found.decisive is None else [
                {**d, "template": trust.source.file, "stack": trust.source.stack,
                 "logical_id": trust.source.logical_id, "line": trust.source.line} for d in found.decisive]
            expected_text = "allowed" if member.expected else "denied"
            others = [m.shown for m in outcome.classes[label] if m.shown != member.shown]
            verb = "may assume" if found.decision == ALLOWED else "cannot be shown to assume" \
                if found.decision == UNKNOWN else "cannot assume"
            message = (f"{principal.label} (persona {persona.name}): {label}: {member.principal} {verb} the role "
                       f"({member.action} is {found.decision}), the spec expects {expected_text} ({member.why})"
                       + (f"; {found.count} request classes" if found.count > 1 else ""))
            result.violations.append(Violation(
                code=code, principal=principal.label, persona=principal.persona, label=label, expected=expected_text,
                actual=found.decision, request=request, decisive=decisive, message=message, source=principal.source,
                cells=found.count, equivalents={"caller": others[:12]} if others else {}, kind="trust"))

    def decisive(self, principal: Principal, trust: Policy, member: Member, modes: list[str],
                 request: dict[str, Any]) -> list[dict[str, Any]]:
        """The statements that decided the counterexample, with their template and logical id."""
        normalized, _ = normalize_request(request)
        if normalized is None:
            return []
        layers = self.layers(trust, None if member.service else member.account)
        outcome = layers.prepared(modes[0], ASSUME_ROLE).evaluate_request(normalized)
        policies = [trust, CALLER_POLICY, *(p for _, level in layers.scps for p in level)]
        out = []
        for entry in outcome.decisive:
            layer = str(entry.get("layer", ""))
            name = trust.name if layer.startswith("resource") else entry.get("policy")
            policy = next((p for p in policies if p.name == name), None)
            located = {**entry, "policy": name}
            if policy is not None and policy.source.file:
                located.update({"template": policy.source.file, "stack": policy.source.stack,
                                "logical_id": policy.source.logical_id, "line": policy.source.line})
            out.append(located)
        return out


def _code(expected: bool, decision: str) -> str:
    if decision == ERROR:
        return "V104"
    if decision == UNKNOWN:
        return "V203"
    if expected and decision != ALLOWED:
        return "V202"
    if not expected and decision == ALLOWED:
        return "V201"
    return ""


def _product(axes: list[tuple[str, list[Value]]]) -> list[dict[str, Value]]:
    names = [name for name, _ in axes]
    return [dict(zip(names, values, strict=True)) for values in itertools.product(*(v for _, v in axes))]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _named_services(docs: list[dict[str, Any]]) -> list[str]:
    out: list[str] = []
    for doc in docs:
        for statement in _as_list(doc.get("Statement")):
            principal = statement.get("Principal") if isinstance(statement, dict) else None
            if isinstance(principal, dict):
                out += [s for s in _as_list(principal.get("Service")) if isinstance(s, str) and "*" not in s]
    return out


def _fills(pattern: str) -> list[str]:
    """The pattern with `?` as one character and each `*` empty, a plain word, an Identity Center region path
    segment or an Identity Center name suffix, so a pattern over Identity Center roles yields roles that can
    exist (`*AWSReservedSSO_L*` gives `AWSReservedSSO_Lx_<16 characters>`); beyond three `*` only the first
    two fills."""
    parts = pattern.replace("?", "x").split("*")
    stars = len(parts) - 1
    choices = ("", "modelgovx") if stars > 3 else ("", "modelgovx", f"{SSO_REGION}/", f"x_{SSO_SUFFIX}")
    out = []
    for filling in (itertools.product(choices, repeat=stars) if stars <= 3 else ((c,) * stars for c in choices)):
        out.append("".join(part + fill for part, fill in zip(parts, (*filling, ""), strict=True)))
    return list(dict.fromkeys(out))


def _can_exist(arn: str) -> bool:
    """IAM names and paths hold only word characters and +=,.@- and no empty segment (so no wildcard), and only
    Identity Center creates roles under its reserved path, always named AWSReservedSSO_<set>_<16 characters>."""
    match = IAM_PRINCIPAL.match(arn)
    if match is None:
        return False
    if not IAM_PATH.fullmatch(match["path"]):
        return False
    return not match["path"].startswith("aws-reserved/") or SSO_ROLE.match(arn) is not None


def prove_trust(spec: GovernanceSpec, inventory: Inventory, result: VerifyResult, cache: dict[Any, Any],
                max_evaluations: int) -> int:
    """Add the trust matrices, violations and notes to `result`; returns the engine evaluations it made."""
    prover = TrustProver(spec, inventory, cache, max_evaluations)
    prover.run(result)
    return prover.evaluations


__all__ = ["ASSUME_ROLE", "CALLER_POLICY", "Member", "TrustProver", "prove_trust"]
