"""Where an award's MOU stands, for the agency's MOU page, the award-page panel and the admin."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from applications.models import Award, AwardCondition

from ..models import MouVersion

__all__ = ["MouSummary", "mou_summary"]

NOT_UPLOADED = "Not yet uploaded"
AWAITING = "Awaiting review"
CHANGES = "Changes requested"
APPROVED = "Approved"
OVERDUE = "Overdue"
MET = "Condition met"


@dataclass(frozen=True)
class MouSummary:
    versions: list[MouVersion] = field(default_factory=list)  # newest first
    latest: MouVersion | None = None
    approved: MouVersion | None = None  # the newest approved version
    due_date: date | None = None
    cleared_at: datetime | None = None
    state: str = NOT_UPLOADED
    # A USWDS alert/tag flavour for the state: "success", "info", "warning" or "error".
    tone: str = "info"

    @property
    def is_overdue(self) -> bool:
        return self.state == OVERDUE


def mou_summary(award: Award, today: date | None = None) -> MouSummary:
    """The award's MOU versions (newest first, with their element checks) and its state label:
    "Approved", "Awaiting review", "Overdue" (past the due date and not approved, with nothing
    awaiting review), "Changes requested" or "Not yet uploaded"."""
    today = today or timezone.localdate()
    versions = list(
        MouVersion.objects.filter(award=award)
        .select_related("uploaded_by", "decided_by")
        .prefetch_related("checks")
        .order_by("-version")
    )
    condition = AwardCondition.objects.filter(award=award, code=AwardCondition.Code.SRO_MOU).first()
    due_date = condition.due_date if condition else None
    cleared_at = condition.cleared_at if condition else None
    latest = versions[0] if versions else None
    approved = next((v for v in versions if v.status == MouVersion.Status.APPROVED), None)

    if latest is not None and latest.status == MouVersion.Status.APPROVED:
        state, tone = APPROVED, "success"
    elif latest is not None and latest.status == MouVersion.Status.SUBMITTED:
        state, tone = AWAITING, "info"
    elif cleared_at is None and approved is None and due_date and today > due_date:
        state, tone = OVERDUE, "error"
    elif latest is not None and latest.status == MouVersion.Status.CHANGES_REQUESTED:
        state, tone = CHANGES, "warning"
    elif approved is not None:
        state, tone = APPROVED, "success"
    elif cleared_at is not None:  # met without an approved version here (e.g. cleared by COPS)
        state, tone = MET, "success"
    else:
        state, tone = NOT_UPLOADED, "warning"
    return MouSummary(
        versions=versions,
        latest=latest,
        approved=approved,
        due_date=due_date,
        cleared_at=cleared_at,
        state=state,
        tone=tone,
    )
