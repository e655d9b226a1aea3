"""Outgoing email is a durable outbox: a message is an Email row saved in the same transaction as
the change that causes it, so it commits or rolls back with that change, and the request never
talks to the broker or the mail server before the commit.

After the commit the request asks a worker to send the message (`deliver_email`). If the broker
is down it logs a warning and carries on: the row is still queued, and the `sweep_outbox` task
that Celery beat runs every minute sends whatever is owed, including messages whose earlier
attempt failed and is due for a retry. A worker sends a message only while it holds that row's
lock (SELECT ... FOR UPDATE SKIP LOCKED) and re-checks its status under the lock, so the
on-commit task and the sweep never both send one message.

The rows are django-post-office's (https://github.com/ui/django-post_office): a well-kept app
that supports Django 5.2, with Email and Log models and their migrations, an admin to read and
requeue messages, and status and retry bookkeeping (queued, requeued with a retry count, sent,
failed). Its Celery hook is not used (see POST_OFFICE in settings), and neither is its
`send_queued_mail`, which guards against a second sender with a file lock on one host only.

Each message is written once, as plain text (rendered without HTML escaping, so "Sheriff's
Office" arrives as typed), and also sent as an HTML alternative built from that text with every
character escaped and links made clickable. The rendered text is stored as is: post_office's
`mail.send()` would render it again as a template, so user-entered text could inject tags.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from post_office.models import PRIORITY, STATUS, Email
from post_office.settings import get_max_retries, get_retry_timedelta

logger = logging.getLogger(__name__)

UNSENT = (STATUS.queued, STATUS.requeued)


def send_templated_email(*, template: str, context: dict[str, Any], to: Iterable[str]) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt` into the outbox (in the caller's
    transaction) and ask a worker to send it once that transaction commits."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject = " ".join(render_to_string(f"{template}_subject.txt", context, using="text").split())
    body = render_to_string(f"{template}_body.txt", context, using="text")
    # render_to_string returns a SafeString; as plain str the HTML template escapes all of it.
    html_body = render_to_string(
        "email/message.html", {"subject": subject, "body": str.strip(body)}
    )
    email = Email.objects.create(
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=recipients,
        subject=subject,
        message=body,
        html_message=html_body,
        status=STATUS.queued,
        priority=PRIORITY.medium,
    )
    transaction.on_commit(partial(request_delivery, email_id=email.pk))


def request_delivery(*, email_id: int) -> None:
    """Queue the send; never fail the request that committed the message."""
    from .tasks import deliver_email  # tasks.py imports this module

    try:
        # No publish retries: with the broker down the request answers at once, and as fast for
        # an address without an account as for one with (no timing signal on password reset).
        deliver_email.apply_async((email_id,), retry=False)
    except Exception:
        # Broker down (Redis stopped, the filesystem broker's folder gone): the row is queued,
        # and the sweep sends it once beat and a worker can reach the broker again.
        logger.warning(
            "Could not queue email %s for delivery; the outbox sweep will send it",
            email_id,
            exc_info=True,
        )


def owed() -> QuerySet[Email]:
    """Messages to send now: queued, or requeued after a failure and due again; not expired."""
    now = timezone.now()
    return Email.objects.filter(
        Q(scheduled_time__isnull=True) | Q(scheduled_time__lte=now),
        Q(expires_at__isnull=True) | Q(expires_at__gt=now),
        status__in=UNSENT,
    )


def deliver(*, email_id: int) -> bool:
    """Send one message unless it is sent already, not due, or being sent by another worker.

    Returns whether this call sent it. The row stays locked until its new status commits; a
    failed send is requeued for a later sweep until post_office's MAX_RETRIES, then marked failed.
    """
    with transaction.atomic():
        email = owed().select_for_update(skip_locked=True).filter(pk=email_id).first()
        if email is None:
            return False
        status = email.dispatch()  # sends, saves sent/failed and writes its Log row
        if status == STATUS.sent:
            return True
        retries = email.number_of_retries or 0
        if retries < get_max_retries():
            email.status = STATUS.requeued
            email.number_of_retries = retries + 1
            email.scheduled_time = timezone.now() + get_retry_timedelta()
            email.save(update_fields=["status", "number_of_retries", "scheduled_time"])
        else:
            logger.error("Gave up on email %s after %s retries", email.pk, retries)
        return False


def deliver_owed() -> int:
    """Send every message that is owed; return how many this call sent."""
    pending = list(owed().order_by("-priority", "created").values_list("pk", flat=True))
    return sum(deliver(email_id=email_id) for email_id in pending)


def count_unsent(*, older_than: timedelta) -> int:
    """How many messages created more than `older_than` ago are still waiting to be sent.

    Messages given up on (failed) are not counted: they wait for a person, in the admin.
    """
    cutoff = timezone.now() - older_than
    return Email.objects.filter(status__in=UNSENT, created__lt=cutoff).count()


def purge_sent(*, now=None) -> int:
    """Delete sent messages (and their delivery logs) older than OUTBOX_KEEP_SENT_DAYS. Unsent
    and failed messages stay: staff may still need to requeue them."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.OUTBOX_KEEP_SENT_DAYS)
    old = Email.objects.filter(status=STATUS.sent, last_updated__lt=cutoff)
    deleted = old.count()
    old.delete()  # their delivery logs go with them (CASCADE)
    if deleted:
        logger.info("Deleted %s sent email rows older than %s", deleted, cutoff)
    return deleted
