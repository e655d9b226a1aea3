"""A program specialist reviews an MOU in Chromium: from the version's admin page to the review
screen, Approve refused while an element is missing, then approved; screenshots at 1280 and
390 px; no console error (a CSP violation is one)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from applications.models import AwardCondition
from copsgrants import roles
from mou.models import Element, MouVersion
from tests.award_states import accepted_award
from tests.factories import PASSWORD, AgencyFactory, UserFactory
from tests.mou.review_helpers import private_mou, submitted_mou

from .conftest import PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser
__all__ = ["private_mou"]


def test_a_program_specialist_reviews_an_mou(page: Page, page_problems: PageProblems,
                                             private_mou):  # fmt: skip
    specialist = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    award = accepted_award(AgencyFactory(legal_name="Gotham Police Department"), letter=False)
    submitted_mou(award, status=MouVersion.Status.CHANGES_REQUESTED, version=1)
    mou = submitted_mou(award, version=2)
    sign_in(page, specialist.email, PASSWORD)
    page.goto(f"/admin/mou/mouversion/{mou.pk}/change/")
    page.get_by_role("link", name="Review this MOU").click()
    expect(page).to_have_url(re.compile(rf"/mouversion/{mou.pk}/review/$"))
    expect(page.get_by_test_id("mou-earlier")).to_contain_text("Changes requested")

    for element in Element:
        page.locator(f'[data-element="{element.value}"]').get_by_label("Present").check()
    roles_row = page.locator(f'[data-element="{Element.ROLES.value}"]')
    roles_row.get_by_label("Missing").check()
    roles_row.get_by_label("Comment").fill("Section 4 has the SRO suspend students.")
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_test_id("review-errors")).to_contain_text(Element.ROLES.label)
    page.screenshot(path=artifact_path("mou_review_refused_1280"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifact_path("mou_review_refused_390"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    roles_row = page.locator(f'[data-element="{Element.ROLES.value}"]')
    roles_row.get_by_label("Present").check()
    page.get_by_role("button", name="Approve").click()
    expect(page).to_have_url(re.compile(rf"/mouversion/{mou.pk}/change/$"))
    expect(page.get_by_text("the agency has been emailed")).to_be_visible()
    page.screenshot(path=artifact_path("mou_review_approved_1280"), full_page=True)
    mou.refresh_from_db()
    assert mou.status == MouVersion.Status.APPROVED
    assert award.conditions.get(code=AwardCondition.Code.SRO_MOU).cleared_at is not None
    page.goto("/admin/mou/mouversion/")
    expect(page.locator("#result_list")).to_contain_text(award.number)
    page.screenshot(path=artifact_path("mou_versions_list_1280"), full_page=True)
    page_problems.assert_none()
