"""How this app's audit events read in the staff's audit trail ("Section saved: Officer
request"). The core knows no app, so the app registers its verbs here."""

from __future__ import annotations

from datetime import datetime

from copsgrants.admin import format_eastern, register_event_labels
from copsgrants.models import AuditEvent

from ..sections import SECTIONS_BY_SLUG


def _section_saved(event: AuditEvent) -> str:
    slug = event.data.get("section", "")
    section = SECTIONS_BY_SLUG.get(slug)
    return f"Section saved: {section.title if section else slug}"


def _submitted(words: str):
    def label(event: AuditEvent) -> str:
        number, name = event.data.get("tracking_number"), event.data.get("certified_name")
        return f"{words} as {number}, certified by {name}"

    return label


def _returned(event: AuditEvent) -> str:
    due = event.data.get("corrections_due_at")
    if not due:
        return "Returned for corrections"
    return f"Returned for corrections, due {format_eastern(datetime.fromisoformat(due))}"


def _roles_changed(event: AuditEvent) -> str:
    before = ", ".join(event.data.get("before", []))
    after = ", ".join(event.data.get("after", []))
    return f"Roles changed from {before} to {after}"


def _approved(event: AuditEvent) -> str:
    if event.data.get("authorized_representative"):
        return "Request to join approved, as Authorized Representative"
    return "Request to join approved"


register_event_labels(
    {
        "agency.registered": "Agency registered",
        "agency.verified": "Agency verified by COPS",
        "membership.requested": "Asked to join",
        "membership.approved": _approved,
        "membership.declined": "Request to join declined",
        "membership.roles_changed": _roles_changed,
        "membership.removed": "Removed from the agency",
        "membership.representative_revoked": "Authorized Representative designation revoked",
        "application.started": "Application started",
        "application.section_saved": _section_saved,
        "application.submitted": _submitted("Submitted"),
        "application.resubmitted": _submitted("Resubmitted"),
        "application.returned": _returned,
        "application.withdrawn": "Withdrawn",
        "application.imported": lambda event: f"Imported as {event.data.get('status')}",
    }
)
