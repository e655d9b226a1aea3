"""The agency's training pages: the catalogue, a session's enroll form, the roster, adding,
editing and removing officers, an officer's record, cancelling a place, the dashboard panel."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from training.models import Certificate, Enrollment, Officer

from .helpers import (
    add_hire,
    add_officers,
    course,
    eligible,
    enrollment,
    make_session,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def sro(agency, applicant):
    """The `agency` fixture with an accepted SRO award; `applicant` is its member."""
    eligible(agency)
    return agency


def plain(markup: str) -> str:
    """Text without tags or entities, whitespace collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", markup)).split())


def text_of(response) -> str:
    return plain(response.content.decode())


def session_url(session) -> str:
    return reverse("training:session_detail", args=[session.pk])


def test_the_catalogue_lists_upcoming_sessions_with_seats_and_registration(
    signed_in, applicant, sro
):
    course("advanced-sro")
    starts_on = timezone.localdate() + timedelta(days=40)
    make_session("basic-sro", capacity=10, starts_on=starts_on)
    full = make_session("cpted", capacity=1, is_virtual=True)
    officers = add_officers(sro, 3)
    enrollment(full, officers[0], Enrollment.Status.ENROLLED)
    enrollment(full, officers[1], Enrollment.Status.WAITLISTED)
    enrollment(full, officers[2], Enrollment.Status.WAITLISTED)
    make_session("adolescent-mental-health", opens_at=timezone.now() + timedelta(days=5))
    make_session("sro-supervisors", status="cancelled")
    make_session("basic-sro", starts_on=timezone.localdate() - timedelta(days=10))

    response = signed_in(applicant).get(reverse("training:catalogue"))
    assert response.status_code == 200
    html = response.content.decode()
    sessions, courses = html.split("<h2>Courses</h2>")
    assert sessions.count('data-testid="session-') == 3  # not the cancelled or past ones
    sessions = plain(sessions)
    assert (
        f"Basic School Resource Officer 40 hours {starts_on:%B} {starts_on.day}, {starts_on.year}"
        in sessions
    )
    assert "Springfield, IL 10 seats left Open until" in sessions
    assert "Virtual Full - waitlist 2" in sessions
    assert "Adolescent Mental Health" in sessions and "Not open yet opens" in sessions
    assert "SRO Supervisors and Management" not in sessions
    courses = plain(courses)
    assert (
        "Advanced School Resource Officer 24 hours · "
        "Requires completion of Basic School Resource Officer" in courses
    )
    assert " ".join(course("basic-sro").description.split())[:60] in courses


def test_the_session_page_lists_the_agencys_officers_and_those_already_in(
    signed_in, applicant, sro, other_agency
):
    session = make_session(capacity=5)
    mine = add_officers(sro, 3)
    eligible(other_agency)
    theirs = add_officers(other_agency, 1, prefix="Stranger")[0]
    enrollment(session, mine[0], Enrollment.Status.ENROLLED)
    response = signed_in(applicant).get(session_url(session))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="officer_{mine[1].pk}"' in html
    assert f'name="officer_{theirs.pk}"' not in html
    disabled = re.search(rf'<input[^>]*name="officer_{mine[0].pk}"[^>]*>', html).group(0)
    assert "disabled" in disabled and "checked" in disabled
    assert f"{mine[0].name} (badge {mine[0].badge_number}): already enrolled" in html
    assert "4 seats left" in text_of(response)


def test_enrolling_two_officers_for_one_seat_seats_one_and_waitlists_the_other(
    signed_in, applicant, sro
):
    session = make_session(capacity=2)
    first, second, third = add_officers(sro, 3)
    enrollment(session, third, Enrollment.Status.ENROLLED)
    client = signed_in(applicant)
    response = client.post(
        session_url(session), {f"officer_{first.pk}": "on", f"officer_{second.pk}": "on"}
    )
    assert response.status_code == 302
    statuses = dict(session.enrollments.values_list("officer_id", "status"))
    assert statuses[first.pk] == Enrollment.Status.ENROLLED
    assert statuses[second.pk] == Enrollment.Status.WAITLISTED
    page = text_of(client.get(response.url))
    assert f"{first.name} has a seat." in page
    assert f"{second.name} is on the waitlist at position 1." in page
    assert "Full - waitlist 1" in page
    assert "already waitlisted, position 1" in page


