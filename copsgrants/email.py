"""Email is rendered in the request and delivered by a Celery worker after the transaction
commits, so a slow or failing mail server never blocks or rolls back an action.

Each message is written once, as plain text (rendered without HTML escaping, so "Sheriff's
Office" arrives as typed), and also sent as an HTML alternative built from that text with every
character escaped and links made clickable."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.template.loader import render_to_string

from .tasks import send_email


def send_templated_email(*, template: str, context: dict[str, Any], to: Iterable[str]) -> None:
    """Render `<template>_subject.txt` and `<template>_body.txt`, queue delivery on commit."""
    recipients = sorted({address for address in to if address})
    if not recipients:
        return
    subject = " ".join(render_to_string(f"{template}_subject.txt", context, using="text").split())
    body = render_to_string(f"{template}_body.txt", context, using="text")
    # render_to_string returns a SafeString; as plain str the HTML template escapes all of it.
    html_body = render_to_string(
        "email/message.html", {"subject": subject, "body": str.strip(body)}
    )
    send_email.delay_on_commit(subject=subject, body=body, html_body=html_body, to=recipients)
