"""Registers the training panel on the applications dashboard (applications/panels.py)."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from applications.models import Agency
from applications.panels import register_dashboard_panel

from .services.roster import eligible_among


@register_dashboard_panel
def training_panel(request: HttpRequest, agencies: list[Agency]) -> str:
    """Links to the catalogue and the roster for the user's agencies that may train; nothing
    for anyone else."""
    eligible = eligible_among(agencies)  # one query, however many agencies
    if not eligible:
        return ""
    return render_to_string(
        "training/_dashboard_panel.html",
        {"agencies": eligible, "several": len(agencies) > 1},
        request=request,
    )
