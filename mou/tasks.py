"""Thin entry points for the mou services (Celery autodiscovers this module)."""

from celery import shared_task

from .services.review import send_mou_reminders as send_reminders


@shared_task
def send_mou_reminders() -> int:
    """Run by beat hourly (CELERY_BEAT_SCHEDULE "mou-reminders"): each accepted SRO award's
    agency gets the MOU reminder due today, once per kind."""
    return send_reminders()
