"""The lifecycle proof: every principal x lifecycle action x group class x value class, against the spec.

Each dimension's values (target stage and status, current stage and status, approval status, and every
other condition key an applicable statement tests) are split into classes whose members no policy and no
spec rule can tell apart (domain.py); the engine decides one representative per class, so a pass covers
every value, including stage names nobody listed. Groups whose version ARN and resource policy look the
same to every statement share one class too. Unknown values are bracketed by the permissive and strict
documents (materialize.py): only a decision both agree on counts as proven.
"""

from __future__ import annotations

import gc
import itertools
import json
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from modelgov.policies.builders.lifecycle_keys import (
    APPROVAL_KEY,
    CREATE_ACTION,
    CURRENT_STAGE_KEY,
    CURRENT_STATUS_KEY,
    STAGE_KEY,
    STATUS_KEY,
    UPDATE_ACTION,
)
from modelgov.policies.engine.request import normalize_request
from modelgov.policies.iam import catalog
from modelgov.policies.spec.models import APPROVAL_STATUSES, GovernanceSpec, Persona

from . import domain
from .domain import ABSENT, KeyUse, Value
from .equivalence import ArnTest, compile_principal_tests, compile_resource_bits
from .expected import Cell, expected, protected_of, reason
from .layers import Layers, cached_levels, scp_levels
from .materialize import ALLOWED, ERROR, PERMISSIVE, STRICT, UNKNOWN, decide_bracketed, materialize
from .model import Group, Inventory, Note, Policy, Principal
from .result import MatrixEntry, VerifyResult, Violation
from .trust import prove_trust
from .variables import RESOURCE, fill, middles

ACTIONS = (CREATE_ACTION, UPDATE_ACTION)
LIFECYCLE = {k.lower(): k for k in (STAGE_KEY, STATUS_KEY, CURRENT_STAGE_KEY, CURRENT_STATUS_KEY, APPROVAL_KEY)}
DEFAULT_MAX_EVALUATIONS = 2_000_000
_LIFECYCLE_KEYS = tuple(k.lower() for k in (STAGE_KEY, STATUS_KEY, CURRENT_STAGE_KEY, CURRENT_STATUS_KEY, APPROVAL_KEY))


@dataclass
class GroupClass:
    group: Group
    members: list[str]
    prepared: dict[str, Any]
    docs: list[dict[str, Any]]
    key: Any = None


@dataclass
class _Found:
    """First counterexample of one (code, principal, label), and how many class cells share it."""

    code: str
    cell: Cell
    combo: dict[str, Value]
    gclass: GroupClass
    decision: str
    expected: bool
    count: int = 1
    equivalents: dict[str, list[str]] = field(default_factory=dict)


