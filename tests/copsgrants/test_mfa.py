"""Two-step verification: the gate in front of the admin and of accounts that turned it on, and the
code step of signing in (app codes, recovery codes, the throttle, `next`)."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from copsgrants import mfa, roles
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import confirmed_app_device, current_code

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_gate]

BACKEND = "django.contrib.auth.backends.ModelBackend"


def password_only(client, user):
    client.force_login(user, backend=BACKEND)
    return client


def sign_in_with_password(client, user, next_url=""):
    data = {"username": user.email, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def verify_url(next_url: str) -> str:
    return f"{reverse('mfa_verify')}?next={quote(next_url, safe='/')}"


def admin_sample(user) -> list[str]:
    return [
        reverse("admin:index"),
        reverse("admin:applications_application_changelist"),
        reverse("admin:copsgrants_user_change", args=[user.pk]),
        reverse("admin:auth_user_password_change", args=[user.pk]),  # a custom admin URL
        reverse("admin:otp_totp_totpdevice_changelist"),
    ]


def test_staff_without_a_device_are_sent_to_set_one_up_from_every_admin_page(client):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER])
    password_only(client, staff)
    for url in admin_sample(staff):
        for response in (client.get(url), client.post(url)):
            assert response.status_code == 302, url
            assert response.url == f"{reverse('mfa_setup')}?next={quote(url, safe='/')}"


def test_staff_with_a_device_are_sent_to_the_code_step_from_every_admin_page(client):
    staff = UserFactory(roles=[roles.PROGRAM_SPECIALIST])
    confirmed_app_device(staff)
    password_only(client, staff)
    for url in admin_sample(staff):
        response = client.get(url)
        assert (response.status_code, response.url) == (302, verify_url(url)), url
    # The agency side too: nothing but the public pages opens before the code.
    assert client.get(reverse("applications:dashboard")).url.startswith(reverse("mfa_verify"))
    assert client.get(reverse("home")).status_code == 200
    assert client.get(reverse("mfa_setup")).url.startswith(reverse("mfa_verify"))


def test_the_admin_sign_in_leads_through_the_code_step_back_to_the_admin(client):
    staff = UserFactory(roles=[roles.GRANTS_MANAGER])
    device = confirmed_app_device(staff)
    response = client.post(
        reverse("admin:login") + "?next=/admin/",
        {"username": staff.email, "password": PASSWORD, "next": "/admin/"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == verify_url("/admin/")
    assert "Enter the 6-digit code from your authenticator app" in response.text
    assert client.get(reverse("admin:index")).status_code == 302

    response = client.post(
        reverse("mfa_verify"), {"code": current_code(device), "next": "/admin/"}, follow=True
    )
    assert response.redirect_chain == [("/admin/", 302)]
    assert response.status_code == 200
    assert "COPS Grants administration" in response.text
    device.refresh_from_db()
    assert device.last_used_at is not None


def test_a_wrong_code_is_refused_next_to_the_field_and_counts_toward_the_throttle(client):
    staff = UserFactory(roles=[roles.REVIEWER])
    device = confirmed_app_device(staff)
    password_only(client, staff)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa_verify"), {"code": wrong, "next": "/admin/"})
    assert response.status_code == 200
    assert 'id="id_code_error"' in response.text or "usa-error-message" in response.text
    assert "That code is not right" in response.text
    assert "There is a problem" in response.text  # the error summary
    device.refresh_from_db()
    assert device.throttling_failure_count == 1

    # At once, even the right code waits out the delay, and says how long.
    response = client.post(reverse("mfa_verify"), {"code": current_code(device)})
    assert "Too many wrong codes: try again in 1 second" in response.text
    assert client.get(reverse("admin:index")).status_code == 302

    with time_machine.travel(timezone.now() + timedelta(seconds=2)):
        response = client.post(reverse("mfa_verify"), {"code": current_code(device)})
        assert response.status_code == 302
        assert client.get(reverse("admin:index")).status_code == 200
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_a_code_used_a_moment_ago_says_to_wait_for_the_next_one(client):
    staff = UserFactory(roles=[roles.REVIEWER])
    device = confirmed_app_device(staff)
    code = current_code(device)
    password_only(client, staff)
    assert client.post(reverse("mfa_verify"), {"code": code}).status_code == 302

    client.logout()
    password_only(client, staff)
    response = client.post(reverse("mfa_verify"), {"code": code})
    assert "That code was just used: each code works once." in response.text
    assert "That code is not right" not in response.text
    assert client.get(reverse("admin:index")).status_code == 302


def test_repeated_wrong_codes_double_the_wait(client):
    user = UserFactory()
    device = confirmed_app_device(user)
    password_only(client, user)
    start = timezone.now()
    # Each wrong code waits out the previous delay (1 s, then 2 s) before it is counted.
    for seconds in (0, 2, 5):
        with time_machine.travel(start + timedelta(seconds=seconds), tick=False):
            client.post(reverse("mfa_verify"), {"code": "000000"})
    device.refresh_from_db()
    assert device.throttling_failure_count == 3
    with time_machine.travel(start + timedelta(seconds=5), tick=False):
        response = client.post(reverse("mfa_verify"), {"code": "000000"})
    assert "Too many wrong codes: try again in 4 seconds" in response.text
    device.refresh_from_db()
    assert device.throttling_failure_count == 3  # a refused attempt is not counted again


def test_a_recovery_code_signs_in_once(client):
    user = UserFactory()
    device = confirmed_app_device(user)
    codes = mfa.replace_recovery_codes(user=user, by=user)
    assert len(codes) == len(set(codes)) == 10
    del device

    password_only(client, user)
    response = client.post(reverse("mfa_verify"), {"code": codes[0].upper(), "next": "/training/"})
    assert response.status_code == 302 and response.url == "/training/"
    assert mfa.recovery_codes_left(user) == 9
    assert "9 left" in client.get(reverse("account_security")).text

    client.post(reverse("logout"))
    password_only(client, user)
    response = client.post(reverse("mfa_verify"), {"code": codes[0]})
    assert response.status_code == 200
    assert "That code is not right" in response.text


def test_an_applicant_with_two_step_verification_off_is_not_asked(client, applicant):
    sign_in_with_password(client, applicant)
    assert client.get(reverse("applications:dashboard")).status_code == 200
    assert client.get(reverse("account_security")).status_code == 200
    # The code step has nothing to ask them: it says so and leads on.
    page = client.get(reverse("mfa_verify"))
    assert "there is no code to enter" in page.text
    assert 'name="code"' not in page.text


def test_an_applicant_who_turns_it_on_is_asked_at_the_next_sign_in(client, applicant):
    sign_in_with_password(client, applicant)
    page = client.get(reverse("mfa_setup"))
    assert page.status_code == 200
    assert 'src="data:image/svg+xml;base64,' in page.text
    device = TOTPDevice.objects.get(user=applicant, confirmed=False)
    assert mfa.manual_key(device) in page.text
    assert not mfa.must_verify(applicant)  # an unconfirmed device turns nothing on

    response = client.post(reverse("mfa_setup"), {"code": current_code(device)})
    assert response.url == reverse("mfa_recovery_codes")
    assert "Save these codes now" in client.get(response.url).text
    # Shown once: a reload shows how many are left, not the codes.
    assert "Save these codes now" not in client.get(response.url).text
    assert mfa.recovery_codes_left(applicant) == 10
    assert client.get(reverse("applications:dashboard")).status_code == 200  # verified already

    client.post(reverse("logout"))
    response = sign_in_with_password(client, applicant)
    assert response.url == reverse("applications:dashboard")
    response = client.get(response.url)
    assert (response.status_code, response.url) == (302, verify_url("/dashboard/"))
    response = client.post(
        reverse("mfa_verify"), {"code": current_code(device), "next": "/dashboard/"}
    )
    assert response.url == "/dashboard/"
    assert client.get("/dashboard/").status_code == 200


def test_a_setup_code_that_is_wrong_leaves_the_device_unconfirmed(client, applicant):
    password_only(client, applicant)
    client.get(reverse("mfa_setup"))
    device = TOTPDevice.objects.get(user=applicant)
    wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"
    response = client.post(reverse("mfa_setup"), {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.text
    device.refresh_from_db()
    assert not device.confirmed and device.throttling_failure_count == 1
    # Reloading keeps the same key, so the app already scanned still matches.
    client.get(reverse("mfa_setup"))
    assert list(TOTPDevice.objects.filter(user=applicant).values_list("key", flat=True)) == [
        device.key
    ]
    response = client.post(reverse("mfa_setup"), {"code": "12345"})
    assert "Enter the 6 digits your app shows" in response.text


def test_staff_set_up_their_app_and_land_where_they_were_going(client):
    staff = UserFactory(roles=[roles.TRAINING_COORDINATOR])
    password_only(client, staff)
    url = reverse("admin:training_course_changelist")
    setup = client.get(url, follow=True)
    assert "COPS staff accounts use two-step verification" in setup.text
    device = TOTPDevice.objects.get(user=staff)
    response = client.post(
        reverse("mfa_setup"), {"code": current_code(device), "next": url}, follow=True
    )
    assert "Save these codes now" in response.text
    assert f'href="{url}"' in response.text
    assert client.get(url).status_code == 200


def test_next_is_kept_and_an_off_site_next_is_ignored(client):
    user = UserFactory()
    device = confirmed_app_device(user)
    password_only(client, user)
    for evil in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get(reverse("mfa_verify"), {"next": evil})
        assert f'value="{evil}"' not in response.text
        response = client.post(reverse("mfa_verify"), {"code": "999999x", "next": evil})
        assert response.status_code == 200
    with time_machine.travel(timezone.now() + timedelta(seconds=5)):
        response = client.post(
            reverse("mfa_verify"), {"code": current_code(device), "next": "https://evil.example/"}
        )
    assert response.url == reverse("applications:dashboard")


@pytest.mark.parametrize(
    "code",
    [
        "",
        " ",
        "x" * 5000,
        "\uff11" * 6,
        "12 34 56",
        "-",
        "<script>",
        "0" * 17,
        "é" * 8,
        "999999999",
    ],
)
def test_no_code_is_a_server_error(client, code):
    user = UserFactory(roles=[roles.REVIEWER])
    confirmed_app_device(user)
    mfa.replace_recovery_codes(user=user, by=user)
    password_only(client, user)
    for name in ("mfa_verify", "mfa_setup"):
        assert client.post(reverse(name), {"code": code}).status_code in {200, 302}


def test_signing_out_stays_open_to_someone_who_owes_a_code(client):
    staff = UserFactory(roles=[roles.REVIEWER])
    confirmed_app_device(staff)
    password_only(client, staff)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response.url == reverse("home")
    assert "_auth_user_id" not in client.session
