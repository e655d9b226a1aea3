"""Build scoreable applications for the scoring and ranking tests: screened eligible, with
submitted rubric reviews. Reviews and assignments are written directly (their workflow is
tested with the review services) so these tests pin down only what scoring reads."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from applications.models import (
    Application,
    Review,
    ReviewAssignment,
    ScoringRules,
    Solicitation,
)
from copsgrants import roles
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory, UserFactory

CRITERIA = ("problem_identification", "community_partnerships", "problem_solving",
            "organizational_transformation")  # fmt: skip


def solicitation_with_rules(**rules) -> Solicitation:
    solicitation = SolicitationFactory(closed=True)
    ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True, **rules)
    return solicitation


def review_scores(total: int) -> dict:
    """Four criterion scores (0-5) adding up to `total`."""
    scores, left = {}, total
    for key in CRITERIA:
        score = min(5, left)
        scores[key] = {"score": score, "comment": "Seen."}
        left -= score
    assert left == 0, total
    return scores


def add_review(application: Application, total: int, reviewer=None) -> Review:
    reviewer = reviewer or UserFactory(roles=[roles.REVIEWER])
    assignment = ReviewAssignment.objects.create(
        application=application, reviewer=reviewer, coi_certified_at=timezone.now()
    )
    rules = application.solicitation.scoring_rules.get(in_force=True)
    return Review.objects.create(
        assignment=assignment,
        rules=rules,
        scores=review_scores(total),
        status=Review.Status.SUBMITTED,
        submitted_at=timezone.now(),
    )


def eligible_application(
    solicitation: Solicitation,
    *,
    cut: str = "5",
    unemployment: str = "6",
    poverty: str = "10",
    violent: int = 50,
    prop: int = 300,
    totals: tuple[int, ...] = (10, 10),
    sro: bool = False,
    veteran: bool = False,
    minutes: int = 0,
    state: str = "IL",
    population: int = 10_000,
    name: str | None = None,
) -> Application:
    agency_kwargs = {"state": state, "jurisdiction_population": population}
    if name:
        agency_kwargs["legal_name"] = name
    application = ApplicationFactory(
        submitted=True,
        solicitation=solicitation,
        agency=AgencyFactory(**agency_kwargs),
        status=Application.Status.UNDER_REVIEW,
        submitted_at=solicitation.opens_at + timedelta(days=1, minutes=minutes),
        budget_change_percent=-Decimal(cut),
        unemployment_rate=Decimal(unemployment),
        poverty_rate=Decimal(poverty),
        violent_crimes=violent,
        property_crimes=prop,
        sro_commitment=sro,
        sro_positions=2 if sro else None,
        veteran_commitment=veteran,
    )
    for total in totals:
        add_review(application, total)
    return application


def worked_example(solicitation: Solicitation) -> dict[str, Application]:
    """The four applications of README "Scoring" (tests/applications/test_scoring.py)."""
    return {
        "A": eligible_application(solicitation, cut="10", unemployment="4", poverty="10",
                                  violent=100, prop=200, totals=(15, 17), state="IL",
                                  name="Alton Police Department"),
        "B": eligible_application(solicitation, cut="5", unemployment="6", poverty="10",
                                  violent=50, prop=300, totals=(10, 10), sro=True, veteran=True,
                                  minutes=1, state="WA", name="Bellingham Police Department"),
        "C": eligible_application(solicitation, cut="0", unemployment="8", poverty="10",
                                  violent=20, prop=400, totals=(20, 18), sro=True, veteran=True,
                                  minutes=2, state="VA", name="Culpeper Police Department"),
        "D": eligible_application(solicitation, cut="5", unemployment="10", poverty="20",
                                  violent=50, prop=100, totals=(12, 14), minutes=3, state="TX",
                                  name="Dallas Police Department"),
    }  # fmt: skip
