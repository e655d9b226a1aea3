"""Who may download an award's letter and its award file: the agency's active members, and COPS
staff whose role may view awards; a 404 for everyone else (an award's existence is not
disclosed), a login for the anonymous. Files stream from private storage as attachments; they
have no public URL."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse

from applications import services
from applications.letters import render_letter
from applications.models import AwardLetter
from copsgrants import roles
from tests.factories import MembershipFactory, UserFactory

from .award_helpers import released_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def award(db, tmp_path, monkeypatch):
    # A private storage of this test's own (letter file names are fixed per letter row).
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    plan, manager, _ = released_plan([("IL", 2)])
    (award,) = services.make_awards(plan=plan, by=manager)
    render_letter(award.letters.get(version=1))
    award.refresh_from_db()
    return award


def persona(name: str, award):
    """A user in the role `name` relative to the award's agency."""
    if name == "authorized representative":
        return award.agency.memberships.get(is_authorized_representative=True).user
    if name == "member":
        return MembershipFactory(agency=award.agency).user
    if name == "member asking to join":
        return MembershipFactory(agency=award.agency, pending=True).user
    if name == "representative of another agency":
        return MembershipFactory(administrator=True, authorized_representative=True).user
    role = {
        "grants manager": roles.GRANTS_MANAGER,
        "program specialist": roles.PROGRAM_SPECIALIST,
        "reviewer": roles.REVIEWER,
        "training coordinator": roles.TRAINING_COORDINATOR,
    }[name]
    return UserFactory(roles=[role])


ALLOWED = ["authorized representative", "member", "grants manager", "program specialist"]
REFUSED = ["member asking to join", "representative of another agency", "reviewer",
           "training coordinator"]  # fmt: skip


def letter_url(award, version=1):
    return reverse("applications:award_letter_download", args=[award.pk, version])


@pytest.mark.parametrize("name", ALLOWED)
def test_the_agency_and_award_staff_download_the_letter_as_an_attachment(signed_in, award, name):
    letter = award.letters.get(version=1)
    response = signed_in(persona(name, award)).get(letter_url(award))

    assert response.status_code == 200
    body = b"".join(response.streaming_content)
    assert body.startswith(b"%PDF-")
    with letter.file.open("rb") as stored:
        assert body == stored.read()
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert award.number in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("name", REFUSED)
def test_anyone_else_gets_a_404_for_the_letter_and_the_award_file(signed_in, award, name):
    client = signed_in(persona(name, award))
    assert client.get(letter_url(award)).status_code == 404
    assert client.get(reverse("applications:award_file", args=[award.pk])).status_code == 404
    assert client.get(reverse("applications:award_detail", args=[award.pk])).status_code == 404


def test_the_anonymous_are_sent_to_sign_in(client, award):
    for url in (letter_url(award), reverse("applications:award_file", args=[award.pk])):
        response = client.get(url)
        assert response.status_code == 302
        assert reverse("login") in response["Location"]


@pytest.mark.parametrize("name", ALLOWED)
def test_the_award_file_is_a_zip_holding_the_letter(signed_in, award, name):
    response = signed_in(persona(name, award)).get(
        reverse("applications:award_file", args=[award.pk])
    )
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert any(name.endswith(".pdf") and "v1" in name for name in names), names


def test_a_letter_not_yet_ready_and_a_version_that_does_not_exist_are_404s(signed_in, award):
    manager = UserFactory(roles=[roles.GRANTS_MANAGER])
    services.reissue_letter(award=award, by=manager, reason="The agency's address was corrected.")
    client = signed_in(persona("authorized representative", award))
    assert award.letters.get(version=2).status == AwardLetter.Status.PENDING
    assert client.get(letter_url(award, 2)).status_code == 404
    assert client.get(letter_url(award, 3)).status_code == 404
    assert client.get(letter_url(award, 1)).status_code == 200


def test_the_letter_has_no_public_url(client, signed_in, settings, award):
    letter = award.letters.get(version=1)
    member = signed_in(persona("authorized representative", award))
    for path in (f"/media/{letter.file.name}", f"{settings.MEDIA_URL}{letter.file.name}",
                 f"/{letter.file.name}"):  # fmt: skip
        assert member.get(path).status_code == 404, path
