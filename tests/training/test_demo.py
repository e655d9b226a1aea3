"""seed_demo's NASRO training: sessions (one full with a waitlist, open ones, a virtual one),
Springfield's officer roster, enrollments made through the services, and a completed Basic
course whose certificate is rendered without a worker; seeding again changes nothing."""

from __future__ import annotations

import io

import pytest
from django.core.files.storage import FileSystemStorage
from django.core.management import call_command
from django.urls import reverse

from applications.models import AwardLetter
from copsgrants.models import AuditEvent, User
from training import services
from training.models import Certificate, CourseSession, Enrollment, Officer

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def private_storage(tmp_path, monkeypatch):
    """Letters and certificates go to this test's own private storage, not var/media."""
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(AwardLetter._meta.get_field("file"), "storage", storage)
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storage)
    return storage


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


def test_seed_demo_schedules_sessions_enrolls_springfield_and_issues_a_certificate(client):
    output = seed()
    assert "training: 6 sessions" in output
    springfield = Officer.objects.filter(agency__ori="IL08401")
    assert springfield.count() >= 9
    assert services.eligibility(springfield.first().agency)[0]

    upcoming = services.open_sessions()
    full = upcoming.get(course__code="basic-sro", city="Columbus")
    assert full.seats_taken == full.capacity == 4
    assert full.waitlisted == 2
    waitlist = full.enrollments.filter(status=Enrollment.Status.WAITLISTED).order_by("queue_number")
    assert [services.waitlist_position(row) for row in waitlist] == [1, 2]
    assert upcoming.filter(is_virtual=True).exists()
    assert upcoming.filter(seats_taken=0).exists()  # open, no one enrolled yet
    assert AuditEvent.objects.filter(verb="training.waitlisted").count() == 2

    past = CourseSession.objects.get(course__code="basic-sro", city="Springfield")
    assert past.status == CourseSession.Status.COMPLETED
    completion = Enrollment.objects.get(session=past, status=Enrollment.Status.COMPLETED)
    assert completion.officer.name == "Marcus Bell"
    assert Enrollment.objects.filter(session=past, status=Enrollment.Status.NO_SHOW).count() == 1
    assert services.officer_hours(completion.officer) == past.course.hours
    # Advanced needs Basic: Marcus, who completed it, is enrolled.
    assert Enrollment.objects.filter(
        officer=completion.officer, session__course__code="advanced-sro",
        status=Enrollment.Status.ENROLLED,
    ).exists()  # fmt: skip

    certificate = completion.certificate
    assert certificate.status == Certificate.Status.READY
    client.force_login(User.objects.get(email="applicant@demo.test"))
    response = client.get(
        reverse("training_certificates:certificate_download", args=[certificate.pk])
    )
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    verify = client.get(
        reverse("training_certificates:verify"), {"code": certificate.verification_code}
    )
    assert "Marcus Bell" in verify.content.decode()

    coordinator = User.objects.get(email="coordinator@demo.test")
    assert coordinator.has_perm("training.record_attendance")


def counts() -> tuple[int, ...]:
    return (
        CourseSession.objects.count(),
        Officer.objects.count(),
        Enrollment.objects.count(),
        Certificate.objects.count(),
        AuditEvent.objects.filter(verb__startswith="training.").count(),
    )


def test_seeding_again_changes_nothing():
    seed()
    before = counts()
    seed()
    assert counts() == before
