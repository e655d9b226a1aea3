"""Enrolling officers in NASRO sessions: who may, prerequisites, duplicates and overlaps, the
registration window (open while opens_at <= now < closes_at), the waitlist and its promotion
order, cancellations and cancelled sessions."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications.models import Award
from copsgrants.audit import AuditEvent
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.training.helpers import (
    add_officers,
    eligible,
    enrollment,
    make_session,
)
from training import services
from training.models import CourseSession, Enrollment

pytestmark = pytest.mark.django_db

S = Enrollment.Status


@pytest.fixture
def sro(agency, applicant):
    eligible(agency)
    return agency


def verbs(obj):
    return list(AuditEvent.objects.for_object(obj).order_by("pk").values_list("verb", flat=True))


def refused(session, officers, by, match):
    before = Enrollment.objects.count()
    with pytest.raises(services.TrainingError, match=match):
        services.enroll(session=session, officers=officers, by=by)
    assert Enrollment.objects.count() == before


# Eligibility -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("is_sro", "status", "why"),
    [
        (False, Award.Status.ACCEPTED, "accepted CHP School Resource Officer"),
        (True, Award.Status.OFFERED, "Accept your SRO award first"),
        (True, Award.Status.DECLINED, "accepted CHP School Resource Officer"),
    ],
)
def test_only_agencies_with_an_accepted_sro_award_may_enroll(
    agency, applicant, is_sro, status, why
):
    eligible(agency, is_sro=is_sro, status=status)
    officer = add_officers(agency, 1)[0]
    assert services.eligibility(agency)[0] is False
    assert list(services.eligible_agencies(applicant)) == []
    refused(make_session(), [officer], applicant, why)


def test_an_agency_with_an_accepted_sro_award_is_eligible_for_its_members_only(
    sro, applicant, other_agency_applicant
):
    assert services.eligibility(sro) == (True, "")
    assert list(services.eligible_agencies(applicant)) == [sro]
    assert list(services.eligible_agencies(other_agency_applicant)) == []


def test_someone_outside_the_agency_cannot_enroll_its_officers(sro, other_agency_applicant):
    officer = add_officers(sro, 1)[0]
    refused(make_session(), [officer], other_agency_applicant, "not a member")


def test_an_officer_off_the_roster_cannot_be_enrolled(sro, applicant):
    officer = add_officers(sro, 1)[0]
    officer.is_active = False
    officer.save()
    refused(make_session(), [officer], applicant, "not on your agency's training roster")


# Prerequisites, duplicates, overlaps -------------------------------------------------------


def test_advanced_needs_a_completed_basic_course_on_record(sro, applicant):
    officer = add_officers(sro, 1)[0]
    advanced = make_session("advanced-sro")
    refused(advanced, [officer], applicant, "must complete Basic School Resource Officer")

    past_basic = make_session("basic-sro", starts_on=timezone.localdate() - timedelta(days=60),
                              opens_at=timezone.now() - timedelta(days=120),
                              closes_at=timezone.now() - timedelta(days=70))  # fmt: skip
    seat = enrollment(past_basic, officer, S.ATTENDED)  # attended is not completed
    refused(advanced, [officer], applicant, "must complete Basic")

    seat.status = S.COMPLETED
    seat.save()
    [placed] = services.enroll(session=advanced, officers=[officer], by=applicant)
    assert placed.status == S.ENROLLED


def test_an_officer_cannot_be_enrolled_twice_in_one_session(sro, applicant):
    officer = add_officers(sro, 1)[0]
    session = make_session()
    services.enroll(session=session, officers=[officer], by=applicant)
    refused(session, [officer], applicant, "already enrolled or waitlisted in this session")
    refused(make_session(), [officer, officer], applicant, "Each officer can be enrolled once")


def test_a_cancelled_place_does_not_stop_enrolling_again(sro, applicant):
    officer = add_officers(sro, 1)[0]
    session = make_session()
    [first] = services.enroll(session=session, officers=[officer], by=applicant)
    services.cancel_enrollment(enrollment=first, by=applicant)
    [again] = services.enroll(session=session, officers=[officer], by=applicant)
    assert again.status == S.ENROLLED
    assert again.queue_number == 2


def test_sessions_touching_on_the_same_day_overlap_and_the_day_after_does_not(sro, applicant):
    officer = add_officers(sro, 1)[0]
    first = make_session("basic-sro", days=3)  # days 30, 31, 32 from today
    services.enroll(session=first, officers=[officer], by=applicant)

    same_last_day = make_session("cpted", starts_on=first.ends_on, days=2)
    refused(same_last_day, [officer], applicant, "whose dates overlap this session")
    inside = make_session("cpted", starts_on=first.starts_on - timedelta(days=1), days=5)
    refused(inside, [officer], applicant, "overlap")

    day_after = make_session("cpted", starts_on=first.ends_on + timedelta(days=1), days=2)
    [placed] = services.enroll(session=day_after, officers=[officer], by=applicant)
    assert placed.status == S.ENROLLED


def test_a_waitlist_place_counts_for_overlaps_and_a_cancelled_session_does_not(
    sro, applicant, training_coordinator
):
    officer, other = add_officers(sro, 2)
    first = make_session(capacity=1)
    services.enroll(session=first, officers=[other, officer], by=applicant)
    clash = make_session("cpted", starts_on=first.starts_on, days=1)
    refused(clash, [officer], applicant, "overlap")
    services.cancel_session(session=first, by=training_coordinator, reason="Instructor ill")
    [placed] = services.enroll(session=clash, officers=[officer], by=applicant)
    assert placed.status == S.ENROLLED


def test_one_refused_officer_means_nobody_is_enrolled(sro, applicant):
    ready, taken = add_officers(sro, 2)
    session = make_session()
    services.enroll(session=session, officers=[taken], by=applicant)
    with pytest.raises(services.TrainingError, match=f"^{taken.name}: "):
        services.enroll(session=session, officers=[ready, taken], by=applicant)
    assert not Enrollment.objects.filter(officer=ready).exists()


# Registration window: open while opens_at <= now < closes_at -------------------------------


def test_registration_opens_exactly_at_opens_at_and_closes_exactly_at_closes_at(sro, applicant):
    now = timezone.now().replace(microsecond=0)
    opens_at, closes_at = now + timedelta(days=1), now + timedelta(days=5)
    session = make_session(opens_at=opens_at, closes_at=closes_at)
    officers = add_officers(sro, 3)

    before = opens_at - timedelta(microseconds=1)
    assert services.registration_open(session, before)[0] is False
    assert "Registration opens" in services.registration_open(session, before)[1]
    assert services.registration_open(session, opens_at) == (True, "")
    assert services.registration_open(session, closes_at - timedelta(microseconds=1)) == (True, "")
    allowed, reason = services.registration_open(session, closes_at)
    assert allowed is False
    assert reason.startswith("Registration closed")

    with time_machine.travel(before, tick=False):
        refused(session, [officers[0]], applicant, "Registration opens")
    with time_machine.travel(opens_at, tick=False):
        services.enroll(session=session, officers=[officers[0]], by=applicant)
    with time_machine.travel(closes_at - timedelta(microseconds=1), tick=False):
        services.enroll(session=session, officers=[officers[1]], by=applicant)
    with time_machine.travel(closes_at, tick=False):
        refused(session, [officers[2]], applicant, "Registration closed")


def test_a_cancelled_or_started_session_takes_no_enrollments(sro, applicant):
    officer = add_officers(sro, 1)[0]
    cancelled = make_session(status=CourseSession.Status.CANCELLED)
    refused(cancelled, [officer], applicant, "This session was cancelled")
    started = make_session(starts_on=timezone.localdate(), closes_at=timezone.now() + timedelta(1))
    refused(started, [officer], applicant, "already started")


# Seats and the waitlist --------------------------------------------------------------------


def test_a_full_session_waitlists_in_request_order_with_positions_audit_and_a_confirmation(
    sro, applicant, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2)
    officers = add_officers(sro, 4)
    with django_capture_on_commit_callbacks(execute=True):
        placed = services.enroll(session=session, officers=officers[:3], by=applicant)
        [fourth] = services.enroll(session=session, officers=officers[3:], by=applicant)
    placed.append(fourth)

    assert [e.status for e in placed] == [S.ENROLLED, S.ENROLLED, S.WAITLISTED, S.WAITLISTED]
    assert [e.queue_number for e in placed] == [1, 2, 3, 4]
    assert [services.waitlist_position(e) for e in placed] == [None, None, 1, 2]
    assert verbs(placed[0]) == ["training.enrolled"]
    assert verbs(placed[2]) == ["training.waitlisted"]

    assert len(mail.outbox) == 2  # one confirmation per request, to the requester
    message = mail.outbox[0]
    assert message.to == [applicant.email]
    assert "Basic School Resource Officer" in message.subject
    assert f"{officers[0].name}: enrolled" in message.body
    assert f"{officers[2].name}: waitlisted, position 1 on the waitlist" in message.body
    assert f"{session.starts_on:%B} {session.starts_on.day}, {session.starts_on.year}" in (
        message.body
    )

    listed = services.open_sessions().get(pk=session.pk)
    assert (listed.seats_taken, listed.waitlisted, listed.seats_left) == (2, 2, 0)


def test_open_sessions_lists_only_scheduled_sessions_that_have_not_ended(sro, applicant):
    upcoming = make_session(capacity=5)
    services.enroll(session=upcoming, officers=add_officers(sro, 2), by=applicant)
    make_session(status=CourseSession.Status.CANCELLED)
    make_session(starts_on=timezone.localdate() - timedelta(days=10),
                 opens_at=timezone.now() - timedelta(days=40),
                 closes_at=timezone.now() - timedelta(days=20))  # fmt: skip
    listed = list(services.open_sessions())
    assert listed == [upcoming]
    assert (listed[0].seats_taken, listed[0].waitlisted, listed[0].seats_left) == (2, 0, 3)


# Cancelling ---------------------------------------------------------------------------------


def test_cancelling_a_seat_promotes_the_waitlist_in_queue_order_and_emails_them(
    sro, applicant, member, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2)
    officers = add_officers(sro, 5)
    placed = services.enroll(session=session, officers=officers, by=applicant)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrollment(enrollment=placed[1], by=applicant)
    for row in placed:
        row.refresh_from_db()
    assert placed[1].status == S.CANCELLED
    assert placed[1].cancelled_at is not None
    assert placed[2].status == S.ENROLLED
    assert placed[2].promoted_at is not None
    assert [services.waitlist_position(row) for row in placed[3:]] == [1, 2]
    assert verbs(placed[1]) == ["training.enrolled", "training.cancelled"]
    assert verbs(placed[2]) == ["training.waitlisted", "training.promoted"]

    [message] = mail.outbox
    assert set(message.to) == {officers[2].email, applicant.email, member.email}
    assert officers[2].name in message.subject
    assert "moved from the waitlist" in message.body

    services.cancel_enrollment(enrollment=placed[0], by=member)
    for row in placed:
        row.refresh_from_db()
    assert [row.status for row in placed] == [S.CANCELLED, S.CANCELLED, S.ENROLLED,
                                              S.ENROLLED, S.WAITLISTED]  # fmt: skip


def test_cancelling_a_waitlist_place_promotes_nobody(
    sro, applicant, django_capture_on_commit_callbacks
):
    session = make_session(capacity=1)
    placed = services.enroll(session=session, officers=add_officers(sro, 3), by=applicant)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_enrollment(enrollment=placed[1], by=applicant)
    for row in placed:
        row.refresh_from_db()
    assert [row.status for row in placed] == [S.ENROLLED, S.CANCELLED, S.WAITLISTED]
    assert services.waitlist_position(placed[2]) == 1
    assert mail.outbox == []


def test_cancelling_after_the_session_started_is_refused(sro, applicant):
    session = make_session(capacity=1)
    [seat] = services.enroll(session=session, officers=add_officers(sro, 1), by=applicant)
    midnight = datetime.combine(session.starts_on, datetime.min.time())
    with (
        time_machine.travel(timezone.make_aware(midnight), tick=False),
        pytest.raises(services.TrainingError, match="has started"),
    ):
        services.cancel_enrollment(enrollment=seat, by=applicant)
    seat.refresh_from_db()
    assert seat.status == S.ENROLLED


def test_another_agency_cannot_cancel_an_enrollment(sro, applicant, other_agency_applicant):
    [seat] = services.enroll(session=make_session(), officers=add_officers(sro, 1), by=applicant)
    allowed, reason = services.can_cancel_enrollment(other_agency_applicant, seat)
    assert (allowed, reason) == (False, "You are not a member of this officer's agency.")
    with pytest.raises(services.TrainingError, match="not a member"):
        services.cancel_enrollment(enrollment=seat, by=other_agency_applicant)
    seat.refresh_from_db()
    assert seat.status == S.ENROLLED


# Cancelling a session -----------------------------------------------------------------------


def test_cancelling_a_session_cancels_every_place_emails_each_agency_and_promotes_nobody(
    sro, applicant, member, training_coordinator, django_capture_on_commit_callbacks
):
    session = make_session(capacity=2)
    ours = services.enroll(session=session, officers=add_officers(sro, 3), by=applicant)
    second = AgencyFactory()
    second_user = MembershipFactory(agency=second).user
    eligible(second)
    theirs = services.enroll(
        session=session, officers=add_officers(second, 1, prefix="Deputy"), by=second_user
    )
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_session(session=session, by=training_coordinator, reason="Venue flooded")

    session.refresh_from_db()
    assert session.status == CourseSession.Status.CANCELLED
    assert session.cancel_reason == "Venue flooded"
    assert set(Enrollment.objects.filter(session=session).values_list("status", flat=True)) == {
        S.CANCELLED
    }
    assert Enrollment.objects.filter(promoted_at__isnull=False).count() == 0
    assert verbs(session) == ["training.session_cancelled"]
    assert verbs(ours[2]) == ["training.waitlisted", "training.cancelled"]

    by_recipients = {frozenset(message.to): message for message in mail.outbox}
    assert set(by_recipients) == {
        frozenset([*(e.officer.email for e in ours), applicant.email, member.email]),
        frozenset([theirs[0].officer.email, second_user.email]),
    }
    ours_message = by_recipients[frozenset([*(e.officer.email for e in ours), applicant.email,
                                            member.email])]  # fmt: skip
    assert "Venue flooded" in ours_message.body
    assert ours_message.subject.startswith("Cancelled: Basic School Resource Officer")
    assert all(e.officer.name in ours_message.body for e in ours)
    assert theirs[0].officer.name not in ours_message.body


def test_only_the_training_coordinator_cancels_a_session_and_only_once(
    sro, applicant, training_coordinator
):
    session = make_session()
    with pytest.raises(services.TrainingError, match="Only the training coordinator"):
        services.cancel_session(session=session, by=applicant, reason="No")
    with pytest.raises(services.TrainingError, match="Say why"):
        services.cancel_session(session=session, by=training_coordinator, reason="  ")
    services.cancel_session(session=session, by=training_coordinator, reason="Low demand")
    with pytest.raises(services.TrainingError, match="already cancelled"):
        services.cancel_session(session=session, by=training_coordinator, reason="Again")
    staff = UserFactory(is_staff=True)
    assert services.can_cancel_session(staff, session)[0] is False
