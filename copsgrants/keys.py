"""Security keys (WebAuthn credentials, django-otp-webauthn) as a second factor.

The plugin runs the browser ceremonies through its JSON endpoints (copsgrants/urls_keys.py);
`KeyHelper` is its helper class (settings: OTP_WEBAUTHN_HELPER_CLASS), so a new key is saved in
one transaction with its audit event and security email, whichever page started it. The
services below name and remove keys; copsgrants.mfa counts a confirmed key as a second factor
like an authenticator app.
"""

from __future__ import annotations

from django.db import transaction
from django_otp_webauthn.helpers import WebAuthnHelper
from django_otp_webauthn.models import WebAuthnCredential

from . import mfa
from .audit import record
from .models import User

KEY_NAME_MAX_LENGTH = 64
# The recovery codes made when a key turned two-step verification on, until the page that
# named the key shows them (copsgrants/views_keys.py).
NEW_KEY_CODES_SESSION_KEY = "mfa_new_key_recovery_codes"


def default_key_name(user: User) -> str:
    count = WebAuthnCredential.objects.filter(user=user).count()
    return "Security key" if count == 0 else f"Security key {count + 1}"


class KeyHelper(WebAuthnHelper):
    """The plugin's helper, with this project's bookkeeping around a new credential."""

    def create_credential(self, user, response, parsed_credential, original_data):
        device = super().create_credential(user, response, parsed_credential, original_data)
        device.name = default_key_name(user)
        return device

    def register_complete(self, user, state, data):
        with transaction.atomic():
            device = super().register_complete(user=user, state=state, data=data)
            codes = key_added(device=device, by=user)
        if codes:
            self.request.session[NEW_KEY_CODES_SESSION_KEY] = codes
        if not user.is_verified():
            # The plugin now marks this session verified with the new key: a new session key
            # for the stronger session, as at sign-in.
            self.request.session.cycle_key()
        return device


def has_another_factor(*, key: WebAuthnCredential) -> bool:
    """Whether the key's owner has an authenticator app or another confirmed key."""
    user = key.user
    return mfa.app_devices(user).exists() or mfa.security_keys(user).exclude(pk=key.pk).exists()


def key_added(*, device: WebAuthnCredential, by: User) -> list[str]:
    """Record a key the plugin has just saved. Returns new recovery codes when the key turned
    two-step verification on (else an empty list: the old codes still hold)."""
    user = device.user
    turned_on = not has_another_factor(key=device)
    record(
        verb="mfa.enabled" if turned_on else "mfa.device_added",
        target=user,
        actor=by,
        message=f"Security key added ({device.name}).",
        data={"device": device.persistent_id},
    )
    codes = mfa._new_recovery_codes(user) if turned_on or not mfa.recovery_codes_left(user) else []
    mfa._notify(
        user,
        "Two-step verification was turned on for your account"
        if turned_on
        else "A security key was added to your account",
    )
    return codes


def rename_key(*, key: WebAuthnCredential, name: str, by: User) -> None:
    name = " ".join(name.split())[:KEY_NAME_MAX_LENGTH]
    if not name or name == key.name:
        return
    with transaction.atomic():
        old = key.name
        key.name = name
        key.save(update_fields=["name"])
        record(
            verb="mfa.device_renamed",
            target=key.user,
            actor=by,
            message=f"Security key renamed from {old!r} to {name!r}.",
            data={"device": key.persistent_id},
        )


def may_remove_key(*, key: WebAuthnCredential) -> tuple[bool, str]:
    if mfa.required(key.user) and not has_another_factor(key=key):
        return False, (
            "This is your only second factor, and COPS staff accounts must keep one. Add "
            "another security key or an authenticator app first."
        )
    return True, ""


def remove_key(*, key: WebAuthnCredential, by: User) -> bool:
    """Remove a key. Returns whether that turned two-step verification off (it was the last
    second factor of a user who may go without one): the recovery codes go with it."""
    allowed, reason = may_remove_key(key=key)
    if not allowed:
        raise mfa.MFAError(reason)
    user = key.user
    with transaction.atomic():
        name, persistent_id = key.name, key.persistent_id
        key.delete()
        turned_off = not mfa.is_on(user)
        if turned_off:
            mfa.StaticDevice.objects.filter(user=user).delete()
        record(
            verb="mfa.disabled" if turned_off else "mfa.device_removed",
            target=user,
            actor=by,
            message=f"Security key removed ({name})."
            + (" Two-step verification turned off." if turned_off else ""),
            data={"device": persistent_id},
        )
        mfa._notify(
            user,
            "Two-step verification was turned off for your account"
            if turned_off
            else "A security key was removed from your account",
        )
    return turned_off
