"""Compute scores: one ScoringRun of a solicitation's eligible applications under the scoring
rules in force, stored whole (every input, percentile, review and bonus) so a published ranking
can be reproduced. The formula itself is the pure `applications.scoring`."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from copsgrants.audit import record
from copsgrants.models import User

from .. import scoring
from ..checks import profile_value
from ..models import (
    Application,
    FundingPlan,
    Review,
    ScoreBreakdown,
    ScoringRules,
    ScoringRun,
    Solicitation,
)

# Applications a run ranks: eligible ones, and (when a new rules version is put in force after
# decisions were released) those already decided, so the new ranking is complete.
RANKED = (
    Application.Status.UNDER_REVIEW,
    Application.Status.SCORED,
    Application.Status.RECOMMENDED,
    Application.Status.NOT_SELECTED,
)
FIGURES = ("budget_change_percent", "unemployment_rate", "poverty_rate", "violent_crimes",
           "property_crimes")  # fmt: skip


class ScoringError(Exception):
    """Scores cannot be computed now (no rules in force, or decisions already released)."""


def can_compute_scores(user: User) -> tuple[bool, str]:
    if not user.has_perm("applications.compute_scores"):
        return False, "Only grants managers compute scores."
    return True, ""


def _weights(rules: ScoringRules) -> scoring.Weights:
    return scoring.Weights(
        fiscal_need=rules.fiscal_need_weight,
        crime=rules.crime_weight,
        community_policing=rules.community_policing_weight,
        sro_bonus=rules.sro_bonus_points,
        veteran_bonus=rules.veteran_bonus_points,
        rubric_maximum=scoring.rubric_maximum(rules.rubric),
    )


def _not_ready_reason(application: Application, reviews: list[Review], rules: ScoringRules) -> str:
    reasons = []
    if len(reviews) < rules.reviews_required:
        reasons.append(f"{len(reviews)} of {rules.reviews_required} required reviews submitted")
    if application.open_flag_count:
        count = application.open_flag_count
        reasons.append(f"{count} data flag{'s' if count != 1 else ''} not resolved")
    missing = [name for name in FIGURES if getattr(application, name) is None]
    population = profile_value(application, "jurisdiction_population")
    if not population:
        missing.append("jurisdiction_population")
    if missing:
        reasons.append("missing " + ", ".join(missing))
    return "; ".join(reasons)


def _guard_release(solicitation: Solicitation, rules: ScoringRules) -> dict | None:
    """Refuse once decisions are released, unless a newer rules version is in force; return
    what was superseded, for the record."""
    released = (
        FundingPlan.objects.filter(solicitation=solicitation, status=FundingPlan.Status.RELEASED)
        .select_related("run__rules")
        .order_by("-released_at", "-pk")
        .first()
    )
    if released is None:
        return None
    if rules.version <= released.run.rules.version:
        raise ScoringError(
            f"Decisions for {solicitation.code} were released from scoring rules "
            f"v{released.run.rules.version}. Scores can be computed again only under a newer "
            f"version put in force."
        )
    return {"released_plan": released.pk, "released_rules_version": released.run.rules.version}


def _inputs_record(application: Application, item: scoring.Inputs) -> dict[str, str]:
    budget = application.budget
    return {
        "budget_change_percent": str(item.budget_change_percent),
        "unemployment_rate": str(item.unemployment_rate),
        "poverty_rate": str(item.poverty_rate),
        "violent_crimes": str(item.violent_crimes),
        "property_crimes": str(item.property_crimes),
        "jurisdiction_population": str(item.population),
        "sro_commitment": str(bool(item.sro_commitment)),
        "veteran_commitment": str(bool(item.veteran_commitment)),
        "submitted_at": application.submitted_at.isoformat() if application.submitted_at else "",
        "state": application.agency.state,
        "positions_requested": str(budget.positions),
        "federal_per_position": str(budget.federal_per_position),
        "federal_requested": str(budget.total_federal),
        "federal_percent": str(budget.federal_percent),
    }


def _criteria_record(reviews: list[Review], rules: ScoringRules) -> dict:
    return {
        "rules_version": rules.version,
        "rubric_maximum": str(scoring.rubric_maximum(rules.rubric)),
        "reviews": [
            {
                "review": review.pk,
                "reviewer": review.assignment.reviewer_id,
                "rules_version": review.rules.version,
                "scores": {
                    key: str(value.get("score")) for key, value in sorted(review.scores.items())
                },
                "total": str(review.total),
            }
            for review in reviews
        ],
    }


def compute_scores(*, solicitation: Solicitation, by: User) -> ScoringRun:
    """Score every ready application of `solicitation` under the rules in force and rank them.

    Ready: under review (or already scored) with at least the required number of submitted
    reviews and no unresolved data flag. The others are listed in the run's `not_ready`, with
    why. Ready applications become SCORED; a scored one that is no longer ready (a review was
    reopened, a flag raised) goes back to UNDER_REVIEW.
    """
    with transaction.atomic():
        solicitation = Solicitation.objects.select_for_update().get(pk=solicitation.pk)
        rules = ScoringRules.objects.in_force().filter(solicitation=solicitation).first()
        if rules is None:
            raise ScoringError(
                f"{solicitation.code} has no scoring rules in force: put a version in force first."
            )
        superseded = _guard_release(solicitation, rules)
        applications = list(
            Application.objects.filter(solicitation=solicitation, status__in=RANKED)
            .select_related("agency", "solicitation")
            .annotate(open_flag_count=Count("flags", filter=Q(flags__resolution="")))
            .order_by("pk")
        )
        reviews: dict[int, list[Review]] = defaultdict(list)
        for review in (
            Review.objects.filter(
                status=Review.Status.SUBMITTED, assignment__application__in=applications
            )
            .select_related("assignment", "rules")
            # What scoring reads: each of 20,000 reviews decoding its rules' rubric was a tenth
            # of a 10,000-application run.
            .only("scores", "assignment__application", "assignment__reviewer", "rules__version")
            .order_by("assignment__application_id", "assignment__reviewer_id", "pk")
        ):
            reviews[review.assignment.application_id].append(review)

        ready: dict[int, Application] = {}
        not_ready = []
        for application in applications:
            reason = _not_ready_reason(application, reviews[application.pk], rules)
            if reason:
                not_ready.append({"application": application.pk, "reason": reason})
            else:
                ready[application.pk] = application

        inputs = {
            pk: scoring.Inputs(
                key=pk,
                budget_change_percent=application.budget_change_percent,
                unemployment_rate=application.unemployment_rate,
                poverty_rate=application.poverty_rate,
                violent_crimes=application.violent_crimes,
                property_crimes=application.property_crimes,
                population=int(profile_value(application, "jurisdiction_population")),
                review_totals=tuple(review.total for review in reviews[pk]),
                sro_commitment=bool(application.sro_commitment),
                veteran_commitment=bool(application.veteran_commitment),
                submitted_at=application.submitted_at,
                pk=pk,
            )
            for pk, application in ready.items()
        }
        scores = scoring.score_solicitation(inputs.values(), _weights(rules))

        previous = ScoringRun.objects.filter(solicitation=solicitation, is_current=True).first()
        if previous is not None:
            previous.is_current = False
            previous.save(update_fields=["is_current"])
        run = ScoringRun.objects.create(
            solicitation=solicitation, rules=rules, computed_by=by, not_ready=not_ready
        )
        ScoreBreakdown.objects.bulk_create(
            ScoreBreakdown(
                run=run,
                application_id=score.key,
                inputs=_inputs_record(ready[score.key], inputs[score.key])
                | {name: str(value) for name, value in score.measures.items()},
                percentiles={name: str(value) for name, value in score.percentiles.items()},
                criteria=_criteria_record(reviews[score.key], rules),
                fiscal_need=score.fiscal_need,
                crime=score.crime,
                community_policing=score.community_policing,
                sro_bonus=score.sro_bonus,
                veteran_bonus=score.veteran_bonus,
                score_without_bonus=score.score_without_bonus,
                score=score.score,
                rank=score.rank,
                rank_without_bonus=score.rank_without_bonus,
            )
            for score in scores
        )

        newly_scored = 0
        changed = []
        now = timezone.now()
        for application in applications:
            if application.pk in ready and application.status == Application.Status.UNDER_REVIEW:
                application.status = Application.Status.SCORED
            elif application.pk not in ready and application.status == Application.Status.SCORED:
                application.status = Application.Status.UNDER_REVIEW
            else:
                continue
            newly_scored += application.pk in ready
            application.updated_at = now
            changed.append(application)
        # One UPDATE and one history INSERT per batch, not per application: field history still
        # records every status change (10,000 applications score in seconds, not minutes).
        bulk_update_with_history(
            changed, Application, ["status", "updated_at"], batch_size=500, default_user=by,
            default_change_reason="scores computed", default_date=now,
        )  # fmt: skip

        record(
            verb="scores.computed",
            target=solicitation,
            actor=by,
            message=f"Scored {len(scores)}, {len(not_ready)} not ready, rules v{rules.version}.",
            data={
                "run": run.pk,
                "rules_version": rules.version,
                "scored": len(scores),
                "newly_scored": newly_scored,
                "not_ready": len(not_ready),
                **({"after_release": superseded} if superseded else {}),
            },
        )
    return run
