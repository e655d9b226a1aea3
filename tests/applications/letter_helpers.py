"""An award with its conditions and a pending letter v1, written directly (making awards is the
make_awards tests' business; these tests are about rendering letters)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from applications.models import (
    Award,
    AwardCondition,
    AwardLetter,
    FundingPlan,
)
from tests.applications.plan_helpers import scored_solicitation

_sequence = iter(range(1, 100000))


def award_with_letter(*, sro: bool = True, legal_name: str | None = None) -> AwardLetter:
    solicitation, run, (application,) = scored_solicitation([("IL", 3)])
    agency = application.agency
    if legal_name is not None:
        agency.legal_name = legal_name
        agency.save(update_fields=["legal_name"])
    plan = FundingPlan.objects.create(
        solicitation=solicitation,
        run=run,
        appropriation=Decimal("1000000"),
        status=FundingPlan.Status.RELEASED,
    )
    sequence = next(_sequence)
    award = Award.objects.create(
        application=application,
        solicitation=solicitation,
        agency=agency,
        plan=plan,
        number=f"15JCOPS-26-GG-{sequence:05d}-UHPX",
        fiscal_year=2026,
        sequence=sequence,
        federal_amount=Decimal("375000.00"),
        local_match=Decimal("275943.54"),
        positions_new_hire=2,
        positions_rehire_laid_off=1,
        is_sro=sro,
        project_title="FY26 COPS Hiring Program (CHP)",
        project_start=date(2026, 10, 1),
        project_end=date(2031, 9, 30),
        budget_start=date(2026, 10, 1),
        budget_end=date(2031, 9, 30),
    )
    if sro:
        AwardCondition.objects.create(
            award=award,
            code=AwardCondition.Code.SRO_MOU,
            withholds_funds=True,
            text="Submit a signed memorandum of understanding with each school partner.",
        )
    AwardCondition.objects.create(
        award=award,
        code=AwardCondition.Code.RETENTION,
        text="Retain each funded position for at least 12 months after federal funding ends.",
    )
    return AwardLetter.objects.create(award=award, version=1)
