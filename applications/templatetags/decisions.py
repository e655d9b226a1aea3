"""Decisions in templates: the status an agency may see (`application|shown_status`), the
released decision with its details (`application|released_decision`), dollars
(`amount|dollars`) and the funding-plan links on a solicitation's admin page (`plan_tools`)."""

from __future__ import annotations

from decimal import Decimal

from django import template

from ..budget import format_dollars
from ..decisions import Decision
from ..decisions import released_decision as _released_decision
from ..decisions import shown_status as _shown
from ..models import Application, Solicitation

register = template.Library()


@register.filter
def shown_status(application: Application) -> dict[str, str]:
    value, label = _shown(application)
    return {"value": value, "label": label}


@register.filter
def released_decision(application: Application) -> Decision | None:
    return _released_decision(application)


@register.filter
def dollars(amount: Decimal | None) -> str:
    return "" if amount is None else format_dollars(amount)


@register.inclusion_tag("admin/applications/plan/_solicitation_tools.html", takes_context=True)
def plan_tools(context, solicitation: Solicitation) -> dict:
    from ..admin.plans import plan_tools as tools  # the admin package registers on import

    return tools(context["request"].user, solicitation)
