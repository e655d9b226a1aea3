"""An award in a chosen state for the agency-side tests, written directly (making awards and
rendering letters are other tests' business): the agency side reads only the award's rows and
its letter file in private storage."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils import timezone

from applications.models import (
    Application,
    Award,
    AwardCondition,
    AwardLetter,
    FundingPlan,
    PlanLine,
    ScoringRules,
    ScoringRun,
)
from tests.factories import ApplicationFactory, SolicitationFactory

FAKE_PDF = b"%PDF-1.7\n% a stand-in for a rendered letter\n%%EOF\n"

_sequence = iter(range(1, 100000))


@pytest.fixture
def private_letters(tmp_path, monkeypatch):
    """Letter files go to this test's own private storage, not var/media."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    return storage


def offered_award(agency, *, days_left: int = 30, is_sro: bool = True, letter: bool = True):
    """An offered award to `agency` with a ready v1 letter (a small PDF in private storage)."""
    solicitation = SolicitationFactory(closed=True)
    rules = ScoringRules.objects.create(solicitation=solicitation, version=1, in_force=True)
    run = ScoringRun.objects.create(solicitation=solicitation, rules=rules)
    plan = FundingPlan.objects.create(
        solicitation=solicitation, run=run, appropriation=Decimal("1000000"),
        status=FundingPlan.Status.RELEASED, released_at=timezone.now(),
    )  # fmt: skip
    application = ApplicationFactory(
        submitted=True, agency=agency, solicitation=solicitation,
        status=Application.Status.RECOMMENDED,
        decision_released_at=timezone.now(),
    )  # fmt: skip
    PlanLine.objects.create(
        plan=plan, application=application, rank=1, state=agency.state, positions_requested=3,
        federal_requested=Decimal("375000.00"), positions_funded=3,
        federal_funded=Decimal("375000.00"), basis=PlanLine.Basis.NATIONAL,
    )  # fmt: skip
    sequence = next(_sequence)
    award = Award.objects.create(
        application=application, solicitation=solicitation, agency=agency, plan=plan,
        number=f"15JCOPS-26-GG-{sequence:05d}-UHPX", fiscal_year=2026, sequence=sequence,
        status=Award.Status.OFFERED, federal_amount=Decimal("375000.00"),
        local_match=Decimal("275943.54"), positions_new_hire=3, is_sro=is_sro,
        project_title="Hiring three officers", project_start=date(2026, 10, 1),
        project_end=date(2031, 9, 30), budget_start=date(2026, 10, 1),
        budget_end=date(2031, 9, 30),
        acceptance_deadline=timezone.now() + timedelta(days=days_left),
    )  # fmt: skip
    AwardCondition.objects.create(
        award=award, code=AwardCondition.Code.RETENTION,
        text="Retain every funded position for at least 12 months after the grant ends.",
    )  # fmt: skip
    if is_sro:
        AwardCondition.objects.create(
            award=award, code=AwardCondition.Code.SRO_MOU, withholds_funds=True,
            text="Submit the MOU with your school partner.",
            due_date=timezone.localdate() + timedelta(days=90),
        )  # fmt: skip
    if letter:
        add_ready_letter(award, version=1)
    return award


def add_ready_letter(award: Award, *, version: int, content: bytes = FAKE_PDF) -> AwardLetter:
    row = AwardLetter(
        award=award, version=version, status=AwardLetter.Status.READY, sha256="0" * 64,
        verification_code=f"CODE{version}", letter_date=timezone.localdate(), pages=2,
        reason="" if version == 1 else "Corrected the project title",
    )  # fmt: skip
    row.file.save(f"letters/test-{award.number}-v{version}.pdf", ContentFile(content), save=False)
    row.save()
    return row
