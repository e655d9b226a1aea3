"""Filing a whole CHP application in Chromium with the keyboard alone: Tab and Shift+Tab to move,
typing into fields, Space to tick a box or pick a radio button, the arrow keys to move within a
radio group (as in every browser), Enter to follow a link or press a button. No clicks, no
`.fill()`: the test reads which element has focus to decide when to stop pressing Tab, so a
control that Tab never reaches, or a focus trap, fails it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import Application
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    MembershipFactory,
    SolicitationFactory,
    UserFactory,
)

from .conftest import PageProblems
from .test_application import COMMUNITY_POLICING, FISCAL, OFFICERS, PARTNER

pytestmark = pytest.mark.browser

MAX_TABS = 250


def focused(page: Page, selector: str) -> bool:
    return page.evaluate("s => document.activeElement.matches(s)", selector)


def tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches `selector` (the page wraps round)."""
    for _ in range(MAX_TABS):
        if focused(page, selector):
            return
        page.keyboard.press("Tab")
    described = page.evaluate("document.activeElement.outerHTML.slice(0, 200)")
    raise AssertionError(f"Tab never reached {selector!r} on {page.url}; focus is on {described}")


def type_into(page: Page, field: str, text: str) -> None:
    tab_to(page, f"#id_{field}")
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)


def tick(page: Page, field: str) -> None:
    tab_to(page, f"#id_{field}")
    page.keyboard.press("Space")
    assert page.evaluate("document.activeElement.checked"), field


def choose(page: Page, name: str, value: str) -> None:
    """Tab into the radio group, then arrow down to `value` (Space picks the first option)."""
    tab_to(page, f"input[type=radio][name='{name}']")
    for _ in range(10):
        if focused(page, f"[value='{value}']"):
            page.keyboard.press("Space")
            assert page.evaluate("document.activeElement.checked"), (name, value)
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"No option {value!r} in the radio group {name!r}")


def press(page: Page, selector: str) -> None:
    """Tab to a link or button and press Enter; wait for the page it leads to."""
    tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def save_and_continue(page: Page, next_slug: str) -> None:
    press(page, "button[name=continue]:not([tabindex='-1'])")
    expect(page).to_have_url(re.compile(rf"/{next_slug}/$"))


def test_an_application_is_filed_from_sign_in_to_submission_with_the_keyboard_alone(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Centerville Police Department")
    user = UserFactory(first_name="Alex", last_name="Rivera", email="alex.rivera@centerville.test")
    MembershipFactory(user=user, agency=agency, administrator=True, authorized_representative=True)
    solicitation = SolicitationFactory()

    page.goto("/accounts/login/")
    type_into(page, "username", user.email)
    type_into(page, "password", PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/dashboard/$"))

    press(page, f"a[href='/solicitations/{solicitation.pk}/']")
    expect(page.get_by_role("heading", level=1)).to_have_text(solicitation.title)
    press(page, f"form[action$='/solicitations/{solicitation.pk}/start/'] button")
    expect(page).to_have_url(re.compile(r"/applications/\d+/$"))
    application = Application.objects.get(agency=agency, solicitation=solicitation)
    press(page, f"a[href='/applications/{application.pk}/eligibility/']")

    choose(page, "has_law_enforcement_authority", "True")
    choose(page, "is_startup_or_consortium", "False")
    choose(page, "has_active_sam_registration", "True")
    save_and_continue(page, "agency")
    save_and_continue(page, "officers")  # prefilled from the agency's profile

    for name, value in OFFICERS.items():
        type_into(page, name, value)
    save_and_continue(page, "sro")

    choose(page, "sro_commitment", "True")
    type_into(page, "sro_positions", "2")
    tick(page, "sro_time_assurance")
    for name, value in PARTNER.items():
        type_into(page, f"partners-0-{name}", value)
    save_and_continue(page, "commitments")

    choose(page, "veteran_commitment", "True")
    save_and_continue(page, "community-policing")
    for name, value in COMMUNITY_POLICING.items():
        type_into(page, name, value)
    save_and_continue(page, "fiscal-need")
    for name, value in FISCAL.items():
        type_into(page, name, value)
    save_and_continue(page, "retention")
    type_into(page, "retention_plan", "The general fund absorbs each position for 12 months.")
    tick(page, "retention_assurance")
    save_and_continue(page, "match")

    choose(page, "match_waiver", "none")
    type_into(page, "match_source", "General fund appropriation (FY2026 budget, line 2110).")
    tick(page, "match_not_budgeted")
    tick(page, "match_not_federal")
    save_and_continue(page, "review")

    expect(page.get_by_test_id("outstanding")).to_have_count(0)
    type_into(page, "certified_name", "Alex Rivera")
    tick(page, "assurances")
    press(page, "button[type=submit].usa-button--big")
    expect(page).to_have_url(re.compile(rf"/applications/{application.pk}/$"))
    expect(page.get_by_test_id("tracking-number")).to_have_text(re.compile(r"^CHP26-\d{6}$"))

    application.refresh_from_db()
    assert application.status == Application.Status.SUBMITTED
    assert application.certified_name == "Alex Rivera"
    assert application.sro_positions == 2
    assert application.school_partners.get().district_name == PARTNER["district_name"]
    page_problems.assert_none()
