"""Asking to join emails every administrator of the agency, so a person may not ask over and
over: after a decline they wait 7 days, and they ask at most 3 times in 30 days."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications import services
from applications.models import Membership
from copsgrants.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def requester(db):
    return UserFactory()


def ask(requester, agency) -> Membership:
    return services.request_membership(user=requester, agency=agency)


def decline(membership: Membership, by, days_ago: float = 0) -> None:
    services.decline_membership(membership=membership, by=by)
    Membership.objects.filter(pk=membership.pk).update(
        decided_at=timezone.now() - timedelta(days=days_ago)
    )


def age_requests(membership: Membership, days: float) -> None:
    """Move the person's earlier requests back in time (the log is append-only in the app)."""
    AuditEvent.objects.for_object(membership).filter(verb="membership.requested").update(
        created_at=timezone.now() - timedelta(days=days)
    )


def day(moment) -> str:
    return f"{timezone.localtime(moment):%B %-d, %Y}"


def test_after_a_decline_the_person_waits_a_week_before_asking_again(
    requester, agency, applicant, django_capture_on_commit_callbacks
):
    membership = ask(requester, agency)
    decline(membership, applicant, days_ago=6)
    membership.refresh_from_db()
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(services.MembershipError) as refused,
    ):
        ask(requester, agency)
    message = str(refused.value)
    assert f"declined your request on {day(membership.decided_at)}" in message
    assert f"You can ask again from {day(membership.decided_at + timedelta(days=7))}" in message
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
    assert mail.outbox == []  # the administrators are not emailed again
    assert AuditEvent.objects.filter(verb="membership.requested").count() == 1

    Membership.objects.filter(pk=membership.pk).update(
        decided_at=timezone.now() - timedelta(days=7, minutes=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        ask(requester, agency)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING
    assert mail.outbox[-1].to == [applicant.email]


def test_a_person_asks_at_most_three_times_in_thirty_days(requester, agency, applicant):
    membership = ask(requester, agency)
    decline(membership, applicant, days_ago=8)
    ask(requester, agency)
    decline(membership, applicant, days_ago=8)
    ask(requester, agency)
    decline(membership, applicant, days_ago=8)
    assert AuditEvent.objects.filter(verb="membership.requested").count() == 3
    first = AuditEvent.objects.filter(verb="membership.requested").order_by("created_at").first()
    with pytest.raises(services.MembershipError) as refused:
        ask(requester, agency)
    assert "asked to join Springfield Police Department 3 times in the last 30 days" in str(
        refused.value
    )
    assert f"You can ask again from {day(first.created_at + timedelta(days=30))}" in str(
        refused.value
    )
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED

    age_requests(membership, days=31)  # a month on, the old requests no longer count
    ask(requester, agency)
    membership.refresh_from_db()
    assert membership.status == Membership.Status.PENDING


def test_a_removed_member_is_held_to_the_same_monthly_limit(requester, agency, applicant):
    membership = ask(requester, agency)
    services.approve_membership(membership=membership, by=applicant)
    for _ in range(2):
        services.remove_member(membership=membership, by=applicant)
        ask(requester, agency)
        services.approve_membership(membership=membership, by=applicant)
    services.remove_member(membership=membership, by=applicant)
    with pytest.raises(services.MembershipError, match="3 times in the last 30 days"):
        ask(requester, agency)


def test_the_join_page_shows_the_refusal_as_a_message(
    signed_in, client, requester, agency, applicant
):
    membership = ask(requester, agency)
    decline(membership, applicant)
    signed_in(requester)
    response = client.post(
        reverse("applications:agency_join", args=[agency.pk]),
        {"identifier": agency.ori},
        follow=True,
    )
    assert "You can ask again from" in response.text
    membership.refresh_from_db()
    assert membership.status == Membership.Status.DECLINED
