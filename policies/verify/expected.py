"""What the spec says: may this persona make this request? (None: the request is not a lifecycle change.)

A request sets a target stage and status, an approval status, or both. It is expected to be allowed when
every part it sets is granted: the lifecycle part by a transition whose `from` matches the current stage
(`none` = no stage yet, which is every CreateModelPackage; `any` = every stage and none) and whose
from_statuses (default: any) hold the current status; the approval part by the persona's approval_statuses.
A persona that is not an approver may not update a version while it sits in a protected stage (the
spec's lifecycle.protected_stages). A principal that is not a persona is expected to make no lifecycle
change at all; "any other role" of an
account, whose identity policies are not in the input, is expected only not to make a protected change:
move a version into or out of a protected stage (or update it there), set a protected status, or record
an approval decision (the spec reserves those for approvers, whoever else exists).
"""

from __future__ import annotations

from dataclasses import dataclass

from modelgov.policies.spec.models import ANY_STAGE, APPROVAL_STATUSES, NONE_STAGE, GovernanceSpec, Persona

# The spec reserves approval decisions for approvers: anyone else may only (re)submit for approval.
SUBMIT_APPROVAL = "PendingManualApproval"

Pair = tuple[str, str] | None  # (stage, status), or None when the request/resource carries none


@dataclass(frozen=True)
class Cell:
    """One lifecycle request shape: action, current (stage, status), target (stage, status), approval."""

    action: str
    current: Pair
    target: Pair
    approval: str | None

    def label(self) -> str:
        """'QA->Production:PendingApproval' (Transition.labels() notation); approval-only: 'approve:<status>'."""
        if self.target is None:
            return f"approve:{self.approval}"
        start = self.current[0] if self.current else NONE_STAGE
        return f"{start}->{self.target[0]}:{self.target[1]}"


def transition_allows(persona: Persona, current: Pair, target: tuple[str, str]) -> bool:
    for transition in persona.transitions:
        if transition.to != target[0] or target[1] not in transition.statuses:
            continue
        if transition.from_stage == ANY_STAGE:
            from_ok = True
        elif transition.from_stage == NONE_STAGE:
            from_ok = current is None
        else:
            from_ok = current is not None and current[0] == transition.from_stage
        if not from_ok:
            continue
        if transition.from_statuses is not None and (current is None or current[1] not in transition.from_statuses):
            continue
        return True
    return False


@dataclass(frozen=True)
class Protected:
    """Stages, statuses and approval statuses only approver personas may touch (compared ignoring case)."""

    stages: frozenset[str]
    statuses: frozenset[str]
    approvals: frozenset[str]

    def touches(self, cell: Cell) -> bool:
        if cell.approval is not None and cell.approval.lower() in self.approvals:
            return True
        if cell.current is not None and cell.current[0].lower() in self.stages:
            return True
        return cell.target is not None and (cell.target[0].lower() in self.stages
                                            or cell.target[1].lower() in self.statuses)


def protected_of(spec: GovernanceSpec) -> Protected:
    def lower(values: list[str]) -> frozenset[str]:
        return frozenset(v.lower() for v in values)

    return Protected(lower(spec.lifecycle.protected_stages), lower(spec.lifecycle.protected_statuses),
                     lower([s for s in APPROVAL_STATUSES if s != SUBMIT_APPROVAL]))


def expected(persona: Persona | None, cell: Cell, protected: Protected | None = None,
             unknown_identity: bool = False) -> bool | None:
    """`unknown_identity`: the principal's own policies are unknown, so only protected changes are expected
    denied. A persona that is not an approver may not update a version sitting in a protected stage."""
    if cell.target is None and cell.approval is None:
        return None
    if unknown_identity:
        return False if protected is not None and protected.touches(cell) else None
    if persona is None:
        return False
    if (protected is not None and not persona.approver and cell.current is not None
            and cell.current[0].lower() in protected.stages):
        return False
    if cell.target is not None and not transition_allows(persona, cell.current, cell.target):
        return False
    return cell.approval is None or cell.approval in persona.approval_statuses


def reason(persona: Persona | None, cell: Cell, protected: Protected | None = None,
           unknown_identity: bool = False) -> str:
    """Which spec rule decides the expectation, in the spec's own terms."""
    if unknown_identity:
        return "lifecycle.protected_* and approval decisions are reserved for approver personas"
    if persona is None:
        return "no persona: the spec grants it no lifecycle change"
    where = f"personas[{persona.name}]"
    if (protected is not None and not persona.approver and cell.current is not None
            and cell.current[0].lower() in protected.stages):
        return f"{where} is not an approver and the version sits in protected stage {cell.current[0]}"
    parts: list[str] = []
    if cell.target is not None:
        granted = [i for i, t in enumerate(persona.transitions)
                   if transition_allows(persona.model_copy(update={"transitions": [t]}), cell.current, cell.target)]
        parts.append(f"{where}.transitions[{granted[0]}] {persona.transitions[granted[0]].from_stage}->"
                     f"{cell.target[0]}" if granted else f"no transition of {where} leads there")
    if cell.approval is not None:
        parts.append(f"{where}.approval_statuses {'has' if cell.approval in persona.approval_statuses else 'lacks'}"
                     f" {cell.approval}")
    return "; ".join(parts)
