"""Compute scores: one ScoringRun of a solicitation's eligible applications under the scoring
rules in force, stored whole (every input, percentile, review and bonus) so a published ranking
can be reproduced. The formula itself is the pure `applications.scoring`."""

from __future__ import annotations

import gc
from collections import defaultdict
from contextlib import contextmanager
from decimal import Decimal
from types import SimpleNamespace
from typing import NamedTuple

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from .. import scoring
from ..budget import MAX_YEARS
from ..checks import profile_value
from ..models import (
    Application,
    DataFlag,
    FundingPlan,
    Review,
    ScoringRules,
    ScoringRun,
    Solicitation,
)
from ..models.review import review_total
from .scoring_store import insert_breakdowns, set_status_with_history

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
# What readiness, the formula and the breakdown's inputs read of an application (its budget
# included), as the columns of one values() query.
SCORING_FIELDS = (
    "pk", "status", "submitted_at", "agency_profile", "sro_commitment", "veteran_commitment",
    "positions_new_hire", "positions_rehire_laid_off", "positions_rehire_scheduled",
    "match_waiver", "waiver_decision", *FIGURES,
    *(f"{kind}_year_{year}" for year in range(1, MAX_YEARS + 1) for kind in ("salary", "fringe")),
)  # fmt: skip
AGENCY_FIELDS = ("state", "jurisdiction_population")
# The breakdown's values that are the formula's Score fields under the same names.
STORED_SCORES = ("fiscal_need", "crime", "community_policing", "sro_bonus", "veteran_bonus",
                 "score_without_bonus", "score", "rank", "rank_without_bonus")  # fmt: skip


class Candidate(SimpleNamespace):
    """One application as scoring reads it: a values() row, its agency's state and population
    as `agency`, and the model's own budget properties (10,000 model instances of ~97 fields
    each took a fifth of the run). Should those properties read a field not loaded here, they
    fail loudly (AttributeError), not silently."""

    WaiverDecision = Application.WaiverDecision
    total_positions = Application.total_positions
    waiver_requested = Application.waiver_requested
    decided_waiver = Application.decided_waiver
    federal_percent = Application.federal_percent
    budget = Application.budget


class SubmittedReview(NamedTuple):
    """A submitted review's total and its record in the breakdown's criteria."""

    total: Decimal
    record: dict


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


def _not_ready_reason(
    application: Candidate, reviews: list[SubmittedReview], rules: ScoringRules
) -> str:
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


def _inputs_record(application: Application | Candidate, item: scoring.Inputs) -> dict[str, str]:
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


def _criteria_record(reviews: list[SubmittedReview], rules: ScoringRules, maximum: str) -> dict:
    return {
        "rules_version": rules.version,
        "rubric_maximum": maximum,
        "reviews": [review.record for review in reviews],
    }


def _candidates(solicitation: Solicitation) -> list[Candidate]:
    """The applications a run ranks, by id."""
    ranked = Application.objects.filter(solicitation=solicitation, status__in=RANKED)
    # Counted apart: grouping 10,000 wide rows to count a handful of flags cost more than this.
    open_flags = dict(
        DataFlag.objects.filter(application__in=ranked, resolution="")
        .values_list("application")
        .annotate(Count("pk"))
        .order_by()
    )
    agency = [f"agency__{name}" for name in AGENCY_FIELDS]
    rows = ranked.order_by("pk").values_list(*SCORING_FIELDS, *agency)
    candidates = []
    for row in rows:
        values, agency_values = row[: len(SCORING_FIELDS)], row[len(SCORING_FIELDS) :]
        candidate = Candidate(
            **dict(zip(SCORING_FIELDS, values, strict=True)),
            agency=SimpleNamespace(**dict(zip(AGENCY_FIELDS, agency_values, strict=True))),
            solicitation=solicitation,  # one row, not 10,000 copies
        )
        candidate.open_flag_count = open_flags.get(candidate.pk, 0)
        candidates.append(candidate)
    return candidates


def _submitted_reviews(solicitation: Solicitation) -> dict[int, list[SubmittedReview]]:
    """The submitted reviews of each application a run ranks, by reviewer then id."""
    rows = Review.objects.filter(
        status=Review.Status.SUBMITTED,
        assignment__application__solicitation=solicitation,
        assignment__application__status__in=RANKED,
    ).values_list(
        "assignment__application_id", "assignment__reviewer_id", "pk", "rules__version", "scores"
    )
    reviews: dict[int, list[SubmittedReview]] = defaultdict(list)
    # Sorted here rather than by the database: with every review's JSON in the rows, its sort
    # spilled to disk.
    for application_id, reviewer_id, pk, version, scores in sorted(rows, key=lambda r: r[:3]):
        total = review_total(scores)
        record = {
            "review": pk,
            "reviewer": reviewer_id,
            "rules_version": version,
            "scores": {key: str(value.get("score")) for key, value in sorted(scores.items())},
            "total": str(total),
        }
        reviews[application_id].append(SubmittedReview(total, record))
    return reviews


@contextmanager
def _cycle_collection_paused():
    """Pause Python's cycle collector: a run allocates ~100 small objects per application
    (rows, Decimals, dicts), which set it off hundreds of times over the whole heap, a third of
    the run's Python time with 10,000 applications. Reference counting still frees them; any
    cycle left behind is collected once the collector is back on."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def compute_scores(*, solicitation: Solicitation, by: User) -> ScoringRun:
    """Score every ready application of `solicitation` under the rules in force and rank them.

    Ready: under review (or already scored) with at least the required number of submitted
    reviews and no unresolved data flag. The others are listed in the run's `not_ready`, with
    why. Ready applications become SCORED; a scored one that is no longer ready (a review was
    reopened, a flag raised) goes back to UNDER_REVIEW.
    """
    with transaction.atomic(), _cycle_collection_paused():
        solicitation = Solicitation.objects.select_for_update().get(pk=solicitation.pk)
        rules = ScoringRules.objects.in_force().filter(solicitation=solicitation).first()
        if rules is None:
            raise ScoringError(
                f"{solicitation.code} has no scoring rules in force: put a version in force first."
            )
        superseded = _guard_release(solicitation, rules)
        applications = _candidates(solicitation)
        reviews = _submitted_reviews(solicitation)

        ready: dict[int, Candidate] = {}
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
        maximum = str(scoring.rubric_maximum(rules.rubric))
        insert_breakdowns(
            {
                "run_id": run.pk,
                "application_id": score.key,
                "inputs": _inputs_record(ready[score.key], inputs[score.key])
                | {name: str(value) for name, value in score.measures.items()},
                "percentiles": {name: str(value) for name, value in score.percentiles.items()},
                "criteria": _criteria_record(reviews[score.key], rules, maximum),
                **{name: getattr(score, name) for name in STORED_SCORES},
            }
            for score in scores
        )

        # A few statements for all of them, not one per application: field history still
        # records every status change.
        now = timezone.now()
        scored = [
            a.pk
            for a in applications
            if a.pk in ready and a.status == Application.Status.UNDER_REVIEW
        ]
        unscored = [
            a.pk
            for a in applications
            if a.pk not in ready and a.status == Application.Status.SCORED
        ]
        newly_scored = len(scored)
        set_status_with_history(scored, Application.Status.SCORED, by=by, now=now)
        set_status_with_history(unscored, Application.Status.UNDER_REVIEW, by=by, now=now)

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
