"""Two-step verification (multi-factor authentication) on django-otp.

After the password, a user who must present a second factor gives a 6-digit code from an
authenticator app (a TOTP device, django_otp.plugins.otp_totp), touches a security key (a WebAuthn
credential, django_otp_webauthn; copsgrants/keys.py), or gives one of ten single-use recovery
codes (a static device, django_otp.plugins.otp_static). Who must: every staff user, so the admin
never opens on a password alone, and anyone who turned it on. `SecondFactorGateMiddleware` keeps
such a user, until this session is verified, to the verify and setup pages, sign-out and the
public pages. Failed codes are throttled by django-otp itself (1, 2, 4, 8 ... seconds).

The services below change devices; views turn their errors into form errors.
"""

from __future__ import annotations

import math
from base64 import b32encode, b64encode
from collections.abc import Callable
from io import BytesIO

import qrcode
import qrcode.image.svg
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from .audit import record
from .email import send_templated_email
from .models import User, has_second_factor

RECOVERY_CODE_COUNT = 10
APP_DEVICE_NAME = "Authenticator app"
RECOVERY_DEVICE_NAME = "Recovery codes"
WRONG_CODE = (
    "That code is not right. Enter the 6-digit code your authenticator app shows now, or one "
    "of your recovery codes."
)


JUST_USED = (
    "That code was just used: each code works once. Wait for your app to show the next one (a new "
    "code every 30 seconds)."
)


class MFAError(Exception):
    """A refused change or code, with a message fit to show the user."""


# Facts about a user -------------------------------------------------------------------------


def app_devices(user: User):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("created_at", "pk")


def security_keys(user: User):
    return WebAuthnCredential.objects.devices_for_user(user, confirmed=True).order_by(
        "created_at", "pk"
    )


def is_on(user: User) -> bool:
    """Whether the user has turned two-step verification on: a confirmed authenticator app or
    security key (recovery codes alone only back those up). Asked of the device tables (one
    query), for the services and pages that change devices; the gate on every request reads
    the flag the device models' signals keep instead (`must_verify`)."""
    return has_second_factor(user.pk)


def required(user: User) -> bool:
    """Staff always present a second factor, whether or not they have set one up."""
    return user.is_staff or user.is_superuser


def must_verify(user: User) -> bool:
    """Staff always present a second factor; others once they have turned it on. No query:
    `User.two_step_on` is what `is_on` would answer (copsgrants.models keeps it)."""
    return required(user) or user.two_step_on


def recovery_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def may_turn_off(user: User) -> tuple[bool, str]:
    if required(user):
        return False, (
            "COPS staff accounts must keep two-step verification on: the staff admin holds "
            "every agency's applications and awards. A superuser can remove a lost device so "
            "you can set up a new one."
        )
    if not is_on(user):
        return False, "Two-step verification is already off."
    return True, ""


# Setting up an authenticator app ------------------------------------------------------------


def pending_app_device(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up: reused, so reloading the page keeps the same key."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, confirmed=False)
    return device


def manual_key(device: TOTPDevice) -> str:
    """The secret as authenticator apps take it typed in: base32, in groups of four."""
    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))


def qr_code_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// URL as an SVG QR code in a data: URI (the CSP allows data: images)."""
    image = qrcode.make(device.config_url, image_factory=qrcode.image.svg.SvgPathImage)
    out = BytesIO()
    image.save(out)
    return "data:image/svg+xml;base64," + b64encode(out.getvalue()).decode()


def confirm_app_device(*, device: TOTPDevice, token: str, by: User) -> list[str]:
    """Confirm a pending device with its first correct code. Returns the new recovery codes when
    this turned two-step verification on (else an empty list: the old codes still hold)."""
    if device.confirmed:
        raise MFAError("This authenticator app is already set up.")
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        wait = seconds_to_wait(device)
        if wait:
            refused = throttled_message(wait)
        else:
            # verify_token counts a failure toward the throttle itself (and saves it).
            refused = None if device.verify_token(normalise(token)) else "not right"
    if refused == "not right":
        raise MFAError(
            "That code is not right. Enter the 6-digit code your app shows for COPS Grants now."
        )
    if refused:
        raise MFAError(refused)
    user = device.user
    with transaction.atomic():
        turned_on = not is_on(user)
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        record(
            verb="mfa.enabled" if turned_on else "mfa.device_added",
            target=user,
            actor=by,
            message=f"Authenticator app added ({device.name}).",
            data={"device": device.persistent_id},
        )
        codes = _new_recovery_codes(user) if turned_on or not recovery_codes_left(user) else []
        _notify(
            user,
            "Two-step verification was turned on for your account"
            if turned_on
            else "An authenticator app was added to your account",
        )
    return codes