def test_an_officer_who_may_not_enroll_gets_the_reason_next_to_their_name(
    signed_in, applicant, sro
):
    advanced = make_session("advanced-sro")
    ready, not_ready = add_officers(sro, 2)
    basic = make_session("basic-sro", starts_on=timezone.localdate() - timedelta(days=60))
    enrollment(basic, ready, Enrollment.Status.COMPLETED)
    response = signed_in(applicant).post(
        session_url(advanced), {f"officer_{ready.pk}": "on", f"officer_{not_ready.pk}": "on"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'id="id_officer_{not_ready.pk}_error">([^<]+)<', html)
    assert error and "Basic School Resource Officer" in error.group(1)
    assert "There is a problem" in html
    assert f'href="#id_officer_{not_ready.pk}"' in html
    assert f'id="id_officer_{ready.pk}_error"' not in html
    assert not advanced.enrollments.exists()


def test_enrolling_nobody_says_to_choose_an_officer(signed_in, applicant, sro):
    session = make_session()
    add_officers(sro, 1)
    response = signed_in(applicant).post(session_url(session), {})
    assert response.status_code == 400
    assert "Choose at least one officer to enroll." in response.content.decode()


def test_a_closed_session_shows_why_and_no_enroll_button(signed_in, applicant, sro):
    now = timezone.now()
    session = make_session(opens_at=now - timedelta(days=9), closes_at=now - timedelta(days=1))
    officer, taken = add_officers(sro, 2)
    enrollment(session, taken, Enrollment.Status.WAITLISTED)
    client = signed_in(applicant)
    response = client.get(session_url(session))
    html = response.content.decode()
    assert "Registration closed" in plain(html.split('data-testid="registration-reason">')[1])
    assert 'data-testid="enroll"' not in html and f'name="officer_{officer.pk}"' not in html
    assert f"{taken.name} : waitlisted, position 1" in plain(html)
    response = client.post(session_url(session), {f"officer_{officer.pk}": "on"})
    assert response.status_code == 400
    assert f'id="id_officer_{officer.pk}_error"' in response.content.decode()
    assert not session.enrollments.filter(officer=officer).exists()


def test_the_roster_adds_reported_hires_and_shows_hours_and_upcoming_sessions(
    signed_in, applicant, agency
):
    award = eligible(agency)
    add_hire(award, first_name="Dana", last_name="Hire", badge_number="H-17")
    veteran = add_officers(agency, 1, prefix="Veteran")[0]
    done = make_session("cpted", starts_on=timezone.localdate() - timedelta(days=30))
    enrollment(done, veteran, Enrollment.Status.COMPLETED)
    upcoming = make_session("basic-sro")
    enrollment(upcoming, veteran, Enrollment.Status.WAITLISTED)
    gone = add_officers(agency, 1, prefix="Gone")[0]
    Officer.objects.filter(pk=gone.pk).update(is_active=False)

    response = signed_in(applicant).get(reverse("training:roster"))
    assert response.status_code == 200
    page = text_of(response)
    assert "Dana Hire" in page and "H-17" in page and "Hired under the award" in page
    assert Officer.objects.filter(agency=agency, hire__isnull=False).count() == 1
    row = re.search(
        rf'data-testid="officer-{veteran.pk}">(.*?)</tr>', response.content.decode(), re.S
    )
    row_text = plain(row.group(1))
    assert "16" in row_text  # CPTED hours completed
    assert "Basic School Resource Officer" in row_text and "(waitlisted)" in row_text
    assert "Gone" not in page


def test_adding_an_officer_puts_them_on_the_roster(signed_in, applicant, sro):
    client = signed_in(applicant)
    assert client.get(reverse("training:officer_add")).status_code == 200
    response = client.post(
        reverse("training:officer_add"),
        {
            "first_name": " Jordan ",
            "last_name": "Lee",
            "email": "JLEE@pd.example",
            "badge_number": "771",
            "role": "supervisor",
        },
    )
    assert response.status_code == 302
    officer = Officer.objects.get(agency=sro, badge_number="771")
    assert (officer.first_name, officer.role, officer.created_by) == (
        "Jordan",
        "supervisor",
        applicant,
    )
    assert "Jordan Lee is on the roster." in text_of(client.get(response.url))


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("badge_number", "B0001", "already has badge or ID number B0001"),
        ("email", "not-an-email", "Enter an email address like name@agency.gov."),
        ("first_name", "  ", "Enter the officer's first name."),
        ("role", "chief", "Select a valid choice."),
        ("last_name", "x" * 101, "at most 100 characters"),
    ],
)
def test_bad_officer_details_are_shown_next_to_the_field(
    signed_in, applicant, sro, field, value, message
):
    add_officers(sro, 1)
    data = {"first_name": "Jordan", "last_name": "Lee", "role": "sro", field: value}
    response = signed_in(applicant).post(reverse("training:officer_add"), data)
    assert response.status_code == 400
    html = response.content.decode()
    error = re.search(rf'id="id_{field}_error">([^<]+)<', html)
    assert error and message in error.group(1).replace("&#x27;", "'")
    assert Officer.objects.filter(agency=sro).count() == 1


