"""The agency's MOU page: uploading versions through the client, replacement of a version still
awaiting review, duplicate files, who may reach it, the download and the guide."""

from __future__ import annotations

import hashlib
import io
from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from applications.models import AwardCondition, Membership
from copsgrants.models import AuditEvent
from mou import services
from mou.models import Element, MouVersion
from tests.applications.acceptance_helpers import private_letters  # noqa: F401
from tests.award_states import accepted_award
from tests.factories import MembershipFactory, SchoolPartnerFactory
from tests.mou.pdfs import valid_pdf
from tests.mou.review_helpers import all_present, private_mou  # noqa: F401

pytestmark = pytest.mark.usefixtures("private_letters", "private_mou")


def form_data(pdf: bytes | None = None, name: str = "Signed MOU.pdf", **overrides) -> dict:
    data = {
        "school_district": "Springfield USD 12",
        "schools": "Lincoln High School\nWashington Middle School",
        "agency_signatory": "Chief Dana Whitfield",
        "agency_signed_on": "2026-11-02",
        "school_signatory": "Superintendent Ray Ortiz",
        "school_signed_on": "2026-11-03",
        "note": "",
    }
    if pdf is not None:
        data["file"] = SimpleUploadedFile(name, pdf, content_type="application/pdf")
    data.update(overrides)
    return data


@pytest.fixture
def award(agency):
    return accepted_award(agency)


def page(award) -> str:
    return reverse("mou:award_mou", args=[award.pk])


def test_a_member_uploads_the_first_version(signed_in, member, award):
    client = signed_in(member)
    pdf = valid_pdf(pages=3)
    response = client.post(page(award), form_data(pdf, name="Springfield MOU (signed).pdf"))
    assert response.status_code == 302
    mou = MouVersion.objects.get(award=award)
    assert (mou.version, mou.status, mou.pages, mou.size) == (1, "submitted", 3, len(pdf))
    assert mou.sha256 == hashlib.sha256(pdf).hexdigest()
    assert mou.original_name == "Springfield MOU (signed).pdf"
    # Server-chosen name: mou/<award pk>/<32 hex>.pdf, nothing of the user's name.
    directory, _, stored = mou.file.name.rpartition("/")
    assert directory == f"mou/{award.pk}"
    assert len(stored) == len("0" * 32 + ".pdf") and stored.endswith(".pdf")
    assert "Springfield" not in mou.file.name
    assert mou.file.read() == pdf
    assert (mou.agency_signatory, mou.school_signed_on) == (
        "Chief Dana Whitfield",
        date(2026, 11, 3),
    )
    event = AuditEvent.objects.get(verb="mou.uploaded")
    assert event.actor == member and event.data["version"] == 1
    page_html = client.get(page(award)).content.decode()
    assert "Version 1 of the MOU is uploaded" in page_html
    assert "Awaiting review" in page_html


def test_a_new_upload_is_a_new_version_and_replaces_one_awaiting_review(signed_in, member, award):
    client = signed_in(member)
    client.post(page(award), form_data(valid_pdf(text="first")))
    client.post(page(award), form_data(valid_pdf(text="second")))
    versions = dict(MouVersion.objects.filter(award=award).values_list("version", "status"))
    assert versions == {1: "replaced", 2: "submitted"}
    html = client.get(page(award)).content.decode()
    assert "Replaced before review" in html and "Version 2" in html


def test_earlier_versions_keep_their_review_outcome(signed_in, member, program_specialist, award):
    client = signed_in(member)
    client.post(page(award), form_data(valid_pdf(text="first")))
    first = MouVersion.objects.get(award=award, version=1)
    checks = all_present()
    checks[Element.INFORMATION_SHARING] = (False, "Say who may see student records.")
    services.request_mou_changes(mou=first, by=program_specialist, checks=checks, note="Fix 3.")
    html = client.get(page(award)).content.decode()
    assert "Changes requested" in html
    assert "Say who may see student records." in html
    client.post(page(award), form_data(valid_pdf(text="second")))
    versions = dict(MouVersion.objects.filter(award=award).values_list("version", "status"))
    assert versions == {1: "changes_requested", 2: "submitted"}


def test_the_same_file_twice_is_recognised(signed_in, member, award):
    client = signed_in(member)
    pdf = valid_pdf()
    client.post(page(award), form_data(pdf))
    response = client.post(page(award), form_data(pdf, name="again.pdf"))
    assert response.status_code == 400
    today = timezone.localdate()
    expected = (
        f"This file is identical to version 1 uploaded on {today:%B} {today.day}, {today.year}"
    )
    assert expected in response.content.decode()
    assert MouVersion.objects.filter(award=award).count() == 1
    # The other fields keep what was typed.
    assert "Superintendent Ray Ortiz" in response.content.decode()


def test_the_form_starts_with_the_applications_school_partners(signed_in, member, award):
    SchoolPartnerFactory(
        application=award.application, district_name="Shelbyville Unified", schools="Shelby High"
    )
    html = signed_in(member).get(page(award)).content.decode()
    assert "Shelbyville Unified" in html and "Shelby High" in html
    assert reverse("mou:guide") in html


