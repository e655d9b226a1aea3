"""How stored answers read on the review page and in the staff's read-only view."""

from __future__ import annotations

from decimal import Decimal

from django import forms

from .checks import profile_value
from .models import Application, MatchWaiver
from .sections import Section


def waiver_status(application: Application) -> str:
    """Where a requested match waiver stands: "requested, not yet approved" until COPS decides
    it at screening (the money is costed as requested meanwhile), then the decision."""
    decision = application.waiver_decision
    if not decision:
        return "requested, not yet approved"
    if decision == Application.WaiverDecision.DENIED:
        return f"denied: {application.waiver_decision_reason}"
    kind = "full" if decision == Application.WaiverDecision.APPROVED_FULL else "partial"
    return f"approved: {kind} waiver"


def _display(name: str, field: forms.Field, value, application: Application) -> str:
    if value in (None, ""):
        return "Not answered"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    choices = dict(getattr(field, "choices", []) or [])
    if name == "match_waiver" and value in (MatchWaiver.PARTIAL, MatchWaiver.FULL):
        return f"{choices.get(value, value)} ({waiver_status(application)})"
    if value in choices:
        return str(choices[value])
    if isinstance(value, Decimal) and name.startswith(("salary_", "fringe_")):
        return f"${value:,.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def section_answers(section: Section, application: Application) -> list[tuple[str, str]]:
    """(label, answer) pairs for the review page and the staff's read-only view."""
    form = section.form(application)
    required = section.check.required
    answers = []
    for name, field in form.fields.items():
        if name == "version":
            continue
        value = (
            profile_value(application, name)
            if section.check.prefilled
            else getattr(application, name)
        )
        if value in (None, "") and name not in required:
            continue  # an optional question left blank (e.g. no waiver, so no justification)
        answers.append((str(field.label), _display(name, field, value, application)))
    if section.has_partners and application.sro_commitment:
        for partner in application.school_partners.all():
            answers.append(
                (
                    f"School partner: {partner.district_name}",
                    f"{partner.contact_name}, {partner.contact_email}, {partner.contact_phone}. "
                    f"Schools: {', '.join(partner.schools.splitlines())}",
                )
            )
    return answers
