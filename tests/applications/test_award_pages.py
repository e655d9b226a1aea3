"""The agency's award page, the letter download and the award file: members of the agency only
(a 404 for everyone else), files streamed from private storage as attachments."""

import csv
import io
import json
import zipfile

import pytest
from django.urls import reverse

from applications import services
from applications.models import Award
from tests.factories import AgencyFactory, MembershipFactory

from .acceptance_helpers import (
    FAKE_PDF,
    add_ready_letter,
    offered_award,
    private_letters,  # noqa: F401 (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_letters")]


@pytest.fixture
def award(agency):
    return offered_award(agency)


def test_the_award_page_shows_the_award_to_members_of_the_agency(signed_in, member, award):
    response = signed_in(member).get(reverse("applications:award_detail", args=[award.pk]))
    assert response.status_code == 200
    html = response.text
    assert award.number in html
    assert "$375,000" in html
    assert "SRO memorandum of understanding" in html
    assert "0 of 2 have" in html
    # A plain member sees why they cannot sign, and no signing form.
    assert "Only an Authorized Representative" in html
    assert 'data-testid="sign"' not in html
    assert reverse("applications:award_letter_download", args=[award.pk, 1]) in html
    assert "/media/" not in html


@pytest.mark.parametrize("persona", ["other_agency_applicant", "program_specialist",
                                     "grants_manager", "reviewer"])  # fmt: skip
def test_the_award_page_is_a_404_for_anyone_outside_the_agency(request, signed_in, award, persona):
    client = signed_in(request.getfixturevalue(persona))
    for name in ("award_detail", "award_decline"):
        assert client.get(reverse(f"applications:{name}", args=[award.pk])).status_code == 404
    response = client.post(
        reverse("applications:award_sign", args=[award.pk]), {"typed_name": "x", "agree": "on"}
    )
    assert response.status_code == 404
    assert award.signatures.count() == 0


def test_a_removed_member_no_longer_reaches_the_award(signed_in, agency, award):
    membership = MembershipFactory(agency=agency, status="removed")
    client = signed_in(membership.user)
    assert client.get(reverse("applications:award_detail", args=[award.pk])).status_code == 404


@pytest.mark.parametrize(
    ("persona", "status"),
    [("applicant", 200), ("member", 200), ("other_agency_applicant", 404),
     ("program_specialist", 200), ("grants_manager", 200), ("reviewer", 404)],
)  # fmt: skip
def test_the_letter_download_is_permission_checked_and_an_attachment(
    request, signed_in, award, persona, status
):
    client = signed_in(request.getfixturevalue(persona))
    response = client.get(reverse("applications:award_letter_download", args=[award.pk, 1]))
    assert response.status_code == status
    if status == 200:
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'attachment; filename="{award.number}-letter-v1.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == FAKE_PDF


def test_a_letter_version_that_is_not_ready_cannot_be_downloaded(signed_in, applicant, agency):
    award = offered_award(agency, letter=False)
    client = signed_in(applicant)
    assert (
        client.get(reverse("applications:award_letter_download", args=[award.pk, 1])).status_code
        == 404
    )


def test_the_stored_letter_is_served_by_no_url_but_the_download_view(
    client, signed_in, applicant, award
):
    name = award.letters.get().file.name
    for path in (f"/{name}", f"/media/{name}", f"/static/{name}"):
        assert client.get(path).status_code in (302, 404)
        response = signed_in(applicant).get(path)
        assert response.status_code == 404, path


def test_two_representatives_sign_on_the_page_and_the_award_reads_accepted(
    client, signed_in, agency, applicant, award
):
    second = MembershipFactory(agency=agency, authorized_representative=True).user
    url = reverse("applications:award_sign", args=[award.pk])
    signed_in(applicant)
    response = client.post(url, {"typed_name": applicant.get_full_name()})
    assert response.status_code == 400
    assert "Tick the box" in response.text
    response = client.post(
        url, {"typed_name": applicant.get_full_name(), "agree": "on"}, REMOTE_ADDR="192.0.2.4"
    )
    assert response.status_code == 302
    page = client.get(reverse("applications:award_detail", args=[award.pk])).text
    assert "You have already signed" in page
    assert f"Signed by {applicant.get_full_name()}" in page

    signed_in(second)
    client.post(url, {"typed_name": second.get_full_name(), "agree": "on"})
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert award.signatures.get(user=applicant).ip_address == "192.0.2.4"
    page = client.get(reverse("applications:award_detail", args=[award.pk])).text
    assert ">Accepted<" in page


def test_the_typed_name_must_match_the_account(client, signed_in, applicant, award):
    signed_in(applicant)
    response = client.post(
        reverse("applications:award_sign", args=[award.pk]),
        {"typed_name": "Someone Else", "agree": "on"},
    )
    assert response.status_code == 400
    assert "exactly as on your account" in response.text
    assert award.signatures.count() == 0


def test_a_representative_declines_on_the_page_with_a_reason(client, signed_in, applicant, award):
    signed_in(applicant)
    url = reverse("applications:award_decline", args=[award.pk])
    assert "Decline this award?" in client.get(url).text
    response = client.post(url, {"reason": ""})
    assert response.status_code == 400
    assert "Say why" in response.text
    client.post(url, {"reason": "We cannot fund the match."})
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED
    assert (
        "We cannot fund the match."
        in client.get(reverse("applications:award_detail", args=[award.pk])).text
    )


def test_the_award_file_holds_every_letter_version_signatures_conditions_and_audit_trail(
    signed_in, agency, applicant, award
):
    add_ready_letter(award, version=2, content=b"%PDF-1.7 second version")
    services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip="192.0.2.9")
    response = signed_in(applicant).get(reverse("applications:award_file", args=[award.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = set(archive.namelist())
    assert {f"letters/{award.number}-letter-v1.pdf", f"letters/{award.number}-letter-v2.pdf",
            "award.json", "award.csv", "letters.csv", "signatures.csv", "conditions.csv",
            "audit.csv", "README.txt"} <= names  # fmt: skip
    assert archive.read(f"letters/{award.number}-letter-v1.pdf") == FAKE_PDF
    assert archive.read(f"letters/{award.number}-letter-v2.pdf") == b"%PDF-1.7 second version"
    signatures = list(csv.DictReader(io.StringIO(archive.read("signatures.csv").decode())))
    assert [(s["typed_name"], s["ip_address"]) for s in signatures] == [
        ("Ada Lovelace", "192.0.2.9")
    ]
    conditions = {row["code"] for row in csv.DictReader(
        io.StringIO(archive.read("conditions.csv").decode()))}  # fmt: skip
    assert conditions == {"retention", "sro_mou"}
    audit = list(csv.DictReader(io.StringIO(archive.read("audit.csv").decode())))
    assert [row["verb"] for row in audit] == ["award.signed"]
    document = json.loads(archive.read("award.json"))
    assert document["award"][0]["number"] == award.number
    assert [letter["version"] for letter in document["letters"]] == [1, 2]


def test_the_award_file_is_a_404_for_another_agency(signed_in, other_agency_applicant, award):
    client = signed_in(other_agency_applicant)
    assert client.get(reverse("applications:award_file", args=[award.pk])).status_code == 404


def test_the_dashboard_and_the_application_link_to_the_award(signed_in, member, agency, award):
    other = offered_award(AgencyFactory())
    client = signed_in(member)
    dashboard = client.get(reverse("applications:dashboard")).text
    assert reverse("applications:award_detail", args=[award.pk]) in dashboard
    assert "0 of 2 signatures" in dashboard
    assert other.number not in dashboard
    overview = client.get(
        reverse("applications:application_overview", args=[award.application.pk])
    ).text
    assert f"See award {award.number}" in overview