def test_editing_an_officer_saves_the_changes(signed_in, applicant, sro):
    officer, other = add_officers(sro, 2)
    client = signed_in(applicant)
    url = reverse("training:officer_edit", args=[officer.pk])
    assert client.get(url).status_code == 200
    data = {
        "first_name": "Pat",
        "last_name": "Quinn",
        "email": "",
        "badge_number": other.badge_number,
        "role": "patrol",
    }
    response = client.post(url, data)
    assert response.status_code == 400
    assert "already has badge or ID number" in response.content.decode()
    response = client.post(url, data | {"badge_number": "Q-9"})
    assert response.status_code == 302
    officer.refresh_from_db()
    assert (officer.name, officer.badge_number, officer.role) == ("Pat Quinn", "Q-9", "patrol")


def test_removing_an_officer_asks_first_and_is_refused_while_they_hold_a_place(
    signed_in, applicant, sro
):
    busy, idle = add_officers(sro, 2)
    enrollment(make_session(), busy, Enrollment.Status.WAITLISTED)
    client = signed_in(applicant)
    url = reverse("training:officer_remove", args=[idle.pk])
    assert "Remove from the roster" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    idle.refresh_from_db()
    assert not idle.is_active
    assert client.get(url).status_code == 404  # already off the roster
    assert client.get(reverse("training:officer_detail", args=[idle.pk])).status_code == 200

    response = client.post(reverse("training:officer_remove", args=[busy.pk]))
    assert response.status_code == 302
    busy.refresh_from_db()
    assert busy.is_active
    page = text_of(client.get(response.url))
    assert "There is a problem" not in page and busy.name in page


def test_the_officer_record_shows_history_hours_positions_and_cancel_links(
    signed_in, applicant, sro
):
    officer, ahead = add_officers(sro, 2)
    done = make_session("basic-sro", starts_on=timezone.localdate() - timedelta(days=30))
    completed = enrollment(done, officer, Enrollment.Status.COMPLETED, completed_on=done.ends_on)
    Certificate.objects.create(
        enrollment=completed, verification_code="ABCD-1234", status="ready", sha256="0" * 64
    )
    full = make_session("cpted", capacity=1)
    enrollment(full, ahead, Enrollment.Status.ENROLLED)
    enrollment(full, add_officers(sro, 1, prefix="Early")[0], Enrollment.Status.WAITLISTED)
    waiting = enrollment(full, officer, Enrollment.Status.WAITLISTED)

    response = signed_in(applicant).get(reverse("training:officer_detail", args=[officer.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    page = text_of(response)
    assert "Training hours completed 40" in page
    assert "Waitlisted, position 2" in page
    assert done.starts_on.strftime("%B %-d, %Y") in page
    assert reverse("training:enrollment_cancel", args=[waiting.pk]) in html
    assert reverse("training:enrollment_cancel", args=[completed.pk]) not in html
    assert ("Download the certificate" in page) == _certificate_url_exists()


def _certificate_url_exists() -> bool:
    from django.urls import NoReverseMatch

    for name in ("training:certificate_download", "training_certificates:certificate_download"):
        try:
            reverse(name, args=[1])
            return True
        except NoReverseMatch:
            pass
    return False


def test_cancelling_a_seat_asks_first_then_promotes_the_first_waitlisted(signed_in, applicant, sro):
    session = make_session(capacity=1)
    seated, first_wait, second_wait = add_officers(sro, 3)
    seat = enrollment(session, seated, Enrollment.Status.ENROLLED)
    enrollment(session, first_wait, Enrollment.Status.WAITLISTED)
    enrollment(session, second_wait, Enrollment.Status.WAITLISTED)
    client = signed_in(applicant)
    url = reverse("training:enrollment_cancel", args=[seat.pk])
    assert "Cancel the place" in client.get(url).content.decode()
    response = client.post(url)
    assert response.status_code == 302
    assert response.url == reverse("training:officer_detail", args=[seated.pk])
    statuses = dict(session.enrollments.values_list("officer_id", "status"))
    assert statuses == {
        seated.pk: Enrollment.Status.CANCELLED,
        first_wait.pk: Enrollment.Status.ENROLLED,
        second_wait.pk: Enrollment.Status.WAITLISTED,
    }
    assert "place in" in text_of(client.get(response.url))
    # A past or finished place cannot be cancelled: the page says so.
    response = client.get(url)
    assert 'data-testid="cancel-reason"' in response.content.decode()


def test_the_dashboard_shows_the_training_panel_only_to_eligible_agencies(
    signed_in, applicant, agency, other_agency_applicant
):
    eligible(agency)
    html = signed_in(applicant).get(reverse("applications:dashboard")).content.decode()
    assert 'data-testid="training-panel"' in html
    assert reverse("training:catalogue") in html and reverse("training:roster") in html
    html = signed_in(other_agency_applicant).get(reverse("applications:dashboard")).content.decode()
    assert 'data-testid="training-panel"' not in html
