"""The training coordinator's admin: create a session, the roster page, its CSV, bulk
attendance, cancel and complete buttons, course edits and certificate retry; a program
specialist and a grants manager look but cannot change."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from copsgrants.models import AuditEvent
from training.models import Certificate, Course, CourseSession, Enrollment

from . import helpers
from .helpers import add_officers, course, enrollment, make_session

pytestmark = pytest.mark.django_db

# The shared fixtures, under their own names.
sro_agency = helpers.sro_agency
training_coordinator = helpers.training_coordinator


@pytest.fixture(autouse=True)
def queued_renders(monkeypatch):
    """Rendering is the certificate tests' business: here the task only records its call."""
    from training import tasks

    queued = []
    monkeypatch.setattr(
        tasks.render_certificate, "apply_async", lambda args, **kw: queued.append(args[0])
    )
    return queued


def started_session(**kwargs) -> CourseSession:
    return make_session(starts_on=timezone.localdate() - timedelta(days=2), days=3, **kwargs)


def roster_url(session):
    return reverse("admin:training_coursesession_roster", args=[session.pk])


def session_form(**overrides):
    start = timezone.localdate() + timedelta(days=60)
    data = {
        "course": course("basic-sro").pk,
        "starts_on": start.isoformat(),
        "ends_on": (start + timedelta(days=4)).isoformat(),
        "city": "Columbus",
        "state": "oh",
        "capacity": "25",
        "registration_opens_at_0": timezone.localdate().isoformat(),
        "registration_opens_at_1": "09:00",
        "registration_closes_at_0": (start - timedelta(days=7)).isoformat(),
        "registration_closes_at_1": "17:00",
    }
    data.update(overrides)
    return data


def test_a_coordinator_creates_a_session(client, signed_in, training_coordinator):
    signed_in(training_coordinator)
    response = client.post(reverse("admin:training_coursesession_add"), session_form())
    assert response.status_code == 302, response.content.decode()[:2000]
    session = CourseSession.objects.get()
    assert (session.city, session.state, session.capacity) == ("Columbus", "OH", 25)
    assert session.status == CourseSession.Status.SCHEDULED
    assert session.created_by == training_coordinator
    assert AuditEvent.objects.filter(verb="training.session_scheduled").count() == 1


def test_a_cancelled_session_is_read_only(client, signed_in, training_coordinator):
    session = make_session(status=CourseSession.Status.CANCELLED)
    signed_in(training_coordinator)
    url = reverse("admin:training_coursesession_change", args=[session.pk])
    page = client.get(url).content.decode()
    assert 'name="capacity"' not in page
    assert reverse("admin:training_coursesession_cancel", args=[session.pk]) not in page


def test_an_in_person_session_without_a_place_is_a_message_not_a_500(
    client, signed_in, training_coordinator
):
    signed_in(training_coordinator)
    response = client.post(
        reverse("admin:training_coursesession_add"), session_form(city="", state="")
    )
    assert response.status_code == 200
    assert "Enter the place of an in-person session." in response.content.decode()
    assert not CourseSession.objects.exists()


