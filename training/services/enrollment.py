"""Enrolling officers in course sessions: seats, the waitlist, cancellations and promotion.

Rules (DOMAIN.md, "NASRO training"):
- Registration is open while `registration_opens_at <= now < registration_closes_at` (the
  opening instant is inside the window, the closing instant is not) and the session is
  scheduled and has not started.
- An officer needs every prerequisite course COMPLETED on record, may hold one place per
  session, and no places in two sessions whose dates overlap (inclusive: a session ending on the
  day another starts overlaps it; one ending the day before does not).
- Seats go in request order; when the session is full the officer joins its waitlist. The
  waitlist is ordered by `queue_number`, a per-session counter taken under the session's row
  lock. Cancelling a seat before the session starts promotes the first waitlisted officer.

Concurrency and lock order. Every change to a session's enrollments runs in one transaction that
first takes the session row's lock (SELECT ... FOR UPDATE), then the officers' rows in primary-key
order, then reads and writes the enrollments. The session lock serialises all requests for one
session, so the seat count and the next queue number are read and written by one transaction at
a time (50 simultaneous requests for 30 seats end with 30 seats and 20 waitlist places in queue
order). The officer locks serialise one officer's requests for two different sessions, so the
overlap check cannot be raced. Everything takes locks in this same order (session, officers,
enrollments), so two requests never wait on each other in a cycle. The checks are repeated under
the locks: what was true before the lock may not be now.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import Count, F, IntegerField, Max, Q, QuerySet, Value
from django.db.models.functions import Greatest
from django.utils import timezone

from applications.models import Agency, active_membership
from copsgrants.audit import record
from copsgrants.email import send_templated_email
from copsgrants.models import User

from ..models import CourseSession, Enrollment, Officer
from .errors import TrainingError
from .roster import eligibility

__all__ = [
    "can_cancel_enrollment",
    "can_cancel_session",
    "can_enroll",
    "cancel_enrollment",
    "cancel_session",
    "enroll",
    "fill_from_waitlist",
    "open_sessions",
    "registration_open",
    "waitlist_position",
]

Status = Enrollment.Status
HELD = (Status.ENROLLED, Status.WAITLISTED)  # places that can still be cancelled


def _format_day(day: date) -> str:
    return f"{day:%B} {day.day}, {day.year}"


def _format_time(moment: datetime) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y at %-I:%M %p %Z}"


def _members(agency: Agency) -> list[str]:
    return list(agency.memberships.active().values_list("user__email", flat=True))


def open_sessions() -> QuerySet[CourseSession]:
    """Scheduled sessions that have not ended, soonest first, with `seats_taken`, `waitlisted`
    and `seats_left` (never below 0) annotated."""
    return (
        CourseSession.objects.filter(
            status=CourseSession.Status.SCHEDULED, ends_on__gte=timezone.localdate()
        )
        .select_related("course")
        .annotate(
            seats_taken=Count("enrollments", filter=Q(enrollments__status__in=Enrollment.SEATED)),
            waitlisted=Count("enrollments", filter=Q(enrollments__status=Status.WAITLISTED)),
        )
        .annotate(
            seats_left=Greatest(
                F("capacity") - F("seats_taken"), Value(0), output_field=IntegerField()
            )
        )
        .order_by("starts_on", "course__title", "pk")
    )


def registration_open(session: CourseSession, now: datetime | None = None) -> tuple[bool, str]:
    """Open while `registration_opens_at <= now < registration_closes_at`, for a scheduled
    session that has not started."""
    now = now or timezone.now()
    if session.status == CourseSession.Status.CANCELLED:
        return False, "This session was cancelled."
    if session.status != CourseSession.Status.SCHEDULED:
        return False, "This session has ended."
    if session.starts_on <= timezone.localdate(now):
        return False, "This session has already started."
    if now < session.registration_opens_at:
        return False, f"Registration opens {_format_time(session.registration_opens_at)}."
    if now >= session.registration_closes_at:
        return False, f"Registration closed {_format_time(session.registration_closes_at)}."
    return True, ""


def _overlapping(officer: Officer, session: CourseSession) -> Enrollment | None:
    """The officer's active place in another live session whose dates overlap this one's."""
    return (
        Enrollment.objects.filter(
            officer=officer,
            status__in=Enrollment.ACTIVE,
            session__starts_on__lte=session.ends_on,
            session__ends_on__gte=session.starts_on,
        )
        .exclude(session=session)
        .exclude(session__status=CourseSession.Status.CANCELLED)
        .select_related("session__course")
        .first()
    )


def can_enroll(
    officer: Officer, session: CourseSession, now: datetime | None = None
) -> tuple[bool, str]:
    """Whether the officer may be given a seat or a waitlist place in the session, and why not."""
    allowed, reason = eligibility(officer.agency)
    if not allowed:
        return False, reason
    if not officer.is_active:
        return False, f"{officer.name} is not on your agency's training roster."
    allowed, reason = registration_open(session, now)
    if not allowed:
        return False, reason
    completed = set(
        Enrollment.objects.filter(officer=officer, status=Status.COMPLETED).values_list(
            "session__course_id", flat=True
        )
    )
    missing = [c.title for c in session.course.prerequisites.all() if c.pk not in completed]
    if missing:
        return False, (
            f"{officer.name} must complete {' and '.join(missing)} before taking "
            f"{session.course.title}."
        )
    current = Enrollment.objects.filter(officer=officer, session=session)
    if current.filter(status__in=Enrollment.ACTIVE).exists():
        return False, f"{officer.name} is already enrolled or waitlisted in this session."
    clash = _overlapping(officer, session)
    if clash is not None:
        return False, (
            f"{officer.name} already has a place in {clash.session.course.title} "
            f"({_format_day(clash.session.starts_on)} to {_format_day(clash.session.ends_on)}), "
            "whose dates overlap this session."
        )
    return True, ""


def _check_all(officers: list[Officer], session: CourseSession, by: User) -> None:
    for officer in officers:
        if active_membership(by, officer.agency) is None:
            raise TrainingError(f"{officer.name}: you are not a member of their agency.")
        allowed, reason = can_enroll(officer, session)
        if not allowed:
            raise TrainingError(f"{officer.name}: {reason}")


def waitlist_position(enrollment: Enrollment) -> int | None:
    """1-based place on the session's waitlist (by queue number), or None when not waitlisted."""
    if enrollment.status != Status.WAITLISTED:
        return None
    return Enrollment.objects.filter(
        session_id=enrollment.session_id,
        status=Status.WAITLISTED,
        queue_number__lte=enrollment.queue_number,
    ).count()


