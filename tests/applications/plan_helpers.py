"""A scored solicitation for the funding-plan tests: applications already screened and scored,
with a current scoring run whose ranks the test chooses. The run and its breakdowns are written
directly (computing them is the scoring tests' business); the plan reads only ranks."""

from __future__ import annotations

from decimal import Decimal

from applications.models import Application, ScoreBreakdown, ScoringRules, ScoringRun
from tests.factories import (
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
)

# Every factory application costs $216,981.18 per position over 3 years; 75% is above the
# $125,000 cap, so each position asks exactly $125,000 federal.
PER_POSITION = Decimal("125000.00")


def scored_solicitation(rows, *, total_funds="1000000", ceiling=None, eligible_states=()):
    """`rows`: (state, positions) in rank order. Returns (solicitation, run, applications in rank
    order). `eligible_states` adds a screened-eligible application still under review there."""
    solicitation = SolicitationFactory(
        closed=True, total_funds=Decimal(total_funds), award_ceiling=ceiling
    )
    rules = ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    run = ScoringRun.objects.create(solicitation=solicitation, rules=rules)
    applications = []
    for rank, (state, positions) in enumerate(rows, start=1):
        agency = AgencyFactory(state=state)
        MembershipFactory(agency=agency, administrator=True, authorized_representative=True)
        application = ApplicationFactory(
            submitted=True,
            agency=agency,
            solicitation=solicitation,
            status=Application.Status.SCORED,
            positions_new_hire=positions,
            positions_rehire_laid_off=0,
            positions_rehire_scheduled=0,
            sro_positions=min(positions, 1),
        )
        score = Decimal(100 - rank)
        ScoreBreakdown.objects.create(
            run=run, application=application, fiscal_need=score, crime=score,
            community_policing=score, sro_bonus=0, veteran_bonus=0, score_without_bonus=score,
            score=score, rank=rank, rank_without_bonus=rank,
        )  # fmt: skip
        applications.append(application)
    for state in eligible_states:
        ApplicationFactory(
            submitted=True,
            agency=AgencyFactory(state=state),
            solicitation=solicitation,
            status=Application.Status.UNDER_REVIEW,
        )
    return solicitation, run, applications
