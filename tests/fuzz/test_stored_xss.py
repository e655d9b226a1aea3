"""Stored XSS: a script payload saved in every free-text field an agency or staff member can
write is shown as text everywhere: on the public site, in the admin (change pages, lists, the
ranking), in email (the plain-text part keeps the literal text, the HTML part escapes it) and in
the PDFs (award letter, training certificate: the literal text, drawn as text)."""

from __future__ import annotations

import io
import re
from datetime import date

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email
from pypdf import PdfReader

from applications import services
from applications.letters import TEMPLATE as LETTER
from applications.letters import letter_context
from applications.models import (
    Agency,
    Application,
    Award,
    AwardLetter,
    Drawdown,
    OfficerHire,
    PlanLine,
    Review,
    SchoolPartner,
)
from copsgrants.pdf import render_pdf
from mou.models import MouVersion
from mou.services import request_mou_changes
from tests.mou.review_helpers import with_missing
from training.certificates import TEMPLATE as CERTIFICATE
from training.certificates import certificate_context
from training.models import Certificate, CourseSession, Enrollment, Officer

from .world import World, build_world

pytestmark = pytest.mark.django_db


def payload(field: str) -> str:
    return f'<script>alert("{field}")</script>"\'><img src=x onerror=1>'


def escaped(field: str) -> str:
    return f"&lt;script&gt;alert(&quot;{field}&quot;)&lt;/script&gt;"


RAW = re.compile(r"<script>alert\(|<img src=x onerror", re.I)


def poison(world: World) -> None:
    """The payload, named after its field, in every free-text field of the world's rows."""

    def fill(queryset, *fields: str, prefix: str = "") -> None:
        queryset.update(**{f: payload(prefix + f) for f in fields})

    fill(
        Agency.objects.filter(pk=world.agency.pk),
        "legal_name",
        "city",
        "address_line1",
        "le_executive_name",
        "le_executive_title",
        "gov_executive_name",
        "verification_note",
    )
    fill(
        Application.objects.filter(pk=world.draft.pk),
        "cp_problem",
        "cp_partners",
        "retention_plan",
        "layoff_explanation",
        "certified_name",
    )
    fill(
        SchoolPartner.objects.filter(application=world.draft),
        "district_name",
        "schools",
        "contact_name",
        prefix="school_",
    )
    Award.objects.filter(pk=world.offered.pk).update(
        status=Award.Status.DECLINED,
        declined_at=timezone.now(),
        decline_reason=payload("decline_reason"),
    )
    fill(Drawdown.objects.filter(pk=world.drawdown.pk), "description")
    fill(OfficerHire.objects.filter(pk=world.hire.pk), "first_name", "last_name", prefix="hire_")
    fill(
        MouVersion.objects.filter(pk=world.mou.pk),
        "school_district",
        "schools",
        "agency_signatory",
        "school_signatory",
        "note",
        prefix="mou_",
    )
    fill(Officer.objects.filter(pk=world.officer.pk), "first_name", "last_name", prefix="officer_")
    fill(CourseSession.objects.filter(pk=world.session.pk), "city", prefix="session_")
    reason = Application._meta.get_field("ineligibility_reason").choices[0][0]
    Application.objects.filter(pk=world.submitted.pk).update(
        status=Application.Status.INELIGIBLE, screened_at=timezone.now(),
        ineligibility_reason=reason, ineligibility_note=payload("screening_note"),
    )  # fmt: skip
    review = Review.objects.create(
        assignment=world.assignment,
        rules=world.assignment.application.solicitation.scoring_rules.get_or_create(
            version=1, defaults={"in_force": True})[0],
        scores={"problem_identification": {"score": 3, "comment": payload("review_comment")}},
    )  # fmt: skip
    assert review.pk
    for line in PlanLine.objects.filter(plan=world.plan):
        Agency.objects.filter(pk=line.application.agency_id).update(
            legal_name=payload("ranked_agency")
        )


def as_user(user) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def site_pages(w: World) -> dict[str, list[str]]:
    """Applicant pages and the fields each must show (escaped)."""
    section = lambda slug: reverse("applications:application_section", args=[w.draft.pk, slug])  # noqa: E731
    return {
        reverse("applications:dashboard"): ["legal_name"],
        reverse("applications:agency_detail", args=[w.agency.pk]): [
            "legal_name", "le_executive_name", "gov_executive_name"],
        reverse("applications:agency_edit", args=[w.agency.pk]): ["legal_name", "city"],
        reverse("applications:application_overview", args=[w.draft.pk]): ["legal_name"],
        reverse("applications:application_review", args=[w.draft.pk]): [
            "cp_problem", "retention_plan", "school_district_name"],
        section("community-policing"): ["cp_problem", "cp_partners"],
        section("retention"): ["retention_plan"],
        section("sro"): ["school_district_name", "school_contact_name"],
        reverse("applications:award_detail", args=[w.offered.pk]): ["decline_reason"],
        reverse("applications:award_detail", args=[w.open_award.pk]): [
            "hire_first_name"],
        reverse("mou:award_mou", args=[w.mou_award.pk]): ["mou_school_district"],
        reverse("training:roster"): ["officer_first_name"],
        reverse("training:officer_detail", args=[w.officer.pk]): ["officer_last_name"],
        reverse("training:session_detail", args=[w.session.pk]): ["session_city"],
        reverse("training:catalogue"): ["session_city"],
    }  # fmt: skip


