"""Two-step verification in Chromium: a staff member's first visit to the admin (set up an
authenticator app from the page's key), and an applicant who turns it on and signs in again."""

from __future__ import annotations

import re

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Page, expect

from copsgrants import roles
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import current_code

from .conftest import PageProblems, artifact_path
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def code_for_key(key_text: str) -> str:
    """What an authenticator app shows for the key typed from the page (base32, spaced)."""
    import time
    from base64 import b32decode

    key = key_text.replace(" ", "")
    key += "=" * (-len(key) % 8)
    totp = TOTP(b32decode(key))
    totp.time = time.time()
    return f"{totp.token():06d}"


def screenshots(page: Page, name: str) -> None:
    for label, size in (("1280", DESKTOP), ("390", PHONE)):
        page.set_viewport_size(size)
        page.screenshot(path=artifact_path(f"mfa-{name}-{label}"), full_page=True)
    page.set_viewport_size(DESKTOP)


def test_a_staff_member_sets_up_an_app_at_the_admin_sign_in_and_lands_in_the_admin(
    page: Page, page_problems: PageProblems
):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER], first_name="Jordan")
    page.goto("/admin/")
    page.locator("#id_username").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-step/setup/\?next=/admin/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Set up an authenticator app")
    expect(page.get_by_text("COPS staff accounts use two-step verification")).to_be_visible()
    qr = page.get_by_role("img", name=re.compile("QR code"))
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.naturalWidth") > 0, "the QR code did not render"
    screenshots(page, "setup")

    # A wrong code first: refused next to the field, with the error summary.
    page.locator("#id_code").fill("000000")
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.locator(".usa-error-message")).to_contain_text("That code is not right")
    expect(page.locator("[data-error-summary]")).to_be_visible()
    screenshots(page, "setup-error")
    page.wait_for_timeout(1100)  # the throttle's delay after one wrong code

    key = page.get_by_test_id("setup-key").inner_text()
    page.locator("#id_code").fill(code_for_key(key))
    page.get_by_role("button", name="Turn on two-step verification").click()

    expect(page.get_by_role("heading", name="Save these codes now")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    screenshots(page, "recovery-codes")
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="COPS Hiring Program")).to_be_visible()
    assert TOTPDevice.objects.get(user=staff).confirmed
    page_problems.assert_none()


def test_an_applicant_turns_it_on_signs_out_and_signs_in_with_a_code(
    page: Page, page_problems: PageProblems
):
    user = UserFactory(first_name="Alex")
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("Off")
    screenshots(page, "account-off")
    page.get_by_role("link", name="Turn on two-step verification").click()
    key = page.get_by_test_id("setup-key").inner_text()
    page.locator("#id_code").fill(code_for_key(key))
    page.get_by_role("button", name="Turn on two-step verification").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    first_recovery_code = page.get_by_test_id("recovery-codes").locator("li").first.inner_text()
    page.get_by_role("link", name="I have saved my codes").click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("On")
    expect(page.get_by_text("10 unused")).to_be_visible()
    screenshots(page, "account-on")

    page.get_by_test_id("sign-out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/\?next=/dashboard/$"))
    expect(page.get_by_text("Enter the 6-digit code from your authenticator app")).to_be_visible()
    screenshots(page, "verify")
    page.locator("#id_code").fill(current_code(TOTPDevice.objects.get(user=user)))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex")

    # Next time with a recovery code instead of the app.
    page.get_by_test_id("sign-out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.locator("#id_code").fill(first_recovery_code)
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(
        page.get_by_text("You used a recovery code; it will not work again. 9 left")
    ).to_be_visible()
    page_problems.assert_none()
