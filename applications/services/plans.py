"""Funding plans: draft one from the current scoring run, adjust the draft (with a memo), approve
it (a second grants manager), and release the decisions to the agencies. The arithmetic is
applications/planning.py; these functions load, guard, save, audit and email."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from .. import planning
from ..budget import format_dollars
from ..decisions import adjusted_candidates, funding_line, not_selected_reason
from ..models import (
    Application,
    FundingPlan,
    PlanAdjustment,
    PlanLine,
    ScoringRun,
    Solicitation,
)

# Applications screened eligible, whatever happened to them since: their states are owed a minimum.
ELIGIBLE = (
    Application.Status.UNDER_REVIEW,
    Application.Status.SCORED,
    Application.Status.RECOMMENDED,
    Application.Status.NOT_SELECTED,
)


class PlanError(Exception):
    """A funding-plan change that the plan's state, the rules or the user's role forbids."""


def can_draft_plan(user: User) -> tuple[bool, str]:
    if not user.has_perm("applications.draft_funding_plan"):
        return False, "Only a grants manager can draft or adjust a funding plan."
    return True, ""


def can_approve_plan(user: User, plan: FundingPlan) -> tuple[bool, str]:
    if not user.has_perm("applications.approve_funding_plan"):
        return False, "Only a grants manager can approve a funding plan."
    if plan.status != FundingPlan.Status.DRAFT:
        return False, f"This plan is already {plan.get_status_display().lower()}."
    if not plan.run.is_current:
        return False, "Scores were computed again since this draft: draft a new plan."
    if settings.FUNDING_PLAN_SECOND_APPROVER and plan.drafted_by_id == user.pk:
        return False, "You drafted this plan: another grants manager must approve it."
    return True, ""


def can_release_decisions(user: User, plan: FundingPlan) -> tuple[bool, str]:
    if not user.has_perm("applications.approve_funding_plan"):
        return False, "Only a grants manager can release decisions."
    if plan.status == FundingPlan.Status.DRAFT:
        return False, "Approve the plan before releasing its decisions."
    return True, ""


def _agency_recipients(application: Application) -> list[str]:
    return list(application.agency.memberships.active().values_list("user__email", flat=True))


def states_with_eligible(solicitation: Solicitation) -> set[str]:
    return set(
        Application.objects.filter(solicitation=solicitation, status__in=ELIGIBLE)
        .order_by()
        .values_list("agency__state", flat=True)
        .distinct()
    )


def _recompute(plan: FundingPlan) -> None:
    """Run the algorithm over the plan's lines with every adjustment, and save each line."""
    lines = list(plan.lines.order_by("rank"))
    candidates, fund_first = adjusted_candidates(plan, lines, list(plan.adjustments.all()))
    allocations = {
        a.key: a
        for a in planning.build_plan(
            candidates=candidates,
            appropriation=plan.appropriation,
            state_minimum_percent=plan.state_minimum_percent,
            states_with_eligible=states_with_eligible(plan.solicitation),
            fund_first=fund_first,
        )
    }
    changed = []
    for line in lines:
        allocation = allocations.get(line.application_id) or planning.Allocation(key=line.pk)
        new = (allocation.positions_funded, allocation.federal_funded, allocation.basis)
        if (line.positions_funded, line.federal_funded, line.basis) != new:
            line.positions_funded, line.federal_funded, line.basis = new
            changed.append(line)
    # Lines have no history of their own: the plan's adjustments and audit events are the record.
    PlanLine.objects.bulk_update(changed, ["positions_funded", "federal_funded", "basis"])


def draft_funding_plan(*, solicitation: Solicitation, by: User) -> FundingPlan:
    """A draft plan from the solicitation's current scoring run and its appropriation. A draft
    from an earlier run is discarded (recorded); an approved plan cannot be redrafted."""
    allowed, reason = can_draft_plan(by)
    if not allowed:
        raise PlanError(reason)
    with transaction.atomic():
        solicitation = Solicitation.objects.select_for_update().get(pk=solicitation.pk)
        run = ScoringRun.objects.filter(solicitation=solicitation, is_current=True).first()
        if run is None:
            raise PlanError(f"{solicitation.code} has no scores yet: compute scores first.")
        plans = FundingPlan.objects.filter(solicitation=solicitation)
        decided = plans.exclude(status=FundingPlan.Status.DRAFT).first()
        if decided is not None:
            status = decided.get_status_display().lower()
            raise PlanError(f"{solicitation.code} already has a plan that is {status}.")
        current_draft = plans.filter(run=run).first()
        if current_draft is not None:
            raise PlanError("A draft plan from the current scores exists: adjust that one instead.")
        for stale in plans.filter(status=FundingPlan.Status.DRAFT):
            record(
                verb="plan.discarded",
                target=solicitation,
                actor=by,
                message=f"Draft plan #{stale.pk} replaced: its scoring run is no longer current.",
                data={"plan": stale.pk, "run": stale.run_id},
            )
            stale.delete()
        plan = FundingPlan.objects.create(
            solicitation=solicitation,
            run=run,
            appropriation=solicitation.total_funds,
            drafted_by=by,
        )
        breakdowns = run.breakdowns.filter(
            application__status=Application.Status.SCORED
        ).select_related("application__agency", "application__solicitation")
        lines = []
        for breakdown in breakdowns:
            application = breakdown.application
            budget = application.budget
            lines.append(
                PlanLine(
                    plan=plan,
                    application=application,
                    rank=breakdown.rank,
                    state=application.agency.state,
                    positions_requested=budget.positions,
                    federal_requested=budget.total_federal,
                )
            )
        PlanLine.objects.bulk_create(lines)
        _recompute(plan)
        record(verb="plan.drafted", target=plan, actor=by,
               message=f"{len(lines)} ranked applications; appropriation "
               f"{format_dollars(plan.appropriation)}.",
               data={"run": run.pk, "lines": len(lines)})  # fmt: skip
    return plan


