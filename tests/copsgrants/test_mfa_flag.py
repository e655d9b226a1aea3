"""`User.two_step_on`: the flag the gate reads on every request instead of asking the device
tables. It follows a confirmed authenticator app or security key however one is added or
removed (our pages, the plugin's models, the admin, the ORM), and always answers what
`mfa.is_on` asks of the device tables."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from copsgrants import mfa
from copsgrants.models import User
from tests.factories import PASSWORD, UserFactory
from tests.mfa_helpers import (
    add_recovery_codes,
    confirmed_app_device,
    confirmed_security_key,
    verified_with,
)

from .test_mfa_account import turned_on

pytestmark = [pytest.mark.django_db, pytest.mark.second_factor_gate]


def flag(user) -> bool:
    """The flag as stored, checked against the device tables."""
    stored = User.objects.values_list("two_step_on", flat=True).get(pk=user.pk)
    assert stored == mfa.is_on(user)
    return stored


def test_a_confirmed_app_turns_it_on_and_removing_it_turns_it_off(applicant):
    assert not flag(applicant)
    pending = TOTPDevice.objects.create(user=applicant, name="Pending", confirmed=False)
    assert not flag(applicant), "an unconfirmed app is no second factor"
    pending.confirmed = True
    pending.save()
    assert flag(applicant)
    assert applicant.two_step_on, "the device's loaded user follows too"
    pending.delete()
    assert not flag(applicant)
    assert not applicant.two_step_on


def test_recovery_codes_alone_do_not_turn_it_on(applicant):
    add_recovery_codes(applicant)
    assert not flag(applicant)


def test_it_stays_on_while_another_factor_is_left(applicant):
    app = confirmed_app_device(applicant)
    key = confirmed_security_key(applicant)
    app.delete()
    assert flag(applicant)
    WebAuthnCredential.objects.filter(pk=key.pk).delete()  # a queryset delete sends the signal
    assert not flag(applicant)


def test_unconfirming_a_device_turns_it_off(applicant):
    key = confirmed_security_key(applicant)
    assert flag(applicant)
    key.confirmed = False
    key.save(update_fields=["confirmed"])
    assert not flag(applicant)


def test_a_device_saved_from_another_loaded_user_updates_the_database(applicant):
    # The device's user was never loaded: the row changes, and a fresh read sees it.
    TOTPDevice.objects.create(user_id=applicant.pk, name="App", confirmed=True)
    assert not applicant.two_step_on  # this instance was loaded before
    applicant.refresh_from_db()
    assert applicant.two_step_on


def test_it_follows_the_pages_that_turn_it_on_and_off(client, applicant):
    turned_on(client, applicant)
    assert flag(applicant)
    client.post(reverse("mfa_disable"), {"password": PASSWORD})
    assert not flag(applicant)


def test_it_follows_removing_the_last_key_on_its_page(client, applicant):
    key = confirmed_security_key(applicant, name="Blue key")
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    verified_with(client, key)
    response = client.post(reverse("mfa_key_remove"), {"key": key.pk, "password": PASSWORD})
    assert response.url == reverse("account_security")
    assert not flag(applicant)


def test_it_follows_a_superuser_removing_a_device_in_the_admin(client, applicant):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    key = confirmed_security_key(applicant)
    client.force_login(superuser, backend="django.contrib.auth.backends.ModelBackend")
    verified_with(client, confirmed_app_device(superuser))
    url = reverse("admin:django_otp_webauthn_webauthncredential_delete", args=[key.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not WebAuthnCredential.objects.filter(pk=key.pk).exists()
    assert not flag(applicant)


def test_the_gate_asks_no_query_of_the_device_tables(client, applicant):
    confirmed_app_device(applicant)
    client.force_login(applicant, backend="django.contrib.auth.backends.ModelBackend")
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("applications:dashboard"))
    assert response.url == f"{reverse('mfa_verify')}?next=/dashboard/"
    assert not [q for q in queries if "otp_" in q["sql"]]


def test_the_migration_sets_it_for_users_with_a_confirmed_app_or_key(applicant):
    with_app, with_key, with_codes = UserFactory(), UserFactory(), UserFactory()
    confirmed_app_device(with_app)
    confirmed_security_key(with_key)
    add_recovery_codes(with_codes)
    TOTPDevice.objects.create(user=applicant, name="Pending", confirmed=False)
    User.objects.update(two_step_on=False)  # as before the migration added the column

    migration = importlib.import_module("copsgrants.migrations.0003_user_two_step_on")
    migration.set_two_step_on(apps, None)

    on = set(User.objects.filter(two_step_on=True).values_list("pk", flat=True))
    assert on == {with_app.pk, with_key.pk}
