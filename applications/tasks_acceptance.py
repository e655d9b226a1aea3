"""Thin entry points for the acceptance rules in services/acceptance.py (listed in CELERY_IMPORTS:
Celery's autodiscovery imports only tasks.py)."""

from celery import shared_task

from .services import expire_awards


@shared_task
def expire_overdue_awards() -> int:
    """Run by beat hourly (CELERY_BEAT_SCHEDULE): offered awards past their deadline expire."""
    return len(expire_awards())
