"""Attendance and completions: only a training coordinator records them, only for seated officers
of sessions that have started; a completion issues exactly one certificate row in the same
transaction, all or nothing."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from copsgrants.models import AuditEvent
from training import services
from training.models import Certificate, CourseSession, Enrollment
from training.services.errors import TrainingError

from . import helpers
from .helpers import add_officers, enrollment, make_session

# The shared fixtures, under their own names.
sro_agency = helpers.sro_agency
training_coordinator = helpers.training_coordinator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def no_render(monkeypatch):
    """The render is the certificate tests' business: here the task only records its call."""
    queued = []
    from training import tasks

    monkeypatch.setattr(
        tasks.render_certificate, "apply_async", lambda args, **kw: queued.append(args[0])
    )
    return queued


def started_session(**kwargs) -> CourseSession:
    today = timezone.localdate()
    return make_session(starts_on=today - timedelta(days=2), days=3, **kwargs)


def seated(agency, session, count: int = 3, status=Enrollment.Status.ENROLLED) -> list[Enrollment]:
    return [enrollment(session, officer, status) for officer in add_officers(agency, count)]


def test_it_marks_seated_officers_attended_and_records_who_and_when(
    sro_agency, training_coordinator
):
    session = started_session()
    rows = seated(sro_agency, session)
    changed = services.record_attendance(
        enrollments=rows, outcome="attended", by=training_coordinator
    )
    assert changed == 3
    for row in rows:
        row.refresh_from_db()
        assert row.status == Enrollment.Status.ATTENDED
        assert row.attendance_recorded_by == training_coordinator
        assert row.attendance_recorded_at is not None
    assert AuditEvent.objects.filter(verb="training.attended").count() == 3


def test_completion_issues_one_pending_certificate_with_a_unique_code_and_queues_its_render(
    sro_agency, training_coordinator, django_capture_on_commit_callbacks, no_render
):
    session = started_session()
    rows = seated(sro_agency, session)
    with django_capture_on_commit_callbacks(execute=True):
        services.record_attendance(enrollments=rows, outcome="completed", by=training_coordinator)
    certificates = Certificate.objects.filter(enrollment__in=rows)
    assert certificates.count() == 3
    assert {c.status for c in certificates} == {Certificate.Status.PENDING}
    codes = {c.verification_code for c in certificates}
    assert len(codes) == 3 and all(code.startswith("TRN-") and len(code) == 18 for code in codes)
    assert sorted(no_render) == sorted(c.pk for c in certificates)
    rows[0].refresh_from_db()
    assert rows[0].completed_on == session.ends_on
    assert AuditEvent.objects.filter(verb="training.completed").count() == 3


def test_marking_completed_twice_issues_no_second_certificate(sro_agency, training_coordinator):
    session = started_session()
    rows = seated(sro_agency, session, 1)
    services.record_attendance(enrollments=rows, outcome="completed", by=training_coordinator)
    again = services.record_attendance(
        enrollments=rows, outcome="completed", by=training_coordinator
    )
    assert again == 0
    assert Certificate.objects.count() == 1


def test_a_completion_cannot_be_taken_back_as_a_no_show(sro_agency, training_coordinator):
    session = started_session()
    rows = seated(sro_agency, session, 1, status=Enrollment.Status.COMPLETED)
    with pytest.raises(TrainingError, match="already completed"):
        services.record_attendance(enrollments=rows, outcome="no_show", by=training_coordinator)


def test_a_no_show_can_be_corrected_to_attended(sro_agency, training_coordinator):
    session = started_session()
    rows = seated(sro_agency, session, 1, status=Enrollment.Status.NO_SHOW)
    assert (
        services.record_attendance(enrollments=rows, outcome="attended", by=training_coordinator)
        == 1
    )


def test_one_waitlisted_officer_refuses_the_whole_batch_naming_them(
    sro_agency, training_coordinator
):
    session = started_session()
    rows = seated(sro_agency, session, 2)
    waiting = seated(sro_agency, session, 1, status=Enrollment.Status.WAITLISTED)
    with pytest.raises(TrainingError, match=waiting[0].officer.name) as caught:
        services.record_attendance(
            enrollments=rows + waiting, outcome="completed", by=training_coordinator
        )
    assert "not seated" in str(caught.value)
    assert Certificate.objects.count() == 0
    assert set(
        Enrollment.objects.filter(pk__in=[r.pk for r in rows]).values_list("status", flat=True)
    ) == {Enrollment.Status.ENROLLED}


def test_attendance_waits_for_the_session_to_start(sro_agency, training_coordinator):
    session = make_session()  # 30 days from now
    rows = seated(sro_agency, session, 1)
    with pytest.raises(TrainingError, match="starts on"):
        services.record_attendance(enrollments=rows, outcome="attended", by=training_coordinator)


def test_a_cancelled_session_takes_no_attendance(sro_agency, training_coordinator):
    session = started_session(status=CourseSession.Status.CANCELLED)
    rows = seated(sro_agency, session, 1)
    with pytest.raises(TrainingError, match="cancelled"):
        services.record_attendance(enrollments=rows, outcome="attended", by=training_coordinator)


def test_a_completion_date_in_the_future_is_refused(sro_agency, training_coordinator):
    session = started_session()
    rows = seated(sro_agency, session, 1)
    with pytest.raises(TrainingError, match="future"):
        services.record_attendance(
            enrollments=rows, outcome="completed", by=training_coordinator,
            completed_on=timezone.localdate() + timedelta(days=1),
        )  # fmt: skip


@pytest.mark.parametrize("persona", ["program_specialist", "grants_manager", "applicant"])
def test_only_a_training_coordinator_records_attendance(persona, request, sro_agency):
    user = request.getfixturevalue(persona)
    session = started_session()
    rows = seated(sro_agency, session, 1)
    with pytest.raises(TrainingError, match="training coordinator"):
        services.record_attendance(enrollments=rows, outcome="attended", by=user)
    assert services.can_record_attendance(user)[0] is False


def test_complete_session_needs_every_seat_recorded_then_closes_it(
    sro_agency, training_coordinator
):
    session = make_session(starts_on=timezone.localdate() - timedelta(days=5), days=2)
    rows = seated(sro_agency, session, 2)
    with pytest.raises(TrainingError, match="2 enrolled officers still need attendance"):
        services.complete_session(session=session, by=training_coordinator)
    services.record_attendance(enrollments=rows[:1], outcome="completed", by=training_coordinator)
    services.record_attendance(enrollments=rows[1:], outcome="no_show", by=training_coordinator)
    services.complete_session(session=session, by=training_coordinator)
    session.refresh_from_db()
    assert session.status == CourseSession.Status.COMPLETED
    assert AuditEvent.objects.filter(verb="training.session_completed").exists()


def test_a_session_still_running_cannot_be_completed(training_coordinator):
    session = make_session(starts_on=timezone.localdate() - timedelta(days=1), days=3)
    with pytest.raises(TrainingError, match="complete it after that"):
        services.complete_session(session=session, by=training_coordinator)