def admin_pages(w: World) -> dict[str, list[str]]:
    change = lambda model, pk: reverse(f"admin:{model}_change", args=[pk])  # noqa: E731
    listing = lambda model: reverse(f"admin:{model}_changelist")  # noqa: E731
    return {
        change("applications_agency", w.agency.pk): ["legal_name", "verification_note"],
        listing("applications_agency"): ["legal_name"],
        change("applications_application", w.draft.pk): ["cp_problem", "legal_name"],
        listing("applications_application"): ["legal_name"],
        change("applications_application", w.submitted.pk): ["screening_note"],
        change("applications_award", w.offered.pk): ["legal_name"],
        change("applications_drawdown", w.drawdown.pk): ["description"],
        listing("applications_drawdown"): ["legal_name"],
        change("applications_officerhire", w.hire.pk): ["hire_first_name"],
        listing("applications_officerhire"): ["hire_last_name"],
        change("mou_mouversion", w.mou.pk): ["mou_school_district", "mou_note"],
        reverse("admin:mou_mouversion_review", args=[w.mou.pk]): ["mou_school_signatory"],
        listing("mou_mouversion"): ["legal_name"],
        change("training_officer", w.officer.pk): ["officer_first_name"],
        listing("training_officer"): ["officer_last_name"],
        change("training_coursesession", w.session.pk): ["session_city"],
        reverse("admin:training_coursesession_roster", args=[w.session.pk]): [
            "officer_first_name"],
        change("applications_reviewassignment", w.assignment.pk): ["review_comment"],
        reverse("admin:applications_scoringrun_ranking", args=[w.plan.run_id]): [
            "ranked_agency"],
        change("applications_fundingplan", w.plan.pk): ["ranked_agency"],
    }  # fmt: skip


def assert_shown_as_text(html: str, fields: list[str], where: str) -> None:
    raw = RAW.search(html)
    assert raw is None, (
        f"{where}: unescaped payload: {html[max(0, raw.start() - 300) : raw.end() + 100]}"
    )
    for field in fields:
        assert escaped(field) in html, f"{where} does not show {field}"


@pytest.fixture
def world(agency, applicant) -> World:
    world = build_world(agency, applicant)
    poison(world)
    return world


def test_the_site_shows_every_payload_as_text(world):
    client = as_user(world.applicant)
    for url, fields in site_pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.text, fields, url)


def test_the_admin_shows_every_payload_as_text(world):
    client = as_user(world.superuser)
    for url, fields in admin_pages(world).items():
        response = client.get(url)
        assert response.status_code == 200, url
        assert_shown_as_text(response.text, fields, url)


def test_exports_carry_the_literal_text(world):
    client = as_user(world.superuser)
    csv = client.get(reverse("admin:applications_scoringrun_ranking_csv", args=[world.plan.run_id]))
    assert csv.status_code == 200
    content = b"".join(csv.streaming_content).decode()
    assert payload("ranked_agency").replace('"', '""') in content


def test_emails_keep_the_text_literal_and_escape_the_html_part(world):
    Email.objects.all().delete()
    services.reject_drawdown(drawdown=world.drawdown, by=world.superuser,
                             note=payload("drawdown_note"))  # fmt: skip
    request_mou_changes(mou=world.mou, by=world.superuser,
                        checks=with_missing("signatures", comment=payload("mou_check")),
                        note=payload("mou_review_note"))  # fmt: skip
    emails = list(Email.objects.all())
    assert len(emails) >= 2
    text = "\n".join(e.message for e in emails)
    html = "\n".join(e.html_message for e in emails)
    for field in ("drawdown_note", "mou_review_note"):
        assert payload(field) in text, field
    assert_shown_as_text(html, ["drawdown_note", "mou_review_note"], "email HTML")


def pdf_text(pdf: bytes) -> str:
    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_the_award_letter_draws_the_payload_as_text(world):
    letter = AwardLetter.objects.select_related("award__agency").get(award=world.offered, version=1)
    pdf = render_pdf(LETTER, letter_context(letter, date(2026, 9, 1), "ABCD-EFGH"))
    assert "<script>alert(" in pdf_text(pdf)  # the agency's name, drawn as characters
    assert b"/JavaScript" not in pdf and b"/JS" not in pdf


def test_the_certificate_draws_the_officer_name_as_text(world):
    Enrollment.objects.filter(pk=world.enrollment.pk).update(status=Enrollment.Status.COMPLETED)
    Certificate.objects.create(enrollment=world.enrollment, verification_code="XSS-TEST-CODE")
    certificate = Certificate.objects.get(enrollment=world.enrollment)  # the poisoned names
    pdf = render_pdf(CERTIFICATE, certificate_context(certificate))
    text = pdf_text(pdf)
    assert "<script>alert(" in text
    assert b"/JavaScript" not in pdf and b"/JS" not in pdf
