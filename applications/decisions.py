"""What an agency is told about its application's outcome. Staff decide in steps (screened,
scored, approved in a plan), but an agency learns the outcome only when a grants manager releases
the decisions: until then its application reads "Under review"."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from . import planning
from .budget import CENT, format_dollars
from .models import Application, FundingPlan, PlanAdjustment, PlanLine

# Outcomes staff reach before the agency may know them.
UNRELEASED = (
    Application.Status.SCORED,
    Application.Status.RECOMMENDED,
    Application.Status.NOT_SELECTED,
    Application.Status.INELIGIBLE,
)


def shown_status(application: Application) -> tuple[str, str]:
    """(status value, label) as the agency may see them."""
    if application.status in UNRELEASED and application.decision_released_at is None:
        status = Application.Status.UNDER_REVIEW
        return status.value, status.label
    return application.status, application.get_status_display()


def _federal_per_position(line: PlanLine) -> Decimal:
    if not line.positions_requested:
        return Decimal("0.00")
    return (line.federal_requested / line.positions_requested).quantize(CENT)


def adjusted_candidates(
    plan: FundingPlan, lines: list[PlanLine], adjustments: list[PlanAdjustment]
) -> tuple[list[planning.Candidate], set[int]]:
    """The planning candidates for `lines` after the adjustments (later ones win), and the keys
    to fund out of rank order."""
    excluded: set[int] = set()
    reduced: dict[int, int] = {}
    fund_first: set[int] = set()
    for adjustment in adjustments:
        key = adjustment.application_id
        if adjustment.kind == PlanAdjustment.Kind.EXCLUDE:
            excluded.add(key)
        elif adjustment.kind == PlanAdjustment.Kind.REDUCE:
            reduced[key] = adjustment.positions or 0
        else:
            fund_first.add(key)
    ceiling = plan.solicitation.award_ceiling
    candidates = [
        planning.Candidate(
            key=line.application_id,
            rank=line.rank,
            state=line.state,
            positions_requested=reduced.get(line.application_id, line.positions_requested),
            federal_per_position=_federal_per_position(line),
            ceiling=ceiling,
        )
        for line in lines
        if line.application_id not in excluded
    ]
    return candidates, fund_first


def plan_candidates(plan: FundingPlan) -> list[planning.Candidate]:
    lines = list(plan.lines.all())
    return adjusted_candidates(plan, lines, list(plan.adjustments.all()))[0]


def not_selected_reason(line: PlanLine, *, ranked: int, line_rank: int | None) -> str:
    if line_rank is not None and line.rank >= line_rank:
        return f"Ranked {line.rank} of {ranked}; funds ran out at rank {line_rank}."
    return f"Ranked {line.rank} of {ranked}; not funded in the approved funding plan."


def funding_line(plan: FundingPlan) -> int | None:
    candidates = plan_candidates(plan)
    allocations = [
        planning.Allocation(key=line.application_id, positions_funded=line.positions_funded)
        for line in plan.lines.all()
    ]
    return planning.funds_ran_out_at(candidates, allocations)


@dataclass(frozen=True)
class Decision:
    status: str
    heading: str
    positions: int | None = None
    positions_requested: int | None = None
    federal: Decimal | None = None
    reason: str = ""
    note: str = ""


# `released_decision(..., line=UNKNOWN)`: look the released plan line up (one query).
UNKNOWN = object()


def released_lines(applications: list[Application]) -> dict[int, PlanLine]:
    """Each released application's line in its latest released plan, in one query: what a page
    listing several applications passes to `released_decision` instead of a query per row."""
    ids = [a.pk for a in applications if a.decision_released_at is not None]
    lines: dict[int, PlanLine] = {}
    if ids:
        released = PlanLine.objects.filter(
            application_id__in=ids, plan__status=FundingPlan.Status.RELEASED
        )
        for line in released.select_related("plan").order_by(
            "application_id", "-plan__released_at"
        ):
            lines.setdefault(line.application_id, line)
    return lines


def released_decision(
    application: Application, *, line=UNKNOWN, plans: dict | None = None
) -> Decision | None:
    """The released outcome with its details, or None while there is none to show. `line` is the
    application's released plan line when the caller already has it (`released_lines`); `plans`
    keeps each plan's size and funding line across the applications of one page."""
    if application.decision_released_at is None:
        return None
    status = application.status
    if status == Application.Status.INELIGIBLE:
        return Decision(
            status=status,
            heading="Not eligible",
            reason=application.get_ineligibility_reason_display(),
            note=application.ineligibility_note,
        )
    if line is UNKNOWN:
        line = released_lines([application]).get(application.pk)
    if line is None:
        return None
    if status == Application.Status.RECOMMENDED:
        return Decision(
            status=status,
            heading="Recommended for funding",
            positions=line.positions_funded,
            positions_requested=line.positions_requested,
            federal=line.federal_funded,
        )
    if status == Application.Status.NOT_SELECTED:
        plans = {} if plans is None else plans
        if line.plan_id not in plans:
            plans[line.plan_id] = (line.plan.lines.count(), funding_line(line.plan))
        ranked, line_rank = plans[line.plan_id]
        reason = not_selected_reason(line, ranked=ranked, line_rank=line_rank)
        return Decision(status=status, heading="Not selected", reason=reason)
    return None


def next_step_after_review(
    application: Application, *, line=UNKNOWN, plans: dict | None = None
) -> str:
    """The dashboard's "next step" once an application is with COPS."""
    decision = released_decision(application, line=line, plans=plans)
    if decision is None:
        return "Wait for COPS's decision"  # under review, or decided but not yet released
    if decision.status == Application.Status.RECOMMENDED:
        return (
            f"Recommended: {decision.positions} positions, {format_dollars(decision.federal)}. "
            "Wait for the award documents"
        )
    if decision.status == Application.Status.INELIGIBLE:
        return f"None: not eligible ({decision.reason})"
    return f"None: not selected. {decision.reason}"
