"""Thin entry points for award letters (applications/letters.py does the work)."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from celery.utils.log import get_task_logger
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from . import letters
from .models import AwardLetter

logger = get_task_logger(__name__)

# Worth another try: the database connection or the storage hiccupped. Anything else (a template
# error, an integrity error) would fail the same way again, so the letter is marked failed at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)


class LetterTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        letter_id = args[0] if args else kwargs.get("letter_id")
        letters.mark_failed(letter_id=letter_id, error=f"{type(exc).__name__}: {exc}")


@shared_task(
    base=LetterTask,
    bind=True,
    # The message is acknowledged only once the letter is stored; a worker that dies mid-render
    # (SIGKILL, out of memory) leaves it to be redelivered to another worker.
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=True,
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=settings.LETTER_SOFT_TIME_LIMIT,
    time_limit=settings.LETTER_TIME_LIMIT,
)
def render_award_letter(self, letter_id: int) -> None:
    """Queued when the award (or the re-issue) commits. A no-op for a letter already READY."""
    try:
        letter = AwardLetter.objects.get(pk=letter_id)
    except AwardLetter.DoesNotExist:
        return  # its award was rolled back or deleted: nothing is owed
    letters.render_letter(letter)


@shared_task
def sweep_letters() -> int:
    """Run by beat (CELERY_BEAT_SCHEDULE): re-enqueue letters still owed. PENDING too long means
    the enqueue after commit failed (broker down) or the message was lost; RENDERING longer than
    the hard time limit means its worker died and nothing redelivered it."""
    now = timezone.now()
    stuck = AwardLetter.objects.filter(
        Q(
            status=AwardLetter.Status.PENDING,
            queued_at__lt=now - timedelta(minutes=settings.LETTER_PENDING_SWEEP_MINUTES),
        )
        | Q(
            status=AwardLetter.Status.RENDERING,
            started_at__lt=now - timedelta(seconds=settings.LETTER_TIME_LIMIT + 60),
        )
    ).values_list("pk", flat=True)
    count = 0
    for letter_id in stuck:
        render_award_letter.delay(letter_id)
        count += 1
    if count:
        logger.warning("Re-enqueued %d award letter(s) left pending or rendering.", count)
    return count
