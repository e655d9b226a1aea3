"""Two people act on the same row at the same moment (PostgreSQL row locks; SQLite has one writer,
so these races are PostgreSQL's): two program specialists decide one drawdown, two Authorized
Representatives give an award its second signature, two agencies ask for a session's last seat.
Each thread has its own database connection and all are released together by a barrier; the
invariants hold and the loser gets a readable refusal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from post_office.models import Email

from applications import services
from applications.models import Award, AwardSignature, Drawdown
from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.applications.acceptance_helpers import offered_award
from tests.applications.implementation_helpers import drawdown_data, opened
from tests.award_states import accepted_award
from tests.concurrency import at_once
from tests.conftest import require
from tests.factories import AgencyFactory, MembershipFactory, UserFactory
from tests.training.helpers import add_officers, eligible, make_session
from training import services as training
from training.models import Enrollment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgresql():
    require(connection.vendor == "postgresql", "PostgreSQL")


def split(results: list[object], error: type[Exception]) -> tuple[list, list]:
    refused = [result for result in results if isinstance(result, error)]
    done = [result for result in results if not isinstance(result, Exception)]
    assert len(refused) + len(done) == len(results), results  # nothing unexpected was raised
    return done, refused


def emails(subject_start: str) -> int:
    return Email.objects.filter(subject__startswith=subject_start).count()


# Drawdowns ------------------------------------------------------------------------------------


@pytest.fixture
def requested_drawdown(agency, member) -> Drawdown:
    award = opened(accepted_award(agency, letter=False))
    return services.request_drawdown(
        award=award, by=member, **drawdown_data(amount=Decimal("25000.00"))
    )


def test_two_program_specialists_approving_one_drawdown_at_once_approve_it_once(
    requested_drawdown, program_specialist
):
    colleague = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    drawdown = requested_drawdown

    results = at_once(
        [
            lambda: services.approve_drawdown(drawdown=drawdown, by=program_specialist),
            lambda: services.approve_drawdown(drawdown=drawdown, by=colleague),
        ]
    )

    (approved,), (refused,) = split(results, services.ImplementationError)
    assert str(refused) == "Drawdown 1 is already approved."
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.APPROVED
    assert drawdown.decided_by_id == approved.decided_by_id
    assert AuditEvent.objects.filter(verb="drawdown.approved").count() == 1
    assert emails("Drawdown 1 approved") == 1


def test_an_approval_and_a_rejection_of_one_drawdown_at_once_make_one_decision(
    requested_drawdown, program_specialist
):
    colleague = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    drawdown = requested_drawdown

    results = at_once(
        [
            lambda: services.approve_drawdown(drawdown=drawdown, by=program_specialist),
            lambda: services.reject_drawdown(drawdown=drawdown, by=colleague, note="No receipts."),
        ]
    )

    (decided,), (refused,) = split(results, services.ImplementationError)
    drawdown.refresh_from_db()
    assert drawdown.status == decided.status
    assert str(refused) == f"Drawdown 1 is already {drawdown.get_status_display().lower()}."
    verbs = AuditEvent.objects.filter(verb__in=["drawdown.approved", "drawdown.rejected"])
    assert list(verbs.values_list("verb", flat=True)) == [f"drawdown.{drawdown.status}"]
    assert emails("Drawdown 1 ") == 1


# Two simultaneous drawdown requests that together pass the federal amount (one is refused) are
# tests/applications/test_implementation_race.py::test_simultaneous_drawdowns_never_pass_the_
# federal_amount.


# Acceptance -----------------------------------------------------------------------------------


def test_two_representatives_giving_the_second_signature_at_once_accept_the_award_once(
    agency, applicant
):
    award = offered_award(agency, letter=False)
    second, third = (
        MembershipFactory(agency=agency, authorized_representative=True).user for _ in range(2)
    )
    services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip=None)

    results = at_once(
        [
            lambda: services.sign_acceptance(
                award=award, by=second, typed_name="Grace Hopper", ip="10.0.0.8"
            ),
            lambda: services.sign_acceptance(
                award=award, by=third, typed_name="Katherine Johnson", ip="10.0.0.9"
            ),
        ]
    )

    (signature,), (refused,) = split(results, services.AcceptanceError)
    assert str(refused) == "This award is accepted; it cannot be answered."
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED and award.accepted_at is not None
    # No third signature: the applicant's and the winner's.
    assert sorted(AwardSignature.objects.filter(award=award).values_list("user", flat=True)) == (
        sorted([applicant.pk, signature.user_id])
    )
    assert AuditEvent.objects.filter(verb="award.accepted").count() == 1
    assert AuditEvent.objects.filter(verb="award.signed").count() == 2
    assert emails("Accepted: award") == 1


# Training seats -------------------------------------------------------------------------------


def test_two_requests_for_the_last_seat_at_once_seat_one_officer_and_waitlist_the_other():
    session = make_session(capacity=2)
    requests = []
    for name in ("Springfield Police Department", "Riverton County Sheriff's Office"):
        agency = AgencyFactory(legal_name=name)
        eligible(agency)
        requests.append((MembershipFactory(agency=agency).user, add_officers(agency, 1)[0]))
    first_user = requests[0][0]
    training.enroll(session=session, officers=add_officers(first_user.memberships.get().agency, 1),
                    by=first_user)  # fmt: skip
    assert session.enrollments.filter(status__in=Enrollment.SEATED).count() == 1

    def request(user, officer):
        return lambda: training.enroll(session=session, officers=[officer], by=user)

    results = at_once([request(user, officer) for user, officer in requests])

    done, refused = split(results, training.TrainingError)
    assert refused == []
    statuses = sorted(enrollment.status for (enrollment,) in done)
    assert statuses == [Enrollment.Status.ENROLLED, Enrollment.Status.WAITLISTED]
    assert session.enrollments.filter(status__in=Enrollment.SEATED).count() == 2
    waitlisted = session.enrollments.get(status=Enrollment.Status.WAITLISTED)
    assert training.waitlist_position(waitlisted) == 1
    # Each request got back the row the database holds for its officer.
    for (enrollment,) in done:
        assert Enrollment.objects.get(pk=enrollment.pk).status == enrollment.status
