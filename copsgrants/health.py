"""Readiness checks for /healthz (docker-compose health checks and load balancers)."""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings
from django.db import connections
from kombu import Connection

from . import email


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def check_broker(timeout: float = 2.0) -> str:
    """Can a message be queued, and is the outbox being emptied? Either failing means email
    is not going out."""
    reachable = _check_broker_connection(timeout)
    if reachable != "ok":
        return reachable
    return check_outbox()


def _check_broker_connection(timeout: float) -> str:
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        # kombu "connects" to a missing folder without complaint; only the first publish fails.
        options = settings.CELERY_BROKER_TRANSPORT_OPTIONS
        for key in ("data_folder_in", "data_folder_out", "processed_folder", "control_folder"):
            folder = options.get(key)
            if folder and not os.access(folder, os.W_OK | os.X_OK):
                return "error: the broker folder is missing or not writable"
        return "ok"
    try:
        with Connection(
            settings.CELERY_BROKER_URL,
            transport_options=settings.CELERY_BROKER_TRANSPORT_OPTIONS,
            connect_timeout=timeout,
        ) as conn:
            conn.ensure_connection(max_retries=1, interval_start=0, timeout=timeout)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


def check_outbox() -> str:
    """Report an error when some email has waited more than OUTBOX_MAX_AGE_MINUTES to be sent:
    no worker or no beat is running, or the mail server keeps refusing it."""
    max_age = timedelta(minutes=settings.OUTBOX_MAX_AGE_MINUTES)
    try:
        count = email.count_unsent(older_than=max_age)
    except Exception as exc:  # the database is down: check_database says so
        return f"error: outbox unreadable ({exc.__class__.__name__})"
    if count:
        return f"error: {count} email(s) unsent for over {settings.OUTBOX_MAX_AGE_MINUTES} minutes"
    return "ok"
