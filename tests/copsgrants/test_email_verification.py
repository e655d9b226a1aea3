import re
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse
from django.utils import timezone
from post_office.models import Email

from copsgrants import verification
from copsgrants.demo import DEMO_LOGINS, ensure_user
from copsgrants.models import AuditEvent, User
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

GOOD = {
    "first_name": "Alex",
    "last_name": "Rivera",
    "email": "Alex.Rivera@Springfield.example",
    "password1": "a-long-unusual-passphrase",
    "password2": "a-long-unusual-passphrase",
}
LINK = re.compile(r"http://127\.0\.0\.1:8000(/accounts/confirm/[^/\s]+/)")


def link_in(message: str) -> str:
    return LINK.search(message).group(1)


def register(client, django_capture_on_commit_callbacks, data=GOOD):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(reverse("register"), data)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_registering_emails_a_confirmation_link_and_does_not_sign_in(
    client, django_capture_on_commit_callbacks, settings
):
    settings.SITE_URL = "http://127.0.0.1:8000"
    response = register(client, django_capture_on_commit_callbacks)
    assert response.url == reverse("verify_email_sent")
    assert not signed_in(client)
    user = User.objects.get()
    assert not user.email_verified
    # Through the outbox (a post_office row), delivered once the registration committed.
    assert Email.objects.get().to == ["alex.rivera@springfield.example"]
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.subject == "Confirm your email address for COPS Grants"
    assert link_in(message.body)
    page = client.get(response.url)
    assert "Check your email" in page.text
    assert "alex.rivera@springfield.example" in page.text
    assert "Send the link again" in page.text


def test_the_link_confirms_the_address_signs_in_and_goes_to_the_dashboard(
    client, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    page = client.get(link)
    assert "Confirm and sign in" in page.text
    assert not User.objects.get().email_verified, "opening the link alone changes nothing"
    response = client.post(link)
    assert response.url == reverse("applications:dashboard")
    user = User.objects.get()
    assert user.email_verified
    assert signed_in(client)
    assert "Your email address is confirmed." in client.get(response.url).text
    event = AuditEvent.objects.for_object(user).get(verb="user.email_verified")
    assert event.actor == user


def test_a_used_link_says_so_and_offers_a_new_one(client, django_capture_on_commit_callbacks):
    register(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    client.post(link)
    client.post(reverse("logout"))
    for method in (client.get, client.post):
        response = method(link)
        assert response.status_code == 200
        assert "This link has been used" in response.text
        assert not signed_in(client)
    assert AuditEvent.objects.filter(verb="user.email_verified").count() == 1


def test_an_expired_link_is_refused_with_a_way_to_get_a_new_one(
    client, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)
    link = link_in(mail.outbox[0].body)
    with time_machine.travel(timezone.now() + timedelta(days=3, minutes=1)):
        response = client.post(link)
    assert response.status_code == 200
    assert "This link no longer works" in response.text
    assert "expire" in response.text
    assert 'action="/accounts/confirm/new/"' in response.text
    assert not User.objects.get().email_verified
    assert not signed_in(client)


@pytest.mark.parametrize("token", ["nonsense", "eyJ1c2VyIjoxfQ:1tQ:AAAA", "x" * 300])
def test_a_tampered_link_is_refused_without_an_error(client, token):
    UserFactory(unverified=True)
    response = client.get(reverse("verify_email", args=[token]))
    assert response.status_code == 200
    assert "This link no longer works" in response.text
    assert client.post(reverse("verify_email", args=[token])).status_code == 200
    assert not User.objects.filter(email_verified_at__isnull=False).exists()


def test_a_link_for_another_address_of_the_account_is_void(client):
    user = UserFactory(unverified=True, email="old@town.example")
    token = verification.make_token(user)
    user.email = "new@town.example"
    user.save(update_fields=["email"])
    assert "This link no longer works" in client.post(reverse("verify_email", args=[token])).text
    user.refresh_from_db()
    assert not user.email_verified


def test_sending_again_is_rate_limited_and_says_when_it_is_possible(
    client, django_capture_on_commit_callbacks, settings
):
    settings.EMAIL_VERIFICATION_RESEND_INTERVAL = timedelta(minutes=5)
    register(client, django_capture_on_commit_callbacks)
    page = client.get(reverse("verify_email_sent"))
    assert "You can ask for another link in 5 minutes" in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verify_email_sent"), follow=True)
    assert "You can ask for another link in 5 minutes" in response.text
    assert len(mail.outbox) == 1
    later = timezone.now() + timedelta(minutes=5, seconds=1)
    with time_machine.travel(later), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("verify_email_sent"), follow=True)
    assert "We sent a new link to alex.rivera@springfield.example" in response.text
    assert len(mail.outbox) == 2
    # Both links work until one is used.
    assert client.post(link_in(mail.outbox[0].body)).status_code == 302


def test_the_sent_page_after_confirming_elsewhere_leads_to_sign_in(
    client, django_capture_on_commit_callbacks
):
    register(client, django_capture_on_commit_callbacks)
    verification.verify_email(user=User.objects.get())  # from the email, in another browser
    response = client.get(reverse("verify_email_sent"))
    assert response.url == reverse("login")
    assert "Your email address is confirmed. Sign in" in client.get(response.url).text
    assert client.get(reverse("verify_email_sent")).url == reverse("verify_email_resend")


def test_the_sent_page_without_a_pending_sign_up_leads_to_the_resend_form(client):
    assert client.get(reverse("verify_email_sent")).url == reverse("verify_email_resend")
    assert client.post(reverse("verify_email_sent")).url == reverse("verify_email_resend")


def test_the_resend_form_answers_the_same_whether_or_not_the_address_has_an_account(
    client, django_capture_on_commit_callbacks
):
    UserFactory(email="waiting@town.example", unverified=True)
    UserFactory(email="confirmed@town.example")
    answers = []
    for address in ("Waiting@Town.example", "confirmed@town.example", "nobody@town.example"):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("verify_email_resend"), {"email": address})
        answers.append((response.status_code, response.url))
    assert len(set(answers)) == 1
    assert answers[0][1] == reverse("verify_email_resend_done")
    assert [message.to for message in mail.outbox] == [["waiting@town.example"]]
    # Again at once: no second message, and still the same answer.
    response = client.post(reverse("verify_email_resend"), {"email": "waiting@town.example"})
    assert (response.status_code, response.url) == answers[0]
    assert len(mail.outbox) == 1
    assert "a new link is on its way" in client.get(reverse("verify_email_resend_done")).text


