"""Absolute links for text that leaves the site (email), where no request says which host to use."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()

# `make run` serves here; a deployment sets SITE_URL to its public address.
DEFAULT_SITE_URL = "http://127.0.0.1:8000"


def site_url() -> str:
    return (getattr(settings, "SITE_URL", "") or DEFAULT_SITE_URL).rstrip("/")


@register.simple_tag
def absolute_url(view_name: str, *args: object) -> str:
    """`{% absolute_url "applications:application_overview" application.pk %}` ->
    "https://grants.example.gov/applications/12/"."""
    return site_url() + reverse(view_name, args=args)
