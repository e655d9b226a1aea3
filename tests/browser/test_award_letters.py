"""The award letters' batch page in a real Chromium: the progress bar refreshes itself from the
JSON endpoint (no reload, no inline script) and the page raises no CSP violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from applications import services
from applications.models import AwardLetter
from tests.applications.award_helpers import released_plan
from tests.factories import PASSWORD

from .conftest import PageProblems
from .test_onboarding import sign_in_to_admin

pytestmark = pytest.mark.browser


def test_the_letter_progress_bar_fills_as_letters_become_ready_without_a_reload(
    page: Page, page_problems: PageProblems
):
    plan, manager, _ = released_plan([("CA", 1), ("TX", 1), ("WY", 1)])
    services.make_awards(plan=plan, by=manager)
    letters = AwardLetter.objects.filter(award__plan=plan)
    # As a worker would leave them mid-batch, whatever ran eagerly in this process.
    letters.update(status="pending", error="")

    sign_in_to_admin(page, manager.email, PASSWORD)
    page.goto(f"/admin/applications/award/batch/{plan.pk}/")
    bar = page.locator("progress.letter-progress-bar")
    label = page.locator('[data-progress-field="label"]')
    expect(label).to_have_text("0 of 3 letters ready")
    expect(bar).to_have_js_property("value", 0)
    page.evaluate("window.loadedOnce = true")

    first = letters.order_by("pk").first()
    letters.filter(pk=first.pk).update(status="ready", sha256="c" * 64)
    expect(label).to_have_text("1 of 3 letters ready")
    expect(bar).to_have_js_property("value", 1)
    letters.update(status="ready", sha256="c" * 64)
    expect(label).to_have_text("3 of 3 letters ready")
    expect(bar).to_have_js_property("value", 3)
    assert page.evaluate("window.loadedOnce") is True  # the same page: no reload
    page_problems.assert_none()

    page.goto("/admin/applications/award/")
    expect(label).to_have_text("3 of 3 letters ready")
    page_problems.assert_none()
