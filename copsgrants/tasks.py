"""Thin entry points to the outbox in copsgrants/email.py."""

from celery import shared_task

from . import email


@shared_task(acks_late=True)
def deliver_email(email_id: int) -> None:
    """Queued when the message's transaction commits. A no-op if the sweep sent it first."""
    email.deliver(email_id=email_id)


@shared_task
def sweep_outbox() -> None:
    """Run by beat every minute (CELERY_BEAT_SCHEDULE): send every message still owed."""
    email.deliver_owed()


@shared_task
def purge_sent_email() -> None:
    """Run by beat daily: delete sent messages older than OUTBOX_KEEP_SENT_DAYS."""
    email.purge_sent()
