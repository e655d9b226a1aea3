"""The MOU gate end to end in Chromium, each person in their own browser: an agency member finds
the drawdown refused while the award is withheld, uploads the signed MOU; a program specialist
approves it in the admin against the five elements; the member's drawdown request now goes
through. Nothing is set up behind the browser's back after the award exists."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import AwardCondition, Drawdown
from copsgrants import roles
from mou.models import Element, MouVersion
from tests.applications.acceptance_helpers import private_letters  # noqa: F401 (fixture)
from tests.award_states import accepted_award
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, UserFactory
from tests.mou.pdfs import valid_pdf
from tests.mou.review_helpers import private_mou  # noqa: F401 (fixture)

from .conftest import TIMEOUT_MS, VIEWPORT, PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("private_letters", "private_mou")]


def test_upload_then_staff_approval_then_the_drawdown_is_allowed(
    page: Page, page_problems: PageProblems, browser, live_server
):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    member = MembershipFactory(agency=agency).user
    award = accepted_award(agency)
    specialist = UserFactory(roles=[roles.PROGRAM_SPECIALIST])

    # The member: the drawdown page says why it is closed, then the MOU goes up.
    sign_in(page, member.email, PASSWORD)
    page.goto(f"/awards/{award.pk}/drawdowns/new/")
    expect(page.get_by_test_id("withheld")).to_contain_text("Withheld: MOU not yet approved")
    expect(page.get_by_label("Amount requested")).to_have_count(0)
    page.goto(f"/awards/{award.pk}/")
    page.get_by_test_id("mou-page-link").click()
    page.get_by_label("Agency executive who signed").fill("Chief Dana Whitfield")
    page.get_by_label("Date the agency signed").fill("2026-11-02")
    page.get_by_label("School official who signed").fill("Superintendent Ray Ortiz")
    page.get_by_label("Date the school official signed").fill("2026-11-03")
    page.locator("#id_file").set_input_files(
        files=[{"name": "Signed MOU.pdf", "mimeType": "application/pdf", "buffer": valid_pdf()}]
    )
    page.get_by_test_id("upload").click()
    expect(page.get_by_test_id("mou-status-1")).to_have_text("Awaiting review")
    mou = MouVersion.objects.get(award=award)

    # The program specialist, in another browser: all five elements present, approved.
    staff = browser.new_context(base_url=live_server.url, viewport=VIEWPORT)
    staff.set_default_timeout(TIMEOUT_MS)
    admin_page = staff.new_page()
    sign_in(admin_page, specialist.email, PASSWORD)
    admin_page.goto("/admin/mou/mouversion/")
    admin_page.get_by_role("link", name=re.compile(award.number)).first.click()
    admin_page.get_by_role("link", name="Review this MOU").click()
    for element in Element:
        admin_page.locator(f'[data-element="{element.value}"]').get_by_label("Present").check()
    admin_page.get_by_role("button", name="Approve").click()
    expect(admin_page).to_have_url(re.compile(rf"/mouversion/{mou.pk}/change/$"))
    staff.close()
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.APPROVED
    assert award.conditions.get(code=AwardCondition.Code.SRO_MOU).cleared_at is not None

    # The member again: the award is no longer withheld and the drawdown goes through.
    page.goto(f"/awards/{award.pk}/")
    expect(page.get_by_test_id("mou-panel")).to_contain_text("Approved")
    expect(page.get_by_test_id("withheld")).to_have_count(0)
    page.get_by_test_id("request-drawdown-link").click()
    page.get_by_label("Period start").fill("2026-10-01")
    page.get_by_label("Period end").fill("2026-10-31")
    page.get_by_label("Amount requested").fill("$25,000")
    page.get_by_label("Actual costs").fill("October salary and fringe of one officer.")
    page.get_by_test_id("request-drawdown").click()
    expect(page.get_by_test_id("pending-total")).to_have_text("$25,000")
    page.screenshot(path=artifact_path("mou-gate-open-1280"), full_page=True)
    assert Drawdown.objects.get(award=award).amount == 25000
    page_problems.assert_none()
