"""Error pages in a real Chromium: they load cleanly, and a stale form leads back to the answers."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Agency
from tests.factories import PASSWORD, UserFactory

from .conftest import PageProblems
from .test_onboarding import AGENCY, fill_agency_form, sign_in

pytestmark = pytest.mark.browser


def problems_besides(problems: PageProblems, status: int) -> PageProblems:
    """The page's own error status is the point of the test; anything else is a problem."""
    problems.failed_requests = [
        line for line in problems.failed_requests if not line.endswith(f"HTTP {status}")
    ]
    problems.console_errors = [
        line
        for line in problems.console_errors
        if not line.startswith(
            f"Failed to load resource: the server responded with a status of {status}"
        )
    ]
    return problems


def test_a_missing_page_is_styled_and_goes_back(page: Page, page_problems: PageProblems):
    page.goto("/")
    with page.expect_response(re.compile(r"/no-such-page/$")) as response:
        page.evaluate("window.location.href = '/no-such-page/'")  # a navigation with a referrer
    assert response.value.status == 404
    expect(page.get_by_role("heading", level=1, name="Page not found")).to_be_visible()
    expect(page.locator(".usa-banner")).to_be_visible()  # the USWDS stylesheet applied
    page.get_by_role("button", name="Go back to the previous page").click()
    expect(page).to_have_url(re.compile(r"/$"))
    problems_besides(page_problems, 404).assert_none()


def test_the_go_back_button_stays_hidden_when_the_visitor_came_from_elsewhere(page: Page):
    page.goto("/")
    page.goto("/no-such-page/")  # like a typed address: no referrer
    expect(page.get_by_role("link", name="Go to the home page")).to_be_visible()
    expect(page.get_by_role("button", name="Go back to the previous page")).to_be_hidden()


def test_a_form_sent_after_signing_in_again_elsewhere_leads_back_to_the_typed_answers(
    page: Page, page_problems: PageProblems
):
    user = UserFactory()
    sign_in(page, user.email, PASSWORD)
    page.goto("/agencies/new/")
    fill_agency_form(page)

    # Another tab signs out and back in, which gives the session a new CSRF token.
    other_tab = page.context.new_page()
    other_tab.goto("/dashboard/")
    other_tab.get_by_test_id("sign-out").click()
    sign_in(other_tab, user.email, PASSWORD)
    other_tab.close()

    page.get_by_role("button", name=re.compile("Register")).click()
    expect(page.get_by_role("heading", name="Nothing was saved")).to_be_visible()
    expect(page.get_by_text("Your session changed since this page was opened")).to_be_visible()
    assert not Agency.objects.exists()

    page.get_by_role("button", name="Go back to the form").click()
    expect(page).to_have_url(re.compile(r"/agencies/new/$"))
    expect(page.locator("#id_legal_name")).to_have_value(AGENCY["legal_name"])
    # The form page is never stored (no-store), so going back fetches it again with the new token
    # while the browser restores what was typed: saving again now works.
    page.get_by_role("button", name=re.compile("Register")).click()
    expect(page).to_have_url(re.compile(r"/agencies/\d+/$"))
    assert Agency.objects.get().legal_name == AGENCY["legal_name"]
    problems_besides(page_problems, 403).assert_none()


def test_a_plain_member_opening_an_administrators_page_is_told_why(
    page: Page, page_problems: PageProblems
):
    from tests.factories import MembershipFactory

    from .conftest import artifact_path

    membership = MembershipFactory()
    sign_in(page, membership.user.email, PASSWORD)
    with page.expect_response(re.compile(r"/edit/$")) as response:
        page.goto(f"/agencies/{membership.agency_id}/edit/")
    assert response.value.status == 403
    expect(page.get_by_role("heading", level=1, name=re.compile("open this page"))).to_be_visible()
    expect(page.get_by_test_id("reason")).to_have_text(
        "Only an agency administrator can change the agency's profile."
    )
    for width, height in ((1280, 900), (390, 844)):
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=artifact_path(f"403-reason-{width}"), full_page=True)
    problems_besides(page_problems, 403).assert_none()
