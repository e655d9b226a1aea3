"""The append-only business event log. Service functions call `record` inside their transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models

from .models import AuditEvent, User


def record(
    *,
    verb: str,
    target: models.Model,
    actor: User | None,
    message: str = "",
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    return AuditEvent.objects.create(
        verb=verb,
        content_type=ContentType.objects.get_for_model(target, for_concrete_model=False),
        object_id=str(target.pk),
        target_repr=str(target)[:255],
        actor=actor if actor is not None and actor.is_authenticated else None,
        message=message,
        data=data or {},
    )