def _lock_session(session: CourseSession) -> CourseSession:
    return CourseSession.objects.select_for_update().select_related("course").get(pk=session.pk)


def enroll(*, session: CourseSession, officers: list[Officer], by: User) -> list[Enrollment]:
    """Give each officer a seat in the session, or a waitlist place when it is full, in the order
    given. All or nothing: if any officer may not enroll, a TrainingError names them and why,
    and nothing is saved. Emails `by` a confirmation."""
    if not officers:
        raise TrainingError("Choose at least one officer to enroll.")
    if len({officer.pk for officer in officers}) != len(officers):
        raise TrainingError("Each officer can be enrolled once.")
    _check_all(officers, session, by)  # a quick, readable refusal before waiting for the lock
    try:
        with transaction.atomic():
            session = _lock_session(session)
            locked = Officer.objects.select_for_update().select_related("agency")
            by_pk = locked.in_bulk([officer.pk for officer in officers])  # locks in pk order
            officers = [by_pk[officer.pk] for officer in officers]
            _check_all(officers, session, by)
            enrollments = _place(session=session, officers=officers, by=by)
    except IntegrityError:  # the database constraints back the checks up
        raise TrainingError(
            "One of these officers was enrolled in this session a moment ago. Reload the page."
        ) from None
    return enrollments


def _place(*, session: CourseSession, officers: list[Officer], by: User) -> list[Enrollment]:
    """Under the session lock: seats while they last, then the waitlist."""
    current = session.enrollments.aggregate(
        seated=Count("pk", filter=Q(status__in=Enrollment.SEATED)), last=Max("queue_number")
    )
    seated, last = current["seated"], current["last"] or 0
    enrollments = []
    for officer in officers:
        last += 1
        status = Status.ENROLLED if seated < session.capacity else Status.WAITLISTED
        if status == Status.ENROLLED:
            seated += 1
        enrollment = Enrollment.objects.create(
            session=session, officer=officer, status=status, queue_number=last, requested_by=by
        )
        enrollment.session = session
        enrollments.append(enrollment)
        if status == Status.ENROLLED:
            record(verb="training.enrolled", target=enrollment, actor=by,
                   message=f"{officer.name} enrolled in {session}.",
                   data={"queue_number": last})  # fmt: skip
        else:
            record(verb="training.waitlisted", target=enrollment, actor=by,
                   message=f"{officer.name} waitlisted for {session} "
                   f"(position {waitlist_position(enrollment)}).",
                   data={"queue_number": last})  # fmt: skip
    lines = [
        {"enrollment": e, "officer": e.officer, "position": waitlist_position(e)}
        for e in enrollments
    ]
    send_templated_email(
        template="training/email/enrollment_confirmation",
        context={"session": session, "lines": lines, "by": by},
        to=[by.email],
    )
    return enrollments


def can_cancel_enrollment(
    user: User, enrollment: Enrollment, now: datetime | None = None
) -> tuple[bool, str]:
    """A member of the officer's agency (or the training coordinator) may cancel a seat or a
    waitlist place until the session starts."""
    session = enrollment.session
    if active_membership(user, enrollment.officer.agency) is None and not user.has_perm(
        "training.cancel_coursesession"
    ):
        return False, "You are not a member of this officer's agency."
    if enrollment.status not in HELD:
        return False, f"This enrollment is {enrollment.get_status_display().lower()}."
    if session.status != CourseSession.Status.SCHEDULED:
        return False, f"This session is {session.get_status_display().lower()}."
    if session.starts_on <= timezone.localdate(now or timezone.now()):
        return False, "The session has started; enrollments can no longer be cancelled."
    return True, ""


