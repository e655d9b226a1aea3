"""Approving an MOU version or requesting changes (mou/services/review.py)."""

from __future__ import annotations

import pytest
from post_office.models import Email

from applications.models import AwardCondition
from applications.services.implementation import withholding
from copsgrants import roles
from copsgrants.models import AuditEvent
from mou import services
from mou.models import Element, MouElementCheck, MouVersion
from tests.award_states import accepted_award
from tests.factories import UserFactory
from tests.mou.review_helpers import all_present, private_mou, submitted_mou, with_missing

pytestmark = pytest.mark.django_db
__all__ = ["private_mou"]


def condition(award) -> AwardCondition:
    return award.conditions.get(code=AwardCondition.Code.SRO_MOU)


@pytest.fixture
def award(agency, applicant, member):
    return accepted_award(agency, letter=False)


@pytest.fixture
def mou(award, applicant, private_mou):
    return submitted_mou(award, by=applicant)


def test_approve_with_a_missing_element_is_refused_and_nothing_is_saved(mou, program_specialist):
    with pytest.raises(services.MouError) as refused:
        services.approve_mou(
            mou=mou,
            by=program_specialist,
            checks=with_missing(Element.ROLES, Element.SIGNATURES),
        )
    message = str(refused.value)
    assert Element.ROLES.label in message and Element.SIGNATURES.label in message
    assert Element.PURPOSE.label not in message
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED and mou.decided_by is None
    assert not MouElementCheck.objects.exists()
    assert condition(mou.award).cleared_at is None
    assert not Email.objects.exists()
    assert not AuditEvent.objects.filter(verb="mou.approved").exists()


def test_approve_needs_a_finding_for_every_element(mou, program_specialist):
    checks = all_present()
    del checks[Element.SUPERVISION]
    with pytest.raises(services.MouError, match="SRO supervision"):
        services.approve_mou(mou=mou, by=program_specialist, checks=checks)
    assert not MouElementCheck.objects.exists()


def test_approve_clears_the_condition_records_the_decision_and_emails_the_agency(
    mou, award, program_specialist, applicant, member
):
    assert withholding(award)
    services.approve_mou(
        mou=mou, by=program_specialist, checks=all_present("Section 2."), note="Thank you."
    )
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.APPROVED
    assert mou.decided_by == program_specialist and mou.decided_at is not None
    assert mou.decision_note == "Thank you."
    assert sorted(mou.checks.values_list("element", "present", "comment")) == sorted(
        (element.value, True, "Section 2.") for element in Element
    )
    cleared = condition(award)
    assert cleared.cleared_at is not None and cleared.cleared_by == program_specialist
    assert withholding(award) == ""
    event = AuditEvent.objects.get(verb="mou.approved")
    assert event.actor == program_specialist and event.data["version"] == 1
    assert AuditEvent.objects.filter(verb="condition.cleared").count() == 1
    email = Email.objects.get()
    assert sorted(email.to) == sorted([applicant.email, member.email])
    assert award.number in email.subject
    assert "no longer withheld" in email.message and "Thank you." in email.message
    assert f"/awards/{award.pk}/mou/" in email.message


def test_request_changes_emails_each_elements_comment(mou, award, program_specialist, applicant):
    checks = with_missing(Element.ROLES, comment="Section 4 lets the SRO suspend students.")
    checks[Element.PURPOSE] = (True, "Clear.")
    services.request_mou_changes(
        mou=mou, by=program_specialist, checks=checks, note="Please revise section 4."
    )
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.CHANGES_REQUESTED
    assert mou.decided_by == program_specialist
    assert mou.checks.get(element=Element.ROLES).present is False
    assert condition(award).cleared_at is None
    body = Email.objects.get(to__contains=applicant.email).message
    assert "Section 4 lets the SRO suspend students." in body
    assert "Clear." in body and "Please revise section 4." in body
    assert f"{Element.ROLES.label}: MISSING" in body
    assert f"{Element.PURPOSE.label}: present" in body
    event = AuditEvent.objects.get(verb="mou.changes_requested")
    assert event.data["missing"] == [Element.ROLES.label]


def test_request_changes_needs_a_missing_element_or_a_note(mou, program_specialist):
    with pytest.raises(services.MouError, match="write a note"):
        services.request_mou_changes(mou=mou, by=program_specialist, checks=all_present(), note="")
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED
    services.request_mou_changes(
        mou=mou, by=program_specialist, checks=all_present(), note="Use the signed copy."
    )
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.CHANGES_REQUESTED


def test_a_superseding_approval_keeps_the_condition_cleared(
    mou, award, program_specialist, applicant
):
    services.approve_mou(mou=mou, by=program_specialist, checks=all_present())
    first_cleared = condition(award).cleared_at
    revised = submitted_mou(award, version=2, by=applicant)
    # A revised MOU awaiting review does not withhold the funds again.
    assert withholding(award) == ""
    services.approve_mou(mou=revised, by=program_specialist, checks=all_present())
    assert condition(award).cleared_at == first_cleared
    assert AuditEvent.objects.filter(verb="condition.cleared").count() == 1
    event = AuditEvent.objects.filter(verb="mou.approved").latest("pk")
    assert event.data["superseded_version"] == 1
    assert "replaces version 1" in Email.objects.latest("pk").message
    assert set(award.mou_versions.values_list("status", flat=True)) == {"approved"}


@pytest.mark.parametrize(
    "status", [MouVersion.Status.APPROVED, MouVersion.Status.CHANGES_REQUESTED,
               MouVersion.Status.REPLACED],
)  # fmt: skip
def test_only_a_version_awaiting_review_can_be_decided(award, program_specialist, status,
                                                       private_mou):  # fmt: skip
    mou = submitted_mou(award, status=status)
    allowed, reason = services.can_review_mou(program_specialist, mou)
    assert not allowed and "only a version awaiting review" in reason
    for decide in (services.approve_mou, services.request_mou_changes):
        with pytest.raises(services.MouError, match="awaiting review"):
            decide(mou=mou, by=program_specialist, checks=with_missing(Element.PURPOSE), note="x")
    assert not MouElementCheck.objects.exists()
    assert condition(award).cleared_at is None


def test_a_decision_made_meanwhile_is_seen_under_the_lock(mou, program_specialist):
    stale = MouVersion.objects.get(pk=mou.pk)
    services.request_mou_changes(
        mou=mou, by=program_specialist, checks=with_missing(Element.PURPOSE), note=""
    )
    with pytest.raises(services.MouError, match="changes requested"):
        services.approve_mou(mou=stale, by=program_specialist, checks=all_present())
    assert MouElementCheck.objects.count() == len(Element)


@pytest.mark.parametrize(
    "role", [roles.GRANTS_MANAGER, roles.REVIEWER, roles.TRAINING_COORDINATOR, None]
)
def test_staff_without_the_review_permission_are_refused(mou, role):
    user = UserFactory(roles=[role]) if role else UserFactory()
    allowed, reason = services.can_review_mou(user, mou)
    assert not allowed and "program specialist" in reason
    with pytest.raises(services.MouError, match="program specialist"):
        services.approve_mou(mou=mou, by=user, checks=all_present())
    with pytest.raises(services.MouError, match="program specialist"):
        services.request_mou_changes(mou=mou, by=user, checks=all_present(), note="x")
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.SUBMITTED


def test_a_program_specialist_may_review(mou, program_specialist):
    assert services.can_review_mou(program_specialist, mou) == (True, "")