def replace_recovery_codes(*, user: User, by: User) -> list[str]:
    """A new set of recovery codes; every earlier code stops working."""
    if not is_on(user):
        raise MFAError("Set up an authenticator app first: recovery codes back it up.")
    with transaction.atomic():
        codes = _new_recovery_codes(user)
        record(
            verb="mfa.recovery_codes_replaced",
            target=user,
            actor=by,
            message=f"{len(codes)} new recovery codes; the earlier ones no longer work.",
        )
        _notify(user, "New recovery codes were made for your account")
    return codes


def turn_off(*, user: User, by: User) -> None:
    """Remove every second factor of the user. Refused for staff (see may_turn_off)."""
    allowed, reason = may_turn_off(user)
    if not allowed:
        raise MFAError(reason)
    with transaction.atomic():
        removed = TOTPDevice.objects.filter(user=user).delete()[0]
        removed += (
            WebAuthnCredential.objects.filter(user=user)
            .delete()[1]
            .get(WebAuthnCredential._meta.label, 0)
        )
        StaticDevice.objects.filter(user=user).delete()
        record(
            verb="mfa.disabled",
            target=user,
            actor=by,
            message="Two-step verification turned off.",
            data={"devices": removed},
        )
        _notify(user, "Two-step verification was turned off for your account")


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = []
    while len(codes) < RECOVERY_CODE_COUNT:
        code = StaticToken.random_token()
        if code not in codes:
            codes.append(code)
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def _notify(user: User, subject: str) -> None:
    context = {
        "subject": subject,
        "user_name": user.get_full_name() or user.email,
        "security_url": settings.SITE_URL + reverse("account_security"),
    }
    send_templated_email(template="registration/mfa_notice", context=context, to=[user.email])


# Checking a code ----------------------------------------------------------------------------


def normalise(token: str) -> str:
    """Spaces and dashes are ignored; recovery codes are not case-sensitive."""
    return "".join(token.split()).replace("-", "").lower()


def seconds_to_wait(device: Device) -> int:
    allowed, data = device.verify_is_allowed()
    if allowed or not data or "locked_until" not in data:
        return 0
    return max(1, math.ceil((data["locked_until"] - timezone.now()).total_seconds()))


def throttled_message(seconds: int) -> str:
    unit = "second" if seconds == 1 else "seconds"
    return f"Too many wrong codes: try again in {seconds} {unit}."


def check_code(*, user: User, token: str) -> Device:
    """The device that accepts `token` (a 6-digit app code or a recovery code, which is used up).

    Every device of the user is locked while checking, and none is tried while any is in its
    throttle delay, so guessing cannot alternate between app codes and recovery codes.
    """
    token = normalise(token)
    accepted: Device | None = None
    wait = 0
    with transaction.atomic():
        apps = list(app_devices(user).select_for_update())
        recovery = list(StaticDevice.objects.filter(user=user, confirmed=True).select_for_update())
        wait = max((seconds_to_wait(d) for d in apps + recovery), default=0)
        if not wait:
            candidates = apps if token.isdigit() and len(token) == 6 else recovery
            if token and len(token) <= 16:
                accepted = next((d for d in candidates if d.verify_token(token)), None)
            elif candidates:
                candidates[0].throttle_increment()
    if wait:
        raise MFAError(throttled_message(wait))
    if accepted is None:
        raise MFAError(JUST_USED if _just_used(apps, token) else WRONG_CODE)
    return accepted


def _just_used(apps: list[TOTPDevice], token: str) -> bool:
    """Whether `token` is the code an app device last accepted (signing in twice within one
    30-second step, or on two screens at once): a different message from a wrong code."""
    if not (token.isdigit() and len(token) == 6):
        return False
    return any(
        device.last_t >= 0 and hotp(device.bin_key, device.last_t, device.digits) == int(token)
        for device in apps
    )


# The gate -----------------------------------------------------------------------------------

# Reachable by a signed-in user who still owes a second factor, besides the public pages: the
# code step and its security key ceremony, and (for staff without a device) setting one up.
GATE_OPEN_URL_NAMES = frozenset(
    {
        "mfa_verify",
        "mfa_setup",
        "mfa_key_add",
        "otp_webauthn:credential-authentication-begin",
        "otp_webauthn:credential-authentication-complete",
        "otp_webauthn:credential-registration-begin",
        "otp_webauthn:credential-registration-complete",
        "logout",
        "admin:logout",
    }
)


class SecondFactorGateMiddleware:
    """Sends a signed-in user who must present a second factor, and has not in this session, to
    the verify page (or, for staff without a device, to setup), keeping `next`."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.view_name in GATE_OPEN_URL_NAMES:
            return None
        if not getattr(view_func, "login_required", True):
            return None  # a public page (@login_not_required), such as the home page
        if not must_verify(user):
            return None
        target = "mfa_verify" if user.two_step_on else "mfa_setup"
        return redirect_to_login(request.get_full_path(), reverse(target))
