"""The lockout page tells a paused person to reset their password: the reset must then let them in
at once, not after the pause runs out."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from copsgrants.models import AuditEvent
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW = "another-long-passphrase"


def sign_in(client, username: str, password: str):
    return client.post(reverse("login"), {"username": username, "password": password})


def reset_password(client, capture, address: str, new_password: str) -> None:
    """Through the real views, with the link from the email in the outbox."""
    with capture(execute=True):
        response = client.post(reverse("password_reset"), {"email": address})
    assert response.url == reverse("password_reset_done")
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_url = client.get(link).url  # the token moves into the session
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.url == reverse("password_reset_complete")


def test_a_password_reset_lifts_the_sign_in_pause(
    client, settings, django_capture_on_commit_callbacks
):
    user = UserFactory(email="chief@town.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "chief@town.example", "wrong")
    paused = sign_in(client, "chief@town.example", PASSWORD)
    assert paused.status_code == 429
    assert "reset your password" in paused.text
    assert "you can sign in with it at once" in paused.text

    reset_password(client, django_capture_on_commit_callbacks, "chief@town.example", NEW)

    response = sign_in(client, "chief@town.example", NEW)
    assert response.status_code == 302
    assert response.url == reverse("applications:dashboard")
    assert client.session["_auth_user_id"] == str(user.pk)
    assert AuditEvent.objects.for_object(user).filter(verb="user.password_reset").exists()


def test_the_reset_clears_failures_typed_in_any_case(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "Chief@Town.example", "wrong")
    assert sign_in(client, "Chief@Town.example", PASSWORD).status_code == 429
    reset_password(client, django_capture_on_commit_callbacks, "chief@town.example", NEW)
    assert sign_in(client, "Chief@Town.example", NEW).status_code == 302


def test_a_reset_lifts_only_that_accounts_pause(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    UserFactory(email="clerk@town.example")
    for name in ("chief@town.example", "clerk@town.example"):
        for _ in range(settings.AXES_FAILURE_LIMIT):
            sign_in(client, name, "wrong")
    reset_password(client, django_capture_on_commit_callbacks, "chief@town.example", NEW)
    assert AccessAttempt.objects.filter(username="clerk@town.example").exists()
    assert sign_in(client, "clerk@town.example", PASSWORD).status_code == 429


def test_asking_for_a_reset_alone_does_not_lift_the_pause(
    client, settings, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "chief@town.example", "wrong")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "chief@town.example"})
    assert sign_in(client, "chief@town.example", PASSWORD).status_code == 429


def test_a_reset_request_answers_the_same_whether_or_not_the_address_has_an_account(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="chief@town.example")
    answers = []
    for address in ("chief@town.example", "nobody@town.example"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("password_reset"), {"email": address})
        answers.append((response.status_code, response.url))
    assert answers[0] == answers[1] == (302, reverse("password_reset_done"))
    assert [message.to for message in mail.outbox] == [["chief@town.example"]]