def test_signature_dates_cannot_be_in_the_future(signed_in, member, award):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = signed_in(member).post(
        page(award), form_data(valid_pdf(), school_signed_on=tomorrow, agency_signed_on="")
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "The date cannot be in the future." in html
    assert "Enter the date the agency signed." in html
    assert not MouVersion.objects.exists()


def test_another_agencys_award_is_a_404(signed_in, other_agency_applicant, award):
    client = signed_in(other_agency_applicant)
    assert client.get(page(award)).status_code == 404
    assert client.post(page(award), form_data(valid_pdf())).status_code == 404
    assert not MouVersion.objects.exists()


def test_a_non_sro_award_has_no_mou(signed_in, member, agency):
    award = accepted_award(agency, is_sro=False)
    client = signed_in(member)
    assert client.get(page(award)).status_code == 404
    assert client.post(page(award), form_data(valid_pdf())).status_code == 404
    html = client.get(reverse("applications:award_detail", args=[award.pk])).content.decode()
    assert 'data-testid="mou-panel"' not in html


def test_a_removed_or_pending_member_gets_a_404(signed_in, agency, award):
    membership = MembershipFactory(agency=agency, status=Membership.Status.REMOVED)
    assert signed_in(membership.user).get(page(award)).status_code == 404
    pending = MembershipFactory(agency=agency, status=Membership.Status.PENDING)
    assert signed_in(pending.user).post(page(award), form_data(valid_pdf())).status_code == 404
    assert not MouVersion.objects.exists()


def test_an_offered_award_cannot_take_an_upload_yet(signed_in, member, agency):
    from tests.applications.acceptance_helpers import offered_award

    award = offered_award(agency)
    client = signed_in(member)
    html = client.get(page(award)).content.decode()
    assert "once the award is accepted" in html
    response = client.post(page(award), form_data(valid_pdf()))
    assert response.status_code == 302
    assert not MouVersion.objects.exists()


def test_the_award_page_shows_the_mou_panel(signed_in, member, award):
    client = signed_in(member)
    html = client.get(reverse("applications:award_detail", args=[award.pk])).content.decode()
    assert 'data-testid="mou-panel"' in html
    assert "Not yet uploaded" in html
    due = AwardCondition.objects.get(award=award, code="sro_mou").due_date
    assert f"{due:%B} {due.day}, {due.year}" in html
    assert page(award) in html


def test_download_is_an_attachment_with_the_sanitised_name(
    signed_in, member, other_agency_applicant, program_specialist, reviewer, award
):
    pdf = valid_pdf()
    client = signed_in(member)
    client.post(page(award), form_data(pdf, name="MOU\u202egnp.pdf"))
    url = reverse("mou:mou_download", args=[award.pk, 1])
    response = client.get(url)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == pdf
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].startswith("attachment;")
    assert 'filename="MOUgnp.pdf"' in response["Content-Disposition"]
    assert signed_in(program_specialist).get(url).status_code == 200
    assert signed_in(reviewer).get(url).status_code == 404
    assert signed_in(other_agency_applicant).get(url).status_code == 404
    missing = reverse("mou:mou_download", args=[award.pk, 2])
    assert signed_in(member).get(missing).status_code == 404


def test_the_guide_is_a_pdf_listing_the_five_elements(signed_in, member, client):
    url = reverse("mou:guide")
    assert client.get(url).status_code == 302  # sign-in required
    response = signed_in(member).get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    reader = PdfReader(io.BytesIO(response.content))
    text = " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)
    for phrase in (
        "Purpose of the MOU",
        "Roles and responsibilities",
        "Information sharing",
        "SRO supervision and chain of command",
        "Signatures of the agency and the school partner(s)",
    ):
        assert phrase in text


def test_the_summary_says_overdue_past_the_due_date_until_approved(
    signed_in, member, program_specialist, award
):
    condition = AwardCondition.objects.get(award=award, code="sro_mou")
    condition.due_date = timezone.localdate() - timedelta(days=1)
    condition.save()
    assert services.mou_summary(award).state == "Overdue"
    signed_in(member).post(page(award), form_data(valid_pdf()))
    assert services.mou_summary(award).state == "Awaiting review"
    services.approve_mou(
        mou=MouVersion.objects.get(award=award), by=program_specialist, checks=all_present()
    )
    summary = services.mou_summary(award)
    assert (summary.state, summary.approved.version) == ("Approved", 1)
    assert summary.cleared_at is not None


def test_a_condition_met_without_an_mou_here_says_so_and_not_withheld(signed_in, member, award):
    from applications.services import clear_condition

    clear_condition(award=award, code="sro_mou", by=None, note="Accepted on paper")
    assert services.mou_summary(award).state == "Condition met"
    body = signed_in(member).get(reverse("applications:award_detail", args=[award.pk]))
    text = body.content.decode()
    assert "The MOU condition was met on" in text
    assert "Funds are withheld" not in text
