"""The demo's NASRO training (run by `seed_demo` after the applications demo, so Springfield's
FY25 SRO award is accepted): the training coordinator's sessions (a full one with a waitlist,
open ones, a virtual one), Springfield's officer roster, enrollments made by Alex Rivera
(applicant@demo.test) through the services, and a Basic SRO course completed last month with
its certificate rendered here and now (no worker needed). Each step is skipped when its result
is already there, so `seed_demo` stays idempotent."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.utils import timezone

from applications.models import Agency
from copsgrants.models import User

from . import services
from .models import Certificate, Course, CourseSession, Enrollment, Officer

SPRINGFIELD_ORI = "IL08401"

# Springfield's roster: (first name, last name, badge, role).
OFFICERS = [
    ("Marcus", "Bell", "SPD-2231", Officer.Role.SRO),
    ("Tanya", "Okafor", "SPD-2240", Officer.Role.SRO),
    ("Luis", "Herrera", "SPD-2252", Officer.Role.SRO),
    ("Grace", "Kim", "SPD-2268", Officer.Role.SRO),
    ("Daniel", "Price", "SPD-2275", Officer.Role.PATROL),
    ("Nora", "Schultz", "SPD-2281", Officer.Role.PATROL),
    ("Owen", "Fitzgerald", "SPD-2290", Officer.Role.PATROL),
    ("Priya", "Raman", "SPD-1904", Officer.Role.SUPERVISOR),
    ("Ben", "Carter", "SPD-2302", Officer.Role.SRO),
]

# The demo sessions, each found again by (course, place): days from today, length, capacity,
# and the badges Alex enrolls (in this order; past the capacity they are waitlisted).
SESSIONS = [
    ("basic-sro", "Columbus", "OH", 30, 5, 4,
     ["SPD-2240", "SPD-2252", "SPD-2268", "SPD-2275", "SPD-2281", "SPD-2290"]),
    ("advanced-sro", "Springfield", "IL", 45, 3, 24, ["SPD-2231"]),
    ("adolescent-mental-health", "", "", 20, 1, 40, ["SPD-2231", "SPD-2302"]),
    ("sro-supervisors", "Denver", "CO", 60, 3, 30, ["SPD-1904"]),
    ("cpted", "Atlanta", "GA", 75, 2, 35, []),
]  # fmt: skip

# Last month's Basic SRO course in Springfield: Marcus Bell completed it, Ben Carter did not come.
PAST = ("basic-sro", "Springfield", "IL")
PAST_COMPLETED, PAST_NO_SHOW = "SPD-2231", "SPD-2302"


def _user(email: str) -> User:
    return User.objects.get(email=email)


def _eastern(day: date, hour: int) -> datetime:
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _session(
    code: str, city: str, state: str, *, starts_in: int, days: int, capacity: int, by: User
) -> CourseSession:
    course = Course.objects.get(code=code)
    found = CourseSession.objects.filter(
        course=course, city=city, state=state, is_virtual=not city
    ).first()
    if found is not None:
        return found
    starts_on = timezone.localdate() + timedelta(days=starts_in)
    return CourseSession.objects.create(
        course=course, starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
        is_virtual=not city, city=city, state=state, capacity=capacity,
        registration_opens_at=_eastern(timezone.localdate() - timedelta(days=14), 9),
        registration_closes_at=max(
            _eastern(starts_on - timedelta(days=7), 17), timezone.now() + timedelta(hours=1)
        ),
        created_by=by,
    )  # fmt: skip


def _enroll(session: CourseSession, officers: list[Officer], by: User) -> None:
    waiting = [
        officer
        for officer in officers
        if not session.enrollments.filter(officer=officer, status__in=Enrollment.ACTIVE).exists()
    ]
    if waiting:
        services.enroll(session=session, officers=waiting, by=by)


def _roster(agency: Agency, by: User) -> dict[str, Officer]:
    services.sync_roster(agency)
    for first_name, last_name, badge, role in OFFICERS:
        if not Officer.objects.filter(agency=agency, badge_number=badge).exists():
            services.add_officer(
                agency=agency, by=by, first_name=first_name, last_name=last_name,
                email=f"{first_name.lower()}.{last_name.lower()}@springfield.demo.test",
                badge_number=badge, role=role,
            )  # fmt: skip
    return {officer.badge_number: officer for officer in Officer.objects.filter(agency=agency)}


def _past_completion(roster: dict[str, Officer], applicant: User, coordinator: User) -> int:
    """Last month's Basic course: enrolled through the services while its registration was open,
    then held (its dates moved into the past), attendance taken and the session completed. The
    certificate is rendered here, as the worker would."""
    from .tasks import render_certificate  # WeasyPrint: loaded only when the demo renders

    code, city, state = PAST
    session = CourseSession.objects.filter(
        course__code=code, city=city, state=state, is_virtual=False
    ).first()
    if session is None:
        session = _session(code, city, state, starts_in=1, days=5, capacity=25, by=coordinator)
        _enroll(session, [roster[PAST_COMPLETED], roster[PAST_NO_SHOW]], applicant)
        # The calendar moves on: the session was held last month. (A direct update: the demo
        # stands in for the weeks between enrolling and the course.)
        held = timezone.localdate() - timedelta(days=35)
        CourseSession.objects.filter(pk=session.pk).update(
            starts_on=held, ends_on=held + timedelta(days=4),
            registration_opens_at=_eastern(held - timedelta(days=60), 9),
            registration_closes_at=_eastern(held - timedelta(days=7), 17),
        )  # fmt: skip
        session.refresh_from_db()
    seats = session.enrollments.select_related("officer")
    completed = seats.filter(officer=roster[PAST_COMPLETED], status=Enrollment.Status.ENROLLED)
    if completed.exists():
        services.record_attendance(enrollments=completed, outcome="completed", by=coordinator)
    no_show = seats.filter(officer=roster[PAST_NO_SHOW], status=Enrollment.Status.ENROLLED)
    if no_show.exists():
        services.record_attendance(enrollments=no_show, outcome="no_show", by=coordinator)
    if session.status == CourseSession.Status.SCHEDULED:
        services.complete_session(session=session, by=coordinator)
    rendered = 0
    for certificate in Certificate.objects.filter(enrollment__session=session).exclude(
        status=Certificate.Status.READY
    ):
        render_certificate(certificate.pk)
        rendered += 1
    return rendered


def seed(*, stdout) -> None:
    agency = Agency.objects.filter(ori=SPRINGFIELD_ORI).first()
    if agency is None:
        stdout.write("training: Springfield Police Department is missing; no training demo")
        return
    eligible, reason = services.eligibility(agency)
    if not eligible:
        stdout.write(f"training: Springfield is not eligible ({reason}); no training demo")
        return
    applicant, coordinator = _user("applicant@demo.test"), _user("coordinator@demo.test")
    roster = _roster(agency, applicant)
    rendered = _past_completion(roster, applicant, coordinator)
    for code, city, state, starts_in, days, capacity, badges in SESSIONS:
        session = _session(code, city, state, starts_in=starts_in, days=days,
                           capacity=capacity, by=coordinator)  # fmt: skip
        _enroll(session, [roster[badge] for badge in badges], applicant)
    stdout.write(
        f"training: {CourseSession.objects.count()} sessions, {len(roster)} Springfield "
        f"officers, {Enrollment.objects.count()} enrollments, {rendered} certificate(s) rendered"
    )
