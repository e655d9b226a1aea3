"""Training rows the roster, enrollment, attendance and page tests start from, written with the
ORM (the services under test are the only thing that should change them).

    from tests.training.helpers import (
        sro_agency, training_coordinator,  # noqa: F401 (fixtures)
        course, make_session, add_officers, add_hire, eligible,
    )

`eligible(agency)` gives the agency an accepted SRO award (without a letter file, so no storage
fixture is needed); `make_session(...)` an upcoming, open session; `add_officers(agency, 5)`
five officers on its roster."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from applications.models import Award, HiringCategory, OfficerHire
from copsgrants import roles
from tests.award_states import accepted_award
from tests.factories import UserFactory
from training.models import Course, CourseSession, Enrollment, Officer

# What training/migrations/0002 seeds; a transactional test's flush removes the seeded rows, so
# `course()` makes the course again when it is missing.
_COURSES = {
    "basic-sro": ("Basic School Resource Officer", 40, []),
    "advanced-sro": ("Advanced School Resource Officer", 24, ["basic-sro"]),
    "sro-supervisors": ("SRO Supervisors and Management", 24, []),
    "cpted": ("Crime Prevention Through Environmental Design (CPTED)", 16, []),
    "adolescent-mental-health": ("Adolescent Mental Health", 8, []),
}


def course(code: str = "basic-sro") -> Course:
    """The catalogue course `code` (Basic SRO by default; Advanced requires Basic)."""
    found = Course.objects.filter(code=code).first()
    if found is not None:
        return found
    title, hours, prerequisites = _COURSES[code]
    made = Course.objects.create(
        code=code, title=title, hours=hours, description=f"{title} (test course)."
    )
    made.prerequisites.set(course(prerequisite) for prerequisite in prerequisites)
    return made


def make_session(
    the_course: Course | str = "basic-sro",
    *,
    capacity: int = 30,
    starts_on: date | None = None,
    days: int = 3,
    opens_at: datetime | None = None,
    closes_at: datetime | None = None,
    is_virtual: bool = False,
    status: str = CourseSession.Status.SCHEDULED,
) -> CourseSession:
    """A session of `the_course` (a Course or its code): by default starting 30 days from
    today, 3 days long, in Springfield, IL, registration open since yesterday and closing 7 days
    before it starts."""
    if isinstance(the_course, str):
        the_course = course(the_course)
    starts_on = starts_on or timezone.localdate() + timedelta(days=30)
    now = timezone.now()
    opens_at = opens_at or now - timedelta(days=1)
    closes_at = closes_at or max(
        timezone.make_aware(datetime.combine(starts_on - timedelta(days=7), datetime.min.time())),
        opens_at + timedelta(hours=1),
    )
    return CourseSession.objects.create(
        course=the_course, starts_on=starts_on, ends_on=starts_on + timedelta(days=days - 1),
        is_virtual=is_virtual, city="" if is_virtual else "Springfield",
        state="" if is_virtual else "IL", capacity=capacity, registration_opens_at=opens_at,
        registration_closes_at=closes_at, status=status,
    )  # fmt: skip


def eligible(agency, *, is_sro: bool = True, status: str = Award.Status.ACCEPTED) -> Award:
    """Give `agency` an award (accepted SRO by default: what makes it eligible for training)."""
    award = accepted_award(agency, is_sro=is_sro, letter=False)
    if status != Award.Status.ACCEPTED:
        Award.objects.filter(pk=award.pk).update(status=status)
        award.refresh_from_db()
    return award


def add_officers(agency, count: int, *, prefix: str = "Officer") -> list[Officer]:
    """`count` active officers on the agency's roster, each with an email and a badge number."""
    start = Officer.objects.filter(agency=agency).count()
    officers = []
    for n in range(start + 1, start + count + 1):
        officer = Officer.objects.create(
            agency=agency, first_name=prefix, last_name=f"Number{n:03d}",
            email=f"{prefix.lower()}{n}.{agency.pk}@police.example", badge_number=f"B{n:04d}",
        )  # fmt: skip
        officers.append(officer)
    return officers


def add_hire(award: Award, *, first_name: str = "Dana", last_name: str = "Hire", **fields):
    """An officer the agency reported as hired under `award` (not yet on the training roster)."""
    fields.setdefault("email", f"{first_name.lower()}.{last_name.lower()}@police.example")
    fields.setdefault("hire_date", date(2026, 10, 15))
    fields.setdefault("hiring_category", HiringCategory.NEW_HIRE)
    return OfficerHire.objects.create(
        award=award, first_name=first_name, last_name=last_name, **fields
    )


def enrollment(session: CourseSession, officer: Officer, status: str, **fields) -> Enrollment:
    """An enrollment row written directly (queue number = the session's next), e.g. a COMPLETED
    Basic course on an officer's record."""
    last = session.enrollments.order_by("-queue_number").values_list("queue_number", flat=True)
    return Enrollment.objects.create(
        session=session,
        officer=officer,
        status=status,
        queue_number=(last.first() or 0) + 1,
        **fields,
    )


@pytest.fixture
def sro_agency(agency, applicant):
    """The `agency` fixture with an accepted SRO award (its `applicant` is a member)."""
    eligible(agency)
    return agency


@pytest.fixture
def training_coordinator(db):
    return UserFactory(roles=[roles.TRAINING_COORDINATOR])