def test_capacity_cannot_drop_below_the_seats_taken(
    client, signed_in, training_coordinator, sro_agency
):
    session = make_session(capacity=5)
    for officer in add_officers(sro_agency, 3):
        enrollment(session, officer, Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    data = session_form(capacity="2", course=session.course.pk)
    response = client.post(reverse("admin:training_coursesession_change", args=[session.pk]), data)
    assert "3 officers already hold seats" in response.content.decode()
    session.refresh_from_db()
    assert session.capacity == 5


def test_raising_the_capacity_seats_the_waitlist_in_queue_order(
    client, signed_in, training_coordinator, sro_agency, mailoutbox
):
    session = make_session(capacity=1)
    first, second, third = add_officers(sro_agency, 3)
    enrollment(session, first, Enrollment.Status.ENROLLED)
    enrollment(session, second, Enrollment.Status.WAITLISTED)
    enrollment(session, third, Enrollment.Status.WAITLISTED)
    signed_in(training_coordinator)
    start = session.starts_on
    data = session_form(
        capacity="2", course=session.course.pk, starts_on=start.isoformat(),
        ends_on=session.ends_on.isoformat(),
        registration_closes_at_0=session.registration_closes_at.date().isoformat(),
    )  # fmt: skip
    response = client.post(
        reverse("admin:training_coursesession_change", args=[session.pk]), data, follow=True
    )
    assert "Moved from the waitlist to a seat: " + second.name in response.content.decode()
    statuses = dict(session.enrollments.values_list("officer_id", "status"))
    assert statuses == {first.pk: "enrolled", second.pk: "enrolled", third.pk: "waitlisted"}
    assert AuditEvent.objects.filter(verb="training.promoted").count() == 1


def test_the_list_shows_seats_taken_and_waitlisted(
    client, signed_in, training_coordinator, sro_agency
):
    session = make_session(capacity=2)
    officers = add_officers(sro_agency, 3)
    enrollment(session, officers[0], Enrollment.Status.ENROLLED)
    enrollment(session, officers[1], Enrollment.Status.ENROLLED)
    enrollment(session, officers[2], Enrollment.Status.WAITLISTED)
    signed_in(training_coordinator)
    response = client.get(reverse("admin:training_coursesession_changelist"))
    page = response.content.decode()
    assert response.status_code == 200
    assert '<td class="field-seats">2</td>' in page
    assert '<td class="field-waiting">1</td>' in page


def test_the_roster_lists_seated_officers_then_the_waitlist_with_positions(
    client, signed_in, training_coordinator, sro_agency
):
    session = make_session(capacity=1)
    first, second, third = add_officers(sro_agency, 3)
    enrollment(session, first, Enrollment.Status.ENROLLED)
    enrollment(session, second, Enrollment.Status.WAITLISTED)
    enrollment(session, third, Enrollment.Status.WAITLISTED)
    signed_in(training_coordinator)
    page = client.get(roster_url(session)).content.decode()
    assert page.index(first.last_name) < page.index(second.last_name) < page.index(third.last_name)
    assert "(position 2)" in page
    assert "css/admin-roster." in page
    assert "Attendance can be recorded once the session starts." in page
    assert 'style="' not in page.split('id="content"')[1]


def test_the_roster_csv_guards_against_formulas(
    client, signed_in, training_coordinator, sro_agency
):
    session = started_session()
    (officer,) = add_officers(sro_agency, 1)
    officer.last_name = "=HYPERLINK(evil)"
    officer.save(update_fields=["last_name"])
    enrollment(session, officer, Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    response = client.get(reverse("admin:training_coursesession_roster_csv", args=[session.pk]))
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["Position", "Last name", "First name"]
    assert rows[1][1] == "'=HYPERLINK(evil)"
    assert rows[1][5] == sro_agency.legal_name


def test_bulk_mark_completed_issues_certificates(
    client, signed_in, training_coordinator, sro_agency, queued_renders,
    django_capture_on_commit_callbacks,
):  # fmt: skip
    session = started_session()
    rows = [enrollment(session, o, Enrollment.Status.ENROLLED) for o in add_officers(sro_agency, 3)]
    signed_in(training_coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            roster_url(session),
            {"enrollment": [rows[0].pk, rows[1].pk], "outcome": "completed", "completed_on": ""},
        )
    assert response.status_code == 302
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses[rows[0].pk] == statuses[rows[1].pk] == Enrollment.Status.COMPLETED
    assert statuses[rows[2].pk] == Enrollment.Status.ENROLLED
    assert Certificate.objects.count() == 2
    assert len(queued_renders) == 2
    page = client.get(response.url).content.decode()
    assert "2 officers marked completed." in page


def test_bulk_mark_no_show_and_attended(client, signed_in, training_coordinator, sro_agency):
    session = started_session()
    rows = [enrollment(session, o, Enrollment.Status.ENROLLED) for o in add_officers(sro_agency, 2)]
    signed_in(training_coordinator)
    client.post(roster_url(session), {"enrollment": [rows[0].pk], "outcome": "no_show"})
    client.post(roster_url(session), {"enrollment": [rows[1].pk], "outcome": "attended"})
    statuses = dict(Enrollment.objects.values_list("pk", "status"))
    assert statuses[rows[0].pk] == Enrollment.Status.NO_SHOW
    assert statuses[rows[1].pk] == Enrollment.Status.ATTENDED


@pytest.mark.parametrize(
    "data, message",
    [
        ({"outcome": "completed"}, "Select at least one officer."),
        ({"outcome": "bogus", "enrollment": ["1"]}, "Choose attended, no-show or completed."),
        ({"outcome": "completed", "enrollment": ["x", "99999999999999999999"]}, "Select at least"),
        ({"outcome": "completed", "completed_on": "not a date"}, "Enter a valid date."),
    ],
)
def test_bad_roster_posts_are_messages(
    data, message, client, signed_in, training_coordinator, sro_agency
):
    session = started_session()
    enrollment(session, add_officers(sro_agency, 1)[0], Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    response = client.post(roster_url(session), data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_another_sessions_enrollment_is_ignored(
    client, signed_in, training_coordinator, sro_agency
):
    session, other = started_session(), started_session()
    theirs = enrollment(other, add_officers(sro_agency, 1)[0], Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    client.post(roster_url(session), {"enrollment": [theirs.pk], "outcome": "completed"})
    theirs.refresh_from_db()
    assert theirs.status == Enrollment.Status.ENROLLED


def test_cancel_session_button_cancels_with_the_reason(
    client, signed_in, training_coordinator, sro_agency
):
    session = make_session()
    row = enrollment(session, add_officers(sro_agency, 1)[0], Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    change = client.get(reverse("admin:training_coursesession_change", args=[session.pk]))
    cancel_url = reverse("admin:training_coursesession_cancel", args=[session.pk])
    assert cancel_url in change.content.decode()
    response = client.post(cancel_url, {"reason": "The instructor is ill."})
    assert response.status_code == 302
    session.refresh_from_db()
    row.refresh_from_db()
    assert session.status == CourseSession.Status.CANCELLED
    assert row.status == Enrollment.Status.CANCELLED
    assert AuditEvent.objects.filter(verb="training.session_cancelled").exists()


def test_complete_session_button(client, signed_in, training_coordinator, sro_agency):
    session = make_session(starts_on=timezone.localdate() - timedelta(days=5), days=2)
    signed_in(training_coordinator)
    url = reverse("admin:training_coursesession_complete", args=[session.pk])
    change = client.get(reverse("admin:training_coursesession_change", args=[session.pk]))
    assert url in change.content.decode()
    assert client.post(url, {}).status_code == 302
    session.refresh_from_db()
    assert session.status == CourseSession.Status.COMPLETED


def test_a_coordinator_edits_a_courses_hours_and_prerequisites(
    client, signed_in, training_coordinator
):
    advanced, basic, cpted = course("advanced-sro"), course("basic-sro"), course("cpted")
    signed_in(training_coordinator)
    response = client.post(
        reverse("admin:training_course_change", args=[advanced.pk]),
        {
            "title": advanced.title,
            "hours": "32",
            "description": "Updated.",
            "prerequisites": [basic.pk, cpted.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    advanced.refresh_from_db()
    assert advanced.hours == 32
    assert set(advanced.prerequisites.all()) == {basic, cpted}


@pytest.mark.parametrize("persona", ["program_specialist", "grants_manager"])
def test_other_staff_look_but_cannot_change(persona, request, client, signed_in, sro_agency):
    user = request.getfixturevalue(persona)
    session = started_session()
    row = enrollment(session, add_officers(sro_agency, 1)[0], Enrollment.Status.ENROLLED)
    signed_in(user)
    change_url = reverse("admin:training_coursesession_change", args=[session.pk])
    page = client.get(change_url)
    assert page.status_code == 200
    assert reverse("admin:training_coursesession_cancel", args=[session.pk]) not in (
        page.content.decode()
    )
    assert client.post(change_url, session_form(capacity="1")).status_code == 403
    assert client.get(reverse("admin:training_coursesession_add")).status_code == 403
    assert (
        client.post(
            reverse("admin:training_coursesession_cancel", args=[session.pk]), {"reason": "x"}
        ).status_code
        == 403
    )
    response = client.post(roster_url(session), {"enrollment": [row.pk], "outcome": "completed"})
    assert "Only a training coordinator" in response.content.decode()
    row.refresh_from_db()
    assert row.status == Enrollment.Status.ENROLLED
    assert (
        client.post(
            reverse("admin:training_course_change", args=[course().pk]), {"hours": "1"}
        ).status_code
        == 403
    )
    assert Course.objects.get(code="basic-sro").hours == 40


def test_a_failed_certificate_is_retried_from_its_page(
    client, signed_in, training_coordinator, sro_agency
):
    session = started_session()
    row = enrollment(session, add_officers(sro_agency, 1)[0], Enrollment.Status.COMPLETED)
    certificate = Certificate.objects.create(
        enrollment=row, verification_code="TRN-AAAA-BBBB-CCCC",
        status=Certificate.Status.FAILED, error="boom",
    )  # fmt: skip
    signed_in(training_coordinator)
    retry = reverse("admin:training_certificate_retry", args=[certificate.pk])
    page = client.get(reverse("admin:training_certificate_change", args=[certificate.pk]))
    assert retry in page.content.decode()
    assert client.post(retry, {}).status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.PENDING


def test_record_lists_are_read_only(client, signed_in, training_coordinator, sro_agency):
    row = enrollment(make_session(), add_officers(sro_agency, 1)[0], Enrollment.Status.ENROLLED)
    signed_in(training_coordinator)
    for name in ("enrollment", "officer", "certificate"):
        assert client.get(reverse(f"admin:training_{name}_changelist")).status_code == 200
    assert client.get(reverse("admin:training_enrollment_add")).status_code == 403
    page = client.get(reverse("admin:training_enrollment_change", args=[row.pk]))
    assert page.status_code == 200 and 'name="status"' not in page.content.decode()
