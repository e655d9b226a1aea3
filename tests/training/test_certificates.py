"""Certificates: rendered through the task into private storage (the PDF states the officer,
course, hours, date, location and code), idempotent, swept when owed, downloadable by the
officer's agency and certificate staff only, and checkable on the public verify page."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.factories import UserFactory
from training import services, tasks
from training.models import Certificate, Enrollment

from . import helpers
from .helpers import add_officers, enrollment, make_session

# The shared fixtures, under their own names.
sro_agency = helpers.sro_agency
training_coordinator = helpers.training_coordinator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_certificates(tmp_path, monkeypatch):
    """Certificate files go to this test's own private storage, not var/media."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storage)
    return storage


def completed(agency, coordinator, *, is_virtual=False, render=True) -> Certificate:
    """A Basic SRO completion in Springfield, IL (or virtual), March 2-6, 2026."""
    session = make_session(
        starts_on=date(2026, 3, 2), days=5, is_virtual=is_virtual,
        opens_at=timezone.now() - timedelta(days=400),
        closes_at=timezone.now() - timedelta(days=300),
    )  # fmt: skip
    (officer,) = add_officers(agency, 1, prefix="Jordan")
    officer.last_name = "Castillo"
    officer.save(update_fields=["last_name"])
    row = enrollment(session, officer, Enrollment.Status.ENROLLED)
    services.record_attendance(enrollments=[row], outcome="completed", by=coordinator)
    certificate = Certificate.objects.get(enrollment=row)
    if render:
        tasks.render_certificate(certificate.pk)
        certificate.refresh_from_db()
    return certificate


def pdf_text(certificate: Certificate) -> tuple[str, int]:
    with certificate.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return " ".join(" ".join(page.extract_text().split()) for page in reader.pages), len(
        reader.pages
    )


def test_the_rendered_certificate_states_officer_course_hours_date_place_and_code(
    sro_agency, training_coordinator, private_certificates
):
    certificate = completed(sro_agency, training_coordinator)
    assert certificate.status == Certificate.Status.READY
    assert len(certificate.sha256) == 64
    text, pages = pdf_text(certificate)
    assert pages == 1
    assert "Jordan Castillo" in text
    assert "Basic School Resource Officer" in text
    assert "40 hours" in text
    assert "March 6, 2026" in text  # the completion date: the session's last day
    assert "Springfield, IL" in text
    assert certificate.verification_code in text
    assert sro_agency.legal_name in text
    assert "/training/certificates/verify/" in text
    width, height = PdfReader(certificate.file.open("rb")).pages[0].mediabox.upper_right
    assert width > height  # landscape
    assert certificate.file.name.startswith("certificates/")
    assert AuditEvent.objects.filter(verb="training.certificate_issued").count() == 1


def test_a_virtual_session_reads_virtual(sro_agency, training_coordinator):
    text, _ = pdf_text(completed(sro_agency, training_coordinator, is_virtual=True))
    assert "Virtual" in text


def test_running_the_task_again_keeps_one_file_and_one_event(
    sro_agency, training_coordinator, private_certificates
):
    certificate = completed(sro_agency, training_coordinator)
    first = (certificate.file.name, certificate.sha256, certificate.rendered_at)
    tasks.render_certificate(certificate.pk)
    certificate.refresh_from_db()
    assert (certificate.file.name, certificate.sha256, certificate.rendered_at) == first
    assert certificate.attempts == 1
    assert len(private_certificates.listdir("certificates")[1]) == 1
    assert AuditEvent.objects.filter(verb="training.certificate_issued").count() == 1