def test_the_resend_form_shows_errors_next_to_the_field(client):
    response = client.post(reverse("verify_email_resend"), {"email": "not-an-email"})
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert 'id="id_email_error"' in response.text


def test_an_unconfirmed_account_cannot_sign_in_and_is_told_how_to_confirm(client):
    UserFactory(email="waiting@town.example", unverified=True)
    response = client.post(
        reverse("login"), {"username": "waiting@town.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert not signed_in(client)
    assert "Confirm your email address first: we sent a link to waiting@town.example" in (
        response.text
    )
    assert reverse("verify_email_resend") + "?email=waiting%40town.example" in response.text


def test_an_unconfirmed_account_made_staff_cannot_sign_in_to_the_admin_either(client):
    UserFactory(email="waiting@town.example", unverified=True, is_staff=True)
    response = client.post(
        reverse("admin:login"), {"username": "waiting@town.example", "password": PASSWORD}
    )
    assert response.status_code == 200
    assert not signed_in(client)
    assert "Confirm your email address first" in response.text


def test_the_unconfirmed_message_needs_the_right_password(client):
    UserFactory(email="waiting@town.example", unverified=True)
    response = client.post(reverse("login"), {"username": "waiting@town.example", "password": "x"})
    assert "Confirm your email address" not in response.text
    assert "The email address or password is not right" in response.text


def test_a_password_reset_confirms_the_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="waiting@town.example", unverified=True)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "waiting@town.example"})
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_url = client.get(link).url
    new = "another-long-passphrase"
    client.post(form_url, {"new_password1": new, "new_password2": new})
    user.refresh_from_db()
    assert user.email_verified
    response = client.post(
        reverse("login"),
        {"username": "waiting@town.example", "password": "another-long-passphrase"},
    )
    assert response.status_code == 302


def test_accounts_made_outside_self_registration_are_confirmed(admin_client):
    assert User.objects.create_user(email="made@cops.example", password="x").email_verified
    response = admin_client.post(
        reverse("admin:copsgrants_user_add"),
        {
            "email": "staffer@cops.example",
            "password1": "a-long-passphrase!",
            "password2": "a-long-passphrase!",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302
    assert User.objects.get(email="staffer@cops.example").email_verified


def test_demo_accounts_are_confirmed():
    user, created = ensure_user(DEMO_LOGINS[0])
    assert created and user.email_verified


@pytest.mark.django_db(transaction=True)
def test_the_migration_marks_existing_accounts_confirmed():
    executor = MigrationExecutor(connection)
    executor.migrate([("copsgrants", "0001_initial")])
    old_apps = executor.loader.project_state([("copsgrants", "0001_initial")]).apps
    old_apps.get_model("copsgrants", "User").objects.create(email="before@town.example")
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
    assert User.objects.get(email="before@town.example").email_verified
