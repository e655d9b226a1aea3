"""Accepting an award in Chromium: one Authorized Representative signs, a second signs, and the
award reads Accepted; the award page at desktop and phone widths."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from applications.models import Award
from tests.applications.acceptance_helpers import (
    offered_award,
    private_letters,  # noqa: F401 (fixture)
)
from tests.factories import PASSWORD, AgencyFactory, MembershipFactory, UserFactory

from .conftest import PageProblems, artifact_path
from .test_application import tick
from .test_onboarding import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("private_letters")]


def sign(page: Page, award: Award, user) -> None:
    page.goto(f"/awards/{award.pk}/")
    page.get_by_label("Type your full name").fill(user.get_full_name())
    tick(page, "agree")
    page.get_by_role("button", name="Sign the acceptance").click()


def test_two_representatives_sign_and_the_award_reads_accepted(
    page: Page, page_problems: PageProblems
):
    agency = AgencyFactory(legal_name="Springfield Police Department")
    first = UserFactory(first_name="Alex", last_name="Rivera")
    second = UserFactory(first_name="Sam", last_name="Okafor")
    for user in (first, second):
        MembershipFactory(user=user, agency=agency, authorized_representative=True)
    award = offered_award(agency)

    sign_in(page, first.email, PASSWORD)
    page.get_by_role("link", name=award.number).click()
    expect(page.get_by_test_id("award-status")).to_have_text("Offered")
    page.screenshot(path=artifact_path("award-page-1280"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifact_path("award-page-390"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    sign(page, award, first)
    expect(page.get_by_text("Your signature is recorded")).to_be_visible()
    expect(page.get_by_test_id("signatures")).to_contain_text("Signed by Alex Rivera")
    expect(page.get_by_test_id("sign-reason")).to_contain_text("You have already signed")
    expect(page.get_by_test_id("award-status")).to_have_text("Offered")

    page.context.clear_cookies()
    sign_in(page, second.email, PASSWORD)
    sign(page, award, second)
    expect(page.get_by_test_id("award-status")).to_have_text("Accepted")
    expect(page.get_by_test_id("signatures")).to_contain_text("Signed by Sam Okafor")
    page.screenshot(path=artifact_path("award-page-accepted"), full_page=True)
    award.refresh_from_db()
    assert award.status == Award.Status.ACCEPTED
    page_problems.assert_none()