@transaction.atomic
def fill_from_waitlist(*, session: CourseSession, by: User | None) -> list[Enrollment]:
    """After the capacity of a scheduled session grows: waitlisted officers take the new seats
    in queue order (emailed like any promotion). Nothing happens once the session started."""
    session = CourseSession.objects.select_for_update().get(pk=session.pk)
    started = session.starts_on <= timezone.localdate()
    if session.status != CourseSession.Status.SCHEDULED or started:
        return []
    return _promote(session=session, by=by)


def _promote(*, session: CourseSession, by: User | None) -> list[Enrollment]:
    """Under the session lock: fill free seats from the waitlist, lowest queue number first."""
    seated = session.enrollments.filter(status__in=Enrollment.SEATED).count()
    promoted = []
    while seated < session.capacity:
        waiting = (
            session.enrollments.select_for_update()
            .filter(status=Status.WAITLISTED)
            .select_related("officer__agency")
            .order_by("queue_number")
            .first()
        )
        if waiting is None:
            break
        waiting.status = Status.ENROLLED
        waiting.promoted_at = timezone.now()
        waiting.save(update_fields=["status", "promoted_at"])
        seated += 1
        promoted.append(waiting)
        officer = waiting.officer
        record(verb="training.promoted", target=waiting, actor=by,
               message=f"{officer.name} moved from the waitlist to a seat in {session}.",
               data={"queue_number": waiting.queue_number})  # fmt: skip
        send_templated_email(
            template="training/email/promoted",
            context={"session": session, "enrollment": waiting, "officer": officer},
            to=[officer.email, *_members(officer.agency)],
        )
    return promoted


def cancel_enrollment(*, enrollment: Enrollment, by: User) -> Enrollment:
    """Cancel a seat or a waitlist place before the session starts; a freed seat goes to the
    first officer on the waitlist, who is emailed."""
    with transaction.atomic():
        session = _lock_session(enrollment.session)
        enrollment = (
            Enrollment.objects.select_for_update()
            .select_related("officer__agency")
            .get(pk=enrollment.pk)
        )
        enrollment.session = session
        allowed, reason = can_cancel_enrollment(by, enrollment)
        if not allowed:
            raise TrainingError(reason)
        was = enrollment.get_status_display().lower()
        enrollment.status = Status.CANCELLED
        enrollment.cancelled_at = timezone.now()
        enrollment.save(update_fields=["status", "cancelled_at"])
        name = enrollment.officer.name
        record(verb="training.cancelled", target=enrollment, actor=by,
               message=f"{name}'s place in {session} cancelled (was {was}).")  # fmt: skip
        _promote(session=session, by=by)
    return enrollment


def can_cancel_session(user: User, session: CourseSession) -> tuple[bool, str]:
    if not user.has_perm("training.cancel_coursesession"):
        return False, "Only the training coordinator can cancel a session."
    if session.status != CourseSession.Status.SCHEDULED:
        return False, f"This session is already {session.get_status_display().lower()}."
    if session.enrollments.exclude(status__in=(*HELD, Status.CANCELLED)).exists():
        return False, "Attendance has been recorded for this session; it cannot be cancelled."
    return True, ""


def cancel_session(*, session: CourseSession, by: User, reason: str) -> CourseSession:
    """Cancel a session: every seat and waitlist place is cancelled (no one is promoted) and each
    agency with officers in it is emailed (its members and those officers)."""
    reason = reason.strip()
    if not reason:
        raise TrainingError("Say why the session is cancelled; everyone enrolled is told.")
    with transaction.atomic():
        session = _lock_session(session)
        allowed, why_not = can_cancel_session(by, session)
        if not allowed:
            raise TrainingError(why_not)
        now = timezone.now()
        session.status = CourseSession.Status.CANCELLED
        session.cancelled_at = now
        session.cancel_reason = reason
        session.save(update_fields=["status", "cancelled_at", "cancel_reason"])
        held = list(
            session.enrollments.select_for_update()
            .filter(status__in=HELD)
            .select_related("officer__agency")
            .order_by("queue_number")
        )
        by_agency: dict[Agency, list[Enrollment]] = defaultdict(list)
        for enrollment in held:
            enrollment.status = Status.CANCELLED
            enrollment.cancelled_at = now
            enrollment.save(update_fields=["status", "cancelled_at"])
            record(verb="training.cancelled", target=enrollment, actor=by,
                   message=f"Session cancelled: {reason}")  # fmt: skip
            by_agency[enrollment.officer.agency].append(enrollment)
        record(verb="training.session_cancelled", target=session, actor=by, message=reason,
               data={"enrollments": [e.pk for e in held]})  # fmt: skip
        for agency, enrollments in by_agency.items():
            officers = [e.officer for e in enrollments]
            send_templated_email(
                template="training/email/session_cancelled",
                context={
                    "session": session,
                    "agency": agency,
                    "officers": officers,
                    "reason": reason,
                },
                to=[*(o.email for o in officers), *_members(agency)],
            )
    return session
