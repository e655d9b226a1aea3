"""Security keys in Chromium, with a virtual authenticator (Chrome DevTools' WebAuthn domain): an
applicant adds a key, signs out and signs in with the password and the key; a staff member sets
up a key from the admin's redirect and the admin opens.

WebAuthn needs a secure context: the live server is reached as http://localhost:<port>, and the
relying party is "localhost" with that origin."""

from __future__ import annotations

import re

import pytest
from django_otp_webauthn.models import WebAuthnCredential
from playwright.sync_api import Page, expect

from copsgrants import roles
from copsgrants.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

from .conftest import PageProblems
from .test_mfa import screenshots
from .test_onboarding import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def relying_party(settings, live_server):
    assert live_server.url.startswith("http://localhost:"), live_server.url
    settings.OTP_WEBAUTHN_RP_ID = "localhost"
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [live_server.url]
    settings.SITE_URL = live_server.url


def plug_in_a_key(page: Page) -> None:
    """A USB security key that holds resident keys and verifies its user (a PIN, say)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    options = {
        "protocol": "ctap2",
        "transport": "usb",
        "hasResidentKey": True,
        "hasUserVerification": True,
        "isUserVerified": True,
    }
    cdp.send("WebAuthn.addVirtualAuthenticator", {"options": options})


def add_key_named(page: Page, name: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text("Add a security key")
    page.get_by_label("Name this key").fill(name)
    page.get_by_role("button", name="Add a security key").click()
    expect(page.get_by_role("heading", name="Save these codes now")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="I have saved my codes").click()


def test_an_applicant_adds_a_key_signs_out_and_signs_in_with_the_password_and_the_key(
    page: Page, page_problems: PageProblems, relying_party
):
    user = UserFactory(first_name="Alex")
    plug_in_a_key(page)
    sign_in(page, user.email, PASSWORD)
    page.get_by_role("link", name="Account", exact=True).click()
    expect(page.get_by_test_id("mfa-status")).to_have_text("Off")
    page.get_by_role("link", name="Add a security key").click()
    screenshots(page, "key-add")
    add_key_named(page, "Blue key")

    expect(page).to_have_url(re.compile(r"/accounts/security/$"))
    expect(page.get_by_test_id("mfa-status")).to_have_text("On")
    keys = page.get_by_test_id("security-keys")
    expect(keys.get_by_role("rowheader", name="Blue key")).to_be_visible()
    expect(keys).to_contain_text("Not yet")
    screenshots(page, "account-with-key")
    key = WebAuthnCredential.objects.get(user=user)
    assert (key.name, key.confirmed) == ("Blue key", True)
    verbs = list(AuditEvent.objects.filter(object_id=str(user.pk)).values_list("verb", flat=True))
    assert "mfa.enabled" in verbs

    page.get_by_test_id("sign-out").click()
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(re.compile(r"/accounts/two-step/verify/\?next=/dashboard/$"))
    expect(page.locator("#id_code")).to_be_visible()  # recovery codes still work here
    screenshots(page, "verify-with-key")
    page.get_by_role("button", name="Use your security key").click()
    expect(page).to_have_url(re.compile(r"/dashboard/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, Alex")
    key.refresh_from_db()
    assert key.last_used_at is not None

    page.goto("/accounts/security/")
    page.get_by_role("link", name="Remove Blue key").click()
    screenshots(page, "key-remove")
    page_problems.assert_none()


def test_a_staff_member_sets_up_a_key_from_the_admin_redirect_and_the_admin_opens(
    page: Page, page_problems: PageProblems, relying_party
):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER])
    plug_in_a_key(page)
    page.goto("/admin/")
    page.locator("#id_username").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    expect(page).to_have_url(re.compile(r"/accounts/two-step/setup/\?next=/admin/$"))
    screenshots(page, "setup-offers-a-key")
    page.get_by_role("link", name="Use a security key instead").click()
    expect(page.get_by_text("COPS staff accounts use two-step verification")).to_be_visible()
    add_key_named(page, "Office key")

    expect(page).to_have_url(re.compile(r"/admin/$"))
    expect(page.get_by_role("heading", name="COPS Hiring Program")).to_be_visible()
    assert WebAuthnCredential.objects.get(user=staff).name == "Office key"
    page_problems.assert_none()
