"""Deadlines as people read them: "March 3, 2027 at 4:59 PM EST (in 58 days)", always in U.S.
Eastern time, whatever the server's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.utils import timezone

register = template.Library()

EASTERN = ZoneInfo("America/New_York")


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'}"


@register.filter
def eastern(moment: datetime | None) -> str:
    """ "March 3, 2027 at 4:59 PM EST" """
    if moment is None:
        return ""
    local = moment.astimezone(EASTERN)
    return f"{local:%B} {local.day}, {local.year} at {local.hour % 12 or 12}:{local:%M %p %Z}"


@register.filter
def time_left(moment: datetime | None, now: datetime | None = None) -> str:
    """ "in 58 days", "in 5 hours", "in 12 minutes"; "closed" once it has passed. Whole units,
    rounded down, so a deadline is never nearer than it says."""
    if moment is None:
        return ""
    seconds = (moment - (now or timezone.now())).total_seconds()
    if seconds <= 0:
        return "closed"
    if seconds >= 86_400:
        return f"in {_plural(int(seconds // 86_400), 'day')}"
    if seconds >= 3_600:
        return f"in {_plural(int(seconds // 3_600), 'hour')}"
    if seconds >= 60:
        return f"in {_plural(int(seconds // 60), 'minute')}"
    return "in less than a minute"


@register.filter
def deadline(moment: datetime | None) -> str:
    """ "March 3, 2027 at 4:59 PM EST (in 58 days)", or "(closed)" once it has passed."""
    if moment is None:
        return ""
    return f"{eastern(moment)} ({time_left(moment)})"
