"""The ranking's own queries, whose SQL is kept built (applications/ranking.py): what they read
must be what the ORM reads, on SQLite (which hands back floats for decimals) as on
PostgreSQL, and a change to the data must show on the next call."""

from datetime import timedelta
from decimal import Decimal

import pytest

from applications import services
from applications.models import Agency, FundingPlan, PlanLine
from applications.ranking import (
    NOT_FUNDED,
    _lines_and_adjusted,
    agency_names,
    newest_plan,
    ranking,
)

from .plan_helpers import scored_solicitation

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(grants_manager):
    solicitation, _run, _apps = scored_solicitation([("CA", 4), ("CA", 3), ("TX", 2), ("WY", 5)])
    return services.draft_funding_plan(solicitation=solicitation, by=grants_manager)


def orm_lines(plan):
    funded = plan.lines.exclude(positions_funded=0, federal_funded=0, basis=NOT_FUNDED)
    return {
        line.application_id: (line.positions_funded, str(line.federal_funded), line.basis)
        for line in funded
    }


def as_text(lines):
    return {
        key: (positions, str(federal), basis) for key, (positions, federal, basis) in lines.items()
    }


def test_the_lines_and_adjustments_read_are_the_orms_to_the_cent(plan, grants_manager):
    by_rank = list(plan.lines.order_by("rank"))
    odd = [Decimal("125000.50"), Decimal("0.10"), Decimal("1234567.89"), Decimal("7.00")]
    for line, federal in zip(by_rank, odd, strict=True):
        line.federal_funded, line.positions_funded = federal, 1
    PlanLine.objects.bulk_update(by_rank, ["federal_funded", "positions_funded"])
    lines, adjusted = _lines_and_adjusted(plan)
    assert as_text(lines) == orm_lines(plan) and len(lines) == 4
    assert {str(federal) for _, federal, _ in lines.values()} == {str(d) for d in odd}
    assert adjusted == set()

    # A change (no signal sent) shows on the next call; an excluded line reads as no line.
    excluded = by_rank[0].application
    services.adjust_plan(plan=plan, application=excluded, by=grants_manager, kind="exclude",
                         memo="Declined in writing.")  # fmt: skip
    lines, adjusted = _lines_and_adjusted(plan)
    assert adjusted == {excluded.pk}
    assert as_text(lines) == orm_lines(plan) and excluded.pk not in lines


def test_the_kept_names_query_reads_each_name_anew(plan):
    data = ranking(plan.run, summary=True)
    expected = {row.breakdown.application_id: "" for row in data.rows}
    for application_id in expected:
        expected[application_id] = Agency.objects.get(applications=application_id).legal_name
    assert agency_names(data.rows, kept=data) == expected == agency_names(data.rows)

    first = data.rows[0].breakdown.application_id
    Agency.objects.filter(applications=first).update(legal_name="Renamed & Co")
    assert agency_names(data.rows, kept=data)[first] == "Renamed & Co"


def test_the_newest_plan_is_read_whole_and_anew(plan):
    def fields(p):
        return {f.attname: getattr(p, f.attname) for f in FundingPlan._meta.concrete_fields}

    run = plan.run
    assert fields(newest_plan(run)) == fields(FundingPlan.objects.get(pk=plan.pk))
    later = FundingPlan.objects.create(
        solicitation=plan.solicitation, run=run, appropriation=Decimal("123.45"),
        state_minimum_percent=Decimal("1.25"),
    )  # fmt: skip
    FundingPlan.objects.filter(pk=later.pk).update(drafted_at=plan.drafted_at + timedelta(hours=1))
    assert fields(newest_plan(run)) == fields(FundingPlan.objects.get(pk=later.pk))
    FundingPlan.objects.filter(pk=later.pk).update(drafted_at=plan.drafted_at)  # a tie: by key
    assert newest_plan(run).pk == max(plan.pk, later.pk)
