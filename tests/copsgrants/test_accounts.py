import re

import pytest
from django.core import mail
from django.urls import reverse

from copsgrants.models import User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Alex",
    "last_name": "Rivera",
    "email": "Alex.Rivera@Springfield.example",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}


def test_it_registers_a_user_with_email_as_login_and_asks_them_to_confirm_it(client):
    response = client.post(reverse("register"), GOOD)
    assert response.status_code == 302
    assert response.url == reverse("verify_email_sent")
    user = User.objects.get()
    assert user.email == "alex.rivera@springfield.example"
    assert user.check_password(GOOD["password1"])
    assert user.email_verified_at is None
    # Not signed in until the address is confirmed (tests/copsgrants/test_email_verification.py).
    assert client.get(reverse("applications:dashboard")).status_code == 302


def test_it_refuses_an_email_that_is_already_registered_whatever_its_case(client):
    UserFactory(email="alex.rivera@springfield.example")
    response = client.post(reverse("register"), GOOD)
    assert response.status_code == 200
    assert "An account with this email address already exists" in response.text
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-pw", "This password is too short"),
        ("password1234", "This password is too common"),
        ("839201748392017", "This password is entirely numeric"),
        ("alex.rivera.springfield", "too similar"),
    ],
)
def test_it_applies_django_password_validators(client, password, message):
    response = client.post(
        reverse("register"), GOOD | {"password1": password, "password2": password}
    )
    assert response.status_code == 200
    assert message in response.text
    assert not User.objects.exists()


def test_it_shows_errors_next_to_fields_and_in_a_summary(client):
    response = client.post(reverse("register"), GOOD | {"email": "not-an-email", "password2": "x"})
    html = response.text
    assert "There is a problem" in html
    assert 'href="#id_email"' in html
    assert 'id="id_email_error"' in html
    assert 'aria-describedby="id_email_helptext id_email_error"' in html
    assert "usa-input--error" in html


def test_it_signs_in_with_email_case_insensitively_and_signs_out(client):
    UserFactory(email="chief@town.example")
    response = client.post(
        reverse("login"), {"username": "Chief@Town.example", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("applications:dashboard")).status_code == 302


def test_it_rejects_a_wrong_password_with_a_clear_message(client):
    UserFactory(email="chief@town.example")
    response = client.post(reverse("login"), {"username": "chief@town.example", "password": "no"})
    assert response.status_code == 200
    assert "The email address or password is not right" in response.text


def test_it_locks_sign_in_after_repeated_failures_even_for_the_right_password(client):
    UserFactory(email="chief@town.example")
    for _ in range(5):
        client.post(reverse("login"), {"username": "chief@town.example", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "chief@town.example", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.text
    assert "_auth_user_id" not in client.session


def test_a_lockout_for_one_account_does_not_lock_another(client):
    UserFactory(email="chief@town.example")
    UserFactory(email="clerk@town.example")
    for _ in range(5):
        client.post(reverse("login"), {"username": "chief@town.example", "password": "wrong"})
    response = client.post(
        reverse("login"), {"username": "clerk@town.example", "password": PASSWORD}
    )
    assert response.status_code == 302


def test_password_reset_emails_a_link_that_sets_a_new_password(
    client, django_capture_on_commit_callbacks
):
    user = UserFactory(email="chief@town.example")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "chief@town.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["chief@town.example"]
    assert message.subject == "Reset your COPS Grants password"
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", message.body).group(1)

    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0]
    response = client.post(
        form_url,
        {"new_password1": "another-long-passphrase", "new_password2": "another-long-passphrase"},
    )
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("another-long-passphrase")


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(
    client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "nobody@town.example"})
    assert response.status_code == 302
    assert response.url == reverse("password_reset_done")
    assert mail.outbox == []
