"""seed_demo's MOUs: Springfield's accepted SRO award is withheld with version 1 awaiting the
specialist; Oconee Falls' SRO award is accepted, its MOU approved, two hires reported and two
drawdowns requested (one approved); seeding again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from applications.models import Award, AwardCondition, AwardLetter, Drawdown
from applications.services import implementation_blocked, withholding
from copsgrants.models import AuditEvent, User
from mou import services
from mou.models import Element, MouVersion
from tests.mou.review_helpers import private_mou

pytestmark = pytest.mark.django_db
__all__ = ["private_mou"]


@pytest.fixture(autouse=True)
def letter_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "letters", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    return storage


@pytest.fixture
def demo(private_mou):
    call_command("seed_demo", stdout=io.StringIO())


def fy25(ori: str) -> Award:
    return Award.objects.get(fiscal_year=2025, agency__ori=ori)


def test_springfields_award_is_withheld_with_an_mou_awaiting_review(demo):
    award = fy25("IL08401")
    assert award.status == Award.Status.ACCEPTED and award.is_sro
    assert withholding(award).startswith("Withheld: MOU not yet approved")
    mou = award.mou_versions.get()
    assert (mou.version, mou.status) == (1, MouVersion.Status.SUBMITTED)
    assert mou.uploaded_by.email == "applicant@demo.test"
    with mou.file.open("rb") as pdf:
        assert pdf.read(5) == b"%PDF-"
    assert mou.pages >= 1 and len(mou.sha256) == 64
    assert AuditEvent.objects.filter(verb="mou.uploaded", object_id=str(mou.pk)).exists()
    specialist = User.objects.get(email="specialist@demo.test")
    assert services.can_review_mou(specialist, mou) == (True, "")


def test_oconee_falls_award_has_an_approved_mou_hires_and_drawdowns(demo):
    award = fy25("GA07302")
    assert award.status == Award.Status.ACCEPTED and award.signatures.count() == 2
    assert implementation_blocked(award) == ""
    condition = award.conditions.get(code=AwardCondition.Code.SRO_MOU)
    assert condition.cleared_by.email == "specialist@demo.test"
    mou = award.mou_versions.get()
    assert mou.status == MouVersion.Status.APPROVED
    assert sorted(mou.checks.values_list("element", "present")) == sorted(
        (element.value, True) for element in Element
    )
    assert award.hires.count() == 2
    assert all(hire.school_district and hire.school for hire in award.hires.all())
    assert sorted(award.drawdowns.values_list("number", "status")) == [
        (1, Drawdown.Status.APPROVED),
        (2, Drawdown.Status.REQUESTED),
    ]
    for verb in ("mou.approved", "hire.reported", "condition.cleared"):
        assert AuditEvent.objects.filter(verb=verb).exists(), verb


def snapshot() -> dict:
    return {
        "versions": sorted(MouVersion.objects.values_list("award_id", "version", "status")),
        "checks": MouVersion.objects.filter(checks__isnull=False).count(),
        "hires": sorted(
            (hire.award_id, hire.badge_number, hire.hire_date)
            for hire in Award.objects.get(agency__ori="GA07302").hires.all()
        ),
        "drawdowns": sorted(Drawdown.objects.values_list("award_id", "number", "status")),
        "awards": sorted(Award.objects.values_list("pk", "status", "project_start")),
        "events": AuditEvent.objects.count(),
    }


def test_seeding_twice_changes_nothing(demo):
    before = snapshot()
    call_command("seed_demo", stdout=io.StringIO())
    assert snapshot() == before