class Prover:
    def __init__(self, spec: GovernanceSpec, inventory: Inventory, max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
                 actions: tuple[str, ...] = ACTIONS, approval: bool = True):
        self.spec = spec
        self.actions = actions
        self.approval = approval
        self.inventory = inventory
        self.max_evaluations = max_evaluations
        self.result = VerifyResult(unknowns=list(inventory.notes))
        self.evaluations = 0
        self.stages: list[str] = []
        self.statuses: list[str] = []
        self.protected = protected_of(spec)
        self.layer_cache: dict[Any, Any] = {}
        self.compiled: dict[Any, dict[str, Any]] = {}  # (principal key, action, group key) -> mode -> prepared
        self.class_cache: dict[Any, list[GroupClass]] = {}  # (principal key, action) -> group classes
        self.memo: dict[Any, str] = {}  # (principal key, action, group key, class signature, combo) -> decision
        self.interned: dict[Any, int] = {}  # principal and group-class keys -> small ints

    # -- domains -------------------------------------------------------------------------------------------------
    def lifecycle_domains(self, all_docs: list[dict[str, Any]]) -> None:
        """Stage and status values: the spec's catalog, every literal any policy tests, and one unnamed value."""
        stages = list(self.spec.lifecycle.stages)
        statuses = list(self.spec.lifecycle.statuses)
        for action in ACTIONS:
            uses = domain.collect_keys(all_docs, action)
            for key, target in ((STAGE_KEY, stages), (CURRENT_STAGE_KEY, stages), (STATUS_KEY, statuses),
                                (CURRENT_STATUS_KEY, statuses)):
                use = uses.get(key.lower())
                if use is not None:
                    target += [w for w in domain.witnesses(use) if not w.startswith(domain.OTHER_STRING)]
        for values in (stages, statuses):
            values.append(domain.other_string(values))
        self.stages = list(dict.fromkeys(stages))
        self.statuses = list(dict.fromkeys(statuses))

    def _spec_sig(self, persona: Persona | None, dim: str, value: str) -> tuple[bool, ...]:
        """What the spec's rules see of a value: protected or not, and which transitions name it."""
        lowered = value.lower()
        guarded = {"ts": self.protected.stages, "tt": self.protected.statuses, "ap": self.protected.approvals,
                   "cs": self.protected.stages}
        mark = (lowered in guarded[dim],) if dim in guarded else ()
        if persona is None:
            return mark
        return mark + self._persona_sig(persona, dim, value)

    @staticmethod
    def _persona_sig(persona: Persona, dim: str, value: str) -> tuple[bool, ...]:
        ts = persona.transitions
        if dim == "ts":
            return tuple(value == t.to for t in ts)
        if dim == "tt":
            return tuple(value in t.statuses for t in ts)
        if dim == "cs":
            return tuple(value == t.from_stage for t in ts)
        if dim == "ct":
            return tuple(t.from_statuses is None or value in t.from_statuses for t in ts)
        return (value in persona.approval_statuses,)

    def _classes(self, persona: Persona | None, use: KeyUse | None, dim: str,
                 values: list[str]) -> dict[str, list[str]]:
        """representative -> members, for values no policy comparison and no spec rule can tell apart."""
        by_sig: dict[Any, list[str]] = {}
        named = self._named(persona, use, dim)
        unnamed_sig: Any = None
        for value in values:
            if named is not None and value.lower() not in named:
                # named by no comparison and no spec rule: alike to every other such value
                if unnamed_sig is None:
                    unnamed_sig = (domain.signature(use, value), self._spec_sig(persona, dim, value))
                sig = unnamed_sig
            else:
                sig = (domain.signature(use, value), self._spec_sig(persona, dim, value))
            by_sig.setdefault(sig, []).append(value)
        return {self._representative(members): members for members in by_sig.values()}

    def _named(self, persona: Persona | None, use: KeyUse | None, dim: str) -> set[str] | None:
        """Lower-cased values some equality comparison or spec rule names; None when a pattern, a variable, a
        set operator or a non-string operator may single out other values too (then every value is checked)."""
        named: set[str] = set()
        if use is not None:
            if use.variables or use.multi or use.families - {"String", "Null"}:
                return None
            for base, value in use.comparisons:
                if "Like" in base:
                    return None
                named.add(value.lower())
        named |= {v.lower() for v in (*self.protected.stages, *self.protected.statuses, *self.protected.approvals)}
        if persona is not None:
            for t in persona.transitions:
                named |= {t.to.lower(), *(v.lower() for v in t.statuses)}
                named |= {t.from_stage.lower()} if t.from_stage else set()
                named |= {v.lower() for v in t.from_statuses or ()}
            named |= {v.lower() for v in persona.approval_statuses}
        return named

    def _representative(self, members: list[str]) -> str:
        """A catalog name when the class has one, else the unnamed value: labels stay readable."""
        catalog_names = [*self.spec.lifecycle.stages, *self.spec.lifecycle.statuses, *APPROVAL_STATUSES]
        for value in members:
            if value in catalog_names:
                return value
        return next((v for v in members if v.startswith(domain.OTHER_STRING)), members[0])

    def levels(self, account: str) -> list[tuple[str, list[Policy]]]:
        return cached_levels(self.spec, self.inventory, account, self.layer_cache)

    # -- groups ----------------------------------------------------------------------------------------------------
    def group_classes(self, principal: Principal, modes: list[str], layers_of: dict[str, Layers],
                      action: str, principal_key: Any = None) -> list[GroupClass]:
        """Groups no statement can tell apart share one class (and one compiled policy set).

        Two groups are alike when every applicable statement matches both version ARNs or neither, and
        their resource policies are the same up to the group's own name. Each policy's answers are compiled
        once and cached, so classifying G groups for P principals costs P x G lookups, not re-reads.
        """
        if principal_key is not None and (principal_key, action) in self.class_cache:
            return self.class_cache[(principal_key, action)]
        classes: dict[Any, GroupClass] = {}
        for group in self.inventory.groups:
            layers = layers_of[group.name]
            key = (*self._group_side(layers, group, modes[0], action),
                   self._resource_bits(layers, modes, action, group.version_arn))
            if key in classes:
                classes[key].members.append(group.name)
                continue
            cache_key = (principal_key, action, key) if principal_key is not None else None
            prepared = self.compiled.get(cache_key) if cache_key else None
            if prepared is None:
                prepared = {mode: layers.prepared(mode, action) for mode in modes}
                if cache_key:
                    self.compiled[cache_key] = prepared
            docs = [d for mode in modes for d in layers.documents(mode, action)]
            classes[key] = GroupClass(group, [group.name], prepared, docs,
                                      self.interned.setdefault(("group-class", key), len(self.interned)))
        if principal_key is not None:
            self.class_cache[(principal_key, action)] = list(classes.values())
        return list(classes.values())

    def _group_side(self, layers: Layers, group: Group, mode: str, action: str) -> tuple[Any, ...]:
        """What a group brings whoever asks: where it lives and its resource policy up to its own name."""
        key = ("group", id(group), mode, action)
        hit = self.layer_cache.get(key)
        if hit is None:
            doc = layers.clean(group.policy, mode, action, resource=True) if group.policy is not None else None
            text = json.dumps(doc, sort_keys=True).replace(group.arn, "<group>").replace(
                group.version_arn.rsplit("/", 1)[0], "<versions>")
            hit = self.layer_cache[key] = (group.account, group.region, group.partition, text)
        return tuple(hit)

    def _resource_bits(self, layers: Layers, modes: list[str], action: str, arn: str) -> tuple[Any, ...]:
        """resource_bits over the layers' documents, one compiled matcher per policy. The SCP levels and the
        group's resource policy are the same for every principal of an account, so their answers are kept per
        ARN; only the principal's own policies are asked afresh."""
        own = tuple(self._bits_of(layers, policy, mode, action, arn) for mode in modes
                    for policy in [*layers.identity, *layers.boundary])
        key = ("shared-bits", id(layers.scps), id(layers.resource), tuple(modes), action, arn)
        shared = self.layer_cache.get(key)
        if shared is None:
            shared = self.layer_cache[key] = tuple(
                self._bits_of(layers, policy, mode, action, arn) for mode in modes
                for policy in [*(p for _, level in layers.scps for p in level),
                               *([layers.resource] if layers.resource is not None else [])])
        return own + shared

    def _bits_of(self, layers: Layers, policy: Policy, mode: str, action: str, arn: str) -> Any:
        resource = policy is layers.resource
        key = ("bits", id(policy), mode, action, resource)
        test = self.layer_cache.get(key)
        if test is None:
            test = self.layer_cache[key] = compile_resource_bits([layers.clean(policy, mode, action, resource)],
                                                                 action)
        return test(arn)

    def principal_key(self, principal: Principal, layers_of: dict[str, Layers], modes: list[str]) -> Any:
        """Principals that every policy sees alike (same policies, account, kind, and the same answer to every
        comparison on aws:PrincipalArn and to every resource-policy Principal) share decisions."""
        any_layers = next(iter(layers_of.values()))
        docs = [any_layers.materialized(policy, mode) for policy in [*principal.identity, *principal.boundary]
                for mode in modes]
        text = json.dumps(docs, sort_keys=True)
        policies = [*any_layers.identity, *any_layers.boundary, *(p for _, level in any_layers.scps for p in level),
                    *(g.policy for g in self.inventory.groups if g.policy is not None)]
        policies = list({id(p): p for p in policies}.values())
        if "${" in text or any(self._variables(any_layers, p, mode) for p in policies for mode in modes):
            return None  # policy variables may read the principal: no sharing
        tests = {id(test): test for policy in policies for mode in modes
                 for test in [self._principal_test(any_layers, policy, mode)]}
        arn_tests = [answer for test in tests.values() for answer in test(principal.arn)]
        key = (principal.kind, principal.account, principal.protected_only, text, tuple(arn_tests), tuple(modes))
        # a small int stands for the key: memo keys hold it thousands of times, and tuples re-hash every lookup
        return self.interned.setdefault(key, len(self.interned))

    def _principal_test(self, layers: Layers, policy: Policy, mode: str) -> ArnTest:
        """The policy's principal tests, one object per distinct content: groups that grant the same accounts
        share one, so a principal is asked once per distinct grant rather than once per group."""
        key = ("arn-tests", id(policy), mode)
        test = self.layer_cache.get(key)
        if test is None:
            doc = layers.materialized(policy, mode)
            content = json.dumps([[s.get("Condition"), s.get("Principal"), s.get("NotPrincipal")]
                                  for s in doc.get("Statement", []) if isinstance(s, dict)], sort_keys=True)
            by_content = ("arn-tests-content", content)
            test = self.layer_cache.get(by_content)
            if test is None:
                test = self.layer_cache[by_content] = compile_principal_tests(doc)
            self.layer_cache[key] = test
        return test

    def _variables(self, layers: Layers, policy: Policy, mode: str) -> bool:
        key = ("variables", id(policy), mode)
        hit = self.layer_cache.get(key)
        if hit is None:
            hit = self.layer_cache[key] = "${" in json.dumps(layers.materialized(policy, mode))
        return bool(hit)

    # -- requests --------------------------------------------------------------------------------------------------
    @staticmethod
    def request(principal_arn: str, cell: Cell, group: Group, combo: dict[str, Value]) -> dict[str, Any]:
        context: dict[str, Any] = {}
        if cell.target is not None:
            context[STAGE_KEY], context[STATUS_KEY] = cell.target
        if cell.current is not None:
            context[CURRENT_STAGE_KEY], context[CURRENT_STATUS_KEY] = cell.current
        if cell.approval is not None:
            context[APPROVAL_KEY] = cell.approval
        for key, value in combo.items():
            if value is not None and key != "principal":
                context[key] = list(value) if isinstance(value, tuple) else value
        context.setdefault("aws:RequestedRegion", group.region)
        context.setdefault("aws:PrincipalIsAWSService", "false")
        return {"principal": combo.get("principal") or principal_arn, "action": cell.action,
                "resource": {"resource": group.version_arn, "accountId": group.account},
                "contextVariables": context}

    def decide(self, gclass: GroupClass, request: dict[str, Any]) -> str:
        normalized, _ = normalize_request(request)
        self.evaluations += 1
        if normalized is None:
            return ERROR
        return decide_bracketed(gclass.prepared.values(), normalized)[0]

    # -- free keys ---------------------------------------------------------------------------------------------
    def link_values(self, use: KeyUse) -> list[str]:
        """Values of a variable's key that fill its template into each stage, status, approval status or
        version ARN the proof enumerates (those domains are the prover's, not a policy literal's)."""
        out: list[str] = []
        lifecycle = {STAGE_KEY: self.stages, CURRENT_STAGE_KEY: self.stages, STATUS_KEY: self.statuses,
                     CURRENT_STATUS_KEY: self.statuses, APPROVAL_KEY: list(APPROVAL_STATUSES)}
        targets = {k.lower(): v for k, v in lifecycle.items()}
        targets[RESOURCE] = [g.version_arn for g in self.inventory.groups]
        for link in use.links:
            out += middles(link, targets.get(link.other, []))
        return out

    def free_combos(self, principal: Principal, uses: dict[str, KeyUse], action: str) -> list[dict[str, Value]]:
        axes: list[tuple[str, list[Value]]] = []
        for key, use in sorted(uses.items()):
            if key in LIFECYCLE or key in domain.DERIVED_KEYS:
                continue
            if not catalog.key_valid_for_action(use.display, action, "model-package"):
                continue  # never present in a request for this action
            reps = list(domain.reduce(use, domain.values_for(key, use, self.link_values(use))).values())
            axes.append((use.display, reps))
        org = self.spec.organization
        members = {a.id for a in org.accounts} | {org.registry_account, org.management_account}
        if principal.account in members:
            axes.append(("aws:PrincipalOrgID", [org.id]))
        elif principal.kind == "account":  # "any account": inside the organization or not
            axes.append(("aws:PrincipalOrgID", [ABSENT, org.id]))
        if principal.kind == "account":
            arns: list[Value] = [principal.arn]
            arn_use = uses.get("aws:principalarn")
            # a template such as arn:aws:iam::${aws:PrincipalAccount}:role/x names a role of this very account
            own = [v for use in uses.values() for link in use.links if link.other == "aws:principalarn"
                   for v in fill(link.template, principal.account)]
            for value in [*own, *(domain.witnesses(arn_use) if arn_use else [])]:
                parts = value.split(":")
                if len(parts) >= 6 and parts[2] == "iam" and parts[4] in ("*", principal.account, ""):
                    parts[4] = principal.account
                    if ":".join(parts) not in principal.exclude_arns:
                        arns.append(":".join(parts))
            axes.append(("principal", list(dict.fromkeys(arns))))
        names = [name for name, _ in axes]
        return [dict(zip(names, values, strict=True)) for values in itertools.product(*(v for _, v in axes))]

    # -- the proof -------------------------------------------------------------------------------------------------
    def prove_principal(self, principal: Principal) -> None:
        persona = self.spec.persona(principal.persona) if principal.persona else None
        unknown_identity = principal.protected_only
        levels = self.levels(principal.account)
        layers_of = {g.name: Layers(principal.identity, principal.boundary, levels, g.policy, self.layer_cache)
                     for g in self.inventory.groups}
        modes = [PERMISSIVE, STRICT] if any(layer.uncertain() for layer in layers_of.values()) else [PERMISSIVE]
        found: dict[tuple[str, str], _Found] = {}
        matrix_cells: list[tuple[Cell, bool, set[str]]] = []
        pkey = self.principal_key(principal, layers_of, modes)
        for action in self.actions:
            gclasses = self.group_classes(principal, modes, layers_of, action, pkey)
            for gclass in gclasses:
                errors = [e for p in gclass.prepared.values() for e in p.errors]
                if errors:
                    self.result.unknowns.append(Note("V104", f"{principal.label}: the engine rejects a policy "
                                                             f"({errors[0]}); nothing about it is proven",
                                                     principal.source))
            docs = [d for g in gclasses for d in g.docs]
            uses = domain.collect_keys(docs, action)
            incomplete = sorted(f"{u.display}: {u.incomplete}" for u in uses.values() if u.incomplete)
            if incomplete:
                self.result.unknowns.append(Note("V106", f"{principal.label}: policy variable {incomplete[0]} for "
                                                         f"{action}; not proven", principal.source))
                continue
            classes = {dim: self._classes(persona, uses.get(key.lower()), dim, values) for dim, key, values in (
                ("ts", STAGE_KEY, self.stages), ("tt", STATUS_KEY, self.statuses),
                ("cs", CURRENT_STAGE_KEY, self.stages), ("ct", CURRENT_STATUS_KEY, self.statuses),
                ("ap", APPROVAL_KEY, list(APPROVAL_STATUSES)))}
            combos = self.free_combos(principal, uses, action)
            targets: list[tuple[str, str] | None] = [None, *itertools.product(classes["ts"], classes["tt"])]
            currents: list[tuple[str, str] | None] = [None]
            if action == UPDATE_ACTION:
                currents += list(itertools.product(classes["cs"], classes["ct"]))
            approvals: list[str | None] = [None, *classes["ap"]] if self.approval else [None]
            budget = len(targets) * len(currents) * len(approvals) * len(combos) * len(gclasses)
            if budget > self.max_evaluations:
                self.result.unknowns.append(Note("V105", f"{principal.label}: {budget} request classes for {action} "
                                                         f"exceed the budget of {self.max_evaluations}; not proven",
                                                 principal.source))
                continue
            memo: dict[Any, str] = self.memo if pkey is not None else {}
            sig_memo: dict[tuple[str, Value], Any] = {}
            for current, target, approval in itertools.product(currents, targets, approvals):
                cell = Cell(action, current, target, approval)
                exp = expected(persona, cell, self.protected, unknown_identity)
                if exp is None:
                    continue
                seen: set[str] = set()
                psig = self._psig(uses, cell, sig_memo)
                for gclass in gclasses:
                    for combo in combos:
                        key = (pkey, action, gclass.key, psig, tuple(sorted(combo.items())))
                        decision = memo.get(key)
                        if decision is None:
                            decision = self.decide(gclass, self.request(principal.arn, cell, gclass.group, combo))
                            memo[key] = decision
                        seen.add(decision)
                        code = self._code(exp, decision)
                        if code:
                            self._record(found, code, cell, combo, gclass, decision, exp, classes)
                if cell.approval is None or cell.target is None:  # rows: lifecycle alone, or approval alone
                    matrix_cells.append((cell, exp, seen))
        self._finish(principal, persona, found, matrix_cells)

    @staticmethod
    def _psig(uses: dict[str, KeyUse], cell: Cell, memo: dict[tuple[str, Value], Any]) -> tuple[Any, ...]:
        """The lifecycle values' signatures; `memo` holds them per (key, value) for one principal and action,
        since the cells repeat the same few class representatives."""
        values: list[Value] = [*(cell.target or (ABSENT, ABSENT)), *(cell.current or (ABSENT, ABSENT)),
                               cell.approval]
        out = []
        for key, value in zip(_LIFECYCLE_KEYS, values, strict=True):
            sig = memo.get((key, value), memo)
            if sig is memo:
                sig = memo[(key, value)] = domain.signature(uses.get(key), value)
            out.append(sig)
        return tuple(out)

    @staticmethod
    def _code(exp: bool, decision: str) -> str:
        if decision == ERROR:
            return "V104"
        if decision == UNKNOWN:
            return "V103"
        if exp and decision != ALLOWED:
            return "V102"
        if not exp and decision == ALLOWED:
            return "V101"
        return ""

    @staticmethod
    def _record(found: dict[tuple[str, str], _Found], code: str, cell: Cell, combo: dict[str, Value],
                gclass: GroupClass, decision: str, exp: bool, classes: dict[str, dict[str, list[str]]]) -> None:
        key = (code, cell.label())
        if key in found:
            found[key].count += 1
            return
        equivalents: dict[str, list[str]] = {}
        for dim, value in (("target stage", cell.target[0] if cell.target else None),
                           ("target status", cell.target[1] if cell.target else None),
                           ("current stage", cell.current[0] if cell.current else None),
                           ("current status", cell.current[1] if cell.current else None),
                           ("approval", cell.approval)):
            short = {"target stage": "ts", "target status": "tt", "current stage": "cs", "current status": "ct",
                     "approval": "ap"}[dim]
            members = classes[short].get(value or "", [])
            if len(members) > 1:
                equivalents[dim] = members
        if len(gclass.members) > 1:
            equivalents["group"] = gclass.members
        found[key] = _Found(code, cell, combo, gclass, decision, exp, equivalents=equivalents)

    def _finish(self, principal: Principal, persona: Persona | None, found: dict[tuple[str, str], _Found],
                matrix_cells: list[tuple[Cell, bool, set[str]]]) -> None:
        for (code, label), item in sorted(found.items(), key=lambda kv: (kv[0][1], kv[0][0])):
            request = self.request(principal.arn, item.cell, item.gclass.group, item.combo)
            decisive: list[dict[str, Any]] = []
            normalized, _ = normalize_request(request)
            if normalized is not None:
                result = next(iter(item.gclass.prepared.values())).evaluate_request(normalized)
                decisive = [self._locate(d, principal, item.gclass.group) for d in result.decisive]
            expected_text = "allowed" if item.expected else "denied"
            who = f"persona {persona.name}" if persona else "a principal the spec does not name"
            same = "; ".join(f"same for {dim}: {', '.join(v)}" for dim, v in item.equivalents.items())
            approval = (f" with ModelApprovalStatus={item.cell.approval}"
                        if item.cell.approval and item.cell.target else "")
            why = reason(persona, item.cell, self.protected, principal.protected_only)
            message = (f"{principal.label} ({who}): {item.cell.action} {label}{approval} is {item.decision}, the spec "
                       f"expects {expected_text} ({why})"
                       + (f"; {item.count} request classes" if item.count > 1 else "")
                       + (f"; {same}" if same else ""))
            self.result.violations.append(Violation(
                code=code, principal=principal.label, persona=principal.persona, label=label,
                expected=expected_text, actual=item.decision, request=request, decisive=decisive,
                message=message, source=principal.source, cells=item.count, equivalents=item.equivalents))
        rows: dict[str, list[tuple[bool, set[str]]]] = {}
        for cell, exp, seen in matrix_cells:
            rows.setdefault(cell.label(), []).append((exp, seen))
        violating = {label for _, label in found}
        matrix: dict[str, MatrixEntry] = {}
        for label, entries in rows.items():
            exps = {e for e, _ in entries}
            decisions = set().union(*(s for _, s in entries))
            if not (True in exps or label in violating):
                continue
            expected_text = "allowed" if exps == {True} else "denied" if exps == {False} else "partly"
            if UNKNOWN in decisions or ERROR in decisions:
                actual = "unknown"
            elif decisions == {ALLOWED}:
                actual = "allowed"
            elif ALLOWED in decisions:
                actual = "partly"
            else:
                actual = "denied"
            matrix[label] = MatrixEntry(expected_text, actual, label in violating)
        if persona is not None or matrix:
            self.result.matrices[principal.label] = dict(sorted(matrix.items()))
            self.result.personas[principal.label] = principal.persona

    def _locate(self, decisive: dict[str, Any], principal: Principal, group: Group) -> dict[str, Any]:
        """Add template, logical id and line to an engine decisive-statement entry."""
        policies = [*principal.identity, *principal.boundary, *(group.policy and [group.policy] or [])]
        for _, level in scp_levels(self.spec, self.inventory, principal.account):
            policies += level
        name = decisive.get("policy")
        if decisive.get("layer") in ("resource", "resourcePolicy") and group.policy is not None:
            name = name or group.policy.name
        for policy in policies:
            if policy.name == name or (group.policy is policy and decisive.get("layer", "").startswith("resource")):
                return {**decisive, "policy": policy.name, "template": policy.source.file,
                        "stack": policy.source.stack, "logical_id": policy.source.logical_id,
                        "line": policy.source.line}
        return dict(decisive)

    def all_documents(self) -> list[dict[str, Any]]:
        """Every policy of the inventory, materialized both ways: the source of the stage and status literals."""
        all_docs: list[dict[str, Any]] = []
        for principal in self.inventory.principals:
            for policy in [*principal.identity, *principal.boundary]:
                all_docs += [materialize(policy.document, m, policy.uncertain) for m in (PERMISSIVE, STRICT)]
        for policies in self.inventory.scps.values():
            all_docs += [materialize(p.document, PERMISSIVE, p.uncertain) for p in policies]
        for group in self.inventory.groups:
            if group.policy is not None:
                all_docs.append(materialize(group.policy.document, PERMISSIVE, group.policy.uncertain))
        return all_docs

    def run(self) -> VerifyResult:
        with _fewer_collections():
            return self._run()

    def _run(self) -> VerifyResult:
        started = time.perf_counter()
        self.lifecycle_domains(self.all_documents())
        for principal in self.inventory.principals:
            self.prove_principal(principal)
        found = {p.persona for p in self.inventory.principals if p.persona}
        for persona in self.spec.personas:
            if persona.name not in found and (persona.transitions or persona.approval_statuses):
                label = f"persona {persona.name} (no role deployed)"
                self.result.matrices[label] = {
                    t_label: MatrixEntry("allowed", "denied", True)
                    for t in persona.transitions for t_label in t.labels()}
                self.result.personas[label] = persona.name
        trust_evaluations = prove_trust(self.spec, self.inventory, self.result, self.layer_cache,
                                        self.max_evaluations)
        self.evaluations += trust_evaluations
        unique: dict[tuple[str, str], Note] = {}
        for note in self.result.unknowns:
            unique.setdefault((note.code, note.message), note)
        self.result.unknowns = list(unique.values())
        self.result.stats = {"principals": len(self.inventory.principals), "groups": len(self.inventory.groups),
                             "stages": self.stages, "statuses": self.statuses,
                             "evaluations": self.evaluations, "trust_evaluations": trust_evaluations,
                             "trust_roles": len(self.result.trust),
                             "seconds": round(time.perf_counter() - started, 3)}
        return self.result


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Raise the cyclic collector's first threshold while proving (as mypy does for its builds).

    The proof allocates hundreds of thousands of short-lived, acyclic objects (requests, results) next to
    caches that live until it ends; at the default threshold the collector keeps walking those caches, a
    cost that grows with the organization (about 6% of the 16x benchmark). Reference counting still frees
    everything acyclic at once; the previous thresholds are restored afterwards.
    """
    before = gc.get_threshold()
    gc.set_threshold(200_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def prove(spec: GovernanceSpec, inventory: Inventory, max_evaluations: int = DEFAULT_MAX_EVALUATIONS,
          actions: tuple[str, ...] = ACTIONS, approval: bool = True) -> VerifyResult:
    """`actions` and `approval` narrow the proof, for policies that govern only part of the lifecycle."""
    return Prover(spec, inventory, max_evaluations, actions, approval).run()


__all__ = ["ALLOWED", "Layers", "Prover", "prove", "scp_levels"]
