"""An accepted SRO award in Chromium: withheld until its MOU condition is met, then a member
reports a hire (choosing the school partner and school) and requests a drawdown; the award
page and the forms at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from applications import services
from copsgrants import roles
from tests.applications.implementation_helpers import DISTRICT, SCHOOL, drawdown_data, opened
from tests.award_states import accepted_award
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, UserFactory

from ..conftest import require
from .conftest import PageProblems, artifact_path
from .test_accessibility import AXE, violations
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser


def shots(page: Page, name: str) -> None:
    """Screenshots at desktop and phone widths, after an axe-core WCAG 2.1 AA check."""
    require(AXE.exists(), "axe-core (npm ci installs it)")
    assert violations(page) == [], name
    page.screenshot(path=artifact_path(f"{name}-1280"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifact_path(f"{name}-390"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_member_reports_a_hire_and_requests_a_drawdown_once_the_mou_is_met(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    member = MembershipFactory(agency=agency).user
    award = accepted_award(agency, letter=False)

    sign_in(page, member.email, PASSWORD)
    page.goto(f"/awards/{award.pk}/")
    expect(page.get_by_test_id("withheld")).to_contain_text("Withheld: MOU not yet approved")
    shots(page, "implementation-withheld")
    page.goto(f"/awards/{award.pk}/hires/new/")
    expect(page.get_by_test_id("withheld")).to_contain_text("Withheld: MOU not yet approved")

    opened(award)
    page.goto(f"/awards/{award.pk}/")
    page.get_by_test_id("report-hire-link").click()
    page.get_by_label("First name").fill("Dana")
    page.get_by_label("Last name").fill("Whitfield")
    page.get_by_label("Hire date").fill("2026-10-15")
    page.get_by_label("Hiring category").select_option("new_hire")
    page.get_by_label("School district").select_option(DISTRICT)
    page.get_by_label("School assigned").select_option(SCHOOL)
    shots(page, "implementation-hire-form")
    page.get_by_test_id("report-hire").click()
    expect(page.get_by_text("Dana Whitfield is reported as hired.")).to_be_visible()
    expect(page.get_by_test_id("hires")).to_contain_text(SCHOOL)

    page_problems.assert_none()
    page.get_by_test_id("request-drawdown-link").click()
    page.get_by_label("Period start").fill("2026-10-01")
    page.get_by_label("Period end").fill("2026-10-31")
    page.get_by_label("Amount requested").fill("$400,000")
    page.get_by_label("Actual costs").fill("October salary and fringe of one officer.")
    page.get_by_test_id("request-drawdown").click()
    expect(page.locator("#id_amount_error")).to_contain_text("$375,000 is left to request")
    shots(page, "implementation-drawdown-error")
    # The refused request is answered 400 on purpose; nothing else may have gone wrong.
    reported = page_problems.failed_requests + page_problems.console_errors
    assert reported and all("400" in text for text in reported), reported
    page_problems.failed_requests.clear()
    page_problems.console_errors.clear()
    page.get_by_label("Amount requested").fill("$25,000")
    page.get_by_test_id("request-drawdown").click()
    expect(page.get_by_test_id("pending-total")).to_have_text("$25,000")
    expect(page.get_by_test_id("remaining-total")).to_contain_text("$350,000 of $375,000")
    shots(page, "implementation-award-page")
    page_problems.assert_none()


def test_a_program_specialist_approves_a_drawdown_in_the_admin(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    member = MembershipFactory(agency=agency).user
    award = opened(accepted_award(agency, letter=False))
    drawdown = services.request_drawdown(award=award, by=member, **drawdown_data())
    specialist = UserFactory(roles=[roles.PROGRAM_SPECIALIST])

    sign_in(page, specialist.email, PASSWORD)
    page.goto("/admin/applications/drawdown/")
    expect(page.locator("#result_list")).to_contain_text(award.number)
    page.screenshot(path=artifact_path("drawdown-admin-list-1280"), full_page=True)
    page.get_by_role("link", name=award.number).click()
    page.get_by_role("link", name="Approve", exact=True).click()
    page.get_by_label("Note").fill("Payroll records match.")
    page.get_by_role("button", name="Approve").click()
    expect(page.locator(".messagelist")).to_contain_text("is approved")
    page.screenshot(path=artifact_path("drawdown-admin-approved-1280"), full_page=True)
    drawdown.refresh_from_db()
    assert drawdown.status == "approved"
    page_problems.assert_none()
