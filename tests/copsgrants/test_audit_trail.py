"""Staff read the audit trail in words, with times in U.S. Eastern and their zone."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from applications import services
from copsgrants.admin import describe_event, format_eastern
from copsgrants.audit import record
from copsgrants.models import AuditEvent
from tests.factories import ApplicationFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2026, 11, 28, 15, 15, tzinfo=UTC), "Nov 28, 2026, 10:15 AM EST"),
        (datetime(2026, 7, 4, 16, 5, tzinfo=UTC), "Jul 4, 2026, 12:05 PM EDT"),
        (datetime(2027, 1, 1, 4, 59, tzinfo=UTC), "Dec 31, 2026, 11:59 PM EST"),
        (None, "-"),
    ],
)
def test_times_read_in_eastern_with_the_zone(moment, expected):
    assert format_eastern(moment) == expected


def test_an_event_no_app_labelled_reads_from_its_verb_and_data(agency):
    event = record(
        verb="mou.checklist_item_ticked",
        target=agency,
        actor=None,
        data={"item": "roles", "items": ["a", "b"], "nested": {"x": 1}, "empty": None},
    )
    assert describe_event(event) == "Checklist item ticked (item: roles; items: a, b)"
    bare = record(verb="agency.updated_by_staff", target=agency, actor=None)
    assert describe_event(bare) == "Updated by staff"


def test_the_application_page_says_which_section_was_saved_and_when_in_eastern_time(
    signed_in, program_specialist, applicant, agency
):
    application = ApplicationFactory(agency=agency)
    services.save_section(
        application=application,
        slug="officers",
        data={"positions_new_hire": 2},
        version=0,
        by=applicant,
    )
    event = AuditEvent.objects.get(verb="application.section_saved")
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_application_change", args=[application.pk]))
        .text
    )
    assert "Section saved: Officer request" in html
    assert format_eastern(event.created_at) in html
    assert format_eastern(event.created_at).endswith(("EST", "EDT"))
    assert 'title="application.section_saved"' in html  # the raw verb stays findable


def test_an_unknown_section_slug_still_reads(agency):
    application = ApplicationFactory(agency=agency)
    event = record(
        verb="application.section_saved",
        target=application,
        actor=None,
        data={"section": "retired-section"},
    )
    assert describe_event(event) == "Section saved: retired-section"


def test_the_return_reads_with_its_deadline_and_reason(
    signed_in, program_specialist, agency, applicant
):
    application = ApplicationFactory(agency=agency, submitted=True)
    returned = services.return_application(
        application=application, by=program_specialist, reason="Fix <b>year 4</b>."
    )
    html = (
        signed_in(program_specialist)
        .get(reverse("admin:applications_application_change", args=[application.pk]))
        .text
    )
    assert f"Returned for corrections, due {format_eastern(returned.corrections_due_at)}" in html
    assert "“Fix &lt;b&gt;year 4&lt;/b&gt;.”" in html


def test_the_audit_event_list_shows_words_and_eastern_times(signed_in, agency):
    from tests.factories import UserFactory

    event = record(verb="agency.registered", target=agency, actor=None)
    admin = UserFactory(is_staff=True, is_superuser=True)
    html = signed_in(admin).get(reverse("admin:copsgrants_auditevent_changelist")).text
    assert "Agency registered" in html
    assert format_eastern(event.created_at) in html
