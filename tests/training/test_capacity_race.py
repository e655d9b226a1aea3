"""Capacity holds under concurrency (PostgreSQL): 50 officers asking at the same moment for a
30-seat session end with 30 seats and a 20-place waitlist in request order, and freed seats go
to the head of that waitlist."""

from __future__ import annotations

import pytest
from django.db import connection

from tests.concurrency import at_once
from tests.conftest import require
from tests.factories import AgencyFactory, MembershipFactory
from tests.training.helpers import add_officers, eligible, make_session
from training import services
from training.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=True)

OFFICERS = 50
SEATS = 30


def test_fifty_simultaneous_requests_for_thirty_seats_end_with_thirty_seats_and_twenty_in_line(
    mailoutbox,
):
    require(connection.vendor == "postgresql", "PostgreSQL")
    agency = AgencyFactory()
    user = MembershipFactory(agency=agency).user
    eligible(agency)
    session = make_session(capacity=SEATS)
    officers = add_officers(agency, OFFICERS)

    def request(officer):
        return lambda: services.enroll(session=session, officers=[officer], by=user)

    results = at_once([request(officer) for officer in officers])

    errors = [result for result in results if isinstance(result, Exception)]
    assert errors == []
    rows = list(Enrollment.objects.filter(session=session).order_by("queue_number"))
    assert len(rows) == OFFICERS
    assert sorted(row.queue_number for row in rows) == list(range(1, OFFICERS + 1))
    statuses = [row.status for row in rows]
    # Seats went to the first 30 requests the lock let through, the waitlist holds the rest.
    assert statuses == [Enrollment.Status.ENROLLED] * SEATS + [Enrollment.Status.WAITLISTED] * (
        OFFICERS - SEATS
    )
    waitlisted = [row for row in rows if row.status == Enrollment.Status.WAITLISTED]
    assert [services.waitlist_position(row) for row in waitlisted] == list(
        range(1, OFFICERS - SEATS + 1)
    )
    # Each thread got back its own officer's row, with the status it has in the database.
    by_officer = {row.officer_id: row for row in rows}
    for officer, result in zip(officers, results, strict=True):
        assert [(e.officer_id, e.status) for e in result] == [
            (officer.pk, by_officer[officer.pk].status)
        ]
    assert len(mailoutbox) == OFFICERS  # one confirmation per request

    seated = [row for row in rows if row.status == Enrollment.Status.ENROLLED]
    for row in seated[:3]:
        services.cancel_enrollment(enrollment=row, by=user)

    promoted = list(
        Enrollment.objects.filter(session=session, promoted_at__isnull=False).order_by(
            "promoted_at", "pk"
        )
    )
    assert [row.pk for row in promoted] == [row.pk for row in waitlisted[:3]]
    assert all(row.status == Enrollment.Status.ENROLLED for row in promoted)
    assert Enrollment.objects.filter(session=session, status__in=Enrollment.SEATED).count() == SEATS
    still_waiting = Enrollment.objects.filter(
        session=session, status=Enrollment.Status.WAITLISTED
    ).order_by("queue_number")
    assert [row.pk for row in still_waiting] == [row.pk for row in waitlisted[3:]]
    assert [services.waitlist_position(row) for row in still_waiting] == list(
        range(1, OFFICERS - SEATS - 3 + 1)
    )
