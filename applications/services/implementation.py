"""Carrying out an accepted award: the one question every implementation path asks ("is this
award withheld, and why?"), clearing a withholding condition (the MOU app calls it when it
approves an MOU; this module does not know MOUs exist), reporting officer hires and requesting,
approving and rejecting drawdowns."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from copsgrants.audit import record
from copsgrants.models import User

from ..models import Award, AwardCondition

# What a withholding condition still owes, shown as "Withheld: <this>, due <date>".
WITHHELD_BECAUSE = {
    AwardCondition.Code.SRO_MOU: "MOU not yet approved",
}


class ImplementationError(Exception):
    """An implementation action the award's state, its withholding or the user's role forbids."""


def withholding(award: Award) -> str:
    """Why the award's funds are withheld ("Withheld: MOU not yet approved, due 2027-01-12"),
    or "" when no withholding condition is outstanding. Reads the conditions fresh."""
    reasons = []
    for condition in AwardCondition.objects.filter(
        award=award, withholds_funds=True, cleared_at__isnull=True
    ).order_by("pk"):
        what = WITHHELD_BECAUSE.get(condition.code, f"{condition.get_code_display()} not met")
        due = f", due {condition.due_date.isoformat()}" if condition.due_date else ""
        reasons.append(f"{what}{due}")
    return f"Withheld: {'; '.join(reasons)}" if reasons else ""


def implementation_blocked(award: Award) -> str:
    """Why nothing may be implemented on the award yet ("" when everything is open): it must be
    accepted, and no withholding condition may be outstanding."""
    if award.status != Award.Status.ACCEPTED:
        return "Hires and drawdowns can be reported once the award is accepted."
    return withholding(award)


@transaction.atomic
def clear_condition(*, award: Award, code: str, by: User | None, note: str = "") -> bool:
    """Mark the award's `code` condition as met (idempotent: False when it already was, or the
    award has no such condition). Runs inside the caller's transaction when there is one."""
    condition = AwardCondition.objects.select_for_update().filter(award=award, code=code).first()
    if condition is None or condition.cleared_at is not None:
        return False
    condition.cleared_at = timezone.now()
    condition.cleared_by = by
    condition.save(update_fields=["cleared_at", "cleared_by"])
    record(
        verb="condition.cleared",
        target=award,
        actor=by,
        message=f"{condition.get_code_display()} met" + (f": {note}" if note else ""),
        data={"code": code},
    )
    return True
