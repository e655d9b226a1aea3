"""The staff's application list fits a 1280 px screen, filters by state with a dropdown, and an
application's page has its own "Return for corrections" button."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from applications.models import Application, ReviewAssignment
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, ApplicationFactory, SolicitationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:applications_application_changelist"


def return_url(application: Application) -> str:
    return reverse("admin:applications_application_return", args=[application.pk])


def change_url(application: Application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


@pytest.fixture
def submitted(agency, applicant):
    return ApplicationFactory(agency=agency, submitted=True, tracking_number="CHP26-000101")


# The list ----------------------------------------------------------------------------------------


def test_the_list_has_six_short_columns_and_no_ori(signed_in, program_specialist, submitted):
    response = signed_in(program_specialist).get(reverse(CHANGELIST))
    headers = [h["text"] for h in response.context["result_headers"]][1:]  # after the checkbox
    assert headers == ["tracking no.", "agency", "solicitation", "status", "SRO", "submitted"]
    assert submitted.agency.ori not in response.text
    assert "Springfield Police Department, IL" in response.text


def test_the_state_filter_is_a_dropdown_that_keeps_the_other_filters(
    signed_in, program_specialist, submitted
):
    AgencyFactory(state="TX")  # a state without applications is not offered
    ApplicationFactory(agency=AgencyFactory(state="WY", legal_name="Riverton County SO"))
    client = signed_in(program_specialist)
    response = client.get(reverse(CHANGELIST), {"status__exact": "submitted", "q": "police"})
    html = response.text
    form = html[html.index('<form method="get" class="dropdown-filter">') :]
    form = form[: form.index("</form>")]
    assert '<input type="hidden" name="q" value="police">' in form
    assert '<input type="hidden" name="status__exact" value="submitted">' in form
    assert '<option value="" selected>All</option>' in form
    assert '<option value="IL">Illinois (IL)</option>' in form
    assert '<option value="WY">Wyoming (WY)</option>' in form
    assert 'value="TX"' not in form
    assert form.count("<option") == 3  # All, IL, WY: never the 56 states and territories
    assert '<input type="submit" value="Filter">' in form
    assert "<script" not in form

    response = client.get(reverse(CHANGELIST), {"agency__state": "WY"})
    assert '<option value="WY" selected>' in response.text
    assert [a.agency.state for a in response.context["cl"].result_list] == ["WY"]


def test_the_membership_and_agency_lists_use_the_dropdown_too(
    signed_in, program_specialist, applicant
):
    client = signed_in(program_specialist)
    for name, param in (("membership", "agency__state"), ("agency", "state")):
        html = client.get(reverse(f"admin:applications_{name}_changelist")).text
        assert f'<select name="{param}"' in html


# Return for corrections from the application's page ---------------------------------------------


def test_a_submitted_application_has_a_return_button_for_staff_who_may_return(
    signed_in, program_specialist, reviewer, submitted
):
    assert return_url(submitted) in signed_in(program_specialist).get(change_url(submitted)).text
    assert return_url(submitted) not in signed_in(reviewer).get(change_url(submitted)).text


@pytest.mark.parametrize(
    "status", [Application.Status.DRAFT, Application.Status.RETURNED, Application.Status.WITHDRAWN]
)
def test_only_a_submitted_application_has_the_button(signed_in, program_specialist, agency, status):
    application = ApplicationFactory(agency=agency, status=status)
    client = signed_in(program_specialist)
    assert return_url(application) not in client.get(change_url(application)).text
    response = client.post(return_url(application), {"reason": "Fix it."}, follow=True)
    assert "Only a submitted application can be returned" in response.text
    application.refresh_from_db()
    assert application.status == status


def test_the_return_page_asks_why_and_returns_through_the_service(
    signed_in, program_specialist, submitted, applicant, django_capture_on_commit_callbacks
):
    client = signed_in(program_specialist)
    page = client.get(return_url(submitted))
    assert page.status_code == 200
    assert "What must the agency correct?" in page.text
    assert "Days to correct and resubmit" in page.text
    response = client.post(return_url(submitted), {"reason": " "})
    assert "This field is required." in response.text
    assert Application.objects.get(pk=submitted.pk).status == Application.Status.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            return_url(submitted), {"reason": "Name the year-4 source.", "days_to_correct": "10"}
        )
    assert response.status_code == 302 and response.url == change_url(submitted)
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.RETURNED
    assert submitted.returned_reason == "Name the year-4 source."
    event = AuditEvent.objects.get(verb="application.returned")
    assert event.actor == program_specialist
    assert mail.outbox[-1].to == [applicant.email]
    assert "Returned" in client.get(response.url).text


def test_a_reviewer_cannot_open_or_post_the_return_page(signed_in, reviewer, submitted):
    client = signed_in(reviewer)
    # An application not assigned to the reviewer is not theirs to find at all.
    assert client.get(return_url(submitted)).status_code == 404
    ReviewAssignment.objects.create(
        application=submitted, reviewer=reviewer, coi_certified_at=timezone.now()
    )
    assert client.get(return_url(submitted)).status_code == 403
    assert client.post(return_url(submitted), {"reason": "Sneaky."}).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Application.Status.SUBMITTED


@pytest.mark.parametrize("object_id", ["abc", "99999999999999999999999", "424242"])
def test_an_unknown_or_malformed_id_on_the_action_pages_is_a_404(
    signed_in, program_specialist, object_id
):
    client = signed_in(program_specialist)
    for name in ("application_return", "agency_verify", "membership_revoke_representative"):
        url = reverse(f"admin:applications_{name}", args=[object_id])
        assert client.get(url).status_code == 404, url


def test_a_closed_solicitation_application_can_still_be_returned(
    signed_in, program_specialist, agency, applicant
):
    application = ApplicationFactory(
        agency=agency, solicitation=SolicitationFactory(closed=True), submitted=True
    )
    signed_in(program_specialist).post(return_url(application), {"reason": "Fix."})
    application.refresh_from_db()
    assert application.status == Application.Status.RETURNED
    assert application.corrections_due_at > application.solicitation.closes_at
