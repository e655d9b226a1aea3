"""Thin entry points for completion certificates (training/certificates.py does the work)."""

from __future__ import annotations

from datetime import timedelta

from celery import Task, shared_task
from celery.utils.log import get_task_logger
from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.db.models import Q
from django.utils import timezone

from . import certificates
from .models import Certificate

logger = get_task_logger(__name__)

# Worth another try: the database connection or the storage hiccupped. Anything else would fail
# the same way again, so the certificate is marked failed at once.
TRANSIENT_ERRORS = (OperationalError, InterfaceError, OSError)

# A certificate left PENDING this long had its enqueue fail (broker down) or its message lost.
PENDING_SWEEP = timedelta(minutes=1)


class CertificateTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo) -> None:
        certificate_id = args[0] if args else kwargs.get("certificate_id")
        certificates.mark_failed(
            certificate_id=certificate_id, error=f"{type(exc).__name__}: {exc}"
        )


@shared_task(
    base=CertificateTask,
    bind=True,
    # Acknowledged only once the certificate is stored; a worker that dies mid-render leaves it
    # to be redelivered to another worker. Same renderer and limits as award letters.
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
def render_certificate(self, certificate_id: int) -> None:
    """Queued when the completion commits. A no-op for a certificate already READY."""
    if not Certificate.objects.filter(pk=certificate_id).exists():
        return  # the completion was rolled back: nothing is owed
    certificates.render_certificate(certificate_id)


@shared_task
def sweep_certificates() -> int:
    """Run by beat (CELERY_BEAT_SCHEDULE): re-enqueue certificates still owed: PENDING for over
    a minute (the enqueue after commit failed), or RENDERING past the hard time limit (the
    worker died and nothing redelivered it)."""
    now = timezone.now()
    stuck = Certificate.objects.filter(
        Q(status=Certificate.Status.PENDING, queued_at__lt=now - PENDING_SWEEP)
        | Q(
            status=Certificate.Status.RENDERING,
            started_at__lt=now - timedelta(seconds=settings.LETTER_TIME_LIMIT + 60),
        )
    ).values_list("pk", flat=True)
    count = 0
    for certificate_id in stuck:
        render_certificate.delay(certificate_id)
        count += 1
    if count:
        logger.warning("Re-enqueued %d certificate(s) left pending or rendering.", count)
    return count
