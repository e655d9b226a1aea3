"""Compute scores and read the ranking in a real Chromium: the charts are visible SVG and the
page raises no CSP violation."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from copsgrants import roles
from tests.applications.scoring_helpers import solicitation_with_rules, worked_example
from tests.factories import PASSWORD, UserFactory

from .conftest import PageProblems
from .test_onboarding import sign_in_to_admin

pytestmark = pytest.mark.browser


def test_a_grants_manager_computes_scores_and_sees_the_ranking_with_its_charts(
    page: Page, page_problems: PageProblems
):
    solicitation = solicitation_with_rules()
    worked_example(solicitation)
    manager = UserFactory(roles=[roles.GRANTS_MANAGER])

    sign_in_to_admin(page, manager.email, PASSWORD)
    page.goto(f"/admin/applications/solicitation/{solicitation.pk}/change/")
    page.get_by_role("link", name="Compute scores").click()
    expect(page.get_by_text("Score the 4 eligible applications")).to_be_visible()
    page.get_by_role("button", name="Compute scores").click()

    expect(page).to_have_url(re.compile(r"/admin/applications/scoringrun/\d+/ranking/$"))
    expect(page.get_by_text("Scored 4 applications; 0 not ready")).to_be_visible()
    for chart in ("#chart-distribution", "#chart-slope", "#chart-states"):
        svg = page.locator(chart)
        expect(svg).to_be_visible()
        box = svg.bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 100, chart
    expect(page.locator("#chart-distribution rect.bar-funded").first).to_be_visible()
    assert page.locator("#chart-slope line.slope-up").count() == 1  # C, lifted by its bonuses
    # Each state is below its $780,000 minimum with its only application fully funded.
    assert page.locator("#chart-states rect.bar-complete").count() == 4
    # The stylesheet applied: the funded bars are filled with the chart's green, not black.
    fill = page.locator("#chart-distribution rect.bar-funded").first.evaluate(
        "element => getComputedStyle(element).fill"
    )
    assert fill == "rgb(0, 169, 28)"
    rows = page.locator("#ranking tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first).to_contain_text("Dallas Police Department")

    page.locator("#id_moved").select_option("any")
    page.get_by_role("button", name="Filter").click()
    expect(page.locator("#ranking caption")).to_contain_text("moved by the SRO bonus")
    page_problems.assert_none()
