"""The account security page: turning two-step verification on and off, recovery codes, and the
audit events and security emails each change leaves."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from post_office.models import Email

from copsgrants import mfa, roles
from copsgrants.models import AuditEvent
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import confirmed_app_device, current_code

pytestmark = pytest.mark.django_db

BACKEND = "django.contrib.auth.backends.ModelBackend"


def emails_to(user) -> list[str]:
    return [e.subject for e in Email.objects.order_by("pk") if user.email in e.to]


def events_of(user) -> list[str]:
    return list(AuditEvent.objects.for_object(user).order_by("pk").values_list("verb", flat=True))


def turned_on(client, user) -> TOTPDevice:
    """Sign in and set up an authenticator app through the pages."""
    client.force_login(user, backend=BACKEND)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("mfa_setup"), {"code": current_code(device)})
    assert response.url == reverse("mfa_recovery_codes")
    client.get(response.url)  # the codes, shown once
    return device


def test_the_account_page_shows_whether_it_is_on_and_the_devices(client, applicant):
    client.force_login(applicant, backend=BACKEND)
    page = client.get(reverse("account_security"))
    assert 'data-testid="mfa-status">Off<' in page.text
    assert reverse("mfa_setup") in page.text

    turned_on(client, applicant)
    page = client.get(reverse("account_security"))
    assert 'data-testid="mfa-status">On<' in page.text
    assert "Authenticator app" in page.text and "Not yet" not in page.text  # used to confirm
    assert "<strong>10</strong> unused" in page.text
    assert reverse("mfa_disable") in page.text
    # The header links every signed-in page to it.
    assert f'href="{reverse("account_security")}"' in client.get("/dashboard/").text


def test_turning_it_on_records_an_event_and_emails_a_security_notice(client, applicant):
    turned_on(client, applicant)
    assert events_of(applicant) == ["mfa.enabled"]
    assert emails_to(applicant) == ["Two-step verification was turned on for your account"]
    body = Email.objects.get().message
    assert "If you did not, change your password" in body
    assert reverse("account_security") in body


def test_new_recovery_codes_replace_the_old_ones(client, applicant):
    turned_on(client, applicant)
    old = set(StaticDevice.objects.get(user=applicant).token_set.values_list("token", flat=True))
    page = client.get(reverse("mfa_recovery_codes"))
    assert "<strong>10</strong> unused recovery codes" in page.text
    response = client.post(reverse("mfa_recovery_codes"), follow=True)
    assert "Save these codes now" in response.text
    assert "Your earlier codes no longer work" in response.text
    new = set(StaticDevice.objects.get(user=applicant).token_set.values_list("token", flat=True))
    assert len(new) == 10 and not new & old
    assert all(code in response.text for code in new)
    assert events_of(applicant)[-1] == "mfa.recovery_codes_replaced"
    assert emails_to(applicant)[-1] == "New recovery codes were made for your account"
    with pytest.raises(mfa.MFAError):
        mfa.check_code(user=applicant, token=sorted(old)[0])


def test_recovery_codes_need_an_app_first(client, applicant):
    client.force_login(applicant, backend=BACKEND)
    page = client.post(reverse("mfa_recovery_codes"))
    assert page.status_code == 200
    assert "Turn on two-step verification first" in page.text
    assert not StaticDevice.objects.exists()
    page = client.get(reverse("mfa_disable"))
    assert "Two-step verification is already off." in page.text
    assert 'name="password"' not in page.text
    assert client.post(reverse("mfa_disable"), {"password": PASSWORD}).status_code == 403


def test_turning_it_off_asks_for_the_password(client, applicant):
    turned_on(client, applicant)
    response = client.post(reverse("mfa_disable"), {"password": "not-my-password"})
    assert response.status_code == 200
    assert "That password is not right." in response.text
    assert mfa.is_on(applicant)

    response = client.post(reverse("mfa_disable"), {"password": PASSWORD})
    assert response.url == reverse("account_security")
    assert not mfa.is_on(applicant)
    assert not TOTPDevice.objects.filter(user=applicant).exists()
    assert not StaticDevice.objects.filter(user=applicant).exists()
    assert events_of(applicant) == ["mfa.enabled", "mfa.disabled"]
    assert emails_to(applicant)[-1] == "Two-step verification was turned off for your account"
    assert client.get("/dashboard/").status_code == 200


@pytest.mark.parametrize("staff", [{"roles": [roles.GRANTS_MANAGER]}, {"is_superuser": True}])
def test_staff_cannot_turn_it_off_and_are_told_why(client, staff):
    user = UserFactory(is_staff=True, **staff)
    client.force_login(user, backend=BACKEND)  # verified with a device (tests/conftest.py)
    assert mfa.is_on(user)
    page = client.get(reverse("account_security"))
    assert reverse("mfa_disable") not in page.text
    assert "COPS staff accounts must keep two-step verification on" in page.text

    page = client.get(reverse("mfa_disable"))
    assert 'data-testid="turn-off-refused"' in page.text
    assert 'name="password"' not in page.text
    response = client.post(reverse("mfa_disable"), {"password": PASSWORD})
    assert response.status_code == 403
    assert mfa.is_on(user)
    with pytest.raises(mfa.MFAError, match="must keep two-step verification on"):
        mfa.turn_off(user=user, by=user)
    assert "mfa.disabled" not in events_of(user)


def test_a_second_app_is_added_without_replacing_the_recovery_codes(client, applicant):
    first = turned_on(client, applicant)
    codes = set(StaticDevice.objects.get(user=applicant).token_set.values_list("token", flat=True))
    client.get(reverse("mfa_setup"))
    second = TOTPDevice.objects.get(user=applicant, confirmed=False)
    assert second.key != first.key
    response = client.post(reverse("mfa_setup"), {"code": current_code(second)})
    assert response.url == reverse("account_security")
    assert TOTPDevice.objects.filter(user=applicant, confirmed=True).count() == 2
    assert codes == set(
        StaticDevice.objects.get(user=applicant).token_set.values_list("token", flat=True)
    )
    assert events_of(applicant) == ["mfa.enabled", "mfa.device_added"]


@pytest.mark.second_factor_gate
def test_a_password_alone_cannot_add_an_app_to_an_account_that_has_one(client):
    user = UserFactory()
    confirmed_app_device(user)
    client.force_login(user, backend=BACKEND)
    response = client.get(reverse("mfa_setup"))
    assert response.url.startswith(reverse("mfa_verify"))
    response = client.post(reverse("mfa_setup"), {"code": "123456"})
    assert response.url.startswith(reverse("mfa_verify"))
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()
    for name in ("account_security", "mfa_recovery_codes", "mfa_disable"):
        assert client.get(reverse(name)).url.startswith(reverse("mfa_verify")), name


def test_the_forced_staff_sign_in_of_the_test_suite_uses_a_real_device(client, reviewer):
    client.force_login(reviewer, backend=BACKEND)
    assert client.get(reverse("admin:index")).status_code == 200
    assert TOTPDevice.objects.filter(user=reviewer, confirmed=True).count() == 1


@pytest.mark.second_factor_gate
def test_the_marker_keeps_the_plain_forced_sign_in(client, reviewer):
    client.force_login(reviewer, backend=BACKEND)
    assert client.get(reverse("admin:index")).status_code == 302


def test_every_staff_demo_login_has_the_documented_authenticator_key(client):
    from base64 import b32decode
    from io import StringIO

    from copsgrants.demo import DEMO_LOGINS, DEMO_TOTP_KEY, demo_password, seed
    from copsgrants.models import User

    seed(stdout=StringIO())
    seed(stdout=StringIO())  # idempotent: still one device each
    for login in DEMO_LOGINS:
        devices = TOTPDevice.objects.filter(user__email=login.email)
        if login.staff:
            (device,) = devices
            assert device.confirmed and device.bin_key == b32decode(DEMO_TOTP_KEY), login.email
        else:
            assert not devices.exists(), login.email
    manager = User.objects.get(email="manager@demo.test")
    client.post(reverse("login"), {"username": manager.email, "password": demo_password()})
    assert client.get("/admin/").url.startswith(reverse("mfa_verify"))
    code = current_code(TOTPDevice.objects.get(user=manager))
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302
    assert client.get("/admin/").status_code == 200
