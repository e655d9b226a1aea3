"""The screening page in the admin (`<id>/screen/`), the flags on the application's page and
the read-only list of data flags."""

import re

import pytest
from django.urls import reverse

from applications.models import Application, DataFlag, MatchWaiver
from copsgrants.models import AuditEvent
from tests.factories import AgencyFactory, ApplicationFactory

pytestmark = pytest.mark.django_db


def screen_url(application: Application) -> str:
    return reverse("admin:applications_application_screen", args=[application.pk])


def change_url(application: Application) -> str:
    return reverse("admin:applications_application_change", args=[application.pk])


@pytest.fixture
def flagged():
    """412 crimes per 1,000 residents: above the plausible maximum of 300."""
    agency = AgencyFactory(jurisdiction_population=10_000, legal_name="Gotham Police Department")
    return ApplicationFactory(
        submitted=True, agency=agency, violent_crimes=120, property_crimes=4_000,
        match_waiver=MatchWaiver.PARTIAL, match_source="",
        waiver_justification="Revenue fell 20% when the plant closed.",
    )  # fmt: skip


def test_the_screening_page_shows_the_agency_figures_flags_waiver_and_decision(
    signed_in, program_specialist, flagged
):
    response = signed_in(program_specialist).get(screen_url(flagged))
    assert response.status_code == 200
    html = response.text
    assert "Gotham Police Department" in html and 'data-testid="agency-verified"' in html
    assert "412 crimes per 1,000 residents is above the plausible maximum of 300." in html
    assert 'value="flag-' in html  # a resolve form for the open flag
    assert "Revenue fell 20% when the plant closed." in html
    assert 'value="waiver"' in html and 'value="screen"' in html
    assert " style=" not in html  # the CSP allows no inline style
    assert DataFlag.objects.filter(application=flagged, kind="crime_rate").exists()


def test_the_screening_page_warns_when_the_agency_is_not_verified(signed_in, program_specialist):
    application = ApplicationFactory(submitted=True, agency=AgencyFactory(pending=True))
    html = signed_in(program_specialist).get(screen_url(application)).text
    assert 'data-testid="agency-unverified"' in html
    assert "only applications of verified agencies can be screened eligible" in html


def test_resolving_a_flag_on_the_page_records_it(signed_in, program_specialist, flagged):
    client = signed_in(program_specialist)
    client.get(screen_url(flagged))
    flag = flagged.flags.get()
    prefix = f"flag-{flag.pk}"
    response = client.post(screen_url(flagged), {
        "action": prefix, f"{prefix}-resolution": "verified",
        f"{prefix}-note": "UCR table 8 for 2025 matches.",
    })  # fmt: skip
    assert response.status_code == 302 and response.url == screen_url(flagged)
    flag.refresh_from_db()
    assert flag.resolution == "verified" and flag.resolved_by == program_specialist
    html = client.get(screen_url(flagged)).text
    assert "UCR table 8 for 2025 matches." in html
    assert f'value="{prefix}"' not in html  # no form for a resolved flag


def test_a_flag_resolution_without_a_note_is_refused_on_the_page(
    signed_in, program_specialist, flagged
):
    client = signed_in(program_specialist)
    client.get(screen_url(flagged))
    flag = flagged.flags.get()
    prefix = f"flag-{flag.pk}"
    response = client.post(screen_url(flagged), {"action": prefix,
                                                 f"{prefix}-resolution": "verified"})  # fmt: skip
    assert response.status_code == 200
    assert "This field is required." in response.text
    flag.refresh_from_db()
    assert flag.is_open


def test_deciding_the_waiver_then_screening_eligible_on_the_page(
    signed_in, program_specialist, flagged
):
    client = signed_in(program_specialist)
    response = client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "eligible",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Decide the match-waiver request first" in response.text
    response = client.post(screen_url(flagged), {
        "action": "waiver", "waiver-decision": "approved_partial",
        "waiver-reason": "Audited revenue statements confirm the loss.",
    })  # fmt: skip
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.waiver_decision == "approved_partial"
    assert "Approved: partial waiver" in client.get(screen_url(flagged)).text
    response = client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "eligible",
    })  # fmt: skip
    assert response.status_code == 302 and response.url == change_url(flagged)
    flagged.refresh_from_db()
    assert flagged.status == Application.Status.UNDER_REVIEW
    # Under review the page stays open for the flags and the waiver, without the decision form.
    html = client.get(screen_url(flagged)).text
    assert 'value="screen"' not in html and 'value="flag-' in html


