"""A test client signed in as a seeded user, past two-step verification where the user owes it
(staff): the session holds the user's confirmed device, as `django_otp.login` leaves it after a
correct code. The benchmark measures pages, not the sign-in."""

from __future__ import annotations


def signed_in_client(email: str):
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from copsgrants import mfa
    from copsgrants.models import User

    user = User.objects.get(email=email)
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if mfa.must_verify(user):
        device = TOTPDevice.objects.devices_for_user(user, confirmed=True).first()
        if device is None:
            raise SystemExit(f"{email} owes a second factor and has no device: run seed_demo")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client
