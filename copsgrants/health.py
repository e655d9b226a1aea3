"""Readiness checks for /healthz (docker-compose health checks and load balancers)."""

from __future__ import annotations

from django.conf import settings
from django.db import connections
from kombu import Connection


def check_database() -> str:
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any driver error means "down"
        return f"error: {exc.__class__.__name__}"
    return "ok"


def check_broker(timeout: float = 2.0) -> str:
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