def test_screening_ineligible_on_the_page_needs_a_reason_and_a_note(
    signed_in, program_specialist, flagged
):
    client = signed_in(program_specialist)
    response = client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "ineligible",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Choose the reason the application is ineligible." in response.text
    assert "Explain the decision to the agency." in response.text
    response = client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "ineligible", "screen-reason": "no_authority",
        "screen-note": "The county sheriff policed the town until 2026.",
    })  # fmt: skip
    assert response.status_code == 302
    flagged.refresh_from_db()
    assert flagged.status == Application.Status.INELIGIBLE
    assert flagged.ineligibility_reason == "no_authority"


@pytest.mark.parametrize("persona", ["reviewer", "grants_manager", "applicant"])
def test_only_program_specialists_may_open_or_post_the_screening_page(
    request, signed_in, flagged, persona
):
    user = request.getfixturevalue(persona)
    client = signed_in(user)
    # Non-staff are sent to the admin's sign-in; a reviewer not assigned to the application
    # does not see it at all (404); a grants manager sees it but may not screen it.
    expected = {"reviewer": {403, 404}, "grants_manager": {403}, "applicant": {302}}[persona]
    assert client.get(screen_url(flagged)).status_code in expected
    response = client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "eligible",
    })  # fmt: skip
    assert response.status_code in expected
    flagged.refresh_from_db()
    assert flagged.status == Application.Status.SUBMITTED
    assert not AuditEvent.objects.filter(verb__startswith="application.screened").exists()


def test_the_screening_page_of_a_scored_application_leads_back_to_it(
    signed_in, program_specialist, flagged
):
    flagged.status = Application.Status.SCORED
    flagged.save()
    response = signed_in(program_specialist).get(screen_url(flagged))
    assert response.status_code == 302 and response.url == change_url(flagged)


def test_the_screening_page_of_a_missing_application_is_a_404(signed_in, program_specialist):
    client = signed_in(program_specialist)
    assert client.get("/admin/applications/application/999999/screen/").status_code == 404
    assert client.get("/admin/applications/application/x/screen/").status_code == 404


def test_the_application_page_has_the_screen_button_and_shows_its_flags(
    signed_in, program_specialist, grants_manager, flagged
):
    signed_in(program_specialist).get(screen_url(flagged))  # computes the flags
    html = signed_in(program_specialist).get(change_url(flagged)).text
    assert f'href="{screen_url(flagged)}">Screen</a>' in html
    assert "412 crimes per 1,000 residents" in html
    assert "Match waiver (partial) requested, not decided" in html
    manager_html = signed_in(grants_manager).get(change_url(flagged)).text
    assert screen_url(flagged) not in manager_html
    assert "412 crimes per 1,000 residents" in manager_html


def test_the_data_flag_list_filters_open_and_resolved_flags(signed_in, program_specialist, flagged):
    client = signed_in(program_specialist)
    client.get(screen_url(flagged))
    resolved = ApplicationFactory(
        submitted=True, agency=AgencyFactory(jurisdiction_population=10_000),
        violent_crimes=120, property_crimes=5_000,
    )  # fmt: skip
    client.get(screen_url(resolved))
    flag = resolved.flags.get()
    client.post(screen_url(resolved), {"action": f"flag-{flag.pk}",
                                       f"flag-{flag.pk}-resolution": "corrected",
                                       f"flag-{flag.pk}-note": "Now 500."})  # fmt: skip
    changelist = reverse("admin:applications_dataflag_changelist")
    all_rows = client.get(changelist).text
    assert "412 crimes" in all_rows and "512 crimes" in all_rows
    open_rows = client.get(changelist, {"open": "yes"}).text
    assert "412 crimes" in open_rows and "512 crimes" not in open_rows
    resolved_rows = client.get(changelist, {"open": "no"}).text
    assert "412 crimes" not in resolved_rows and "512 crimes" in resolved_rows
    detail = client.get(reverse("admin:applications_dataflag_change", args=[flag.pk]))
    assert detail.status_code == 200 and "Now 500." in detail.text
    assert not re.search(r'name="_save"', detail.text)  # read-only


def test_the_application_page_shows_an_ineligibility_decision(
    signed_in, program_specialist, flagged
):
    client = signed_in(program_specialist)
    client.post(screen_url(flagged), {
        "action": "screen", "screen-decision": "ineligible", "screen-reason": "late",
        "screen-note": "Received on the day after the deadline.",
    })  # fmt: skip
    html = client.get(change_url(flagged)).text
    assert "Screened ineligible" in html
    assert "Received after the deadline" in html
    assert "Received on the day after the deadline." in html
    assert f'href="{screen_url(flagged)}"' not in html  # nothing left to screen