def test_a_completion_renders_its_certificate_once_committed(
    sro_agency, training_coordinator, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        certificate = completed(sro_agency, training_coordinator, render=False)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY  # eager Celery in unit tests


def test_the_sweep_renders_a_certificate_left_pending_and_leaves_a_fresh_one(
    sro_agency, training_coordinator
):
    old = completed(sro_agency, training_coordinator, render=False)
    Certificate.objects.filter(pk=old.pk).update(queued_at=timezone.now() - timedelta(minutes=2))
    fresh = completed(sro_agency, training_coordinator, render=False)
    assert tasks.sweep_certificates() == 1
    old.refresh_from_db()
    fresh.refresh_from_db()
    assert old.status == Certificate.Status.READY
    assert fresh.status == Certificate.Status.PENDING


def test_the_sweep_picks_up_a_render_whose_worker_died(sro_agency, training_coordinator):
    stuck = completed(sro_agency, training_coordinator, render=False)
    Certificate.objects.filter(pk=stuck.pk).update(
        status=Certificate.Status.RENDERING, started_at=timezone.now() - timedelta(hours=1)
    )
    assert tasks.sweep_certificates() == 1
    stuck.refresh_from_db()
    assert stuck.status == Certificate.Status.READY


def test_the_render_task_survives_a_dead_worker():
    assert tasks.render_certificate.acks_late is True
    assert tasks.render_certificate.reject_on_worker_lost is True


def test_beat_runs_the_certificate_sweep(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["sweep-certificates"]
    assert entry["task"] == "training.tasks.sweep_certificates"


def test_a_failed_render_is_marked_failed_and_a_coordinator_can_retry_it(
    sro_agency, training_coordinator, monkeypatch
):
    certificate = completed(sro_agency, training_coordinator, render=False)
    from training import certificates

    def broken(certificate_id):
        raise ValueError("template exploded")

    monkeypatch.setattr(certificates, "render_certificate", broken)
    tasks.render_certificate.apply(args=(certificate.pk,))
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.FAILED
    assert "template exploded" in certificate.error
    monkeypatch.undo()
    services.retry_certificate(certificate=certificate, by=training_coordinator)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING
    assert AuditEvent.objects.filter(verb="training.certificate_retried").exists()


# Download ----------------------------------------------------------------------------------


def download(client, certificate):
    return client.get(reverse("training_certificates:certificate_download", args=[certificate.pk]))


def test_a_member_of_the_officers_agency_downloads_the_certificate(
    client, signed_in, applicant, sro_agency, training_coordinator
):
    certificate = completed(sro_agency, training_coordinator)
    signed_in(applicant)
    response = download(client, certificate)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "certificate-basic-sro-castillo" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content).startswith(b"%PDF")


def test_staff_who_may_view_certificates_download_it(
    client, signed_in, sro_agency, training_coordinator, program_specialist
):
    certificate = completed(sro_agency, training_coordinator)
    for user in (training_coordinator, program_specialist):
        signed_in(user)
        assert download(client, certificate).status_code == 200


@pytest.mark.parametrize("persona", ["other_agency_applicant", "grants_manager", "reviewer"])
def test_anyone_else_gets_a_404(
    persona, request, client, signed_in, sro_agency, training_coordinator
):
    certificate = completed(sro_agency, training_coordinator)
    signed_in(request.getfixturevalue(persona))
    assert download(client, certificate).status_code == 404


def test_a_certificate_not_yet_rendered_is_a_404(
    client, signed_in, applicant, sro_agency, training_coordinator
):
    certificate = completed(sro_agency, training_coordinator, render=False)
    signed_in(applicant)
    assert download(client, certificate).status_code == 404


def test_download_needs_sign_in(client, sro_agency, training_coordinator):
    certificate = completed(sro_agency, training_coordinator)
    response = download(client, certificate)
    assert response.status_code == 302 and "login" in response.url


# Public verification -----------------------------------------------------------------------


def test_the_public_verify_page_confirms_a_certificate_without_sign_in(
    client, sro_agency, training_coordinator
):
    certificate = completed(sro_agency, training_coordinator)
    typed = certificate.verification_code.lower().replace("-", " ")
    response = client.get(reverse("training_certificates:verify"), {"code": typed})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Valid certificate" in page
    assert "Jordan Castillo" in page
    assert "Basic School Resource Officer" in page
    assert "March 6, 2026" in page
    assert ">40<" in page


@pytest.mark.parametrize("code", ["TRN-AAAA-BBBB-CCCC", "nonsense", "<script>", "x" * 40])
def test_a_bad_code_is_not_found(client, code):
    response = client.get(reverse("training_certificates:verify"), {"code": code})
    assert response.status_code == 200
    assert "Certificate not found" in response.content.decode()


def test_a_pending_certificate_does_not_verify(client, sro_agency, training_coordinator):
    certificate = completed(sro_agency, training_coordinator, render=False)
    response = client.get(
        reverse("training_certificates:verify"), {"code": certificate.verification_code}
    )
    assert "Certificate not found" in response.content.decode()


def test_an_empty_code_is_a_message_next_to_the_field(client):
    response = client.get(reverse("training_certificates:verify"), {"code": ""})
    assert "Enter the verification code" in response.content.decode()


def test_a_coordinator_persona_exists():
    assert UserFactory(roles=[roles.TRAINING_COORDINATOR]).has_perm("training.view_certificate")


def test_the_officer_and_the_agency_are_emailed_a_link_once(
    sro_agency, training_coordinator, applicant, django_capture_on_commit_callbacks
):
    from django.core import mail

    with django_capture_on_commit_callbacks(execute=True):
        certificate = completed(sro_agency, training_coordinator, render=False)
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.READY
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    officer = certificate.enrollment.officer
    assert set(message.to) == {officer.email, applicant.email}
    assert "Jordan Castillo" in message.subject
    assert reverse("training:officer_detail", args=[officer.pk]) in message.body
    assert certificate.verification_code in message.body
    assert not message.attachments
    with django_capture_on_commit_callbacks(execute=True):
        tasks.render_certificate(certificate.pk)
    assert len(mail.outbox) == 1
