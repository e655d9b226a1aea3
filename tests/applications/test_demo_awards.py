"""seed_demo makes the FY25 awards and renders their letters without a worker: Springfield's SRO
award accepted by two representatives, Riverton's offered with one signature of two (Olivia can
sign second), a non-SRO award without the MOU condition; seeding again changes nothing."""

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command

from applications import services
from applications.models import Award, AwardCondition, AwardLetter, AwardSignature
from copsgrants.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def letter_storage(tmp_path, monkeypatch):
    """A private storage of this test's own (letter file names are fixed per letter row)."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    return storage


def seed() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def test_seed_demo_awards_fy25_with_ready_letters_and_the_signatures_the_demo_shows():
    seed()
    awards = Award.objects.filter(fiscal_year=2025)
    assert awards.count() == 7
    assert set(AwardLetter.objects.values_list("status", "version")) == {("ready", 1)}
    for letter in AwardLetter.objects.all():
        assert letter.sha256 and letter.file
        with letter.file.open("rb") as pdf:
            assert pdf.read(5) == b"%PDF-"

    springfield = awards.get(agency__ori="IL08401")
    assert springfield.is_sro and springfield.status == Award.Status.ACCEPTED
    assert springfield.conditions.filter(code=AwardCondition.Code.SRO_MOU).exists()
    assert sorted(springfield.signatures.values_list("user__email", flat=True)) == [
        "applicant@demo.test", "chief@springfield.demo.test"
    ]  # fmt: skip

    riverton = awards.get(agency__ori="WY01300")
    assert riverton.status == Award.Status.OFFERED
    assert list(riverton.signatures.values_list("user__email", flat=True)) == [
        "sheriff@riverton.demo.test"
    ]
    assert services.can_sign_acceptance(User.objects.get(email="other@demo.test"), riverton)[0]

    non_sro = awards.filter(is_sro=False)
    assert non_sro.exists()
    assert not AwardCondition.objects.filter(
        award__in=non_sro, code=AwardCondition.Code.SRO_MOU
    ).exists()


def test_olivia_signs_second_and_riverton_accepts():
    seed()
    riverton = Award.objects.get(fiscal_year=2025, agency__ori="WY01300")
    services.sign_acceptance(
        award=riverton, by=User.objects.get(email="other@demo.test"), typed_name="Olivia Grant",
        ip="192.0.2.20",
    )  # fmt: skip
    riverton.refresh_from_db()
    assert riverton.status == Award.Status.ACCEPTED


def test_seeding_again_makes_no_second_award_letter_or_signature():
    seed()
    counts = (Award.objects.count(), AwardLetter.objects.count(), AwardSignature.objects.count())
    seed()
    assert (
        Award.objects.count(), AwardLetter.objects.count(), AwardSignature.objects.count()
    ) == counts  # fmt: skip
