"""Accepting an award takes two different Authorized Representatives of the agency; one may
decline it with a reason; an offer left past its deadline expires."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from applications import services
from applications.models import Award
from applications.tasks_acceptance import expire_overdue_awards
from copsgrants.audit import AuditEvent
from tests.factories import MembershipFactory

from .acceptance_helpers import (
    offered_award,
    private_letters,  # noqa: F401 (fixture)
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_letters")]


@pytest.fixture
def second_representative(agency):
    return MembershipFactory(agency=agency, authorized_representative=True).user


def verbs(award):
    return list(AuditEvent.objects.for_object(award).order_by("pk").values_list("verb", flat=True))


def test_the_second_different_representative_accepts_the_award_with_audit_events_and_emails(
    agency, applicant, second_representative, member, django_capture_on_commit_callbacks
):
    award = offered_award(agency)
    with django_capture_on_commit_callbacks(execute=True):
        services.sign_acceptance(
            award=award, by=applicant, typed_name="Ada  Lovelace", ip="10.0.0.7"
        )
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert verbs(award) == ["award.signed"]
    assert "Signed (1 of 2)" in mail.outbox[-1].subject
    assert sorted(mail.outbox[-1].to) == sorted([applicant.email, second_representative.email,
                                                 member.email])  # fmt: skip

    with django_capture_on_commit_callbacks(execute=True):
        services.sign_acceptance(
            award=award, by=second_representative, typed_name="Grace Hopper", ip="10.0.0.8"
        )
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    assert award.accepted_at is not None
    assert verbs(award) == ["award.signed", "award.signed", "award.accepted"]
    assert mail.outbox[-1].subject == f"Accepted: award {award.number}"
    first, second = award.signatures.order_by("signed_at", "pk")
    assert (first.user, first.typed_name, first.ip_address) == (
        applicant,
        "Ada Lovelace",
        "10.0.0.7",
    )
    assert (second.user, second.ip_address) == (second_representative, "10.0.0.8")


def test_the_same_representative_cannot_sign_twice(agency, applicant):
    award = offered_award(agency)
    services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip=None)
    with pytest.raises(services.AcceptanceError, match="already signed"):
        services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip=None)
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.signatures.count() == 1


def test_a_plain_member_cannot_sign_or_decline(agency, member):
    award = offered_award(agency)
    with pytest.raises(services.AcceptanceError, match="Only an Authorized Representative"):
        services.sign_acceptance(award=award, by=member, typed_name="Sam Member", ip=None)
    with pytest.raises(services.AcceptanceError, match="Only an Authorized Representative"):
        services.decline_award(award=award, by=member, reason="Budget cut")
    assert award.signatures.count() == 0
    assert verbs(award) == []


def test_a_representative_of_another_agency_cannot_sign(agency, other_agency_applicant):
    award = offered_award(agency)
    with pytest.raises(services.AcceptanceError, match="not a member"):
        services.sign_acceptance(
            award=award, by=other_agency_applicant, typed_name="Other Rep", ip=None
        )


def test_signing_after_the_deadline_is_refused(agency, applicant, second_representative):
    award = offered_award(agency, days_left=2)
    services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip=None)
    with (
        time_machine.travel(timezone.now() + timedelta(days=3)),
        pytest.raises(services.AcceptanceError, match=r"deadline .* has passed"),
    ):
        services.sign_acceptance(
            award=award, by=second_representative, typed_name="Grace Hopper", ip=None
        )
    award.refresh_from_db()
    assert award.status == Award.Status.OFFERED
    assert award.signatures.count() == 1


def test_a_representative_declines_with_a_reason_recorded_and_emailed(
    agency, applicant, member, django_capture_on_commit_callbacks
):
    award = offered_award(agency)
    with pytest.raises(services.AcceptanceError, match="Say why"):
        services.decline_award(award=award, by=applicant, reason="   ")
    with django_capture_on_commit_callbacks(execute=True):
        services.decline_award(award=award, by=applicant, reason="The council cut the match.")
    award.refresh_from_db()
    assert award.status == Award.Status.DECLINED
    assert (award.declined_by, award.decline_reason) == (applicant, "The council cut the match.")
    assert verbs(award) == ["award.declined"]
    assert mail.outbox[-1].subject == f"Declined: award {award.number}"
    assert "The council cut the match." in mail.outbox[-1].body
    assert member.email in mail.outbox[-1].to
    with pytest.raises(services.AcceptanceError, match="declined"):
        services.sign_acceptance(award=award, by=applicant, typed_name="Ada Lovelace", ip=None)


def test_an_award_still_waiting_for_its_letter_cannot_be_signed(agency, applicant):
    award = offered_award(agency, letter=False)
    award.status = Award.Status.PENDING_LETTER
    award.save(update_fields=["status"])
    allowed, reason = services.can_sign_acceptance(applicant, award)
    assert not allowed
    assert "letter being prepared" in reason


def test_expire_awards_marks_offered_awards_past_their_deadline_expired(
    agency, applicant, other_agency, django_capture_on_commit_callbacks
):
    overdue = offered_award(agency, days_left=1)
    later = offered_award(other_agency, days_left=10)
    accepted = offered_award(agency, days_left=1)
    accepted.status = Award.Status.ACCEPTED
    accepted.save(update_fields=["status"])
    assert services.expire_awards() == []
    with (
        time_machine.travel(timezone.now() + timedelta(days=2)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert expire_overdue_awards.delay().get() == 1
    for award in (overdue, later, accepted):
        award.refresh_from_db()
    assert overdue.status == Award.Status.EXPIRED
    assert later.status == Award.Status.OFFERED
    assert accepted.status == Award.Status.ACCEPTED
    assert verbs(overdue) == ["award.expired"]
    assert mail.outbox[-1].subject.startswith(f"Expired: award {overdue.number}")
    assert mail.outbox[-1].to == [applicant.email]


def test_the_expiry_task_runs_hourly_from_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["expire-awards"]
    assert entry["task"] == expire_overdue_awards.name
    assert "applications.tasks_acceptance" in settings.CELERY_IMPORTS
