"""Absolute links for text that leaves the site (email), where no request says which host to use."""

from __future__ import annotations

from django import template
from django.conf import settings
from django.urls import reverse

register = template.Library()


def site_url() -> str:
    """settings.SITE_URL (env SITE_URL): `make run`'s address unless a deployment sets its own."""
    return settings.SITE_URL.rstrip("/")


@register.simple_tag
def absolute_url(view_name: str, *args: object) -> str:
    """`{% absolute_url "applications:application_overview" application.pk %}` ->
    "https://grants.example.gov/applications/12/"."""
    return site_url() + reverse(view_name, args=args)
