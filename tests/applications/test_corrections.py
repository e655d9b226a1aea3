"""A returned application gets its own resubmission deadline, so a return after the solicitation
closes still leaves the agency time to correct it."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from applications import services
from applications.models import Application
from tests.factories import ApplicationFactory, SolicitationFactory

pytestmark = pytest.mark.django_db
EASTERN = ZoneInfo("America/New_York")
Status = Application.Status


@pytest.fixture
def closing_soon(db):
    return SolicitationFactory(
        opens_at=datetime(2027, 1, 4, 9, 0, tzinfo=EASTERN),
        closes_at=datetime(2027, 2, 1, 17, 0, tzinfo=EASTERN),
    )


def test_a_return_after_the_deadline_gives_days_to_correct_ending_at_midnight_eastern(
    agency, applicant, program_specialist, closing_soon
):
    application = ApplicationFactory(agency=agency, solicitation=closing_soon, submitted=True)
    with time_machine.travel(datetime(2027, 2, 10, 11, 30, tzinfo=EASTERN), tick=False):
        services.return_application(
            application=application, by=program_specialist, reason="Fix the budget.",
            days_to_correct=5,
        )  # fmt: skip
    application.refresh_from_db()
    assert application.corrections_due_at == datetime(2027, 2, 15, 23, 59, 59, tzinfo=EASTERN)
    assert application.deadline == application.corrections_due_at


def test_a_return_well_before_the_deadline_keeps_the_solicitation_deadline(
    agency, program_specialist, closing_soon
):
    application = ApplicationFactory(agency=agency, solicitation=closing_soon, submitted=True)
    with time_machine.travel(datetime(2027, 1, 5, 10, 0, tzinfo=EASTERN), tick=False):
        services.return_application(
            application=application, by=program_specialist, reason="Fix the budget."
        )
    application.refresh_from_db()
    assert application.corrections_due_at == closing_soon.closes_at


def test_the_agency_resubmits_after_the_solicitation_closed_until_its_own_deadline(
    agency, applicant, program_specialist, closing_soon, signed_in
):
    application = ApplicationFactory(agency=agency, solicitation=closing_soon, submitted=True)
    with time_machine.travel(datetime(2027, 2, 10, 11, 30, tzinfo=EASTERN), tick=False):
        services.return_application(
            application=application, by=program_specialist, reason="Say who funds year 4.",
            days_to_correct=5,
        )  # fmt: skip
    application.refresh_from_db()

    with time_machine.travel(datetime(2027, 2, 15, 23, 59, 58, tzinfo=EASTERN), tick=False):
        client = signed_in(applicant)
        page = client.get(reverse("applications:application_overview", args=[application.pk])).text
        assert "Corrections due" in page
        assert "February 15, 2027 at 11:59 PM EST (in less than a minute)" in page
        allowed, _ = services.can_edit_application(applicant, application)
        assert allowed
        services.submit_application(
            application=application, by=applicant, certified_name=applicant.get_full_name()
        )
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED

    application.status = Status.RETURNED
    application.save(update_fields=["status"])
    with time_machine.travel(datetime(2027, 2, 16, 0, 0, 0, tzinfo=EASTERN), tick=False):
        allowed, reason = services.can_edit_application(applicant, application)
        assert not allowed
        assert "The deadline for corrections (February 15, 2027 at 11:59 PM EST)" in reason
        with pytest.raises(services.ApplicationError, match="deadline"):
            services.submit_application(
                application=application, by=applicant, certified_name=applicant.get_full_name()
            )


@pytest.mark.parametrize("days", ["0", "91", "two"])
def test_the_admin_refuses_an_impossible_number_of_days(
    signed_in, program_specialist, agency, days
):
    application = ApplicationFactory(agency=agency, submitted=True)
    response = signed_in(program_specialist).post(
        reverse("admin:applications_application_changelist"),
        {
            "action": "return_for_corrections",
            "_selected_action": [application.pk],
            "apply": "1",
            "reason": "Fix it.",
            "days_to_correct": days,
        },
    )
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.status == Status.SUBMITTED


def test_the_admin_sets_the_days_to_correct(
    signed_in, program_specialist, agency, applicant, django_capture_on_commit_callbacks
):
    from django.core import mail

    application = ApplicationFactory(agency=agency, submitted=True)
    with django_capture_on_commit_callbacks(execute=True):
        signed_in(program_specialist).post(
            reverse("admin:applications_application_changelist"),
            {
                "action": "return_for_corrections",
                "_selected_action": [application.pk],
                "apply": "1",
                "reason": "Fix it.",
                "days_to_correct": "60",
            },
        )
    application.refresh_from_db()
    assert application.status == Status.RETURNED
    expected = application.solicitation.closes_at + timedelta(days=20)
    assert application.corrections_due_at > expected  # 60 days from today beats the deadline
    due = f"{application.corrections_due_at.astimezone(EASTERN):%B %-d, %Y}"
    assert mail.outbox[-1].to == [applicant.email]
    assert due in mail.outbox[-1].body