def adjust_plan(
    *,
    plan: FundingPlan,
    application: Application,
    by: User,
    kind: str,
    memo: str,
    positions: int | None = None,
) -> PlanAdjustment:
    """Exclude an application, reduce its positions or fund it out of rank order, with a memo
    that says why; the draft is recomputed with every adjustment so far."""
    allowed, reason = can_draft_plan(by)
    if not allowed:
        raise PlanError(reason)
    memo = (memo or "").strip()
    if not memo:
        raise PlanError("Write a memo saying why: every adjustment is recorded on the plan.")
    if kind not in PlanAdjustment.Kind.values:
        raise PlanError(f"Unknown adjustment {kind!r}.")
    with transaction.atomic():
        plan = FundingPlan.objects.select_for_update().get(pk=plan.pk)
        if plan.status != FundingPlan.Status.DRAFT:
            status = plan.get_status_display().lower()
            raise PlanError(f"Only a draft plan can be adjusted; this one is {status}.")
        line = plan.lines.filter(application=application).first()
        if line is None:
            raise PlanError(f"{application} is not ranked in this plan.")
        if kind == PlanAdjustment.Kind.REDUCE:
            if positions is None or not 1 <= positions < line.positions_requested:
                raise PlanError(
                    f"Reduce to between 1 and {line.positions_requested - 1} positions "
                    "(exclude the application to fund none)."
                )
        else:
            positions = None
        adjustment = PlanAdjustment.objects.create(
            plan=plan, application=application, kind=kind, positions=positions, memo=memo,
            made_by=by,
        )  # fmt: skip
        _recompute(plan)
        record(
            verb="plan.adjusted",
            target=plan,
            actor=by,
            message=memo,
            data={"application": application.pk, "kind": kind, "positions": positions},
        )
    return adjustment


def approve_plan(*, plan: FundingPlan, by: User) -> FundingPlan:
    """Approve a draft: funded applications become recommended, the others not selected. The
    agencies hear nothing until the decisions are released."""
    with transaction.atomic():
        plan = FundingPlan.objects.select_for_update().get(pk=plan.pk)
        allowed, reason = can_approve_plan(by, plan)
        if not allowed:
            raise PlanError(reason)
        lines = list(plan.lines.select_related("application__agency"))
        ids = [line.application_id for line in lines]
        applications = {a.pk: a for a in Application.objects.select_for_update().filter(pk__in=ids)}
        not_scored = [a for a in applications.values() if a.status != Application.Status.SCORED]
        if not_scored:
            raise PlanError(
                "These applications are no longer scored; redraft the plan: "
                + ", ".join(str(a) for a in not_scored[:5])
            )
        for line in lines:
            application = applications[line.application_id]
            if line.positions_funded:
                application.status = Application.Status.RECOMMENDED
                message = (
                    f"{line.positions_funded} positions, {format_dollars(line.federal_funded)}"
                )
            else:
                application.status = Application.Status.NOT_SELECTED
                message = f"Ranked {line.rank}; not funded"
            application.save(update_fields=["status", "updated_at"])
            record(verb=f"application.{application.status}", target=application, actor=by,
                   message=message, data={"plan": plan.pk})  # fmt: skip
        plan.status = FundingPlan.Status.APPROVED
        plan.approved_at = timezone.now()
        plan.approved_by = by
        plan.save(update_fields=["status", "approved_at", "approved_by"])
        record(verb="plan.approved", target=plan, actor=by)
    return plan


def release_decisions(*, plan: FundingPlan, by: User) -> FundingPlan:
    """Tell every agency of the solicitation its outcome, once: recommended (positions and
    federal amount), not selected (with why) and ineligible (the screening reason and note).
    Releasing again sends only what was never sent (an application screened out since)."""
    with transaction.atomic():
        plan = FundingPlan.objects.select_for_update().get(pk=plan.pk)
        allowed, reason = can_release_decisions(by, plan)
        if not allowed:
            raise PlanError(reason)
        now = timezone.now()
        lines = {line.application_id: line for line in plan.lines.all()}
        line_rank = funding_line(plan)
        pending = (
            Application.objects.select_for_update(of=("self",))
            .filter(solicitation=plan.solicitation, decision_released_at__isnull=True)
            .filter(
                status__in=[
                    Application.Status.RECOMMENDED,
                    Application.Status.NOT_SELECTED,
                    Application.Status.INELIGIBLE,
                ]
            )
            .select_related("agency", "solicitation")
            .order_by("pk")
        )
        released = 0
        for application in pending:
            line = lines.get(application.pk)
            if application.status != Application.Status.INELIGIBLE and line is None:
                continue  # decided by another plan: not this one's to tell
            context = {"application": application, "line": line}
            if application.status == Application.Status.NOT_SELECTED:
                context["reason"] = not_selected_reason(
                    line, ranked=len(lines), line_rank=line_rank
                )
            application.decision_released_at = now
            application.save(update_fields=["decision_released_at", "updated_at"])
            record(verb="application.decision_released", target=application, actor=by,
                   message=application.get_status_display(), data={"plan": plan.pk})  # fmt: skip
            send_templated_email(
                template=f"applications/email/decision_{application.status}",
                context=context,
                to=_agency_recipients(application),
            )
            released += 1
        if plan.status != FundingPlan.Status.RELEASED:
            plan.status = FundingPlan.Status.RELEASED
            plan.released_at = now
            plan.released_by = by
            plan.save(update_fields=["status", "released_at", "released_by"])
            record(verb="plan.released", target=plan, actor=by,
                   message=f"{released} decisions sent.")  # fmt: skip
    return plan
