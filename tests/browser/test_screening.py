"""A program specialist screens an application in Chromium: from the application's admin page
to the screening page, resolves a data flag, decides the waiver and screens it eligible, with no
console error (a CSP violation is one)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application, MatchWaiver
from copsgrants import roles
from tests.factories import PASSWORD, AgencyFactory, ApplicationFactory, UserFactory

from .conftest import PageProblems
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser


def test_a_program_specialist_screens_an_application_end_to_end(
    page: Page, page_problems: PageProblems
):
    specialist = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    agency = AgencyFactory(jurisdiction_population=10_000, legal_name="Gotham Police Department")
    application = ApplicationFactory(
        submitted=True, agency=agency, violent_crimes=120, property_crimes=4_000,
        match_waiver=MatchWaiver.FULL, match_source="",
        waiver_justification="Revenue fell 20% when the plant closed.",
    )  # fmt: skip
    sign_in(page, specialist.email, PASSWORD)
    page.goto(f"/admin/applications/application/{application.pk}/change/")
    page.get_by_role("link", name="Screen", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/application/{application.pk}/screen/$"))
    expect(page.get_by_test_id("flag-crime_rate")).to_contain_text(
        "412 crimes per 1,000 residents is above the plausible maximum of 300."
    )

    flag = page.get_by_test_id("flag-crime_rate")
    flag.get_by_label("Verified with documentation").check()
    flag.get_by_label("How").fill("UCR table 8 for 2025 matches.")
    flag.get_by_role("button", name="Resolve this flag").click()
    expect(page.get_by_text("Flag resolved: Crimes per 1,000 residents.")).to_be_visible()
    expect(page.get_by_test_id("flag-crime_rate")).to_contain_text("UCR table 8 for 2025")

    waiver = page.get_by_test_id("waiver")
    waiver.get_by_label("Approve a partial waiver").check()
    waiver.get_by_label("Reason").fill("Audited statements confirm the loss.")
    waiver.get_by_role("button", name="Decide the waiver").click()
    expect(page.get_by_test_id("waiver-decision")).to_contain_text("Approved: partial waiver")

    decision = page.get_by_test_id("decision")
    decision.get_by_label("Eligible: send it to review").check()
    decision.get_by_role("button", name="Record the decision").click()
    expect(page).to_have_url(re.compile(rf"/application/{application.pk}/change/$"))
    expect(page.get_by_text("Screened eligible: sent to review")).to_be_visible()
    application.refresh_from_db()
    assert application.status == Application.Status.UNDER_REVIEW
    assert application.waiver_decision == Application.WaiverDecision.APPROVED_PARTIAL
    assert not application.flags.filter(resolution="").exists()
    page_problems.assert_none()
