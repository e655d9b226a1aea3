"""NASRO training in Chromium: an agency member opens the catalogue from the dashboard, enrolls
two officers in a session with one seat left (one seated, one waitlisted at 1), cancels the
first from the officer's record, and the second is promoted. Screenshots of the catalogue, the
session page, the roster and the officer record at 1280 and 390 px."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.training.helpers import add_officers, eligible, enrollment, make_session
from training.models import Certificate, Enrollment

from .conftest import PageProblems
from .test_accessibility import AXE, violations
from .test_error_pages import problems_besides
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


def shoot(page: Page, name: str) -> None:
    """Full-page screenshots at desktop and phone widths, after an axe-core WCAG 2.1 AA check
    (when axe-core is installed)."""
    if AXE.exists():
        assert violations(page) == [], name
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"training-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / f"training-{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_enroll_two_for_one_seat_then_cancel_and_the_waitlisted_officer_is_promoted(
    page: Page, page_problems: PageProblems, agency
):
    eligible(agency)
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency)
    first, second = add_officers(agency, 2, prefix="Casey")
    colleague = add_officers(agency, 1, prefix="Morgan")[0]
    session = make_session("basic-sro", capacity=2)
    enrollment(session, colleague, Enrollment.Status.ENROLLED)
    make_session("cpted", capacity=20, is_virtual=True)
    past = make_session("cpted", starts_on=timezone.localdate() - timedelta(days=60))
    done = enrollment(past, first, Enrollment.Status.COMPLETED, completed_on=past.ends_on)
    Certificate.objects.create(
        enrollment=done, verification_code="T2-DEMO-0001", status="ready", sha256="0" * 64
    )

    sign_in(page, user.email, PASSWORD)
    shoot(page, "dashboard")
    page.get_by_test_id("training-panel").get_by_role("link", name="Courses and sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("NASRO training")
    expect(page.get_by_test_id(f"session-{session.pk}").get_by_test_id("seats")).to_have_text(
        "1 seat left"
    )
    shoot(page, "catalogue")

    page.get_by_test_id(f"session-{session.pk}").get_by_role("link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Basic School Resource Officer")
    for officer in (first, second):
        page.locator(f"label[for='id_officer_{officer.pk}']").click()
        expect(page.locator(f"#id_officer_{officer.pk}")).to_be_checked()
    expect(page.locator(f"#id_officer_{colleague.pk}")).to_be_disabled()
    shoot(page, "session")
    page.get_by_test_id("enroll").click()
    expect(page.get_by_text(f"{first.name} has a seat.")).to_be_visible()
    expect(page.get_by_text(f"{second.name} is on the waitlist at position 1.")).to_be_visible()
    expect(page.get_by_test_id("session-facts").get_by_test_id("seats")).to_contain_text(
        "Full - waitlist 1"
    )
    expect(page.get_by_test_id("all-in")).to_be_visible()
    shoot(page, "session-enrolled")

    page.get_by_role("link", name="NASRO training").click()
    page.get_by_role("link", name="Officer roster").click()
    expect(page.get_by_test_id("roster")).to_contain_text(second.name)
    shoot(page, "roster")

    page.get_by_role("link", name=first.name).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(first.name)
    expect(page.get_by_test_id("total-hours")).to_have_text("16")
    expect(page.get_by_test_id("certificate")).to_be_visible()
    shoot(page, "officer")
    page.get_by_test_id("cancel").click()
    page.get_by_test_id("confirm-cancel").click()
    expect(page.get_by_text(f"{first.name}'s place in")).to_be_visible()
    expect(page.get_by_test_id("history")).to_contain_text("Cancelled")

    page.get_by_role("link", name="Officer roster").click()
    page.get_by_role("link", name=second.name).click()
    expect(page).to_have_url(re.compile(rf"/training/officers/{second.pk}/$"))
    expect(page.get_by_test_id("history").get_by_test_id("status")).to_have_text("Enrolled")
    statuses = dict(session.enrollments.values_list("officer_id", "status"))
    assert statuses[first.pk] == Enrollment.Status.CANCELLED
    assert statuses[second.pk] == Enrollment.Status.ENROLLED
    page_problems.assert_none()


def test_refusals_show_next_to_the_officer_and_an_ineligible_agency_sees_why(
    page: Page, page_problems: PageProblems, agency, other_agency
):
    eligible(agency)
    user = UserFactory(first_name="Alex", last_name="Rivera")
    MembershipFactory(user=user, agency=agency)
    MembershipFactory(user=user, agency=other_agency)
    rookie = add_officers(agency, 1, prefix="Rookie")[0]
    advanced = make_session("advanced-sro", capacity=5)

    sign_in(page, user.email, PASSWORD)
    page.goto(f"/training/sessions/{advanced.pk}/?agency={agency.pk}")
    page.locator(f"label[for='id_officer_{rookie.pk}']").click()
    page.get_by_test_id("enroll").click()
    expect(page.get_by_role("heading", name="There is a problem")).to_be_visible()
    expect(page.locator(f"#id_officer_{rookie.pk}_error")).to_contain_text(
        "Basic School Resource Officer"
    )
    shoot(page, "session-refused")

    page.goto(f"/training/officers/new/?agency={agency.pk}")
    page.get_by_label("First name").fill("Jordan")
    page.get_by_label("Badge or ID number").fill(rookie.badge_number)
    page.get_by_test_id("save-officer").click()
    expect(page.locator("#id_last_name_error")).to_be_visible()
    expect(page.locator("#id_badge_number_error")).to_contain_text("already has badge")
    shoot(page, "officer-form")

    page.goto("/training/")
    expect(page.get_by_test_id("agency-choices")).to_be_visible()
    page.get_by_role("link", name=other_agency.legal_name).click()
    expect(page.get_by_test_id("ineligible")).to_contain_text("accepted CHP School Resource")
    shoot(page, "ineligible")
    assert not advanced.enrollments.exists()
    # A refused form answers 400 (two of them above); anything else is a problem.
    problems_besides(page_problems, 400).assert_none()
