"""The training coordinator in Chromium: the session's roster in the admin, bulk "Mark
completed" (the certificate is rendered), the printable layout, and the public certificate
verification page; no console error (a CSP violation is one). Screenshots at 1280 and 390 px."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.core.files.storage import FileSystemStorage
from django.utils import timezone
from playwright.sync_api import Page, expect

from copsgrants import roles
from tests.factories import PASSWORD, MembershipFactory, UserFactory
from tests.training.helpers import add_officers, eligible, enrollment, make_session
from training.models import Certificate, Enrollment

from .conftest import PageProblems
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser

SHOTS = Path("/tmp/shots")


@pytest.fixture(autouse=True)
def certificate_storage(tmp_path, monkeypatch):
    storage = FileSystemStorage(location=tmp_path / "private", base_url=None)
    monkeypatch.setattr(Certificate._meta.get_field("file"), "storage", storage)
    return storage


def shoot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"training-admin-{name}-1280.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=SHOTS / f"training-admin-{name}-390.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})


def test_a_coordinator_marks_officers_completed_and_the_certificate_verifies(
    page: Page, page_problems: PageProblems, agency
):
    eligible(agency)
    MembershipFactory(agency=agency)
    coordinator = UserFactory(roles=[roles.TRAINING_COORDINATOR])
    session = make_session(starts_on=timezone.localdate() - timedelta(days=3), days=3)
    officers = add_officers(agency, 3, prefix="Casey")
    for officer in officers:
        enrollment(session, officer, Enrollment.Status.ENROLLED)
    waiting = add_officers(agency, 1, prefix="Morgan")[0]
    enrollment(session, waiting, Enrollment.Status.WAITLISTED)

    sign_in(page, coordinator.email, PASSWORD)
    page.goto(f"/admin/training/coursesession/{session.pk}/change/")
    page.get_by_role("link", name="Roster and attendance").click()
    roster = page.get_by_test_id("roster")
    expect(roster).to_contain_text("(position 1)")
    expect(page.get_by_role("button", name="Print roster")).to_be_visible()
    page.get_by_label(f"Select {officers[0].name}").check()
    page.get_by_label(f"Select {officers[1].name}").check()
    page.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("2 officers marked completed.")).to_be_visible()
    expect(roster).to_contain_text("(ready)")
    shoot(page, "roster")
    page.emulate_media(media="print")
    expect(page.locator("#header")).to_be_hidden()
    expect(page.get_by_role("button", name="Mark completed")).to_be_hidden()
    page.screenshot(path=SHOTS / "training-admin-roster-print.png", full_page=True)
    page.emulate_media(media="screen")

    code = Certificate.objects.filter(status=Certificate.Status.READY).first().verification_code
    page.context.clear_cookies()
    page.goto("/training/certificates/verify/")
    page.get_by_label("Verification code").fill(code.lower())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Valid certificate")).to_be_visible()
    expect(page.get_by_text("Basic School Resource Officer")).to_be_visible()
    shoot(page, "verify")
    page.get_by_label("Verification code").fill("TRN-2222-3333-4444")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Certificate not found")).to_be_visible()
    page_problems.assert_none()
