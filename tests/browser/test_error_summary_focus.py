"""Every form that can show an error summary moves focus to it when the page loads with errors
(static/js/app.js, no inline script), and each of its links moves focus to the field it names:
Tab from the summary reaches the first link, Enter on it focuses the field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.applications.acceptance_helpers import private_letters
from tests.applications.implementation_helpers import opened
from tests.award_states import accepted_award
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    ApplicationFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)
from tests.mou.review_helpers import private_mou
from tests.training.helpers import add_officers, make_session

from .conftest import PageProblems
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser
__all__ = ["private_letters", "private_mou"]


def send_with_errors(page: Page, path: str, button: str, fields: dict[str, str]) -> None:
    page.goto(path)
    for name, value in fields.items():
        page.locator(f"#id_{name}").fill(value)
    page.get_by_role("button", name=button, exact=True).first.click()
    page.wait_for_load_state()


def expect_summary_focused_and_linked(page: Page, label: str, *, linked: bool = True) -> None:
    summary = page.locator("[data-error-summary]")
    expect(summary, label).to_be_focused()
    if not linked:
        return
    link = summary.locator("a[href^='#']").first
    target = link.get_attribute("href")[1:]
    page.keyboard.press("Tab")
    expect(link, f"{label}: Tab from the summary reaches its first link").to_be_focused()
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == target, (
        f"{label}: the link to #{target} left focus on "
        + page.evaluate("document.activeElement.outerHTML.slice(0, 120)")
    )


def test_sign_in_and_register_errors_take_focus(page: Page, page_problems: PageProblems):
    user = UserFactory()
    send_with_errors(page, "/accounts/login/", "Sign in", {"username": user.email})
    expect_summary_focused_and_linked(page, "sign in")
    send_with_errors(page, "/accounts/login/", "Sign in", {"username": user.email, "password": "x"})
    expect_summary_focused_and_linked(page, "sign in, wrong password", linked=False)
    send_with_errors(page, "/accounts/register/", "Create account", {})
    expect_summary_focused_and_linked(page, "register")
    unexpected = [e for e in page_problems.console_errors if "status of 4" not in e]
    assert not unexpected and not page_problems.page_errors


def test_agency_form_errors_take_focus_and_link_to_their_fields(
    page: Page, page_problems: PageProblems, private_letters, private_mou
):
    agency = AgencyFactory()
    user = MembershipFactory(agency=agency, administrator=True, authorized_representative=True).user
    application = ApplicationFactory(agency=agency, solicitation=SolicitationFactory())
    award = opened(accepted_award(agency, letter=False))
    session = make_session("basic-sro")
    add_officers(agency, 1)

    sign_in(page, user.email, PASSWORD)
    cases = [
        ("/agencies/new/", "Register agency", {"ori": "12345"}, "agency form"),
        (
            f"/applications/{application.pk}/officers/",
            "Save and continue",
            {"positions_new_hire": "-1"},
            "application section",
        ),
        (f"/awards/{award.pk}/mou/", "Upload the MOU", {}, "MOU upload"),
        (f"/awards/{award.pk}/hires/new/", "Report the hire", {}, "hire"),
        (f"/awards/{award.pk}/drawdowns/new/", "Request the drawdown", {}, "drawdown"),
        ("/training/officers/new/", "Add to the roster", {}, "officer"),
    ]
    for path, button, fields, label in cases:
        send_with_errors(page, path, button, fields)
        expect_summary_focused_and_linked(page, label)
    send_with_errors(page, f"/training/sessions/{session.pk}/", "Enroll the officers", {})
    expect_summary_focused_and_linked(page, "training enroll", linked=False)
    unexpected = [e for e in page_problems.console_errors if "status of 4" not in e]
    assert not unexpected and not page_problems.page_errors
