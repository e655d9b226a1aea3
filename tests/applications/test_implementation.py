"""Reporting officer hires and requesting, approving and rejecting drawdowns on an accepted
award: the services' rules, their audit events and emails."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import timezone
from post_office.models import Email

from applications import services
from applications.models import Award, Drawdown, OfficerHire
from copsgrants.models import AuditEvent
from tests.award_states import accepted_award
from tests.factories import AgencyFactory, MembershipFactory

from . import implementation_helpers as helpers
from .implementation_helpers import DISTRICT, SCHOOL, drawdown_data, hire_data, opened

# The fixtures, in this module's namespace for pytest.
open_award, withheld_award = helpers.open_award, helpers.withheld_award
non_sro_award = helpers.non_sro_award

pytestmark = pytest.mark.django_db
Error = services.ImplementationError


# can_implement --------------------------------------------------------------------------------


def test_any_active_member_of_the_agency_may_implement_an_open_award(member, open_award):
    assert services.can_implement(member, open_award) == (True, "")


def test_someone_outside_the_agency_may_not(other_agency_applicant, program_specialist,
                                            open_award):  # fmt: skip
    for user in (other_agency_applicant, program_specialist):
        assert services.can_implement(user, open_award) == (
            False, "You are not a member of this agency.",
        )  # fmt: skip


def test_a_withheld_award_says_why_with_the_due_date(member, withheld_award):
    due = withheld_award.conditions.get(code="sro_mou").due_date
    assert services.can_implement(member, withheld_award) == (
        False, f"Withheld: MOU not yet approved, due {due.isoformat()}",
    )  # fmt: skip


def test_an_award_not_yet_accepted_cannot_be_implemented(member, open_award):
    Award.objects.filter(pk=open_award.pk).update(status=Award.Status.OFFERED)
    open_award.refresh_from_db()
    allowed, reason = services.can_implement(member, open_award)
    assert not allowed
    assert "once the award is accepted" in reason


# Hires ----------------------------------------------------------------------------------------


def test_a_member_reports_a_hire_with_its_sro_assignment(member, open_award):
    hire = services.report_hire(award=open_award, by=member, **hire_data())
    assert (hire.name, hire.school_district, hire.school) == ("Dana Whitfield", DISTRICT, SCHOOL)
    assert hire.reported_by == member
    event = AuditEvent.objects.get(verb="hire.reported")
    assert event.object_id == str(open_award.pk)
    assert "Dana Whitfield" in event.message and SCHOOL in event.message


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"hire_date": date(2026, 9, 30)}, "on or after the award start date, October 1, 2026",
         "hire_date"),
        ({"hire_date": timezone.localdate() + timedelta(days=1)}, "cannot be in the future",
         "hire_date"),
        ({"hiring_category": "rehire_laid_off"}, r"funds no rehire \(laid off\) positions",
         "hiring_category"),
        ({"hiring_category": "bogus"}, "Choose the hiring category", "hiring_category"),
        ({"school_district": ""}, "Choose the school district", "school_district"),
        ({"school_district": "Shelbyville USD"}, "one of the school partners", "school_district"),
        ({"school": ""}, "Choose the school", "school"),
        ({"school": "Springfield Elementary"}, "one of the schools Springfield", "school"),
        ({"first_name": "  "}, "first name", "first_name"),
    ],
)  # fmt: skip
def test_a_hire_breaking_a_rule_is_refused_next_to_its_field(member, open_award, change,
                                                              message, field):  # fmt: skip
    with pytest.raises(Error, match=message) as caught:
        services.report_hire(award=open_award, by=member, **hire_data(**change))
    assert caught.value.field == field
    assert not OfficerHire.objects.exists()
    assert not AuditEvent.objects.filter(verb="hire.reported").exists()


def test_hires_never_exceed_the_positions_funded_in_their_category(member, open_award):
    for n in range(3):
        services.report_hire(award=open_award, by=member, **hire_data(last_name=f"Officer{n}"))
    with pytest.raises(Error, match="funds 3 new hire positions and 3 have already"):
        services.report_hire(award=open_award, by=member, **hire_data())
    assert open_award.hires.count() == 3


def test_a_non_sro_award_needs_no_school_assignment_and_no_mou(member, non_sro_award):
    hire = services.report_hire(
        award=non_sro_award, by=member, **hire_data(school_district="", school="")
    )
    assert hire.school == ""


# Drawdowns ------------------------------------------------------------------------------------


def test_a_member_requests_drawdowns_numbered_per_award(member, open_award, agency):
    first = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    second = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    other = opened(accepted_award(agency, letter=False))
    third = services.request_drawdown(award=other, by=member, **drawdown_data())
    assert (first.number, second.number, third.number) == (1, 2, 1)
    assert first.status == Drawdown.Status.REQUESTED and first.requested_by == member
    assert AuditEvent.objects.filter(verb="drawdown.requested").count() == 3


@pytest.mark.parametrize(
    ("change", "message", "field"),
    [
        ({"amount": Decimal("0")}, "greater than \\$0", "amount"),
        ({"amount": Decimal("-5")}, "greater than \\$0", "amount"),
        ({"period_start": date(2026, 9, 1)}, "on or after the award start date", "period_start"),
        ({"period_end": timezone.localdate() + timedelta(days=1)}, "cannot end in the future",
         "period_end"),
        ({"period_start": date(2026, 10, 20), "period_end": date(2026, 10, 10)},
         "end on or after the day it starts", "period_end"),
        ({"description": " "}, "Describe the actual costs", "description"),
    ],
)  # fmt: skip
def test_a_drawdown_breaking_a_rule_is_refused(member, open_award, change, message, field):
    with pytest.raises(Error, match=message) as caught:
        services.request_drawdown(award=open_award, by=member, **drawdown_data(**change))
    assert caught.value.field == field
    assert not Drawdown.objects.exists()


def test_requested_and_approved_drawdowns_never_exceed_the_federal_amount(
    member, open_award, program_specialist
):
    first = services.request_drawdown(
        award=open_award, by=member, **drawdown_data(amount=Decimal("300000"))
    )
    services.approve_drawdown(drawdown=first, by=program_specialist)
    services.request_drawdown(award=open_award, by=member, **drawdown_data(amount=Decimal("50000")))
    with pytest.raises(Error, match=r"\(\$375,000\): \$25,000 is left to request"):
        services.request_drawdown(
            award=open_award, by=member, **drawdown_data(amount=Decimal("25000.01"))
        )
    last = services.request_drawdown(
        award=open_award, by=member, **drawdown_data(amount=Decimal("25000"))
    )
    assert last.number == 3
    totals = services.drawdown_totals(open_award)
    assert (totals.approved, totals.pending, totals.remaining) == (
        Decimal("300000.00"), Decimal("75000.00"), Decimal("0.00"),
    )  # fmt: skip


def test_a_rejected_drawdown_frees_its_amount(member, open_award, program_specialist):
    big = services.request_drawdown(
        award=open_award, by=member, **drawdown_data(amount=Decimal("375000"))
    )
    with pytest.raises(Error, match=r"\$0 is left"):
        services.request_drawdown(award=open_award, by=member, **drawdown_data())
    services.reject_drawdown(drawdown=big, by=program_specialist, note="No payroll records.")
    services.request_drawdown(award=open_award, by=member, **drawdown_data())


# Decisions ------------------------------------------------------------------------------------


def test_a_program_specialist_approves_a_drawdown_and_the_agency_is_emailed(
    member, applicant, open_award, program_specialist
):
    drawdown = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    services.approve_drawdown(drawdown=drawdown, by=program_specialist, note="Payroll matches.")
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.APPROVED
    assert drawdown.decided_by == program_specialist and drawdown.decided_at
    event = AuditEvent.objects.get(verb="drawdown.approved")
    assert event.object_id == str(drawdown.pk) and "Payroll matches." in event.message
    email = Email.objects.get(subject__startswith="Drawdown 1 approved")
    assert set(email.to) == {member.email, applicant.email}
    assert "$25,000" in email.message and "Payroll matches." in email.message


def test_a_rejection_needs_a_reason_and_emails_the_agency(member, open_award, program_specialist):
    drawdown = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    with pytest.raises(Error, match="Say why"):
        services.reject_drawdown(drawdown=drawdown, by=program_specialist, note="  ")
    services.reject_drawdown(drawdown=drawdown, by=program_specialist, note="Costs not incurred.")
    drawdown.refresh_from_db()
    assert (drawdown.status, drawdown.decision_note) == ("rejected", "Costs not incurred.")
    assert AuditEvent.objects.filter(verb="drawdown.rejected").count() == 1
    assert "Reason: Costs not incurred." in Email.objects.get(subject__contains="rejected").message


def test_only_requested_drawdowns_are_decided(member, open_award, program_specialist):
    drawdown = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    services.approve_drawdown(drawdown=drawdown, by=program_specialist)
    with pytest.raises(Error, match="already approved"):
        services.reject_drawdown(drawdown=drawdown, by=program_specialist, note="Oops")
    with pytest.raises(Error, match="already approved"):
        services.approve_drawdown(drawdown=drawdown, by=program_specialist)
    assert AuditEvent.objects.filter(verb__startswith="drawdown.").count() == 2


@pytest.mark.parametrize("persona", ["grants_manager", "reviewer", "member", "applicant"])
def test_only_staff_who_decide_drawdowns_may_decide(request, member, open_award, persona):
    drawdown = services.request_drawdown(award=open_award, by=member, **drawdown_data())
    user = request.getfixturevalue(persona)
    with pytest.raises(Error, match="Only COPS staff who decide drawdowns"):
        services.approve_drawdown(drawdown=drawdown, by=user)
    with pytest.raises(Error, match="Only COPS staff who decide drawdowns"):
        services.reject_drawdown(drawdown=drawdown, by=user, note="No.")
    drawdown.refresh_from_db()
    assert drawdown.status == Drawdown.Status.REQUESTED


def test_approval_keeps_approved_drawdowns_within_the_federal_amount(
    open_award, program_specialist
):
    # Two requests written directly, as if made before a correction lowered the amount.
    for number in (1, 2):
        Drawdown.objects.create(
            award=open_award, number=number, period_start=date(2026, 10, 1),
            period_end=date(2026, 10, 31), amount=Decimal("200000"), description="Payroll",
        )  # fmt: skip
    first, second = Drawdown.objects.order_by("number")
    services.approve_drawdown(drawdown=first, by=program_specialist)
    with pytest.raises(Error, match=r"\$175,000 is left"):
        services.approve_drawdown(drawdown=second, by=program_specialist)
    second.refresh_from_db()
    assert second.status == Drawdown.Status.REQUESTED


def test_a_removed_member_can_no_longer_report(agency, open_award):
    membership = MembershipFactory(agency=agency)
    membership.status = "removed"
    membership.save(update_fields=["status"])
    with pytest.raises(Error, match="not a member"):
        services.report_hire(award=open_award, by=membership.user, **hire_data())
    stranger = MembershipFactory(agency=AgencyFactory()).user
    with pytest.raises(Error, match="not a member"):
        services.request_drawdown(award=open_award, by=stranger, **drawdown_data())
