"""Account services: confirming the email address given at sign-up, and what a completed password
reset changes besides the password.

A new account cannot sign in until its owner opens the link we email (`send_verification_email`).
The link carries a signed token (django.core.signing, salted for this purpose) naming the account
and its address; it expires after EMAIL_VERIFICATION_MAX_AGE and is spent once the address is
confirmed (a confirmed account's token is refused as used). Resending is rate-limited per account
(EMAIL_VERIFICATION_RESEND_INTERVAL), with the time of the last send on the account row.
"""

from __future__ import annotations

import logging
from datetime import datetime

from axes.models import AccessAttempt
from axes.utils import reset as axes_reset
from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from .audit import record
from .email import send_templated_email
from .models import User

logger = logging.getLogger(__name__)

SALT = "copsgrants.verification.email"


class LinkExpired(Exception):
    """The link is genuine but older than EMAIL_VERIFICATION_MAX_AGE."""


class LinkInvalid(Exception):
    """The link was altered, or names an account or address that no longer exists."""


def make_token(user: User) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT)


def verification_url(user: User) -> str:
    # Built from SITE_URL: the email may be written by a worker, with no request to build it from.
    return settings.SITE_URL + reverse("verify_email", args=[make_token(user)])


def user_for_token(token: str) -> User:
    """The account a confirmation link names (confirmed already or not); raises LinkExpired or
    LinkInvalid."""
    max_age = settings.EMAIL_VERIFICATION_MAX_AGE
    try:
        data = signing.loads(token, salt=SALT, max_age=max_age)
    except signing.SignatureExpired:
        raise LinkExpired from None
    except signing.BadSignature:
        raise LinkInvalid from None
    if not isinstance(data, dict):
        raise LinkInvalid
    # The address is part of the token: a link sent to an address since changed is void.
    user = User.objects.filter(pk=data.get("user"), email=data.get("email")).first()
    if user is None:
        raise LinkInvalid
    return user


def next_send_at(user: User) -> datetime | None:
    """When another link may be sent to this account; None when one may be sent now."""
    if user.verification_sent_at is None:
        return None
    when = user.verification_sent_at + settings.EMAIL_VERIFICATION_RESEND_INTERVAL
    return when if when > timezone.now() else None


def send_verification_email(*, user: User) -> bool:
    """Write a confirmation link to the outbox, unless the address is confirmed already or a link
    was sent less than EMAIL_VERIFICATION_RESEND_INTERVAL ago. Returns whether one was sent."""
    with transaction.atomic():
        # Two quick clicks on "Send the link again" send one message, not two.
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.email_verified or next_send_at(locked) is not None:
            return False
        locked.verification_sent_at = timezone.now()
        locked.save(update_fields=["verification_sent_at"])
        days = settings.EMAIL_VERIFICATION_MAX_AGE.days
        send_templated_email(
            template="registration/verify_email",
            context={
                "user_name": str(locked),
                "email": locked.email,
                "link": verification_url(locked),
                "days": days,
            },
            to=[locked.email],
        )
    user.verification_sent_at = locked.verification_sent_at
    return True


def verify_email(*, user: User, via: str = "link") -> None:
    """Mark the account's address confirmed (once; later calls change nothing)."""
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        if locked.email_verified:
            user.email_verified_at = locked.email_verified_at
            return
        locked.email_verified_at = timezone.now()
        locked.save(update_fields=["email_verified_at"])
        record(verb="user.email_verified", target=locked, actor=locked, data={"via": via})
    user.email_verified_at = locked.email_verified_at


def complete_password_reset(*, user: User) -> None:
    """After a password reset through the emailed link: the person has shown they read the
    mailbox, so the address is confirmed, and django-axes' pause on the account is lifted (the
    lockout page tells them a reset lets them back in)."""
    verify_email(user=user, via="password_reset")
    with transaction.atomic():
        record(verb="user.password_reset", target=user, actor=user)
    # django-axes keeps each failure under the username as typed ("Chief@Town.example" and
    # "chief@town.example" are two records), so every spelling of the address is cleared.
    typed = (
        AccessAttempt.objects.filter(username__iexact=user.email)
        .values_list("username", flat=True)
        .distinct()
    )
    cleared = sum(axes_reset(username=username) for username in set(typed))
    if cleared:
        logger.info("Password reset lifted %s failed sign-in records for user %s", cleared, user.pk)
