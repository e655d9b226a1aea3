"""Registers the MOU panel on the applications award page (applications/panels.py): for an SRO
award, where its MOU stands, the due date and a link to the MOU page."""

from __future__ import annotations

from django.http import HttpRequest
from django.template.loader import render_to_string

from applications.models import Award
from applications.panels import register_award_panel

from .services.status import mou_summary


@register_award_panel
def mou_panel(request: HttpRequest, award: Award) -> str:
    if not award.is_sro:
        return ""
    return render_to_string(
        "mou/_award_panel.html",
        {"award": award, "summary": mou_summary(award)},
        request=request,
    )
