"""Security keys (WebAuthn, copsgrants/keys.py): a confirmed key is a second factor like an
authenticator app at the gate and the code step; the plugin's endpoints refuse anonymous use and
a half-signed-in user's new key; adding, naming and removing a key leave audit events and
security emails; staff keep at least one second factor. The browser ceremonies themselves run in
tests/browser/test_mfa_webauthn.py."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp_webauthn.models import WebAuthnCredential

from copsgrants import keys, mfa, roles
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import (
    add_recovery_codes,
    confirmed_app_device,
    confirmed_security_key,
    verified_with,
)

from .test_mfa_account import emails_to, events_of

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_gate]

BACKEND = "django.contrib.auth.backends.ModelBackend"
ENDPOINTS = [
    "otp_webauthn:credential-registration-begin",
    "otp_webauthn:credential-registration-complete",
    "otp_webauthn:credential-authentication-begin",
    "otp_webauthn:credential-authentication-complete",
]


def password_only(client, user):
    client.force_login(user, backend=BACKEND)
    return client


# The gate -----------------------------------------------------------------------------------


def test_a_confirmed_key_turns_two_step_on_and_the_gate_asks_for_it(client, applicant):
    assert not mfa.is_on(applicant)
    WebAuthnCredential.objects.create(
        user=applicant, name="Not finished", confirmed=False, credential_id=b"x" * 16,
        public_key=b"\x00", aaguid="0",
    )  # fmt: skip
    assert not mfa.is_on(applicant), "an unconfirmed key is no second factor"
    confirmed_security_key(applicant)
    assert mfa.is_on(applicant) and mfa.must_verify(applicant)
    response = password_only(client, applicant).get(reverse("applications:dashboard"))
    assert response.url == f"{reverse('mfa_verify')}?next=/dashboard/"
    assert client.get(reverse("mfa_key_add")).url.startswith(reverse("mfa_verify"))


def test_staff_with_only_a_key_are_sent_to_the_code_step_not_to_set_up_an_app(client):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER])
    confirmed_security_key(staff)
    password_only(client, staff)
    assert client.get("/admin/").url == f"{reverse('mfa_verify')}?next=/admin/"
    assert client.get(reverse("mfa_setup")).url.startswith(reverse("mfa_verify"))


def test_a_session_verified_with_a_key_opens_the_admin(client):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER])
    key = confirmed_security_key(staff)
    password_only(client, staff)
    verified_with(client, key)
    assert client.get("/admin/").status_code == 200


def test_the_code_step_offers_the_key_and_still_takes_a_recovery_code(client, applicant):
    confirmed_security_key(applicant)
    add_recovery_codes(applicant, ("aaaa2222",))
    page = password_only(client, applicant).get(reverse("mfa_verify") + "?next=/dashboard/")
    assert 'id="passkey-verification-button"' in page.text
    assert "Use your security key" in page.text and "Or enter a recovery code" in page.text
    assert 'id="otp_webauthn_config"' in page.text
    response = client.post(reverse("mfa_verify"), {"code": "aaaa2222", "next": "/dashboard/"})
    assert response.url == "/dashboard/"


def test_the_code_step_of_an_app_user_without_a_key_loads_no_key_script(client, applicant):
    confirmed_app_device(applicant)
    page = password_only(client, applicant).get(reverse("mfa_verify"))
    assert "Enter the 6-digit code from your authenticator app" in page.text
    assert "passkey-verification" not in page.text and "otp_webauthn" not in page.text


def test_staff_without_a_device_are_offered_a_key_on_the_setup_page(client):
    staff = UserFactory(roles=[roles.REVIEWER])
    page = password_only(client, staff).get(reverse("mfa_setup") + "?next=/admin/")
    assert f"{reverse('mfa_key_add')}?next=/admin/" in page.text
    page = client.get(reverse("mfa_key_add") + "?next=/admin/")
    assert page.status_code == 200 and 'id="passkey-register-button"' in page.text


# The plugin's endpoints -----------------------------------------------------------------------


def test_anonymous_visitors_are_refused_every_key_endpoint(client):
    for name in ENDPOINTS:
        response = client.post(reverse(name), "{}", content_type="application/json")
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login") + "?next="), name
    assert not WebAuthnCredential.objects.exists()


def test_a_half_signed_in_user_may_ask_for_a_key_challenge_naming_only_their_keys(client):
    user = UserFactory()
    key = confirmed_security_key(user)
    confirmed_security_key(UserFactory())
    password_only(client, user)
    response = client.post(reverse("otp_webauthn:credential-authentication-begin"))
    assert response.status_code == 200
    options = json.loads(response.content)
    assert options["rpId"] == "localhost"
    allowed = [c["id"] for c in options["allowCredentials"]]
    assert len(allowed) == 1
    from webauthn.helpers import base64url_to_bytes

    assert base64url_to_bytes(allowed[0]) == bytes(key.credential_id)


def test_a_password_alone_cannot_add_a_key_to_an_account_that_has_a_second_factor(client):
    user = UserFactory()
    confirmed_app_device(user)
    password_only(client, user)
    # The gate sends the page to the code step; the plugin refuses the ceremony itself.
    assert client.get(reverse("mfa_key_add")).url.startswith(reverse("mfa_verify"))
    response = client.post(reverse("otp_webauthn:credential-registration-begin"))
    assert response.status_code == 403
    assert json.loads(response.content)["code"] == "user_not_verified"


def test_a_completion_without_its_begin_step_is_refused(client, applicant):
    password_only(client, applicant)
    for name in ENDPOINTS[1::2]:
        response = client.post(reverse(name), "{}", content_type="application/json")
        assert response.status_code == 400, name
    assert not mfa.is_on(applicant)


def test_the_relying_party_comes_from_site_url():
    from copsgrants.webauthn_config import webauthn_settings

    made = webauthn_settings("https://grants.example.gov")
    assert made["OTP_WEBAUTHN_RP_ID"] == "grants.example.gov"
    assert made["OTP_WEBAUTHN_RP_NAME"] == "COPS Grants"
    assert made["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["https://grants.example.gov"]
    assert made["OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN"] is False
    # Browsers refuse an IP address as relying party: make run's address becomes localhost.
    local = webauthn_settings("http://127.0.0.1:8000")
    assert local["OTP_WEBAUTHN_RP_ID"] == "localhost"
    assert local["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["http://localhost:8000"]


# Adding and naming a key ----------------------------------------------------------------------


def test_the_first_key_turns_it_on_with_recovery_codes_an_event_and_an_email(applicant):
    key = confirmed_security_key(applicant, name=keys.default_key_name(applicant))
    codes = keys.key_added(device=key, by=applicant)
    assert len(codes) == 10 and StaticDevice.objects.filter(user=applicant).exists()
    assert events_of(applicant) == ["mfa.enabled"]
    assert emails_to(applicant) == ["Two-step verification was turned on for your account"]
    second = confirmed_security_key(applicant, name=keys.default_key_name(applicant))
    assert second.name == "Security key 2"
    assert keys.key_added(device=second, by=applicant) == []
    assert events_of(applicant) == ["mfa.enabled", "mfa.device_added"]
    assert emails_to(applicant)[-1] == "A security key was added to your account"


def test_the_name_form_names_the_users_own_new_key_and_shows_the_codes_once(client, applicant):
    key = confirmed_security_key(applicant, name="Security key")
    password_only(client, applicant)
    verified_with(client, key)
    session = client.session
    session[keys.NEW_KEY_CODES_SESSION_KEY] = ["aaaa2222"] * 10
    session.save()
    url = reverse("mfa_key_add")
    response = client.post(url, {"name": "  Blue   key ", "credential": key.pk})
    assert response.url == reverse("mfa_recovery_codes")
    assert "aaaa2222" in client.get(response.url).text
    key.refresh_from_db()
    assert key.name == "Blue key"
    assert events_of(applicant)[-1] == "mfa.device_renamed"
    # Without new codes it leads straight on.
    response = client.post(url, {"name": "Red key", "credential": key.pk, "next": "/dashboard/"})
    assert response.url == "/dashboard/"


def test_the_name_form_refuses_another_users_key_and_a_long_name(client, applicant):
    mine = confirmed_security_key(applicant, name="Mine")
    theirs = confirmed_security_key(UserFactory(), name="Theirs")
    password_only(client, applicant)
    verified_with(client, mine)
    url = reverse("mfa_key_add")
    page = client.post(url, {"name": "Stolen", "credential": theirs.pk})
    assert page.status_code == 200 and "Add the key with the button below first" in page.text
    page = client.post(url, {"name": "x" * 65, "credential": mine.pk})
    assert page.status_code == 200 and "usa-error-message" in page.text
    assert "Save the name" in page.text  # only the name is asked again
    for bad in ("", "abc", "99999999999999999999999"):
        assert client.post(url, {"name": "ok", "credential": bad}).status_code == 200
    assert {k.name for k in WebAuthnCredential.objects.all()} == {"Mine", "Theirs"}


# Removing a key -------------------------------------------------------------------------------


def remove(client, key, password=PASSWORD):
    return client.post(reverse("mfa_key_remove"), {"key": key.pk, "password": password})


def test_removing_the_last_key_asks_the_password_and_turns_two_step_off(client, applicant):
    key = confirmed_security_key(applicant, name="Blue key")
    add_recovery_codes(applicant)
    password_only(client, applicant)
    verified_with(client, key)
    page = client.get(reverse("mfa_key_remove") + f"?key={key.pk}")
    assert "Blue key" in page.text and "checked" in page.text
    assert remove(client, key, password="wrong").status_code == 200
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert remove(client, key).url == reverse("account_security")
    assert not mfa.is_on(applicant)
    assert not StaticDevice.objects.filter(user=applicant).exists()
    assert events_of(applicant) == ["mfa.disabled"]
    assert emails_to(applicant) == ["Two-step verification was turned off for your account"]


def test_staff_may_not_remove_their_only_second_factor(client):
    staff = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    key = confirmed_security_key(staff)
    password_only(client, staff)
    verified_with(client, key)
    response = remove(client, key)
    assert response.status_code == 403
    assert "COPS staff accounts must keep one" in response.text
    assert WebAuthnCredential.objects.filter(pk=key.pk).exists()
    # With an authenticator app as well, the key may go.
    confirmed_app_device(staff)
    assert remove(client, key).url == reverse("account_security")
    assert events_of(staff) == ["mfa.device_removed"]
    assert emails_to(staff) == ["A security key was removed from your account"]


def test_another_users_key_cannot_be_removed(client, applicant):
    mine = confirmed_security_key(applicant)
    theirs = confirmed_security_key(UserFactory())
    password_only(client, applicant)
    verified_with(client, mine)
    assert remove(client, theirs).status_code == 200  # not one of the choices
    assert WebAuthnCredential.objects.filter(pk=theirs.pk).exists()


def test_turning_two_step_off_removes_the_keys_too(client, applicant):
    key = confirmed_security_key(applicant)
    confirmed_app_device(applicant)
    mfa.turn_off(user=applicant, by=applicant)
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert not mfa.is_on(applicant)


def test_the_account_page_lists_the_keys_with_their_dates_and_a_remove_link(client, applicant):
    key = confirmed_security_key(applicant, name="Blue key")
    password_only(client, applicant)
    verified_with(client, key)
    page = client.get(reverse("account_security")).text
    assert 'data-testid="mfa-status">On<' in page
    assert "Blue key" in page and "Not yet" in page
    assert f"{reverse('mfa_key_remove')}?key={key.pk}" in page
